"""SHACL shapes compiled to SPARQL SELECT queries over the union of the named graphs: targets, paths, shapes.

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
canonical form. The constraint components are in components.py (one method per section of SHACL 4), what they
share in shacl.py; compiled.py runs the queries. The W3C SHACL core suite checks it
(tests/test_w3c_shacl.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ..vocab import RDF
from .components import Components
from .shacl import (OWL_CLASS, RDF_TYPE, RDFS_CLASS, SH, Constraint, UnsupportedShape, is_true, literal_ok,
                    name_of, subclasses)

MAX_NESTED = 4_000_000  # characters of SPARQL for the shapes a value must conform to (each nesting repeats its focus)
_CLASS_TYPES = (ox.NamedNode(RDFS_CLASS), ox.NamedNode(OWL_CLASS))
_SHAPE_TYPES = (ox.NamedNode(SH + "NodeShape"), ox.NamedNode(SH + "PropertyShape"))
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
# Parameters that say nothing to check: names, messages, severities and the shape's own type.
_IGNORED = {"name", "description", "message", "severity", "order", "group", "defaultValue", "declare", "prefixes"}
_PATHS = {"inversePath": "^({})", "zeroOrMorePath": "({})*", "oneOrMorePath": "({})+", "zeroOrOnePath": "({})?"}


def shapes_path() -> Path:
    from .. import resources

    return resources.path("shapes/pwc-shapes.ttl")


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
        d = self.one(shape, "deactivated", name_of(shape))
        return d is not None and is_true(d)

    def focus(self, shape) -> tuple[str, str]:
        """The focus-node pattern (binds ?focus) of a shape's targets, and a name for them."""
        name = name_of(shape)
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
        parts = [f"VALUES ?target {{ {subclasses(c.value)} }} ?focus <{RDF_TYPE}> ?target" for c in classes]
        if nodes:
            parts.append(f"VALUES ?focus {{ {' '.join(literal_ok(n) for n in nodes)} }}")
        parts += [f"?focus <{p.value}> ?any" for p in subjects]
        parts += [f"?any <{p.value}> ?focus" for p in objects_]
        union = " UNION ".join("{ " + p + " }" for p in parts)
        return f"{{ SELECT DISTINCT ?focus WHERE {{ {union} }} }}", name

    # ------------------------------------------------------------------ shapes
    def shape(self, shape, focus: str, target: str, stack: tuple, owner: str = "") -> list[Constraint]:
        """The constraints of a shape (node or property shape) on the focus nodes ``focus`` binds;
        ``owner``: the shape whose sh:property this is (the constraints are named after it)."""
        name = owner or name_of(shape)
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
            if not self.one(p, "path", name_of(p)):
                raise UnsupportedShape(f"{name_of(p)}: a property shape without sh:path")
            out.extend(self.shape(p, inner, target, stack, name))
        components = Components(self, name, target, path, pp, values, focus, stack,
                                legacy=path_node is None or isinstance(path_node, ox.NamedNode))
        out.extend(components.compile(params, shape))
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
            raise UnsupportedShape(f"{name_of(shape)}: shapes nested this deep (sh:node, sh:not, sh:and, sh:or, sh:xone, "
                                   f"sh:qualifiedValueShape) compile to over {MAX_NESTED:,} characters of SPARQL")
        return f"SELECT DISTINCT ?focus WHERE {{ {union} }}"


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
    first = list(g.quads_for_pattern(node, ox.NamedNode(RDF.first), None))
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
    if list(g.quads_for_pattern(node, ox.NamedNode(RDF.first), None)):
        return all(_nullable(g, m) for m in _list_items(g, node))
    (q,) = list(g.quads_for_pattern(node, None, None))  # sparql_path checked the path's form
    local = q.predicate.value.removeprefix(SH)
    if local == "alternativePath":
        return any(_nullable(g, m) for m in _list_items(g, q.object))
    return local in ("zeroOrMorePath", "zeroOrOnePath") or _nullable(g, q.object)


def _list_items(g: ox.Store, head) -> list:
    items = []
    first, rest = ox.NamedNode(RDF.first), ox.NamedNode(RDF.rest)
    node = head
    seen = set()
    while not (isinstance(node, ox.NamedNode) and node.value == RDF.nil):
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
    return f"VALUES ?target {{ {subclasses(target)} }} ?focus <{RDF_TYPE}> ?target ."
