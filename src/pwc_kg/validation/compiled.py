"""SHACL core constraints compiled to SPARQL SELECT queries over the union of the named graphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ..queries.binding import bind_values
from ..store.union import union_options

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
SUPPORTED = {"minCount", "maxCount", "datatype", "class", "nodeKind", "pattern", "flags", "minLength",
             "minInclusive", "maxInclusive", "path", "name", "description", "message", "severity", "order"}
NODE_LEVEL = {"targetClass", "property", "or", "message", "name", "description"}
# How to tell a well-formed literal of a datatype: its lexical space as a regular expression, or a
# cast that fails on an ill-formed one (dates, where the calendar matters).
_LEXICAL = {
    XSD + "decimal": r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
    XSD + "integer": r"^[+-]?[0-9]+$",
    XSD + "boolean": r"^(true|false|1|0)$",
    XSD + "gYear": r"^-?([1-9][0-9]{4,}|[0-9]{4})(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$",
}
_CASTS = {XSD + "date", XSD + "dateTime", XSD + "double"}
SAMPLE = 20


def shapes_path() -> Path:
    from .. import resources

    return resources.path("shapes/pwc-shapes.ttl")


TARGETS = "__TARGETS__"  # replaced by the target class and its subclasses, at validation time
CLASSES = "__CLASSES__"  # replaced by the sh:class value and its subclasses


@dataclass(frozen=True)
class Constraint:
    shape: str
    target: str
    path: str
    component: str  # the local name of the constraint component, e.g. "minCount"
    value: str  # the constraint parameter as written
    query: str  # SELECT ?focus ?value of the violations, with the TARGETS (and CLASSES) placeholders
    message: str
    test: str = ""  # for checks of one value at a time: the FILTER expression that flags a bad ?value
    flags: str = ""  # a pattern's sh:flags


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    component: str
    value: str
    message: str


@dataclass
class ValidationResult:
    count: int = 0
    by_constraint: dict[str, int] = field(default_factory=dict)
    samples: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return self.count == 0

    def text(self) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape.\n"
        lines = [f"Does not conform: {self.count} violations."]
        for key, n in sorted(self.by_constraint.items()):
            lines.append(f"  {n:8d}  {key}")
        lines.append("Examples:")
        for v in self.samples:
            lines.append(f"  {v.focus}\n      {v.path} [{v.component}] {v.message} (value: {v.value})")
        return "\n".join(lines) + "\n"


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature the compiler cannot check exactly."""


def _term(t: ox.NamedNode | ox.Literal) -> str:
    return str(t)


def compile_shapes(path: Path | None = None) -> list[Constraint]:
    return list(_compile(str(path or shapes_path())))


@lru_cache(maxsize=4)
def _compile(path: str) -> tuple[Constraint, ...]:
    g = ox.Store()
    g.load(path=path, format=ox.RdfFormat.TURTLE)
    out: list[Constraint] = []
    shapes = g.query(f"SELECT ?s ?c WHERE {{ ?s <{SH}targetClass> ?c }} ORDER BY ?s")
    for row in shapes:
        shape, target = row["s"], row["c"]
        focus = _focus(target.value)
        for q in g.quads_for_pattern(shape, None, None):
            key = q.predicate.value
            if key != RDF_TYPE and key.removeprefix(SH) not in NODE_LEVEL:
                raise UnsupportedShape(f"{shape.value}: {key} is not supported by the compiler")
        props = g.query(f"SELECT ?p WHERE {{ <{shape.value}> <{SH}property> ?p }}")
        for prow in props:
            p = prow["p"]
            params = {}
            for q in g.quads_for_pattern(p, None, None):
                local = q.predicate.value.removeprefix(SH)
                if not q.predicate.value.startswith(SH) or local not in SUPPORTED:
                    raise UnsupportedShape(f"{shape.value}: {q.predicate.value} is not supported by the compiler")
                params[local] = q.object
            path_ = params.get("path")
            if not isinstance(path_, ox.NamedNode):
                raise UnsupportedShape(f"{shape.value}: only IRI paths are supported")
            out.extend(_constraints(shape.value, target.value, path_.value, params, focus))
        out.extend(_or_constraints(g, shape, target, focus))
    return tuple(out)


def _or_constraints(g: ox.Store, shape, target, focus: str) -> list[Constraint]:
    """sh:or of property shapes that each only require a value (sh:minCount 1): one of the paths must have one."""
    out = []
    q = f"""SELECT ?list WHERE {{ <{shape.value}> <{SH}or> ?list }}"""
    msg = next(iter(g.query(f"SELECT ?m WHERE {{ <{shape.value}> <{SH}message> ?m }}")), None)
    for row in g.query(q):
        paths = []
        for m in _list_items(g, row["list"]):
            params = {q.predicate.value.removeprefix(SH): q.object for q in g.quads_for_pattern(m, None, None)}
            if set(params) != {"path", "minCount"} or params["minCount"].value != "1":
                raise UnsupportedShape(f"{shape.value}: sh:or members may only say sh:path and sh:minCount 1")
            paths.append(params["path"].value)
        tests = " ".join(f"MINUS {{ ?focus <{p}> ?any{i} }}" for i, p in enumerate(paths))
        query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {tests} BIND(0 AS ?value) }}"
        text = msg["m"].value if msg else f"needs a value for one of {', '.join(paths)}"
        out.append(Constraint(shape.value, target.value, " | ".join(paths), "or", " | ".join(paths), query, text))
    return out


def _list_items(g: ox.Store, head) -> list:
    items = []
    first, rest = ox.NamedNode(RDF_TYPE.replace("type", "first")), ox.NamedNode(RDF_TYPE.replace("type", "rest"))
    node = head
    while not (isinstance(node, ox.NamedNode) and node.value.endswith("#nil")):
        items.append(next(g.quads_for_pattern(node, first, None)).object)
        node = next(g.quads_for_pattern(node, rest, None)).object
    return items


def _focus(target: str) -> str:
    """Focus nodes: SHACL instances of the target class, i.e. of it or of any subclass."""
    return f"VALUES ?target {{ {TARGETS} }} ?focus <{RDF_TYPE}> ?target ."


_NODE_KINDS = {"IRI": "isIRI(?value)", "Literal": "isLiteral(?value)", "BlankNode": "isBlank(?value)",
               "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
               "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))"}


def _constraints(shape: str, target: str, path: str, params: dict, focus: str) -> list[Constraint]:
    msg = params.get("message")
    out = []

    def add(component: str, query: str, value: str, default_msg: str, test: str = "", flags: str = "") -> None:
        out.append(Constraint(shape, target, path, component, value, query, msg.value if msg else default_msg, test,
                              flags))

    def flagged(inner: str) -> str:
        """Find the bad values first, then keep those on focus nodes: the type join runs on few rows."""
        return f"SELECT DISTINCT ?focus ?value WHERE {{ {{ {inner} }} {focus} }}"

    def add_test(component: str, value: str, test: str, default_msg: str, flags: str = "") -> None:
        inner = f"SELECT ?focus ?value WHERE {{ ?focus <{path}> ?value FILTER({test}) }}"
        add(component, flagged(inner), value, default_msg, test, flags)

    lo = int(params["minCount"].value) if "minCount" in params else 0
    hi = int(params["maxCount"].value) if "maxCount" in params else None
    if lo == 1:
        # MINUS is a hash anti-join in Oxigraph: several times faster here than FILTER NOT EXISTS
        add("minCount", f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} MINUS {{ ?focus <{path}> ?any }} "
            "BIND(0 AS ?value) }", "1", f"needs a value for <{path}>")
    elif lo > 1:
        add("minCount", f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} OPTIONAL {{ ?focus <{path}> ?v }} }} "
            f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {lo})", str(lo), f"needs at least {lo} values for <{path}>")
    if hi is not None:
        inner = (f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ ?focus <{path}> ?v }} "
                 f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {hi})")
        add("maxCount", flagged(inner), str(hi), f"has more than {hi} values for <{path}>")
    if "datatype" in params:
        dt = params["datatype"].value
        test = f"!isLiteral(?value) || datatype(?value) != <{dt}>"
        if dt in _LEXICAL:
            test += f' || !REGEX(STR(?value), "{_LEXICAL[dt]}")'
        elif dt in _CASTS:
            test += f" || !COALESCE(isLiteral(<{dt}>(STR(?value))), false)"  # the cast fails on ill-formed
        add_test("datatype", dt, test, f"values must be well-formed {dt}")
    if "class" in params:
        cls = params["class"].value
        inner = f"SELECT ?focus ?value WHERE {{ ?focus <{path}> ?value MINUS {{ VALUES ?k {{ {CLASSES} }} ?value <{RDF_TYPE}> ?k }} }}"
        add("class", flagged(inner), cls, f"values must be instances of <{cls}>")
    if "nodeKind" in params:
        kind = params["nodeKind"].value.removeprefix(SH)
        if kind not in _NODE_KINDS:
            raise UnsupportedShape(f"{shape}: sh:nodeKind {kind}")
        add_test("nodeKind", kind, f"!{_NODE_KINDS[kind]}", f"values must be {kind}s")
    if "pattern" in params:
        pattern = params["pattern"]
        flags = params.get("flags")
        args = f"STR(?value), {_term(pattern)}" + (f", {_term(flags)}" if flags else "")
        add_test("pattern", pattern.value, f"isBlank(?value) || !REGEX({args})", f"values must match {pattern.value!r}",
                 flags.value if flags else "")
    if "minLength" in params:
        n = int(params["minLength"].value)
        add_test("minLength", str(n), f"isBlank(?value) || STRLEN(STR(?value)) < {n}",
                 f"values must be at least {n} characters long")
    for comp, op in (("minInclusive", ">="), ("maxInclusive", "<=")):
        if comp in params:
            bound = _term(params[comp])
            # A value that cannot be compared (an error in SPARQL) violates the constraint too.
            add_test(comp, params[comp].value, f"!COALESCE(?value {op} {bound}, false)",
                     f"values must be {'at least' if op == '>=' else 'at most'} {params[comp].value}")
    return out


def _class_values(store: ox.Store, cls: str, cache: dict) -> str:
    """The class and its subclasses in the store, as the body of a VALUES block."""
    if cls not in cache:
        rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{SUBCLASS}>* <{cls}> }}", **union_options(store))
        classes = {cls} | {r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)}
        cache[cls] = " ".join(f"<{k}>" for k in sorted(classes))
    return cache[cls]


def _plan(store: ox.Store, constraints: list[Constraint], checked=None) -> list[tuple[str, list[Constraint]]]:
    """Queries to run: one per constraint, except that the value tests of one (target, path) share
    a single scan, whose rows are sorted out by the separate queries only when it finds any.

    With ``checked`` (a ``values.ValueChecks`` the build ran on the lines of the graphs it names),
    the value tests of a path it checked look only at its suspects and at the other graphs.
    """
    cache: dict[str, str] = {}
    jobs, tests = [], {}
    others = None
    if checked is not None:
        streamed = set(checked.graphs)
        others = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in streamed)
    for c in constraints:
        if c.test:
            tests.setdefault((c.target, c.path), []).append(c)
        else:
            jobs.append((c.query.replace(TARGETS, _class_values(store, c.target, cache))
                         .replace(CLASSES, _class_values(store, c.value, cache) if c.component == "class" else ""), [c]))
    for (target, path), group in tests.items():
        either = " || ".join(f"({c.test})" for c in group)
        if checked is not None and path in checked.paths and path not in checked.overflow:
            where = _checked_values(path, checked.suspects.get(path, ()), others)
            if where is None:
                continue  # no suspect, no other graph: nothing left to test
        else:
            where = f"?focus <{path}> ?value"
        query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {{ SELECT ?focus ?value WHERE {{ {where} "
                 f"FILTER({either}) }} }} {_focus(target)} }}").replace(TARGETS, _class_values(store, target, cache))
        jobs.append((query, group))
    return jobs


def _checked_values(path: str, suspects, others: list[str]) -> str | None:
    """The values of a path a stream checked: its suspects' values, and every value in the graphs it did not see."""
    parts = []
    if suspects:
        parts.append(bind_values(f"SELECT ?focus ?value WHERE {{ ?focus <{path}> ?value }}",
                                 {"focus": [ox.NamedNode(s) for s in sorted(suspects)]}))
    if others:
        parts.append(bind_values(f"SELECT ?focus ?value WHERE {{ GRAPH ?g {{ ?focus <{path}> ?value }} }}",
                                 {"g": [ox.NamedNode(g) for g in others]}))
    return " UNION ".join("{ " + part + " }" for part in parts) or None


def _run(store: ox.Store, query: str) -> list:
    return list(store.query(query, **union_options(store)))  # the default graph: the named graphs' union


def validate_store(store: ox.Store, shapes: Path | None = None, sample: int = SAMPLE, threads: int = 2,
                   checked=None) -> ValidationResult:
    """Run every compiled constraint over the union of the store's named graphs.

    Queries run on ``threads`` threads (pyoxigraph releases the GIL while it evaluates). With
    ``checked``, the value tests the build ran on its lines are run on their suspects only (values.py).
    """
    result = ValidationResult()
    jobs = _plan(store, compile_shapes(shapes), checked)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        found = list(pool.map(lambda job: _run(store, job[0]), jobs))
    cache: dict[str, str] = {}
    for (query, group), rows in zip(jobs, found):
        if not rows:
            continue
        for c in group:
            if len(group) > 1:  # a shared scan found something: which of its tests failed?
                rows = _run(store, c.query.replace(TARGETS, _class_values(store, c.target, cache)))
                if not rows:
                    continue
            paths = " | ".join(_short(p) for p in c.path.split(" | "))
            key = f"{_short(c.target)} {paths} {c.component}" + ("" if c.component == "or" else f" {_short(c.value)}")
            result.by_constraint[key] = result.by_constraint.get(key, 0) + len(rows)
            result.count += len(rows)
            for row in rows[: max(0, sample - len(result.samples))]:
                result.samples.append(Violation(row["focus"].value, c.path, c.component, str(row["value"]), c.message))
    return result


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
