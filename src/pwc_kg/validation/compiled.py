"""SHACL core constraints compiled to SPARQL SELECT queries over the union of the named graphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

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
    from importlib import resources

    packaged = resources.files("pwc_kg") / "data" / "shapes" / "pwc-shapes.ttl"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "shapes" / "pwc-shapes.ttl"


@dataclass(frozen=True)
class Constraint:
    shape: str
    target: str
    path: str
    component: str  # the local name of the constraint component, e.g. "minCount"
    value: str  # the constraint parameter as written
    query: str
    message: str


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
        tests = " ".join(f"FILTER NOT EXISTS {{ ?focus <{p}> ?any{i} }}" for i, p in enumerate(paths))
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
    """Focus nodes: SHACL instances of the target class, i.e. of it or of any subclass.

    ``?target`` is bound by ``validate_store`` to the class and its subclasses in the store.
    """
    return "?focus <" + RDF_TYPE + "> ?target ."


def _constraints(shape: str, target: str, path: str, params: dict, focus: str) -> list[Constraint]:
    values = f"{focus} ?focus <{path}> ?value ."
    msg = params.get("message")
    out = []

    def add(component: str, value: str, where: str, group: str = "", default_msg: str = "") -> None:
        select = "SELECT DISTINCT ?focus ?value" if not group else "SELECT ?focus (COUNT(DISTINCT ?v) AS ?value)"
        query = f"{select} WHERE {{ {where} }} {group}"
        out.append(Constraint(shape, target, path, component, value, query, msg.value if msg else default_msg))

    lo = int(params["minCount"].value) if "minCount" in params else 0
    hi = int(params["maxCount"].value) if "maxCount" in params else None
    if lo == 1:
        add("minCount", "1", f"{focus} FILTER NOT EXISTS {{ ?focus <{path}> ?any }} BIND(0 AS ?value)",
            default_msg=f"needs a value for <{path}>")
    elif lo > 1:
        add("minCount", str(lo), f"{focus} OPTIONAL {{ ?focus <{path}> ?v }}",
            f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {lo})", f"needs at least {lo} values for <{path}>")
    if hi is not None:
        add("maxCount", str(hi), f"{focus} ?focus <{path}> ?v .",
            f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {hi})", f"has more than {hi} values for <{path}>")
    if "datatype" in params:
        dt = params["datatype"].value
        check = f"!isLiteral(?value) || datatype(?value) != <{dt}>"
        if dt in _LEXICAL:
            out_where = f'{values} FILTER({check} || !REGEX(STR(?value), "{_LEXICAL[dt]}"))'
        elif dt in _CASTS:
            out_where = f"{values} BIND(<{dt}>(STR(?value)) AS ?cast) FILTER({check} || !BOUND(?cast))"
        else:
            out_where = f"{values} FILTER({check})"
        add("datatype", dt, out_where, default_msg=f"values must be well-formed {dt}")
    if "class" in params:
        cls = params["class"].value
        add("class", cls, f"{values} FILTER NOT EXISTS {{ ?value <{RDF_TYPE}>/<{SUBCLASS}>* <{cls}> }}",
            default_msg=f"values must be instances of <{cls}>")
    if "nodeKind" in params:
        kind = params["nodeKind"].value.removeprefix(SH)
        test = {"IRI": "isIRI(?value)", "Literal": "isLiteral(?value)", "BlankNode": "isBlank(?value)",
                "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
                "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))"}.get(kind)
        if test is None:
            raise UnsupportedShape(f"{shape}: sh:nodeKind {kind}")
        add("nodeKind", kind, f"{values} FILTER(!{test})", default_msg=f"values must be {kind}s")
    if "pattern" in params:
        pattern = params["pattern"]
        flags = params.get("flags")
        args = f"STR(?value), {_term(pattern)}" + (f", {_term(flags)}" if flags else "")
        add("pattern", pattern.value, f"{values} FILTER(isBlank(?value) || !REGEX({args}))",
            default_msg=f"values must match {pattern.value!r}")
    if "minLength" in params:
        n = int(params["minLength"].value)
        add("minLength", str(n), f"{values} FILTER(isBlank(?value) || STRLEN(STR(?value)) < {n})",
            default_msg=f"values must be at least {n} characters long")
    for comp, op in (("minInclusive", ">="), ("maxInclusive", "<=")):
        if comp in params:
            bound = _term(params[comp])
            # A value that cannot be compared (an error in SPARQL) violates the constraint too.
            add(comp, params[comp].value, f"{values} FILTER(!COALESCE(?value {op} {bound}, false))",
                default_msg=f"values must be {'at least' if op == '>=' else 'at most'} {params[comp].value}")
    return out


def validate_store(store: ox.Store, shapes: Path | None = None, sample: int = SAMPLE) -> ValidationResult:
    """Run every compiled constraint over the union of the store's named graphs."""
    result = ValidationResult()
    subclasses: dict[str, str] = {}
    for c in compile_shapes(shapes):
        if c.target not in subclasses:
            rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{SUBCLASS}>* <{c.target}> }}",
                               use_default_graph_as_union=True)
            classes = {c.target} | {r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)}
            subclasses[c.target] = " ".join(f"<{k}>" for k in sorted(classes))
        query = c.query.replace("WHERE {", f"WHERE {{ VALUES ?target {{ {subclasses[c.target]} }}", 1)
        rows = list(store.query(query, use_default_graph_as_union=True))
        if not rows:
            continue
        paths = " | ".join(_short(p) for p in c.path.split(" | "))
        key = f"{_short(c.target)} {paths} {c.component}" + ("" if c.component == "or" else f" {_short(c.value)}")
        result.by_constraint[key] = len(rows)
        result.count += len(rows)
        for row in rows[: max(0, sample - len(result.samples))]:
            result.samples.append(Violation(row["focus"].value, c.path, c.component, str(row["value"]), c.message))
    return result


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
