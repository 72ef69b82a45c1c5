"""The ontology, published: HTML documentation and JSON-LD context in sync with ontology/pwc.ttl,
and an OWL 2 RL closure (owlrl) that finds no inconsistency in the ontology or in a built graph."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
import rdflib
from owlrl import DeductiveClosure, OWLRL_Semantics
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, XSD

import pwc_kg
from pwc_kg.ontology import context_path, jsonld_context
from pwc_kg.ontology import docs
from pwc_kg.ontology.context import ContextError, context_text
from pwc_kg.ontology.html import external_resources, html_path, ontology_html, ontology_terms
from pwc_kg.vocab import PWC, PWC_NS, ontology_path

# owlrl writes each inconsistency it finds as a node of this type with an err:error message
# (owlrl.Namespaces.ERRNS), and puts the individuals it proves impossible in owl:Nothing.
ERRNS = rdflib.Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
PREFIXES = f"@prefix pwc: <{PWC_NS}> . @prefix owl: <{OWL}> . @prefix xsd: <{XSD}> . @prefix ex: <http://example.org/> .\n"


@pytest.fixture(scope="module")
def html() -> str:
    return ontology_html()


def store_graph(store_dir) -> rdflib.Dataset:
    """Every quad of a built store's named graphs, in an rdflib Dataset (as a dump holds them: the default
    graph is their union, stated once)."""
    store = pwc_kg.open_store(store_dir).store
    named = (q for q in store if isinstance(q.graph_name, ox.NamedNode))
    ds = rdflib.Dataset()
    ds.parse(data=ox.serialize(named, format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    return ds


def graphs(ds: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    """The non-empty graphs of a dataset by name, as plain graphs."""
    out: dict[str, rdflib.Graph] = {}
    for s, p, o, g in ds.quads():
        out.setdefault(str(g.identifier if isinstance(g, rdflib.Graph) else g), rdflib.Graph()).add((s, p, o))
    return out


def same_quads(a: rdflib.Dataset, b: rdflib.Dataset) -> bool:
    """The same named graphs, each with the same triples (blank nodes matched by isomorphism)."""
    ga, gb = graphs(a), graphs(b)
    return ga.keys() == gb.keys() and all(isomorphic(ga[name], gb[name]) for name in ga)


# ------------------------------------------------------------------------------------------ HTML


def test_the_committed_html_is_what_the_ontology_generates(html):
    assert html_path().read_text(encoding="utf-8") == html, "run: python -m pwc_kg.ontology.docs"


def test_every_term_is_documented_under_its_local_name(html):
    terms = ontology_terms()
    assert len(terms) > 100 and all(t[len(PWC_NS):] in PWC for t in terms)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    missing = [t for t in terms if t[len(PWC_NS):] not in ids or f"<code>{t}</code>" not in html]
    assert missing == []


def test_the_page_fetches_nothing_from_the_network(html):
    class Fetches(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            url = a.get("src") if tag in ("script", "img", "iframe") else a.get("href") if tag == "link" else None
            if url and not url.startswith(("data:", "#")):
                self.found.append((tag, url))

    parser = Fetches()
    parser.feed(html)
    assert parser.found == []
    assert external_resources(html) == []
    assert "<style>" in html and "Entailment" in html


def test_a_new_term_in_the_ontology_file_appears_in_the_page(tmp_path):
    onto = tmp_path / "pwc.ttl"
    onto.write_text(ontology_path().read_text(encoding="utf-8") + PREFIXES + """
        pwc:Leaderboardx a owl:Class ; <http://www.w3.org/2000/01/rdf-schema#label> "Leaderboard X"@en ;
            <http://www.w3.org/2000/01/rdf-schema#comment> "A crafted class."@en .""", encoding="utf-8")
    page = ontology_html(onto)
    assert 'id="Leaderboardx"' in page and "A crafted class." in page
    assert 'id="Leaderboardx"' not in ontology_html()


# ----------------------------------------------------------------------------------- JSON-LD context


def test_the_committed_context_is_what_the_ontology_generates():
    assert context_path().read_text(encoding="utf-8") == context_text(), "run: python -m pwc_kg.ontology.docs"


def test_the_context_types_each_property_from_its_range():
    ctx = jsonld_context()["@context"]
    onto = rdflib.Graph().parse(ontology_path(), format="turtle")
    checked = 0
    for prop in onto.subjects(RDF.type, OWL.ObjectProperty):
        name = str(prop)[len(PWC_NS):]
        assert ctx[name] == {"@id": "pwc:" + name, "@type": "@id"}
        checked += 1
    for prop in onto.subjects(RDF.type, OWL.DatatypeProperty):
        name = str(prop)[len(PWC_NS):]
        ranges = list(onto.objects(prop, RDFS.range))
        expected = {"@id": "pwc:" + name}
        if len(ranges) == 1 and ranges[0] != XSD.string:  # no range, or several: values keep their own datatype
            expected["@type"] = "xsd:" + str(ranges[0])[len(str(XSD)):]
        assert ctx[name] == expected
        checked += 1
    for cls in onto.subjects(RDF.type, OWL.Class):
        if isinstance(cls, rdflib.URIRef):
            assert ctx[str(cls)[len(PWC_NS):]] == "pwc:" + str(cls)[len(PWC_NS):]
    assert checked > 100
    assert ctx["value"] == {"@id": "pwc:value", "@type": "xsd:decimal"}
    assert ctx["pwc"] == PWC_NS and ctx["schema"] == "http://schema.org/" and ctx["@version"] == 1.1


def test_a_term_named_like_a_prefix_is_refused(tmp_path):
    onto = tmp_path / "pwc.ttl"
    onto.write_text(ontology_path().read_text(encoding="utf-8") + PREFIXES
                    + "pwc:schema a owl:DatatypeProperty ; <http://www.w3.org/2000/01/rdf-schema#range> xsd:string .",
                    encoding="utf-8")
    with pytest.raises(ContextError, match=r"pwc\.ttl: the short name 'schema' .* is also a prefix"):
        jsonld_context(onto)


def test_a_graph_compacted_with_the_context_round_trips_to_the_same_quads(lamini_store):
    ds = store_graph(lamini_store)
    text = ds.serialize(format="json-ld", context=jsonld_context()["@context"])
    doc = json.loads(text)
    # compacted, not merely embedded: nodes use the short names, and values their coerced forms
    nodes = [n for g in doc["@graph"] for n in g.get("@graph", [])]
    results = [n for n in nodes if n.get("@type") == "EvaluationResult"]
    assert len(results) == 44
    assert all({"value", "metric", "model", "benchmark", "reportedIn"} <= n.keys() for n in results)
    assert all(isinstance(n["value"], str) and n["metric"].startswith("https://") for n in results)
    assert not any(k.startswith(PWC_NS) for n in nodes for k in n)

    back = rdflib.Dataset()
    back.parse(data=text, format="json-ld")
    assert sum(1 for _ in back.quads()) > 2000 and same_quads(back, ds)

    # and a second, independent JSON-LD processor reads the same quads out of it
    store = ox.Store()
    store.load(input=text.encode("utf-8"), format=ox.RdfFormat.JSON_LD)
    again = rdflib.Dataset()
    again.parse(data=ox.serialize(store, format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    assert same_quads(again, ds)


# ------------------------------------------------------------------------------------- the command


def test_the_docs_command_finds_the_committed_files_up_to_date():
    out = subprocess.run([sys.executable, "-m", "pwc_kg.ontology.docs", "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_docs_command_reports_and_rewrites_a_stale_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "context.jsonld"
    target.write_text("{}\n")
    monkeypatch.setattr(docs, "products", lambda: {target: context_text})
    assert docs.main(["--check"]) == 1
    assert f"{target}: out of date" in capsys.readouterr().err
    assert target.read_text() == "{}\n"
    assert docs.main([]) == 0
    assert target.read_text(encoding="utf-8") == context_text()
    assert docs.main(["--check"]) == 0


# ------------------------------------------------------------------------------------------ OWL 2 RL


def owl_rl_inconsistencies(graph: rdflib.Graph) -> list[str]:
    """Runs the OWL 2 RL closure on ``graph`` (in place) and returns what owlrl found inconsistent:
    its error messages (written into the graph as err:ErrorMessage nodes) and the members of owl:Nothing."""
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    found = sorted(str(m) for m in graph.objects(None, ERRNS.error))
    found += sorted(f"{s} is a member of owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing))
    return found


def ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_path(), format="turtle")


def test_the_ontology_passes_an_owl_rl_closure_without_inconsistency():
    g = ontology_graph()
    size = len(g)
    assert owl_rl_inconsistencies(g) == []
    assert len(g) > size  # the closure ran: it added the entailed triples
    assert (rdflib.URIRef(PWC.fineTunedFrom), RDFS.subPropertyOf, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) in g


def test_the_ontology_with_a_built_graph_passes_an_owl_rl_closure_without_inconsistency(lamini_store):
    g = rdflib.Graph()
    for s, p, o, _ in store_graph(lamini_store).quads():  # the store holds the ontology too, in its own graph
        g.add((s, p, o))
    assert (rdflib.URIRef(PWC.Paper), RDF.type, OWL.Class) in g
    assert owl_rl_inconsistencies(g) == []
    result = next(g.subjects(RDF.type, rdflib.URIRef(PWC.EvaluationResult)))
    assert (result, RDF.type, rdflib.URIRef("http://www.w3.org/ns/mls#ModelEvaluation")) in g


@pytest.mark.parametrize("bad, message", [
    ("ex:x a pwc:Paper, pwc:Model .", "Disjoint classes"),
    ("ex:r pwc:model ex:x . ex:x a pwc:Metric .", "Disjoint classes"),  # typed a Model by pwc:model's range
    ("ex:x a owl:Nothing .", "owl:Nothing"),
])
def test_an_inconsistent_graph_is_caught(bad, message):
    g = ontology_graph()
    g.parse(data=PREFIXES + bad, format="turtle")
    found = owl_rl_inconsistencies(g)
    assert found and any(message in m for m in found), found
