"""The shapes' value tests run on the build's lines (validation/values.py) must never pass a value the
compiled SPARQL fails: the store then checks only the subjects they flag."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pwc_kg
from pwc_kg.validation import validate_store
from pwc_kg.validation.compiled import compile_shapes
from pwc_kg.validation.values import Term, ValueChecks, python_test
from pwc_kg.vocab import PWC, XSD, ontology_path

from conftest import LAMINI

EXAMPLES = Path(__file__).resolve().parents[1] / "shapes" / "examples"
EXAMPLE_FILES = sorted((EXAMPLES / "valid").glob("*.ttl")) + sorted((EXAMPLES / "invalid").glob("*.ttl"))
CONSTRAINTS = [c for c in compile_shapes() if c.test and python_test(c) is not None]


def _streamed(path: Path):
    """An example validated as a full build validates: its lines shown to the value tests, then the store."""
    graph = ox.NamedNode("urn:example")
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
    store.load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:ontology"))
    checks = ValueChecks(compile_shapes())
    checks.graphs.add(graph.value)
    for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        if t.predicate.value in checks.predicates:
            checks.see(t.subject.value, t.predicate.value, str(t.object), "")
    return validate_store(store, checked=checks), validate_store(store)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_gets_the_same_report_with_the_value_tests_run_on_its_lines(path):
    streamed, scanned = _streamed(path)
    assert (streamed.count, streamed.by_constraint) == (scanned.count, scanned.by_constraint)


def test_the_paths_without_an_exact_python_test_are_left_to_the_full_scan():
    checks = ValueChecks(compile_shapes())
    assert PWC.value in checks.paths and PWC.title in checks.paths and PWC.name in checks.paths
    tested = {c.path for c in compile_shapes() if c.test}
    assert checks.paths <= tested


# Values a mapping could write, and worse: every kind of term, lexical forms near the edges of each test.
_texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "0", "-0", "+1", "1.", ".5", "1e3", "1.5E+9", "true", "false", "1", "TRUE",
                     "2020-02-29", "2021-02-29", "2020-1-01", "2017-06-12T00:00:00", "0000-01-01", "-2020-01-01",
                     "1999", "01999", "2020Z", "1810.04805", "1810.04805\n", "hep-th/9901001", "cs.AI/0101001",
                     "10.1145/3292500", "10.1145/ 3", "https://arxiv.org/abs/1810.04805", "https://doi.org/10.1/x",
                     "/0/datasets/1", "x#/0", "a\u00a0b", "org/model-1.0", "é", "a\nb", "\\", '"']),
)
_datatypes = st.sampled_from([XSD.string, XSD.decimal, XSD.integer, XSD.boolean, XSD.date, XSD.gYear, XSD.double,
                              "http://www.w3.org/2001/XMLSchema#int", XSD.dateTime,
                              "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"])


@st.composite
def _terms(draw):
    kind = draw(st.sampled_from(["literal", "typed", "lang", "iri"]))
    text = draw(_texts)
    if kind == "iri":
        safe = "".join(ch for ch in text if (ch.isascii() and ch.isalnum()) or ch in "/.-_:")
        return ox.NamedNode("https://example.org/" + safe + draw(st.sampled_from(["", "#x", "#/0/a"])))
    if kind == "lang":
        return ox.Literal(text, language="en")
    if kind == "typed":
        dt = draw(_datatypes)
        if dt.endswith("langString"):
            return ox.Literal(text, language="en")
        return ox.Literal(text, datatype=ox.NamedNode(dt))
    return ox.Literal(text)


def _sparql_fails(constraint, term) -> bool:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://example.org/f"), ox.NamedNode(constraint.path), term,
                      ox.NamedNode("urn:g")))
    q = f"SELECT ?value WHERE {{ ?focus <{constraint.path}> ?value FILTER({constraint.test}) }}"
    return bool(list(store.query(q, use_default_graph_as_union=True)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(term=_terms(), index=st.integers(min_value=0, max_value=len(CONSTRAINTS) - 1))
def test_a_value_the_python_test_passes_passes_the_sparql_test(term, index):
    """Never a missed violation: whatever the Python test passes, the constraint's SPARQL test passes too."""
    c = CONSTRAINTS[index]
    if python_test(c)(str(term)):
        assert not _sparql_fails(c, term), (c.component, c.value, str(term))


@pytest.mark.parametrize("written", ["0.", " 5", "5 ", "+.5e1", "1e5", "0x10", "1_000"])
def test_regression_a_number_outside_its_lexical_space_is_left_to_sparql(written):
    """Hypothesis found "0."^^xsd:integer passed the Python bound (Decimal reads it) while SPARQL cannot
    compare it and fails it. Every such value must agree with SPARQL for every bound of the shapes."""
    bounds = [c for c in CONSTRAINTS if c.component in ("minInclusive", "maxInclusive")]
    assert bounds
    for c in bounds:
        for dt in ("integer", "decimal", "double"):
            term = ox.Literal(written, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#" + dt))
            if python_test(c)(str(term)):
                assert not _sparql_fails(c, term), (c.component, c.value, str(term))


@pytest.mark.parametrize("written, text", [('"a\\"b\\\\c\\n"', 'a"b\\c\n'), ('"\\u00E9t\\U0001F600"', "ét😀"),
                                           ("<https://x/y>", "https://x/y"), ('"5"^^<http://x/dt>', "5")])
def test_terms_are_read_as_n_triples_writes_them(written, text):
    assert Term(written).text == text


def test_regression_a_bad_value_a_mapper_writes_fails_the_build(tmp_path, monkeypatch):
    """The end to end case: a value that is no xsd:decimal, written by the mapping of a full build, is a
    suspect of the value tests and a violation of the store's check, and the build is refused."""
    from pwc_kg.mapping import evaluation_tables

    real = evaluation_tables.write_value

    def broken(ctx, result, value):
        real(ctx, result, value)
        ctx.graph.add(result, PWC.uncertainty, '"about 2"^^<http://www.w3.org/2001/XMLSchema#decimal>')

    monkeypatch.setattr(evaluation_tables, "write_value", broken)
    with pytest.raises(pwc_kg.BuildError, match="SHACL violations"):
        pwc_kg.build([str(LAMINI)], tmp_path / "s")
    assert "EvaluationResult uncertainty datatype decimal" in (tmp_path / "s" / "failed-validation.txt").read_text()


def test_what_a_source_found_is_merged_only_under_the_same_shapes():
    """An incremental build takes in the suspects the previous build found on a reused graph, unless the shapes
    changed since: that graph is then scanned in full (it is not among ``graphs``)."""
    from pwc_kg.validation.values import shapes_digest

    one = ValueChecks(compile_shapes(), shapes_digest())
    one.see("https://x/bad", PWC.value, '"about 2"', "")
    found = one.to_json()
    assert found["suspects"] == {PWC.value: ["https://x/bad"]}
    merged = ValueChecks(compile_shapes(), shapes_digest())
    assert merged.merge(found, "urn:g1") and merged.suspects[PWC.value] == {"https://x/bad"}
    assert merged.graphs == {"urn:g1"}
    stale = ValueChecks(compile_shapes(), "another digest")
    assert not stale.merge(found, "urn:g1") and stale.graphs == set() and not stale.suspects
