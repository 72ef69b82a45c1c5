"""Links out (issue 5 §4): arXiv, DOI, GitHub, Hugging Face and Papers With Code IRIs in the graph,
declared as VoID linksets with counts that match the graph.

Fixtures: tests/fixtures/lamini (the LaMini-LM paper, its datasets with their task pages and data
loaders), tests/fixtures/model-cards (Hugging Face ids), tests/fixtures/sota-extractor (leaderboard
rows citing papers by doi.org links, publisher /doi/ pages and a CiteSeerX URL with a non-DOI
``doi=`` parameter).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, VOID

import pwc_kg
from pwc_kg.export import export
from pwc_kg.export.void import LINK_TARGETS, describe
from pwc_kg.mapping.common import doi_of
from pwc_kg.vocab import PWC, ontology_path

from conftest import FIXTURES, LAMINI, LAMINI_TITLE, SOTA_FILES

SCHEMA = "http://schema.org/"
FABIO_ARXIV = "http://purl.org/spar/fabio/hasArXivId"


@pytest.fixture(scope="module")
def links_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("links") / "store"
    pwc_kg.build([str(LAMINI), str(FIXTURES / "model-cards"), *map(str, SOTA_FILES)], store)
    return store


def rows(store_dir, query: str) -> list[dict]:
    return pwc_kg.open_store(store_dir).sparql(query)


def values(store_dir, subject_query: str) -> set[str]:
    return {r["o"].value for r in rows(store_dir, subject_query)}


# ------------------------------------------------------------------------------------------ arXiv


def test_an_arxiv_paper_links_to_its_versionless_abstract_page_and_keeps_its_id(lamini_store):
    found = rows(lamini_store, f"""SELECT DISTINCT ?id ?page WHERE {{
        ?p <{PWC.title}> "{LAMINI_TITLE}" ; <{PWC.arxivId}> ?id ; <{PWC.arxivPage}> ?page }}""")
    assert [(r["id"].value, r["page"].value) for r in found] == [("2304.14402", "https://arxiv.org/abs/2304.14402")]


def test_every_arxiv_id_has_its_page_and_every_page_its_id(links_store):
    pairs = rows(links_store, f"SELECT DISTINCT ?p ?id WHERE {{ ?p <{PWC.arxivId}> ?id }}")
    assert len(pairs) > 100
    pages = rows(links_store, f"SELECT DISTINCT ?p ?page WHERE {{ ?p <{PWC.arxivPage}> ?page }}")
    assert {(r["p"].value, "https://arxiv.org/abs/" + r["id"].value) for r in pairs} == {
        (r["p"].value, r["page"].value) for r in pages}


def test_the_arxiv_id_is_aligned_to_fabio_and_the_page_to_schema_same_as():
    onto = rdflib.Graph().parse(ontology_path(), format="turtle")
    sub = rdflib.RDFS.subPropertyOf
    assert (rdflib.URIRef(PWC.arxivId), sub, rdflib.URIRef(FABIO_ARXIV)) in onto
    for p in (PWC.arxivPage, PWC.doiPage):
        assert (rdflib.URIRef(p), sub, rdflib.URIRef(SCHEMA + "sameAs")) in onto
    assert (rdflib.URIRef(PWC.pwcPage), sub, rdflib.URIRef("http://www.w3.org/ns/prov#hadPrimarySource")) in onto


# ------------------------------------------------------------------------------------------ DOI


@pytest.mark.parametrize("url, doi", [
    ("https://doi.org/10.1016/j.artint.2016.05.003", "10.1016/j.artint.2016.05.003"),
    ("http://dx.doi.org/10.1145/3292500.3330701", "10.1145/3292500.3330701"),
    ("https://www.mitpressjournals.org/doi/full/10.1162/COLI_a_00164", "10.1162/COLI_a_00164"),
    ("https://pubs.acs.org/doi/10.1021/ci100050t", "10.1021/ci100050t"),
    ("https://dl.acm.org/doi/pdf/10.1145/3394486.3403123", "10.1145/3394486.3403123"),
    ("https://onlinelibrary.wiley.com/doi/10.1111/j.1467-8659.2012.03040.x/full", "10.1111/j.1467-8659.2012.03040.x"),
    ("https://doi.org/10.1002/%28SICI%291097-4571", "10.1002/(SICI)1097-4571"),
    # not DOIs: CiteSeerX's own ids in a query string, a prefix without suffix, an arXiv page
    ("https://citeseerx.ist.psu.edu/viewdoc/download?doi=10.1.1.108.1370&rep=rep1&type=pdf", None),
    ("https://example.org/page?doi=10.1000/182", None),
    ("https://doi.org/10.1016/", None),
    ("https://arxiv.org/abs/2304.14402", None),
    ("", None),
])
def test_a_doi_is_read_from_doi_org_links_and_publisher_pages_only(url, doi):
    assert doi_of(url) == doi


def test_papers_cited_by_a_doi_url_carry_the_doi_and_its_resolver_link(links_store):
    found = rows(links_store, f"SELECT DISTINCT ?p ?doi ?page WHERE {{ ?p <{PWC.doi}> ?doi ; <{PWC.doiPage}> ?page }}")
    dois = {r["doi"].value for r in found}
    # the four DOIs the sota-extractor fixture cites (doi.org twice, two publisher pages); the
    # CiteSeerX "doi=10.1.1.108.1370" is no DOI
    assert dois == {"10.1016/j.artint.2016.05.003", "10.1016/j.knosys.2019.105030", "10.1162/COLI_a_00164",
                    "10.1021/ci100050t"}
    assert all(r["page"].value == "https://doi.org/" + r["doi"].value for r in found)
    assert not rows(links_store, f'SELECT ?p WHERE {{ ?p <{PWC.doi}> "10.1.1.108.1370" }}')
    types = rows(links_store, f"SELECT DISTINCT ?t WHERE {{ ?p <{PWC.doi}> ?d ; a ?t }}")
    assert {r["t"].value for r in types} == {PWC.Paper}


# ------------------------------------------------------------------------- Papers With Code, GitHub, HF


def test_papers_datasets_methods_and_tasks_name_their_papers_with_code_page(lamini_store):
    found = rows(lamini_store, f"SELECT DISTINCT ?t ?page WHERE {{ ?x <{PWC.pwcPage}> ?page ; a ?t }}")
    kinds = {r["t"].value for r in found}
    assert kinds == {PWC.Paper, PWC.Dataset, PWC.Method, PWC.Task}
    assert all(r["page"].value.startswith("https://paperswithcode.com/") for r in found)
    qa = rows(lamini_store, f"""SELECT ?page WHERE {{ ?t a <{PWC.Task}> ; <{PWC.name}> "Question Answering" ;
        <{PWC.pwcPage}> ?page }}""")
    assert {r["page"].value for r in qa} == {"https://paperswithcode.com/task/question-answering"}


def test_repositories_link_to_github(links_store):
    repos = rows(links_store, f"SELECT DISTINCT ?r ?url WHERE {{ ?r a <{PWC.Repository}> ; <{PWC.url}> ?url }}")
    github = {r["url"].value for r in repos if r["url"].value.startswith("https://github.com/")}
    assert github and "https://github.com/mbzuai-nlp/LaMini-LM" in github


def test_hugging_face_models_are_the_same_as_their_hub_page(links_store):
    found = rows(links_store, f"""SELECT DISTINCT ?id ?page WHERE {{ ?m <{PWC.huggingFaceId}> ?id ;
        <http://www.w3.org/2002/07/owl#sameAs> ?page FILTER(STRSTARTS(STR(?page), "https://huggingface.co/")) }}""")
    pairs = {(r["id"].value, r["page"].value) for r in found}
    assert ("MBZUAI/LaMini-GPT-1.5B", "https://huggingface.co/MBZUAI/LaMini-GPT-1.5B") in pairs
    assert all(page == "https://huggingface.co/" + hf_id for hf_id, page in pairs)


# ------------------------------------------------------------------------------------------ linksets


def linksets(graph: rdflib.Graph) -> dict[tuple[str, str], int]:
    out = {}
    for ls in graph.subjects(RDF.type, VOID.Linkset):
        target = graph.value(ls, VOID.objectsTarget)
        space = str(graph.value(target, VOID.uriSpace))
        out[(space, str(graph.value(ls, VOID.linkPredicate)))] = int(graph.value(ls, VOID.triples))
    return out


def links_in_store(store_dir) -> dict[tuple[str, str], int]:
    """Every distinct triple whose object is an IRI in a target's URI space, counted by (space, predicate):
    those of the default graph, the set union of the named graphs."""
    store = pwc_kg.open_store(store_dir).store
    out: dict[tuple[str, str], int] = {}
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        if isinstance(q.object, ox.NamedNode) and q.predicate.value != str(RDF.type):
            for t in LINK_TARGETS:
                if q.object.value.startswith(t.uri_space):
                    key = (t.uri_space, q.predicate.value)
                    out[key] = out.get(key, 0) + 1
    return out


def test_the_void_description_declares_every_link_out_as_a_linkset_with_its_count(links_store, tmp_path):
    report = export(links_store, tmp_path / "links.nq")
    void = rdflib.Graph().parse(report.void_path, format="turtle")
    declared = linksets(void)
    assert declared == links_in_store(links_store)
    spaces = {space for space, _ in declared}
    assert spaces == {t.uri_space for t in LINK_TARGETS}  # arXiv, DOI, GitHub, Hugging Face, Papers With Code
    assert declared[("https://arxiv.org/", PWC.arxivPage)] > 100
    assert declared[("https://doi.org/", PWC.doiPage)] == 4
    assert declared[("https://huggingface.co/", "http://www.w3.org/2002/07/owl#sameAs")] >= 6
    # each linkset is a subset of the dataset, from it to its target
    ds = next(void.subjects(VOID.dataDump, None))
    for ls in void.subjects(RDF.type, VOID.Linkset):
        assert (ds, VOID.subset, ls) in void and void.value(ls, VOID.subjectsTarget) == ds


def test_the_description_a_server_asks_for_counts_the_same_links_from_the_store(links_store, tmp_path):
    """describe() without counts (a server's /.well-known/void) queries the store; the export counted
    while writing: both give the same linksets."""
    kg = pwc_kg.open_store(links_store)
    base = "https://w3id.org/pwc-kg/resource/"
    graph = describe(kg.store, base_iri=base, dataset_iri=base + "dataset", endpoint="http://127.0.0.1:7878/sparql",
                     generation=kg.generation)
    assert linksets(graph) == links_in_store(links_store)
    ds = rdflib.URIRef(base + "dataset")
    assert (ds, VOID.sparqlEndpoint, rdflib.URIRef("http://127.0.0.1:7878/sparql")) in graph
    assert int(graph.value(ds, VOID.triples)) == len(list(kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph())))


def test_a_profile_export_declares_its_links_in_the_profile_terms(lamini_store, tmp_path):
    report = export(lamini_store, tmp_path / "schema.nt", profile="schema")
    declared = linksets(rdflib.Graph().parse(report.void_path, format="turtle"))
    assert declared[("https://arxiv.org/", SCHEMA + "sameAs")] == 1
    assert declared[("https://paperswithcode.com/", SCHEMA + "mainEntityOfPage")] >= 20
    assert all(p.startswith((SCHEMA, "http://www.w3.org/")) for _, p in declared)
    links = {}
    for s, p, o in rdflib.Graph().parse(report.path, format="nt"):
        for t in LINK_TARGETS:
            if isinstance(o, rdflib.URIRef) and str(o).startswith(t.uri_space) and p != RDF.type:
                links[(t.uri_space, str(p))] = links.get((t.uri_space, str(p)), 0) + 1
    assert declared == links
