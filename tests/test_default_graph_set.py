"""The default graph is a set: each triple counts once, however many sources state it (issue 13, part 4).

pyoxigraph 0.5's union default graph is a bag: a paper stated by the papers file and by the
evaluation tables was counted twice. pwc-kg keeps the set union of the named graphs as the store's
default graph (store/union.py); the named graphs stay one per source, for provenance. Each test
here is named after a defect it guards against.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import LAMINI
from rdflib.namespace import VOID
from servers import servers  # noqa: F401 (a fixture)

import pwc_kg
import pwc_kg.questions
from pwc_kg.export import export
from pwc_kg.export.void import describe
from pwc_kg.queries.binding import bind_values
from pwc_kg.queries.run import EmbeddedBackend
from pwc_kg.remote import SparqlEndpointBackend, push_store
from pwc_kg.remote.endpoint import UNION_GRAPH
from pwc_kg.store import StoreDir
from pwc_kg.store.union import DefaultGraphMissing, SetKeeping, fill_default
from pwc_kg.submissions import SubmissionService
from pwc_kg.vocab import PWC, RDF

SAMPLE = Path(__file__).parent.parent / "data" / "sample"
PREFIX = "PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>\n"


def graphs_of(store: ox.Store) -> dict[ox.Triple, set[str]]:
    """Each triple of the named graphs, with the graphs that state it."""
    out: dict[ox.Triple, set[str]] = defaultdict(set)
    for q in store:
        if not isinstance(q.graph_name, ox.DefaultGraph):
            out[q.triple].add(q.graph_name.value)
    return out


def default_graph(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def assert_default_is_the_union(store: ox.Store) -> dict[ox.Triple, set[str]]:
    stated = graphs_of(store)
    assert default_graph(store) == set(stated)
    return stated


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The bundled sample archive (data/sample), built."""
    store = tmp_path_factory.mktemp("set-sample") / "store"
    pwc_kg.build([str(SAMPLE)], store)
    return store


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> tuple[Path, Path]:
    """The LaMini archive built once, and built from two copies of its evaluation tables: every result,
    model and benchmark stated by two sources."""
    folder = tmp_path_factory.mktemp("set-twice")
    for name in ("a", "b"):
        (folder / name).mkdir()
        shutil.copy(LAMINI / "evaluation-tables.json", folder / name / "evaluation-tables.json")
    once, two = folder / "once", folder / "twice"
    pwc_kg.build([str(LAMINI / "evaluation-tables.json")], once)
    pwc_kg.build([str(folder / "a"), str(folder / "b")], two)
    return once, two


def one(kg, query: str, **bindings) -> dict:
    (row,) = kg.sparql(bind_values(PREFIX + query, bindings))
    return row


def test_the_default_graph_is_the_set_union_of_the_named_graphs(sample):
    stated = assert_default_is_the_union(StoreDir(sample).open())
    assert any(len(g) > 1 for g in stated.values())  # the sample has triples that two sources state


def test_count_of_papers_equals_the_number_of_papers(sample):
    store = StoreDir(sample).open()
    stated = graphs_of(store)
    papers = {t.subject for t in stated if t.predicate.value == RDF.type and t.object.value == PWC.Paper}
    assert any(len(stated[ox.Triple(p, ox.NamedNode(RDF.type), ox.NamedNode(PWC.Paper))]) > 1 for p in papers)
    kg = pwc_kg.open_store(sample)
    row = one(kg, "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?p) AS ?d) WHERE { ?p a pwc:Paper }")
    assert int(row["n"].value) == int(row["d"].value) == len(papers)
    assert kg.stats()["classes"]["Paper"] == len(papers)


def test_a_models_name_comes_back_once(twice):
    _, two = twice
    store = StoreDir(two).open()
    stated = graphs_of(store)
    names = [t for t, g in stated.items() if t.predicate.value == PWC.name and len(g) == 2
             and "/model/" in t.subject.value]
    assert names
    kg = pwc_kg.open_store(two)
    for t in names[:5]:
        rows = kg.sparql(bind_values(PREFIX + "SELECT ?n WHERE { ?m pwc:name ?n }", {"m": t.subject}))
        assert [r["n"] for r in rows] == [t.object]


def test_an_aggregate_over_values_is_not_inflated(twice):
    once, two = twice
    q = "SELECT (SUM(?v) AS ?sum) (COUNT(?v) AS ?n) (COUNT(DISTINCT ?r) AS ?results) WHERE { ?r pwc:value ?v }"
    a, b = one(pwc_kg.open_store(once), q), one(pwc_kg.open_store(two), q)
    assert Decimal(b["sum"].value) == Decimal(a["sum"].value) and b["n"].value == a["n"].value == a["results"].value
    # named queries and questions give what one copy gives
    rows_once = pwc_kg.open_store(once).query("benchmarks", task="Question Answering")
    rows_twice = pwc_kg.open_store(two).query("benchmarks", task="Question Answering")
    assert rows_twice == rows_once and rows_once
    board = pwc_kg.open_store(two).leaderboard("Question Answering", "PIQA", "Accuracy")
    assert board == pwc_kg.open_store(once).leaderboard("Question Answering", "PIQA", "Accuracy")


def test_void_triples_are_distinct_and_stats_give_quads_apart(sample):
    kg = pwc_kg.open_store(sample)
    store = kg.store
    stated = graphs_of(store)
    quads = sum(len(g) for g in stated.values())
    assert quads > len(stated)
    base = "https://w3id.org/pwc-kg/resource/"
    void = describe(store, base_iri=base, dataset_iri=base + "dataset", generation=kg.generation)
    ds = rdflib.URIRef(base + "dataset")
    assert int(void.value(ds, VOID.triples)) == len(stated)
    props = [int(void.value(p, VOID.triples)) for p in void.objects(ds, VOID.propertyPartition)]
    assert sum(props) == len(stated)
    subsets = [s for s in void.objects(ds, VOID.subset) if (s, rdflib.RDF.type, VOID.Linkset) not in void]
    assert sum(int(void.value(s, VOID.triples)) for s in subsets) == quads  # each named graph's own
    stats = kg.stats()
    assert (stats["triples"], stats["quads"]) == (len(stated), quads)
    build = json.loads((kg.generation / "build.json").read_text())
    assert (build["triples"], build["quads"]) == (len(stated), quads)


def test_provenance_is_still_found_per_source_through_graph(sample):
    kg = pwc_kg.open_store(sample)
    stated = graphs_of(kg.store)
    shared = [t for t, g in stated.items() if len(g) > 2]
    assert shared
    for t in shared[:10]:
        rows = kg.sparql(bind_values("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                     {"s": t.subject, "p": t.predicate, "o": t.object}))
        assert {r["g"].value for r in rows} == stated[t]
        # the graph of each source says which file it is
        for g in stated[t]:
            if "/graph/source/" in g:
                assert kg.sparql(bind_values(PREFIX + "SELECT ?f WHERE { GRAPH ?prov { ?g ?p ?f } }",
                                             {"g": ox.NamedNode(g)}))


@pytest.mark.slow  # whole builds, full and incremental
def test_incremental_rebuild_keeps_a_fact_another_source_states_and_drops_one_only_it_stated(tmp_path):
    folder = tmp_path / "archive"
    shutil.copytree(SAMPLE, folder)
    store = tmp_path / "store"
    pwc_kg.build([str(folder)], store)
    before = graphs_of(StoreDir(store).open())
    links_file = folder / "links-between-papers-and-code.json"
    links = json.loads(links_file.read_text())
    links_file.write_text(json.dumps(links[1:]))  # the first code link is gone
    report = pwc_kg.build([str(folder)], store)
    assert report.mode == "incremental" and "links-between-papers-and-code.json" in report.reread
    db = StoreDir(store).open()
    after = assert_default_is_the_union(db)
    graph = next(g for gs in before.values() for g in gs if g.endswith("/links-between-papers-and-code.json"))
    no_longer = [t for t, gs in before.items() if graph in gs and graph not in after.get(t, set())]
    kept = [t for t in no_longer if after.get(t)]  # another source still states it
    dropped = [t for t in no_longer if not after.get(t)]  # only the code links stated it
    assert kept and dropped
    default = default_graph(db)
    assert all(t in default for t in kept) and not any(t in default for t in dropped)
    # the paper of the removed code link is still a paper, once
    assert any(t.predicate.value == RDF.type and t.object.value == PWC.Paper for t in kept)
    # and the store equals a full build of the same files, default graph included
    full = tmp_path / "full"
    pwc_kg.build([str(folder)], full)
    assert {str(q) for q in db if not _build_record(q)} == {str(q) for q in StoreDir(full).open() if not _build_record(q)}


def _build_record(q: ox.Quad) -> bool:
    """A triple about a build's own activity (its time, its IRI): the one thing two builds differ in."""
    return any("/build/" in t.value for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)) or \
        q.predicate.value.startswith("http://www.w3.org/ns/prov#") or "/graph/provenance" in str(q.graph_name)


def test_an_accepted_submission_keeps_the_default_graph_the_union(tmp_path):
    store = tmp_path / "store"
    pwc_kg.build([str(LAMINI)], store)
    svc = SubmissionService(store)
    row = {"model_name": "Set Model", "metrics": {"accuracy": "74.5"}, "paper_title": "Set Model: a paper",
           "paper_date": "2024-01-05"}
    _, sub = svc.submit(json.dumps({"task": "question answering", "dataset": "piqa", "rows": [row]}).encode(),
                        "application/json", "alice")
    svc.accept(sub["id"], "mo")
    db = StoreDir(store).open()
    stated = assert_default_is_the_union(db)
    assert any(any("/graph/submission/" in g for g in gs) for gs in stated.values())
    kg = pwc_kg.open_store(store)
    assert kg.leaderboard("Question Answering", "PIQA", "Accuracy")[0]["model"] == "Set Model"
    # the next build keeps it, and the default graph stays the union
    pwc_kg.build([str(LAMINI)], store)
    assert_default_is_the_union(StoreDir(store).open())


def test_set_keeping_removes_a_triple_from_the_default_graph_only_when_no_graph_states_it():
    store = SetKeeping(ox.Store())
    s, p, o = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("1")
    g1, g2 = ox.NamedNode("http://e/g1"), ox.NamedNode("http://e/g2")
    store.extend([ox.Quad(s, p, o, g1), ox.Quad(s, p, o, g2)])
    assert default_graph(store.store) == {ox.Triple(s, p, o)}
    store.remove(ox.Quad(s, p, o, g1))
    assert default_graph(store.store) == {ox.Triple(s, p, o)}  # g2 still states it
    store.remove_graph(g2)
    assert default_graph(store.store) == set()
    with pytest.raises(ValueError, match="union of the named graphs"):
        store.add(ox.Quad(s, p, o))


@pytest.mark.slow  # a dump of the sample and its reload
def test_an_nquads_dump_carries_the_named_graphs_and_a_reload_gets_the_default_graph_back(sample, tmp_path):
    db = StoreDir(sample).open()
    report = export(sample, tmp_path / "dump.nq")
    reloaded = ox.Store()
    reloaded.load(path=report.path, format=ox.RdfFormat.N_QUADS)
    assert default_graph(reloaded) == set()  # the dump does not repeat every triple in the default graph
    assert graphs_of(reloaded) == graphs_of(db) and report.statements == sum(map(len, graphs_of(db).values()))
    with pytest.raises(DefaultGraphMissing, match="fill_default"):
        EmbeddedBackend(reloaded).select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert fill_default(reloaded, tmp_path) == len(default_graph(db))
    assert default_graph(reloaded) == default_graph(db)
    q = PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?p a pwc:Paper }"
    assert EmbeddedBackend(reloaded).select(q) == EmbeddedBackend(db).select(q)
    # the merge (N-Triples) is the default graph: each triple once
    merged = export(sample, tmp_path / "dump.nt")
    assert merged.statements == len(default_graph(db))


@pytest.mark.slow  # external servers
@pytest.mark.parametrize("kind", ["oxigraph", "oxigraph-union", "virtuoso"])
def test_remote_push_gives_the_same_counts(servers, twice, kind):  # noqa: F811
    """Pushed to Oxigraph server (plain and --union-default-graph) and to Virtuoso, whose own default
    graphs are bags too: the same counts as the store, each triple once."""
    once, two = twice
    if kind == "virtuoso":
        server = servers.virtuoso("set")
        how = {"update_endpoint": server.update_url, "graph_store": server.graph_store_url, **server.auth}
    else:
        server = servers.oxigraph("set", union_default_graph=kind == "oxigraph-union")
        how = {"graph_store": server.graph_store_url}
    report = push_store(StoreDir(two).open(), server.query_url, **how)
    assert report.ok, report.text()
    pushed = {g.graph: g.server_triples for g in report.graphs}
    assert pushed[UNION_GRAPH] == pwc_kg.open_store(two).stats()["triples"]
    remote = SparqlEndpointBackend(server.query_url)
    local = EmbeddedBackend(StoreDir(two).open())
    assert remote.default_graph == "set"
    for q in ("SELECT (COUNT(*) AS ?n) WHERE { ?r a pwc:EvaluationResult }",
              "SELECT (COUNT(*) AS ?n) (SUM(?v) AS ?sum) WHERE { ?r pwc:value ?v }",
              "SELECT (COUNT(*) AS ?n) WHERE { ?m a pwc:Model ; pwc:name ?name }",
              "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?r a pwc:EvaluationResult } }"):
        there, here = remote.select(PREFIX + q), local.select(PREFIX + q)
        assert [{k: Decimal(v.value) for k, v in r.items()} for r in there] == \
               [{k: Decimal(v.value) for k, v in r.items()} for r in here], q
    results = int(local.select(PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?r a pwc:EvaluationResult }")[0]["n"].value)
    assert results == int(EmbeddedBackend(StoreDir(once).open()).select(
        PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?r a pwc:EvaluationResult }")[0]["n"].value)
    assert pwc_kg.questions.sota(remote, "Question Answering", "PIQA") == pwc_kg.questions.sota(
        local, "Question Answering", "PIQA") != []
    from pwc_kg.remote.stats import endpoint_stats
    stats, there = pwc_kg.open_store(two).stats(), endpoint_stats(remote)
    assert (there["triples"], there["quads"]) == (stats["triples"], stats["quads"])
