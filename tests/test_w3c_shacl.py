"""The W3C SHACL core test suite, run on both engines.

The suite (github w3c/data-shapes, ``data-shapes-test-suite/tests/core``) is not copied into the
repository: it is read from ``<repo>/../shared/conformance/shacl-core`` (see
``../shared/conformance/SOURCE.txt``) where that folder exists (CI, development machines), and
these tests skip, saying so, elsewhere.

``manifest.ttl`` includes one manifest per folder; each test names its data graph and shapes
graph (``mf:action``) and the expected ``sh:ValidationReport`` (``mf:result``). A report is
compared as ``sh:conforms`` plus the *set* of (focus node, result path, source constraint
component, value) of its results. Blank nodes are compared by their description in their graph
(their triples to and from IRIs and literals), since the two reports come from different parses;
literals as the store keeps them (canonical form), on both sides; paths as SPARQL property paths.

- The compiled engine (``validation/compiler.py``, ``components.py``, ``compiled.py``) must give exactly the expected report, or
  refuse the shapes with ``UnsupportedShape`` naming the construct it does not check. It never
  gets a test wrong: there is no known failure for it.
- pySHACL, the reference engine, must give the expected report except where ``PYSHACL_KNOWN``
  says why not (a strict xfail, so a fix shows).
- The README states the counts; ``test_readme_states_the_counts`` keeps it true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF

from pwc_kg.validation import compiled, compiler

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO.parent / "shared" / "conformance" / "shacl-core"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

suite = pytest.mark.skipif(not SUITE.is_dir(), reason=f"the W3C SHACL core suite is not at {SUITE} "
                           "(../shared/conformance/shacl-core beside the repository)")

# test name -> why pySHACL (0.40, on rdflib 7) does not give the expected report. Each is a strict xfail.
_NORMALISED = ("rdflib rewrites ill-formed literals as it parses the data graph ({}), so pySHACL reports the "
               "rewritten value, which is not the value of the data")
PYSHACL_KNOWN: dict[str, str] = {
    "property/datatype-001": _NORMALISED.format('"2011-01-01"^^xsd:dateTime as "2011-01-01T00:00:00"'),
    "property/or-datatypes-001": _NORMALISED.format('"none"^^xsd:boolean as "false"'),
    "property/uniqueLang-002": (
        'rdflib reads sh:uniqueLang "1"^^xsd:boolean as the Python True, so pySHACL turns the constraint on; '
        'SHACL switches it on with the literal true only, and the test expects it ignored'),
}


@dataclass(frozen=True)
class Case:
    name: str  # folder/name, e.g. "node/minInclusive-001"
    manifest: Path
    node: rdflib.term.Node  # the test in its manifest graph
    data: Path
    shapes: Path
    approved: bool


def _file(iri) -> Path:
    return Path(str(iri).removeprefix("file://"))


def _manifests(path: Path):
    g = _parse(path)
    for inc in g.objects(None, MF.include):
        yield from _manifests(_file(inc))
    for m in g.subjects(RDF.type, MF.Manifest):
        for entries in g.objects(m, MF.entries):
            for t in Collection(g, entries):
                yield path, g, t


@lru_cache(maxsize=None)
def _parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(str(path), format="turtle", publicID=path.as_uri())


def cases() -> list[Case]:
    if not SUITE.is_dir():
        return []
    out = []
    for path, g, t in _manifests(SUITE / "manifest.ttl"):
        action = g.value(t, MF.action)
        name = f"{path.parent.relative_to(SUITE)}/{str(t).rsplit('/', 1)[-1]}"
        out.append(Case(name, path, t, _file(g.value(action, SHT.dataGraph)), _file(g.value(action, SHT.shapesGraph)),
                        g.value(t, MF.status) == SHT.approved))
    return out


CASES = cases()


# ---------------------------------------------------------------- terms, compared across parses

def to_ox(t):
    if isinstance(t, rdflib.URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, rdflib.BNode):
        return ox.BlankNode(str(t))
    if t.language:
        return ox.Literal(str(t), language=t.language)
    return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) if t.datatype else ox.Literal(str(t))


def to_store(g: rdflib.Graph) -> ox.Store:
    """The graph in a store's default graph, blank nodes keeping their labels."""
    store = ox.Store()
    store.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in g])
    return store


_SCRATCH = ox.Store()


def canonical(term: ox.Literal | ox.NamedNode) -> str:
    """A term as the store keeps it (pyoxigraph writes literals in canonical form: "01"^^xsd:integer is "1")."""
    if not isinstance(term, ox.Literal):
        return str(term)
    q = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), term, ox.DefaultGraph())
    _SCRATCH.add(q)
    (stored,) = list(_SCRATCH)
    _SCRATCH.clear()
    return str(stored.object)


class Keys:
    """Comparable keys of terms, blank nodes by their description in their own graph."""

    def __init__(self, store: ox.Store):
        self.store = store

    def __call__(self, term) -> str | None:
        if term is None:
            return None
        if isinstance(term, rdflib.term.Node):
            term = to_ox(term)
        if isinstance(term, ox.BlankNode):
            out = sorted(f"{q.predicate} {canonical(q.object)}" for q in self.store.quads_for_pattern(term, None, None)
                         if not isinstance(q.object, ox.BlankNode))
            into = sorted(f"{q.subject} {q.predicate}" for q in self.store.quads_for_pattern(None, None, term)
                          if not isinstance(q.subject, ox.BlankNode))
            return "_:[" + " ; ".join(out) + " | " + " ; ".join(into) + "]"
        return canonical(term)


Report = tuple[bool, frozenset]


def load(path: Path) -> ox.Store:
    """A file as pyoxigraph reads it (rdflib would rewrite ill-formed literals: "none"^^xsd:boolean as "false")."""
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
    return store


def _value(store: ox.Store, s, local: str):
    q = next(iter(store.quads_for_pattern(s, ox.NamedNode(str(SH) + local), None)), None)
    return None if q is None else q.object


def expected(case: Case) -> Report:
    g = load(case.manifest)
    mf_result = ox.NamedNode(str(MF.result))
    (result,) = [q.object for q in g.quads_for_pattern(ox.NamedNode(str(case.node)), mf_result, None)]
    conforms = _value(g, result, "conforms") == ox.Literal("true", datatype=ox.NamedNode(str(rdflib.XSD.boolean)))
    keys = Keys(g)
    rows = set()
    for q in g.quads_for_pattern(result, ox.NamedNode(str(SH.result)), None):
        r = q.object
        path = _value(g, r, "resultPath")
        rows.add((keys(_value(g, r, "focusNode")), compiler.sparql_path(g, path) if path is not None else None,
                  _value(g, r, "sourceConstraintComponent").value, keys(_value(g, r, "value"))))
    return conforms, frozenset(rows)


def run_compiled(case: Case) -> Report:
    data = load(case.data)
    constraints = compiler.compile_shapes(case.shapes)
    keys = Keys(data)
    rows = {(keys(r.focus), r.path, r.component, keys(r.value)) for r in compiled.report(data, constraints)}
    return not rows, frozenset(rows)


def run_pyshacl(case: Case) -> Report:
    import pyshacl

    data = _parse(case.data)
    conforms, report, _ = pyshacl.validate(data, shacl_graph=_parse(case.shapes), inference="none",
                                           advanced=False, allow_warnings=False)
    keys = Keys(to_store(data))
    paths = to_store(report)
    rows = set()
    (top,) = report.subjects(RDF.type, SH.ValidationReport)
    for r in report.objects(top, SH.result):  # the report's results, not the nested sh:detail ones
        path = report.value(r, SH.resultPath)
        rows.add((keys(report.value(r, SH.focusNode)),
                  compiler.sparql_path(paths, to_ox(path)) if path is not None else None,
                  str(report.value(r, SH.sourceConstraintComponent)), keys(report.value(r, SH.value))))
    return bool(conforms), frozenset(rows)


def outcome(case: Case) -> tuple[str, str]:
    """("pass", ""), ("refused", the reason) or ("wrong", the difference) for the compiled engine."""
    try:
        got = run_compiled(case)
    except compiler.UnsupportedShape as e:
        return "refused", str(e)
    want = expected(case)
    if got == want:
        return "pass", ""
    return "wrong", f"expected {_show(want)}\ngot {_show(got)}"


def _show(report: Report) -> str:
    conforms, rows = report
    return f"conforms={conforms}\n  " + "\n  ".join(sorted(map(str, rows)))


def construct(reason: str) -> str:
    """What a refusal names: sh:xone, a recursive shape, a datatype, ..."""
    m = re.search(r"sh:\w+(?: <[^>]+>)?|recursive shapes|blank node|path", reason)
    return m.group(0) if m else ""


# ---------------------------------------------------------------- the tests


@suite
def test_the_suite_is_read():
    assert len(CASES) > 90, f"only {len(CASES)} tests read from {SUITE}"
    assert all(c.data.is_file() and c.shapes.is_file() for c in CASES)


@suite
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_compiled_engine(case: Case):
    """Exactly the expected report, or a refusal that names the construct: never a wrong answer."""
    result, detail = outcome(case)
    assert result != "wrong", f"{case.name}: {detail}"
    if result == "refused":
        assert construct(detail), f"{case.name}: the refusal does not name the construct: {detail}"


def _pyshacl_case(c: Case):
    known = PYSHACL_KNOWN.get(c.name)
    return pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=known)] if known else [])


@suite
@pytest.mark.parametrize("case", [_pyshacl_case(c) for c in CASES])
def test_pyshacl(case: Case):
    got, want = run_pyshacl(case), expected(case)
    assert got == want, f"{case.name}: expected {_show(want)}\ngot {_show(got)}"


def counts() -> dict:
    results = [outcome(c) for c in CASES]
    refused = sorted({construct(d) for r, d in results if r == "refused"})
    return {"tests": len(CASES), "pass": sum(r == "pass" for r, _ in results),
            "refused": sum(r == "refused" for r, _ in results), "wrong": sum(r == "wrong" for r, _ in results),
            "constructs": refused, "pyshacl": len(CASES) - len(PYSHACL_KNOWN)}


def test_counts_are_printed(capsys):
    """Not a check: ``pytest -s -k counts`` prints the figures the README states."""
    if SUITE.is_dir():
        with capsys.disabled():
            print(counts())


@suite
def test_readme_states_the_counts():
    c = counts()
    line = (f"W3C SHACL core suite: {c['tests']} tests; compiled engine: {c['pass']} pass, {c['refused']} refused "
            f"(CONSTRUCTS), {c['wrong']} wrong; pySHACL: {c['pyshacl']} pass, {len(PYSHACL_KNOWN)} known failures")
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    pattern = re.escape(line).replace("CONSTRUCTS", r"[^)]*")
    assert re.search(pattern, readme), f"the README should say: {line}\n(refused constructs: {c['constructs']})"


# ---------------------------------------------------------------- regressions (no suite needed), one per defect

EX = "http://example.org/"
PREFIXES = (f"@prefix sh: <{SH}> . @prefix ex: <{EX}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . "
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n")


def check(shapes: str, data: str) -> set[tuple[str, str]]:
    """(focus IRI, component local name) of every result of the compiled engine."""
    constraints = compiler.compile_graph(compiler.Graph(ox.parse((PREFIXES + shapes).encode(), ox.RdfFormat.TURTLE)))
    store = ox.Store()
    store.load((PREFIXES + data).encode(), format=ox.RdfFormat.TURTLE)
    return {(r.focus.value.removeprefix(EX), r.component.removeprefix(str(SH)).removesuffix("ConstraintComponent"))
            for r in compiled.report(store, constraints)}


def test_target_node_shapes_compile_their_constraints():
    shapes = "ex:S sh:targetNode ex:a, ex:b ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."
    assert check(shapes, "ex:a ex:p 1 . ex:c ex:q 1 .") == {("b", "MinCount")}


def test_target_subjects_of_shapes_compile_their_constraints():
    shapes = "ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] ."
    assert check(shapes, "ex:a ex:p 1, 2 . ex:b ex:p 1 .") == {("a", "MaxCount")}


def test_target_objects_of_shapes_compile_their_constraints():
    shapes = "ex:S sh:targetObjectsOf ex:p ; sh:nodeKind sh:IRI ."
    assert check(shapes, 'ex:a ex:p ex:b, "lit" . ex:c ex:q "x" .') == {("lit", "NodeKind")}


def test_implicit_class_target_shapes_compile_their_constraints():
    shapes = "ex:C a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."
    data = "ex:a a ex:C . ex:b a ex:D . ex:D rdfs:subClassOf ex:C . ex:c a ex:C ; ex:p 1 ."
    assert check(shapes, data) == {("a", "MinCount"), ("b", "MinCount")}
    owl = "ex:C a owl:Class, sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."
    assert check(owl, "ex:a a ex:C .") == {("a", "MinCount")}


def test_derived_integer_datatype_is_refused_not_checked_against_the_rewritten_one():
    shapes = "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:datatype xsd:byte ] ."
    with pytest.raises(compiler.UnsupportedShape, match="xsd:integer|XMLSchema#byte"):
        check(shapes, 'ex:a ex:p "300"^^xsd:byte .')


def test_two_values_of_one_parameter_are_each_checked():
    shapes = "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1, 2 ] ."
    assert check(shapes, "ex:a ex:p 1 .") == {("a", "MinCount")}  # the 2 is checked, not dropped
    both = "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:datatype xsd:string, xsd:integer ] ."
    assert check(both, "ex:a ex:p 1 .") == {("a", "Datatype")}
    assert check(both, 'ex:a ex:p "x" .') == {("a", "Datatype")}


def test_two_values_of_a_single_valued_parameter_are_refused():
    shapes = "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p, ex:q ; sh:minCount 1 ] ."
    with pytest.raises(compiler.UnsupportedShape, match="sh:path has 2 values"):
        check(shapes, "ex:a ex:p 1 .")


def test_unsupported_constructs_are_refused_by_name():
    shapes = "ex:S sh:targetNode ex:a ; sh:sparql [ sh:select 'SELECT $this WHERE {}' ] ."
    with pytest.raises(compiler.UnsupportedShape, match="sh:sparql"):
        check(shapes, "ex:a ex:p 1 .")


def test_in_constant_the_store_would_rewrite_is_refused():
    shapes = 'ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:in ( "01"^^xsd:integer ) ] .'
    with pytest.raises(compiler.UnsupportedShape, match="sh:in"):
        check(shapes, 'ex:a ex:p "01"^^xsd:integer .')


def test_zero_length_path_gives_a_focus_node_the_graph_does_not_mention_itself_as_value():
    # SPARQL's zero-length path matches the nodes of the graph only; SHACL's gives every focus node itself
    star = "ex:S sh:targetNode ex:x ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; {} ] ."
    data = "ex:a ex:q ex:b ."
    assert check(star.format("sh:minCount 1"), data) == set()
    assert check(star.format("sh:nodeKind sh:Literal"), data) == {("x", "NodeKind")}
    assert check(star.format("sh:maxCount 0"), data) == {("x", "MaxCount")}


def test_recursive_shapes_are_refused_by_name():
    shapes = "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:knows ; sh:node ex:S ] ."
    with pytest.raises(compiler.UnsupportedShape, match="recursive shapes"):
        check(shapes, "ex:a ex:knows ex:b .")


def test_nested_shapes_are_checked_on_the_values():
    shapes = ("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:knows ; sh:node ex:N ; sh:not ex:M ] . "
              "ex:N sh:property [ sh:path ex:name ; sh:minCount 1 ] . ex:M sh:hasValue ex:c .")
    assert check(shapes, 'ex:a ex:knows ex:b, ex:c . ex:c ex:name "C" .') == {("a", "Node"), ("a", "Not")}
