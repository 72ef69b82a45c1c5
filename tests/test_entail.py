"""``pwc-kg build --entail``: the graph restated in the standard terms the ontology aligns to,
so that a query written only in schema.org, ML-Schema and PROV-O terms gets the LaMini-LM results."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from itertools import product
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import LAMINI, LAMINI_TITLE
from owlrl import DeductiveClosure, OWLRL_Semantics

import pwc_kg
from pwc_kg.derive.entail import alignments, entail
from pwc_kg.iri import DEFAULT_BASE
from pwc_kg.queries.binding import bind_values
from pwc_kg.validation import validate_with_pyshacl
from pwc_kg.validation.reference import union_graph
from pwc_kg.vocab import PWC, PWC_NS

ENTAILED = DEFAULT_BASE + "graph/entailed"
ONTOLOGY = DEFAULT_BASE + "graph/ontology"
SCHEMA, MLS, PROV = "http://schema.org/", "http://www.w3.org/ns/mls#", "http://www.w3.org/ns/prov#"

# The results table of a paper, in schema.org, ML-Schema and PROV-O terms only. A name is any
# schema:name of the entity (a dataset has several: "WiC" and "Words in Context").
STANDARD_QUERY = """
PREFIX schema: <http://schema.org/>
PREFIX mls: <http://www.w3.org/ns/mls#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?result ?task ?dataset ?metric ?value ?model WHERE {
  ?paper a schema:ScholarlyArticle ; schema:name ?title .
  ?result a mls:ModelEvaluation ;
          prov:hadPrimarySource ?paper ;
          mls:hasValue ?value ;
          mls:specifiedBy ?measure, ?evaluated ;
          schema:isPartOf ?benchmark .
  ?measure a mls:EvaluationMeasure ; schema:name ?metric .
  ?evaluated a mls:Model ; schema:name ?model .
  ?benchmark a mls:Task ; schema:about ?t ; mls:definedOn ?d .
  ?t schema:name ?task .
  ?d a mls:Dataset ; schema:name ?dataset .
}"""


@pytest.fixture(scope="module")
def entailed_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("entailed") / "store"
    subprocess.run([sys.executable, "-m", "pwc_kg", "build", str(LAMINI), "--store", str(store), "--entail"],
                   check=True, capture_output=True, text=True)
    return store


def standard_rows(store_dir) -> list[dict]:
    query = bind_values(STANDARD_QUERY, {"title": ox.Literal(LAMINI_TITLE)})
    return pwc_kg.open_store(store_dir).sparql(query)


def rdflib_graph(quads) -> rdflib.Graph:
    """The triples of some pyoxigraph quads, whatever their graph, as one rdflib graph."""
    g = rdflib.Graph()
    nq = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    for s, p, o, _ in rdflib.Dataset().parse(data=nq, format="nquads").quads():
        g.add((s, p, o))
    return g


def expected_rows() -> list[tuple]:
    with open(LAMINI / "expected-results.tsv", encoding="utf-8") as f:
        return sorted((r["task"], r["dataset"], r["metric"], Decimal(r["value"]), r["model"])
                      for r in csv.DictReader(f, delimiter="\t"))


def test_the_standard_query_names_no_pwc_term():
    assert PWC_NS not in STANDARD_QUERY and "pwc" not in STANDARD_QUERY.lower()


def test_a_query_in_schema_org_ml_schema_and_prov_terms_gets_the_lamini_results(entailed_store):
    names: dict[str, dict[str, set]] = {}
    for row in standard_rows(entailed_store):
        r = names.setdefault(row["result"].value, {k: set() for k in ("task", "dataset", "metric", "value", "model")})
        for k in r:
            r[k].add(Decimal(row[k].value) if k == "value" else row[k].value)
    expected = expected_rows()
    assert len(names) == len(expected) == 44
    # each result reads as exactly one row of the seed page, and each row of the page is one result
    matched = []
    for r in names.values():
        assert len(r["value"]) == 1, r
        rows = [row for row in product(r["task"], r["dataset"], r["metric"], r["value"], r["model"]) if row in expected]
        assert len(rows) == 1, (r, rows)
        matched.append(rows[0])
    assert Counter(matched) == Counter(expected)


def test_without_entail_the_standard_query_finds_nothing(lamini_store):
    assert standard_rows(lamini_store) == []


def test_the_entailed_graph_holds_standard_terms_only_and_each_triple_is_owl_rl_entailed(entailed_store):
    store = pwc_kg.open_store(entailed_store).store
    entailed = ox.NamedNode(ENTAILED)
    triples = [(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, entailed)]
    assert len(triples) > 900
    assert not [t for t in triples if t[1].value.startswith(PWC_NS) or t[2] == ox.NamedNode(PWC.Paper)]
    assert not [t for t in triples if t[1].value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                and t[2].value.startswith(PWC_NS)]

    # sound: an independent OWL 2 RL reasoner (owlrl) derives every one of them from the other graphs
    rest = rdflib_graph(q for q in store if q.graph_name != entailed)
    DeductiveClosure(OWLRL_Semantics).expand(rest)
    missing = [t for t in rdflib_graph(store.quads_for_pattern(None, None, None, entailed)) if t not in rest]
    assert missing == []


def test_the_entailed_graph_is_complete_for_the_aligned_terms(entailed_store):
    """Every triple in an aligned pwc term has its standard restatement, computed here with rdflib from pwc.ttl."""
    store = pwc_kg.open_store(entailed_store).store
    onto = rdflib.Graph().parse(Path(__file__).resolve().parents[1] / "ontology" / "pwc.ttl", format="turtle")
    sub = rdflib.RDFS.subPropertyOf
    checked = 0
    for prop in [PWC.value, PWC.reportedIn, PWC.fineTunedFrom, PWC.title, PWC.name]:
        supers = {str(s) for s in onto.transitive_objects(rdflib.URIRef(prop), sub)} - {prop}
        supers = {s for s in supers if not s.startswith(PWC_NS)}
        assert supers
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, None):
            for s in supers:
                assert ox.Quad(q.subject, ox.NamedNode(s), q.object, ox.NamedNode(ENTAILED)) in store, (q, s)
                checked += 1
    assert checked > 100


def test_shacl_validation_still_passes_with_the_entailed_graph(entailed_store):
    kg = pwc_kg.open_store(entailed_store)
    assert kg.validate().conforms
    conforms, _, text = validate_with_pyshacl(union_graph(kg.store))
    assert conforms, text


def test_the_entailment_is_recorded_in_the_provenance_graph_like_the_derivation(entailed_store, lamini_store):
    kg = pwc_kg.open_store(entailed_store)
    rows = kg.sparql(bind_values(f"""SELECT ?activity ?count ?started WHERE {{
        ?activity a <{PWC.Entailment}> ; <{PROV}used> ?ontology ; <{PROV}startedAtTime> ?started .
        ?entailed <{PROV}wasGeneratedBy> ?activity ; <{PWC.tripleCount}> ?count }}""",
        {"ontology": ox.NamedNode(ONTOLOGY), "entailed": ox.NamedNode(ENTAILED)}))
    assert len(rows) == 1
    graphs = kg.stats()["graphs"]
    assert int(rows[0]["count"].value) == graphs[ENTAILED] > 900
    build = json.loads((Path(entailed_store) / "current" / "build.json").read_text())
    assert build["entailed"]["triples"] == graphs[ENTAILED]
    # quads: the named graphs' triples; triples: the distinct ones, the default graph (the rest of the store)
    assert build["quads"] == sum(graphs.values()) and build["triples"] == len(kg.store) - build["quads"]
    assert "entail" in build["seconds"]
    classes = kg.stats()["classes"]
    assert classes.pop("Entailment") == 1
    assert classes == pwc_kg.open_store(lamini_store).stats()["classes"]  # no other pwc entity more or less


def test_the_named_questions_answer_the_same_with_the_entailed_graph(entailed_store, lamini_store):
    """The entailed graph adds no pwc triple, so no pwc query gains a row (nor a duplicate)."""
    questions = {
        "paper-results": lambda kg: kg.query("paper-results", paper=LAMINI_TITLE),
        "benchmarks": lambda kg: kg.query("benchmarks", task="Question Answering"),
        "tasks": lambda kg: kg.query("tasks", task="Question Answering"),
        "sota": lambda kg: kg.sota("Question Answering", "PIQA"),
        "compare": lambda kg: kg.compare("LaMini-GPT 1.5B", base="GPT-2-XL 1.5B"),
    }
    with_entailed, without = pwc_kg.open_store(entailed_store), pwc_kg.open_store(lamini_store)
    for name, ask in questions.items():
        rows = ask(without)
        assert rows and ask(with_entailed) == rows, name


def test_a_build_without_entail_has_no_entailed_graph(lamini_store):
    assert ENTAILED not in pwc_kg.open_store(lamini_store).stats()["graphs"]


# ------------------------------------------------------------------- the step on crafted stores

TINY_ONTOLOGY = b"""@prefix pwc: <https://w3id.org/pwc-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix schema: <http://schema.org/> . @prefix prov: <http://www.w3.org/ns/prov#> .
pwc:Paper rdfs:subClassOf schema:ScholarlyArticle, owl:Thing .
schema:ScholarlyArticle rdfs:subClassOf schema:CreativeWork .
pwc:title rdfs:subPropertyOf schema:name .
pwc:Model owl:equivalentClass schema:SoftwareApplication .
pwc:fineTunedFrom rdfs:subPropertyOf pwc:derivedFrom . pwc:derivedFrom rdfs:subPropertyOf prov:wasDerivedFrom .
"""


def tiny_store(data: bytes) -> ox.Store:
    store = ox.Store()
    store.load(input=TINY_ONTOLOGY, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/onto"))
    store.load(input=b"@prefix pwc: <https://w3id.org/pwc-kg/ontology#> .\n" + data, format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode("http://example.org/data"))
    return store


def test_alignments_follow_subclass_subproperty_and_equivalence_transitively_and_skip_trivial_terms():
    classes, properties = alignments(tiny_store(b""), "http://example.org/onto")
    assert classes == {PWC.Paper: ["http://schema.org/CreativeWork", "http://schema.org/ScholarlyArticle"],
                       PWC.Model: ["http://schema.org/SoftwareApplication"]}
    assert properties[PWC.fineTunedFrom] == [PROV + "wasDerivedFrom"]
    assert properties[PWC.derivedFrom] == [PROV + "wasDerivedFrom"]


def test_entail_keeps_blank_nodes_and_writes_each_triple_once(tmp_path):
    store = tiny_store(b"""_:p a pwc:Paper ; pwc:title "A" .
        <http://example.org/m> a pwc:Model ; pwc:fineTunedFrom <http://example.org/base> .""")
    store.load(input=b'<http://example.org/m> <https://w3id.org/pwc-kg/ontology#fineTunedFrom> <http://example.org/base> .',
               format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("http://example.org/copy"))  # the same triple twice
    stats = entail(store, "http://example.org/onto", "http://example.org/entailed", tmp_path)
    g = ox.NamedNode("http://example.org/entailed")
    got = {(q.subject, q.predicate.value, q.object) for q in store.quads_for_pattern(None, None, None, g)}
    (paper,) = {q.subject for q in store.quads_for_pattern(None, None, ox.NamedNode(PWC.Paper), None)}
    assert isinstance(paper, ox.BlankNode)
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    m, base = ox.NamedNode("http://example.org/m"), ox.NamedNode("http://example.org/base")
    assert got == {
        (paper, rdf_type, ox.NamedNode("http://schema.org/ScholarlyArticle")),
        (paper, rdf_type, ox.NamedNode("http://schema.org/CreativeWork")),
        (paper, "http://schema.org/name", ox.Literal("A")),
        (m, rdf_type, ox.NamedNode("http://schema.org/SoftwareApplication")),
        (m, PROV + "wasDerivedFrom", base),
    }
    assert stats.triples == 5 and list(tmp_path.iterdir()) == []  # the staging file is gone
    store.remove(ox.Quad(m, ox.NamedNode(PWC.fineTunedFrom), base, ox.NamedNode("http://example.org/data")))
    store.remove(ox.Quad(m, ox.NamedNode(PWC.fineTunedFrom), base, ox.NamedNode("http://example.org/copy")))
    assert entail(store, "http://example.org/onto", "http://example.org/entailed", tmp_path).triples == 4  # run again
    assert ox.Quad(m, ox.NamedNode(PROV + "wasDerivedFrom"), base, g) not in store


def test_entail_restates_literals_exactly(tmp_path):
    """The entailed triples go through N-Triples text: quotes, newlines, control characters, language
    tags and datatypes must come back as the same literal."""
    values = [ox.Literal('say "hi"\n\t\\ <script>\u0001 é \U0001F600'), ox.Literal("Titel", language="de"),
              ox.Literal("2023-04-27", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))]
    store = tiny_store(b"")
    data = ox.NamedNode("http://example.org/data")
    store.extend(ox.Quad(ox.NamedNode(f"http://example.org/p{i}"), ox.NamedNode(PWC.title), v, data)
                 for i, v in enumerate(values))
    entail(store, "http://example.org/onto", "http://example.org/entailed", tmp_path)
    got = [q.object for q in store.quads_for_pattern(None, ox.NamedNode(SCHEMA + "name"), None,
                                                     ox.NamedNode("http://example.org/entailed"))]
    assert sorted(got, key=str) == sorted(values, key=str)
