"""SHACL core constraints compiled to SPARQL SELECT queries over the union of the named graphs.

Each constraint becomes one query returning its violations as (?focus, ?value) rows. Focus nodes
come from every target (``sh:targetClass`` with subclasses, ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, and the implicit class target of a shape that is
also an ``rdfs:Class`` or ``owl:Class``, SHACL 2.1.3); paths are SHACL property paths as SPARQL
ones. The core components are compiled, ``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``,
``sh:xone`` and qualified value shapes included (a shape the values must conform to is itself
compiled, on those values as its focus nodes, into the set of the ones that do not). Each value of
a parameter is its own constraint (two ``sh:minCount`` are both checked); a parameter that takes one
value (``sh:path``, ``sh:flags``, ``sh:closed``, ...) given two is refused. So is anything else the
compiler cannot check exactly, with ``UnsupportedShape`` naming it: other SHACL features
(``sh:sparql``, recursive shapes), and what the store cannot tell apart because it keeps literals
in canonical form: ``sh:datatype`` of a derived integer type (``xsd:byte``, ``xsd:int``, ...:
pyoxigraph stores their literals as ``xsd:integer``), an ``sh:in`` or ``sh:hasValue`` literal not in
canonical form. The W3C SHACL core suite checks it (tests/test_w3c_shacl.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ..errors import PwcKgError
from ..queries.binding import bind_values
from ..store.union import union_options

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
# How to tell a well-formed literal of a datatype: its lexical space as a regular expression, or a
# cast that fails on an ill-formed one (dates, where the calendar matters).
_LEXICAL = {
    XSD + "decimal": r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
    XSD + "integer": r"^[+-]?[0-9]+$",
    XSD + "boolean": r"^(true|false|1|0)$",
    XSD + "gYear": r"^-?([1-9][0-9]{4,}|[0-9]{4})(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$",
}
_CASTS = {XSD + "date", XSD + "dateTime", XSD + "double", XSD + "float"}
SAMPLE = 20
MAX_NESTED = 4_000_000  # characters of SPARQL for the shapes a value must conform to (each nesting repeats its focus)


def shapes_path() -> Path:
    from .. import resources

    return resources.path("shapes/pwc-shapes.ttl")


@dataclass(frozen=True)
class Constraint:
    shape: str
    target: str
    path: str
    component: str  # the local name of the constraint component, e.g. "minCount"
    value: str  # the constraint parameter as written
    query: str  # SELECT ?focus ?value of the violations, with __SUBCLASSES<class>__ placeholders
    message: str
    test: str = ""  # for checks of one value at a time on an IRI path: the FILTER expression that flags a bad ?value
    flags: str = ""  # a pattern's sh:flags
    focus: str = ""  # the graph pattern that binds ?focus to the focus nodes (with placeholders)
    result_path: str | None = None  # the result path as a SPARQL path (None: a constraint of a node shape)
    value_is: str = "value"  # the result's sh:value: ?value, the focus node ("focus") or none ("")


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


class UnsupportedShape(PwcKgError, ValueError):
    """A shape uses a SHACL feature the compiler cannot check exactly."""


def _term(t: ox.NamedNode | ox.Literal) -> str:
    return str(t)


def compile_shapes(path: Path | None = None) -> list[Constraint]:
    return list(_compile(str(path or shapes_path())))


@lru_cache(maxsize=4)
def _compile(path: str) -> tuple[Constraint, ...]:
    # parsed, not stored: a store would rewrite literals ("1"^^xsd:boolean as "true", which SHACL tells apart)
    quads = ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=Path(path).resolve().as_uri())
    return compile_graph(Graph(quads))


def compile_graph(g) -> tuple[Constraint, ...]:
    """The constraints of every shape that has a target, in a shapes graph (a ``Graph``, or a store
    holding it in its default graph). Raises UnsupportedShape, naming the construct, for anything it
    cannot check exactly."""
    return _Compiler(g).run()


class Graph:
    """Triples in memory with the one lookup the compiler needs (``quads_for_pattern``), literals as written."""

    def __init__(self, triples):
        self.by_subject: dict = {}
        self.by_predicate: dict = {}
        for t in triples:
            t = ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
            self.by_subject.setdefault(t.subject, []).append(t)
            self.by_predicate.setdefault(t.predicate, []).append(t)

    def quads_for_pattern(self, s=None, p=None, o=None, graph=None):
        if s is not None:
            quads = self.by_subject.get(s, [])
        elif p is not None:
            quads = self.by_predicate.get(p, [])
        else:
            quads = [q for qs in self.by_subject.values() for q in qs]
        return [q for q in quads if (p is None or q.predicate == p) and (o is None or q.object == o)]


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS_CLASS = "http://www.w3.org/2000/01/rdf-schema#Class"
_OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
_CLASS_TYPES = (ox.NamedNode(_RDFS_CLASS), ox.NamedNode(_OWL_CLASS))
_SHAPE_TYPES = (ox.NamedNode(SH + "NodeShape"), ox.NamedNode(SH + "PropertyShape"))
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
# Parameters that say nothing to check: names, messages, severities and the shape's own type.
_IGNORED = {"name", "description", "message", "severity", "order", "group", "defaultValue", "declare", "prefixes"}
_PATHS = {"inversePath": "^({})", "zeroOrMorePath": "({})*", "oneOrMorePath": "({})+", "zeroOrOnePath": "({})?"}
# xsd types pyoxigraph stores as xsd:integer (their datatype is lost) and others whose lexical space is not checked.
_REWRITTEN = {XSD + t for t in ("long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                                "unsignedShort", "unsignedByte")}
_NO_LEXICAL_CHECK_NEEDED = {XSD + "string", _RDF + "langString"}


def _sub(iri: str) -> str:
    """The placeholder for a class and its subclasses (resolved at validation time, in the data)."""
    return f"__SUBCLASSES<{iri}>__"


_SUB = re.compile(r"__SUBCLASSES<([^>]*)>__")


def _literal_ok(t) -> str:
    """A shapes-graph term as a SPARQL constant; blank nodes have none."""
    if isinstance(t, ox.BlankNode):
        raise UnsupportedShape("a blank node as a parameter value is not supported by the compiled engine")
    return _term(t)


def _constant(t, shape: str, local: str) -> str:
    """A term compared as a term (sh:in, sh:hasValue) with the data as the store keeps it. The store writes
    literals in canonical form ("01"^^xsd:integer as "1", "5"^^xsd:int as "5"^^xsd:integer), so a constant
    that is not in that form could never be told from the one the store made of it: refused."""
    text = _literal_ok(t)
    if isinstance(t, ox.Literal):
        scratch = ox.Store()
        scratch.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:x"), t, ox.DefaultGraph()))
        stored = [q.object for q in scratch]
        if stored != [t]:
            raise UnsupportedShape(f"{shape}: sh:{local} {text} is not supported by the compiled engine: the store "
                                   f"keeps that literal as {stored[0]}, so the two cannot be told apart")
    return text


class _Compiler:
    def __init__(self, g: ox.Store):
        self.g = g
        self.fresh = 0

    # ------------------------------------------------------------------ the shapes graph
    def objects(self, s, local: str) -> list:
        return [q.object for q in self.g.quads_for_pattern(s, ox.NamedNode(SH + local), None)]

    def one(self, s, local: str, shape: str):
        """A parameter's value, or None; two values of a parameter that takes one are refused."""
        vals = self.objects(s, local)
        if len(vals) > 1:
            raise UnsupportedShape(f"{shape}: sh:{local} has {len(vals)} values; the compiled engine takes one")
        return vals[0] if vals else None

    def items(self, head) -> list:
        return _list_items(self.g, head)

    def var(self, stem: str) -> str:
        self.fresh += 1
        return f"?{stem}{self.fresh}"

    def path_text(self, node) -> str:
        return sparql_path(self.g, node)

    # ------------------------------------------------------------------ targets
    def run(self) -> tuple[Constraint, ...]:
        out: list[Constraint] = []
        for shape in self.targeted():
            if self.deactivated(shape):
                continue
            focus, target = self.focus(shape)
            out.extend(self.shape(shape, focus, target, ()))
        return tuple(out)

    def targeted(self) -> list:
        """The shapes with a target: sh:target*, or a shape that is also a class (SHACL 2.1.3.1)."""
        found = set()
        for t in _TARGETS:
            found |= {q.subject for q in self.g.quads_for_pattern(None, ox.NamedNode(SH + t), None)}
        for c in _CLASS_TYPES:
            for q in self.g.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), c):
                if self.is_shape(q.subject):
                    found.add(q.subject)
        return sorted(found, key=lambda t: (isinstance(t, ox.NamedNode), t.value))  # as SPARQL orders them

    def is_shape(self, s) -> bool:
        return any(q.predicate.value.startswith(SH) or (q.predicate.value == RDF_TYPE and q.object in _SHAPE_TYPES)
                   for q in self.g.quads_for_pattern(s, None, None))

    def deactivated(self, shape) -> bool:
        d = self.one(shape, "deactivated", _name(shape))
        return d is not None and _is_true(d)

    def focus(self, shape) -> tuple[str, str]:
        """The focus-node pattern (binds ?focus) of a shape's targets, and a name for them."""
        name = _name(shape)
        classes = [c for c in self.objects(shape, "targetClass")]
        if isinstance(shape, ox.NamedNode) and any(
                next(iter(self.g.quads_for_pattern(shape, ox.NamedNode(RDF_TYPE), c)), None) for c in _CLASS_TYPES):
            classes.append(shape)  # an implicit class target
        nodes = self.objects(shape, "targetNode")
        subjects = self.objects(shape, "targetSubjectsOf")
        objects_ = self.objects(shape, "targetObjectsOf")
        for t in classes + subjects + objects_:
            if not isinstance(t, ox.NamedNode):
                raise UnsupportedShape(f"{name}: a target that is not an IRI ({t}) is not supported by the "
                                       "compiled engine")
        if len(classes) == 1 and not (nodes or subjects or objects_):
            return _focus(classes[0].value), classes[0].value
        parts = [f"VALUES ?target {{ {_sub(c.value)} }} ?focus <{RDF_TYPE}> ?target" for c in classes]
        if nodes:
            parts.append(f"VALUES ?focus {{ {' '.join(_literal_ok(n) for n in nodes)} }}")
        parts += [f"?focus <{p.value}> ?any" for p in subjects]
        parts += [f"?any <{p.value}> ?focus" for p in objects_]
        union = " UNION ".join("{ " + p + " }" for p in parts)
        return f"{{ SELECT DISTINCT ?focus WHERE {{ {union} }} }}", name

    # ------------------------------------------------------------------ shapes
    def shape(self, shape, focus: str, target: str, stack: tuple, owner: str = "") -> list[Constraint]:
        """The constraints of a shape (node or property shape) on the focus nodes ``focus`` binds;
        ``owner``: the shape whose sh:property this is (the constraints are named after it)."""
        name = owner or _name(shape)
        if shape in stack:
            raise UnsupportedShape(f"{name}: recursive shapes are not supported by the compiled engine")
        if self.deactivated(shape):
            return []
        stack = stack + (shape,)
        params: dict[str, list] = {}
        for q in self.g.quads_for_pattern(shape, None, None):
            key = q.predicate.value
            if not key.startswith(SH):
                continue
            local = key.removeprefix(SH)
            if local in _TARGETS or local in _IGNORED or local == "deactivated":
                continue
            if local not in _KNOWN:
                raise UnsupportedShape(f"{name}: sh:{local} is not supported by the compiled engine")
            params.setdefault(local, []).append(q.object)
        for local, vals in params.items():
            if local in _SINGLE and len(vals) > 1:
                raise UnsupportedShape(f"{name}: sh:{local} has {len(vals)} values; the compiled engine takes one")
        path_node = params.get("path", [None])[0]
        out: list[Constraint] = []
        if path_node is not None:
            if isinstance(path_node, ox.NamedNode):
                path, pp = path_node.value, f"<{path_node.value}>"
            else:
                pp = self.path_text(path_node)
                path = pp
            values = f"?focus {pp} ?value"
            if _nullable(self.g, path_node):
                # A path that may have length zero: SPARQL gives each node of the graph as its own value,
                # but a focus node the graph does not mention is a value of itself too (SHACL 2.3.1).
                values = (f"{{ {values} }} UNION {{ {focus} FILTER(NOT EXISTS {{ ?focus ?zp ?zo }} && "
                          f"NOT EXISTS {{ ?zs ?zq ?focus }}) BIND(?focus AS ?value) }}")
        else:
            path, pp, values = "", None, "BIND(?focus AS ?value)"
        # property shapes first (the order of the compiled shapes' queries is kept); those of a property
        # shape have its value nodes as focus nodes
        inner = focus if path_node is None else self.candidates(focus, values)
        for p in params.get("property", []):
            if not self.one(p, "path", _name(p)):
                raise UnsupportedShape(f"{_name(p)}: a property shape without sh:path")
            out.extend(self.shape(p, inner, target, stack, name))
        ctx = _Ctx(self, name, target, path, pp, values, focus, stack,
                   legacy=path_node is None or isinstance(path_node, ox.NamedNode))
        out.extend(ctx.components(params, shape))
        return out

    def candidates(self, focus: str, values: str) -> str:
        """The value nodes, as a pattern binding ?focus (for the shapes they must conform to)."""
        t = self.var("n")
        return (f"{{ SELECT ({t} AS ?focus) WHERE {{ SELECT DISTINCT (?value AS {t}) WHERE {{ "
                f"{focus} {values} }} }} }}")

    def nonconforming(self, shape, candidates: str, stack: tuple) -> str:
        """A graph pattern binding ?focus to the candidates that do not conform to ``shape``."""
        inner = self.shape(shape, candidates, "", stack)
        if not inner:
            return "VALUES ?focus { }"
        union = " UNION ".join("{ " + c.query + " }" for c in inner)
        if len(union) > MAX_NESTED:
            raise UnsupportedShape(f"{_name(shape)}: shapes nested this deep (sh:node, sh:not, sh:and, sh:or, sh:xone, "
                                   f"sh:qualifiedValueShape) compile to over {MAX_NESTED:,} characters of SPARQL")
        return f"SELECT DISTINCT ?focus WHERE {{ {union} }}"


def _int(t, shape: str, local: str) -> int:
    if not (isinstance(t, ox.Literal) and re.fullmatch(r"\+?[0-9]+", t.value)):
        raise UnsupportedShape(f"{shape}: sh:{local} {t} is not a non-negative integer")
    return int(t.value)


def _is_true(t) -> bool:
    """SHACL switches a boolean parameter on with the literal true only ("1"^^xsd:boolean is not it)."""
    return t == ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))


def _name(t) -> str:
    return t.value if isinstance(t, ox.NamedNode) else str(t)


def _ref(t) -> str:
    return str(t)


# Every parameter the compiled engine checks, and those that take exactly one value per shape.
_KNOWN = {"path", "property", "minCount", "maxCount", "datatype", "class", "nodeKind", "pattern", "flags",
          "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "in",
          "hasValue", "languageIn", "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "or",
          "and", "not", "xone", "node", "closed", "ignoredProperties", "qualifiedValueShape", "qualifiedMinCount",
          "qualifiedMaxCount", "qualifiedValueShapesDisjoint"}
_SINGLE = {"path", "flags", "closed", "ignoredProperties", "uniqueLang", "qualifiedValueShape", "qualifiedMinCount",
           "qualifiedMaxCount", "qualifiedValueShapesDisjoint"}


def sparql_path(g: ox.Store, node) -> str:
    """A SHACL property path (SHACL 2.3.1) as a SPARQL property path."""
    if isinstance(node, ox.NamedNode):
        return f"<{node.value}>"
    first = list(g.quads_for_pattern(node, ox.NamedNode(_RDF + "first"), None))
    if first:
        return "(" + "/".join(sparql_path(g, m) for m in _list_items(g, node)) + ")"
    quads = [q for q in g.quads_for_pattern(node, None, None)]
    if len(quads) == 1:
        local = quads[0].predicate.value.removeprefix(SH)
        if local == "alternativePath":
            return "(" + "|".join(sparql_path(g, m) for m in _list_items(g, quads[0].object)) + ")"
        if local in _PATHS:
            return _PATHS[local].format(sparql_path(g, quads[0].object))
    raise UnsupportedShape(f"the path {node} is not a SHACL path the compiled engine understands")


def _nullable(g, node) -> bool:
    """Whether a SHACL path may have length zero (then each focus node is one of its own values)."""
    if isinstance(node, ox.NamedNode):
        return False
    if list(g.quads_for_pattern(node, ox.NamedNode(_RDF + "first"), None)):
        return all(_nullable(g, m) for m in _list_items(g, node))
    (q,) = list(g.quads_for_pattern(node, None, None))  # sparql_path checked the path's form
    local = q.predicate.value.removeprefix(SH)
    if local == "alternativePath":
        return any(_nullable(g, m) for m in _list_items(g, q.object))
    return local in ("zeroOrMorePath", "zeroOrOnePath") or _nullable(g, q.object)


class _Ctx:
    """Compiles the constraint parameters of one shape."""

    def __init__(self, comp: _Compiler, shape: str, target: str, path: str, pp: str | None, values: str,
                 focus: str, stack: tuple, legacy: bool):
        self.c, self.shape, self.target, self.path, self.pp = comp, shape, target, path, pp
        self.values, self.focus, self.stack, self.legacy = values, focus, stack, legacy
        self.out: list[Constraint] = []
        self.msg = None

    def add(self, component: str, query: str, value: str, default_msg: str, test: str = "", flags: str = "",
            value_is: str = "value") -> None:
        self.out.append(Constraint(self.shape, self.target, self.path, component, value, query,
                                   self.msg.value if self.msg else default_msg, test, flags, self.focus,
                                   self.pp, value_is))

    def flagged(self, inner: str) -> str:
        """Find the bad values first, then keep those on focus nodes: the type join runs on few rows."""
        return f"SELECT DISTINCT ?focus ?value WHERE {{ {{ {inner} }} {self.focus} }}"

    def add_test(self, component: str, value: str, test: str, default_msg: str, flags: str = "") -> None:
        if self.pp is None:  # a node shape: the value is the focus node
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {self.focus} {self.values} FILTER({test}) }}"
            self.add(component, query, value, default_msg)
        elif self.legacy:
            inner = f"SELECT ?focus ?value WHERE {{ {self.values} FILTER({test}) }}"
            self.add(component, self.flagged(inner), value, default_msg, test, flags)
        else:
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {self.focus} {self.values} FILTER({test}) }}"
            self.add(component, query, value, default_msg)

    def candidates(self) -> str:
        return self.c.candidates(self.focus, self.values)

    def bad_as_value(self, shape) -> str:
        """A pattern binding ?value to the value nodes that do not conform to ``shape``."""
        t = self.c.var("b")
        inner = self.c.nonconforming(shape, self.candidates(), self.stack)
        return f"{{ SELECT ({t} AS ?value) WHERE {{ SELECT DISTINCT (?focus AS {t}) WHERE {{ {inner} }} }} }}"

    def components(self, params: dict, shape) -> list[Constraint]:
        msgs = self.c.objects(shape, "message")
        self.msg = msgs[0] if msgs else None
        node = self.pp is None
        path, pp, focus, values = self.path, self.pp, self.focus, self.values
        values_v = values.replace("?value", "?v")  # the same values, as ?v
        for local in ("minCount", "maxCount", "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals"):
            if node and local in params and local not in ("equals", "disjoint"):
                raise UnsupportedShape(f"{self.shape}: sh:{local} on a node shape (it needs sh:path)")
        for lo_t in params.get("minCount", []):
            lo = _int(lo_t, self.shape, "minCount")
            if lo == 1 and self.legacy:
                # MINUS is a hash anti-join in Oxigraph: several times faster here than FILTER NOT EXISTS
                self.add("minCount", f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} MINUS {{ ?focus {pp} ?any }} "
                         "BIND(0 AS ?value) }", "1", f"needs a value for <{path}>", value_is="")
            elif lo >= 1:
                self.add("minCount", f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} "
                         f"OPTIONAL {{ {values_v} }} }} GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {lo})", str(lo),
                         f"needs at least {lo} values for {pp}", value_is="")
        for hi_t in params.get("maxCount", []):
            hi = _int(hi_t, self.shape, "maxCount")
            inner = (f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ ?focus {pp} ?v }} "
                     f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {hi})")
            if self.legacy:
                query = self.flagged(inner)
            else:
                query = (f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} {values_v} }} "
                         f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {hi})")
            self.add("maxCount", query, str(hi), f"has more than {hi} values for {pp}", value_is="")
        for dt_t in params.get("datatype", []):
            dt = dt_t.value
            if dt in _REWRITTEN:
                raise UnsupportedShape(
                    f"{self.shape}: sh:datatype <{dt}> is not supported by the compiled engine: the store "
                    "(pyoxigraph) keeps such literals as xsd:integer, so their datatype cannot be checked")
            if (dt.startswith(XSD) and dt not in _LEXICAL and dt not in _CASTS and dt not in _NO_LEXICAL_CHECK_NEEDED
                    or dt in (_RDF + "XMLLiteral", _RDF + "JSON")):
                raise UnsupportedShape(f"{self.shape}: sh:datatype <{dt}>: the compiled engine cannot tell its "
                                       "ill-formed literals")
            test = f"!isLiteral(?value) || datatype(?value) != <{dt}>"
            if dt in _LEXICAL:
                test += f' || !REGEX(STR(?value), "{_LEXICAL[dt]}")'
            elif dt in _CASTS:
                test += f" || !COALESCE(isLiteral(<{dt}>(STR(?value))), false)"  # the cast fails on ill-formed
            self.add_test("datatype", dt, test, f"values must be well-formed {dt}")
        for cls_t in params.get("class", []):
            if not isinstance(cls_t, ox.NamedNode):
                raise UnsupportedShape(f"{self.shape}: sh:class {cls_t} is not an IRI")
            cls = cls_t.value
            excl = f"MINUS {{ VALUES ?k {{ {_sub(cls)} }} ?value <{RDF_TYPE}> ?k }}"
            if node:
                query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {excl} }}"
            elif self.legacy:
                query = self.flagged(f"SELECT ?focus ?value WHERE {{ {values} {excl} }}")
            else:
                query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {excl} }}"
            self.add("class", query, cls, f"values must be instances of <{cls}>")
        for kind_t in params.get("nodeKind", []):
            kind = kind_t.value.removeprefix(SH)
            if kind not in _NODE_KINDS:
                raise UnsupportedShape(f"{self.shape}: sh:nodeKind {kind}")
            self.add_test("nodeKind", kind, f"!{_NODE_KINDS[kind]}", f"values must be {kind}s")
        patterns = params.get("pattern", [])
        flags = params.get("flags", [None])[0]
        if flags is not None and len(patterns) > 1:
            raise UnsupportedShape(f"{self.shape}: sh:flags with {len(patterns)} sh:pattern values")
        for pattern in patterns:
            args = f"STR(?value), {_term(pattern)}" + (f", {_term(flags)}" if flags else "")
            self.add_test("pattern", pattern.value, f"isBlank(?value) || !REGEX({args})",
                          f"values must match {pattern.value!r}", flags.value if flags else "")
        for n_t in params.get("minLength", []):
            n = _int(n_t, self.shape, "minLength")
            self.add_test("minLength", str(n), f"isBlank(?value) || STRLEN(STR(?value)) < {n}",
                          f"values must be at least {n} characters long")
        for comp, op in (("minInclusive", ">="), ("maxInclusive", "<=")):
            for b in params.get(comp, []):
                bound = _literal_ok(b)
                # A value that cannot be compared (an error in SPARQL) violates the constraint too.
                self.add_test(comp, b.value, f"!COALESCE(?value {op} {bound}, false)",
                              f"values must be {'at least' if op == '>=' else 'at most'} {b.value}")
        # ---- components the project's shapes do not use
        for n_t in params.get("maxLength", []):
            n = _int(n_t, self.shape, "maxLength")
            self.add_test("maxLength", str(n), f"isBlank(?value) || STRLEN(STR(?value)) > {n}",
                          f"values must be at most {n} characters long")
        for comp, op in (("minExclusive", ">"), ("maxExclusive", "<")):
            for b in params.get(comp, []):
                self.add_test(comp, b.value, f"!COALESCE(?value {op} {_literal_ok(b)}, false)",
                              f"values must be {'above' if op == '>' else 'below'} {b.value}")
        for lst in params.get("in", []):
            members = [_constant(m, self.shape, "in") for m in self.c.items(lst)]
            test = "!(" + (" || ".join(f"sameTerm(?value, {m})" for m in members) or "false") + ")"
            self.add_test("in", " ".join(members), test, "values must be one of the listed terms")
        for lst in params.get("languageIn", []):
            langs = [m.value for m in self.c.items(lst)]
            test = "!isLiteral(?value) || !(" + (" || ".join(
                f'langMatches(lang(?value), {_term(ox.Literal(lang))})' for lang in langs) or "false") + ")"
            self.add_test("languageIn", " ".join(langs), test, f"values must have a language tag in {langs}")
        for v in params.get("hasValue", []):
            const = _constant(v, self.shape, "hasValue")
            if node:
                query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} FILTER(!sameTerm(?focus, {const})) "
                         "BIND(0 AS ?value) }")
            else:
                query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} FILTER NOT EXISTS {{ ?focus {pp} ?h "
                         f"FILTER(sameTerm(?h, {const})) }} BIND(0 AS ?value) }}")
            self.add("hasValue", query, const, f"needs the value {const}", value_is="")
        for u in params.get("uniqueLang", []):
            if _is_true(u):
                query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} ?focus {pp} ?a . ?focus {pp} ?b "
                         "FILTER(!sameTerm(?a, ?b) && lang(?a) != \"\" && LCASE(lang(?a)) = LCASE(lang(?b))) "
                         "BIND(LCASE(lang(?a)) AS ?value) }")
                self.add("uniqueLang", query, "true", "values must have distinct language tags", value_is="")
        for p2 in params.get("equals", []):
            q2 = f"<{p2.value}>"
            if node:
                # each branch has the focus nodes: a group is evaluated on its own, before the join
                either = (f"{{ {focus} FILTER NOT EXISTS {{ ?focus {q2} ?focus }} BIND(?focus AS ?value) }} "
                          f"UNION {{ {focus} ?focus {q2} ?value FILTER(!sameTerm(?value, ?focus)) }}")
            else:
                either = (f"{{ {values} FILTER NOT EXISTS {{ ?focus {q2} ?value }} }} "
                          f"UNION {{ ?focus {q2} ?value FILTER NOT EXISTS {{ ?focus {pp} ?value }} }}")
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {either} }}"
            self.add("equals", query, p2.value, f"values must equal those of {q2}")
        for p2 in params.get("disjoint", []):
            q2 = f"<{p2.value}>"
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} . ?focus {q2} ?value }}"
            self.add("disjoint", query, p2.value, f"values must not be values of {q2}")
        for comp, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for p2 in params.get(comp, []):
                q2 = f"<{p2.value}>"
                query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} . ?focus {q2} ?o "
                         f"FILTER(!COALESCE(?value {op} ?o, false)) }}")
                self.add(comp, query, p2.value, f"values must be {op} those of {q2}")
        closed = params.get("closed", [None])[0]
        if closed is not None and _is_true(closed):
            allowed = set()
            for p in params.get("property", []):
                pth = self.c.one(p, "path", _name(p))
                if isinstance(pth, ox.NamedNode):
                    allowed.add(pth.value)
            for lst in params.get("ignoredProperties", []):
                allowed |= {m.value for m in self.c.items(lst)}
            not_in = f"FILTER(?path NOT IN ({', '.join(f'<{a}>' for a in sorted(allowed))}))" if allowed else ""
            # the value is the object of the triple, the path its predicate
            query = (f"SELECT DISTINCT ?focus ?path ?value WHERE {{ {focus} {values.replace('?value', '?cv')} "
                     f". ?cv ?path ?value {not_in} }}")
            self.add("closed", query, "true", "a closed shape: no other properties", value_is="value")
        # ---- shapes the values must (not) conform to
        for s in params.get("node", []):
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {self.bad_as_value(s)} }}"
            self.add("node", query, _name(s), f"values must conform to {_name(s)}")
        for s in params.get("not", []):
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} MINUS {self.bad_as_value(s)} }}"
            self.add("not", query, _name(s), f"values must not conform to {_name(s)}")
        for lst in params.get("and", []):
            members = self.c.items(lst)
            union = " UNION ".join(self.bad_as_value(m) for m in members) or "VALUES ?value { }"
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {{ {union} }} }}"
            self.add("and", query, str(lst), "values must conform to every listed shape")
        for lst in params.get("or", []):
            members = self.c.items(lst)
            legacy = self._legacy_or(members)
            if legacy is not None:
                continue
            joined = " ".join(self.bad_as_value(m) for m in members)
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {joined} }}"
            self.add("or", query, str(lst), self.msg.value if self.msg else "values must conform to one listed shape")
        for lst in params.get("xone", []):
            members = self.c.items(lst)
            opts, count = [], []
            for m in members:
                b = self.c.var("x")
                opts.append(f"OPTIONAL {{ {self.bad_as_value(m)} BIND(1 AS {b}) }}")
                count.append(f"IF(BOUND({b}), 0, 1)")
            query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {' '.join(opts)} "
                     f"FILTER(({' + '.join(count) or '0'}) != 1) }}")
            self.add("xone", query, str(lst), "values must conform to exactly one listed shape")
        self.qualified(params, shape)
        return self.out

    def qualified(self, params: dict, shape) -> None:
        """sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount (SHACL 4.7.3)."""
        if "qualifiedValueShape" not in params:
            return  # its other parameters alone activate nothing (SHACL 2.4: a component needs its mandatory one)
        if self.pp is None:
            raise UnsupportedShape(f"{self.shape}: sh:qualifiedValueShape on a node shape (it needs sh:path)")
        q = params["qualifiedValueShape"][0]
        disjoint = "qualifiedValueShapesDisjoint" in params and _is_true(params["qualifiedValueShapesDisjoint"][0])
        siblings = []
        if disjoint:
            prop = ox.NamedNode(SH + "property")
            for parent in {t.subject for t in self.c.g.quads_for_pattern(None, prop, shape)}:
                for other in self.c.objects(parent, "property"):
                    if other != shape:
                        siblings += [s for s in self.c.objects(other, "qualifiedValueShape") if s != q]
        # the values that conform to the shape (not among its non-conforming ones) and to no sibling
        body = f"{self.focus} {self.values} MINUS {self.bad_as_value(q)} " + " ".join(
            self.bad_as_value(s) for s in siblings)
        counted = self.c.var("q")
        count = (f"SELECT ?focus (COUNT(DISTINCT {counted}) AS ?value) WHERE {{ {self.focus} OPTIONAL {{ "
                 f"SELECT ?focus (?value AS {counted}) WHERE {{ {body} }} }} }} GROUP BY ?focus ")
        for local, op in (("qualifiedMinCount", "<"), ("qualifiedMaxCount", ">")):
            if local in params:
                n = _int(params[local][0], self.shape, local)
                self.add(local, count + f"HAVING (COUNT(DISTINCT {counted}) {op} {n})", str(n),
                         f"{'at least' if op == '<' else 'at most'} {n} values must conform to {_name(q)}",
                         value_is="")

    def _legacy_or(self, members) -> bool | None:
        """sh:or of property shapes that each only require a value (sh:minCount 1) on a node shape whose
        focus is a class target: one of the paths must have one (one anti-join per path). None otherwise."""
        if self.pp is not None or not self.focus.startswith("VALUES ?target"):
            return None
        paths = []
        for m in members:
            params = {q.predicate.value.removeprefix(SH): q.object for q in self.c.g.quads_for_pattern(m, None, None)}
            if (set(params) != {"path", "minCount"} or params["minCount"].value != "1"
                    or not isinstance(params["path"], ox.NamedNode)):
                return None
            paths.append(params["path"].value)
        tests = " ".join(f"MINUS {{ ?focus <{p}> ?any{i} }}" for i, p in enumerate(paths))
        query = f"SELECT DISTINCT ?focus ?value WHERE {{ {self.focus} {tests} BIND(0 AS ?value) }}"
        text = self.msg.value if self.msg else f"needs a value for one of {', '.join(paths)}"
        self.out.append(Constraint(self.shape, self.target, " | ".join(paths), "or", " | ".join(paths), query, text,
                                   focus=self.focus, result_path=None, value_is="focus"))
        return True


def _list_items(g: ox.Store, head) -> list:
    items = []
    first, rest = ox.NamedNode(_RDF + "first"), ox.NamedNode(_RDF + "rest")
    node = head
    seen = set()
    while not (isinstance(node, ox.NamedNode) and node.value == _RDF + "nil"):
        if node in seen:
            raise UnsupportedShape(f"the RDF list {head} loops")
        seen.add(node)
        f = next(iter(g.quads_for_pattern(node, first, None)), None)
        r = next(iter(g.quads_for_pattern(node, rest, None)), None)
        if f is None or r is None:
            raise UnsupportedShape(f"the RDF list {head} is not well-formed")
        items.append(f.object)
        node = r.object
    return items


def _focus(target: str) -> str:
    """Focus nodes: SHACL instances of the target class, i.e. of it or of any subclass."""
    return f"VALUES ?target {{ {_sub(target)} }} ?focus <{RDF_TYPE}> ?target ."


_NODE_KINDS = {"IRI": "isIRI(?value)", "Literal": "isLiteral(?value)", "BlankNode": "isBlank(?value)",
               "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
               "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
               "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))"}


def _class_values(store: ox.Store, cls: str, cache: dict) -> str:
    """The class and its subclasses in the store, as the body of a VALUES block."""
    if cls not in cache:
        rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{SUBCLASS}>* <{cls}> }}", **union_options(store))
        classes = {cls} | {r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)}
        cache[cls] = " ".join(f"<{k}>" for k in sorted(classes))
    return cache[cls]


def _resolve(store: ox.Store, query: str, cache: dict) -> str:
    """The query with each class placeholder replaced by the class and its subclasses in the store."""
    return _SUB.sub(lambda m: _class_values(store, m.group(1), cache), query)


def _plan(store: ox.Store, constraints: list[Constraint], checked=None) -> list[tuple[str, list[Constraint]]]:
    """Queries to run: one per constraint, except that the value tests of one (focus nodes, IRI path) share
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
            tests.setdefault((c.focus, c.path), []).append(c)
        else:
            jobs.append((_resolve(store, c.query, cache), [c]))
    for (focus, path), group in tests.items():
        either = " || ".join(f"({c.test})" for c in group)
        if checked is not None and path in checked.paths and path not in checked.overflow:
            where = _checked_values(path, checked.suspects.get(path, ()), others)
            if where is None:
                continue  # no suspect, no other graph: nothing left to test
        else:
            where = f"?focus <{path}> ?value"
        query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {{ SELECT ?focus ?value WHERE {{ {where} "
                 f"FILTER({either}) }} }} {focus} }}")
        jobs.append((_resolve(store, query, cache), group))
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
                rows = _run(store, _resolve(store, c.query, cache))
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


@dataclass(frozen=True)
class Result:
    """One validation result, as SHACL reports it: terms, not text."""

    focus: object  # a pyoxigraph term
    path: str | None  # the result path as a SPARQL path, None for a constraint of a node shape
    component: str  # the constraint component's IRI
    value: object  # a pyoxigraph term, or None
    shape: str


def report(store: ox.Store, constraints) -> list[Result]:
    """Every result of the constraints on the store (its default graph, else the union of its named
    graphs), one query per constraint: for small graphs and for conformance tests."""
    cache: dict[str, str] = {}
    out = []
    for c in constraints:
        component = SH + c.component[0].upper() + c.component[1:] + "ConstraintComponent"
        for row in _run(store, _resolve(store, c.query, cache)):
            focus = row["focus"]
            try:
                path = row["path"]
            except (KeyError, IndexError, TypeError):
                path = None
            path = f"<{path.value}>" if path is not None else c.result_path
            value = row["value"] if c.value_is == "value" else focus if c.value_is == "focus" else None
            out.append(Result(focus, path, component, value, c.shape))
    return out
