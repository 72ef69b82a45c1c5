"""Building the same input twice gives the same triples, apart from the build's own activity record."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pyoxigraph as ox
from conftest import LAMINI, QUIRKS, SOTA

import pwc_kg
from pwc_kg.vocab import PWC


def canonical(store_dir) -> tuple[str, int]:
    """A hash of the sorted N-Quads of the store, without the build's own activity records
    (the build's and the derivation's: their times differ from build to build)."""
    store = pwc_kg.open_store(store_dir).store
    build_nodes = {r["b"] for r in store.query(
        "SELECT ?b WHERE { GRAPH ?g { ?b a ?activity } "
        "VALUES ?activity { <https://w3id.org/pwc-kg/ontology#Build> <https://w3id.org/pwc-kg/ontology#Derivation> } }")}
    build_nodes.add(ox.NamedNode("https://w3id.org/pwc-kg/resource/agent/pwc-kg"))
    lines = []
    for quad in store:
        if quad.subject in build_nodes or quad.object in build_nodes:
            continue
        lines.append(str(quad))
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest(), len(lines)


def test_two_builds_of_one_input_are_identical_but_for_the_build_record(tmp_path):
    sources = [str(LAMINI), str(QUIRKS)]
    pwc_kg.build(sources, tmp_path / "a")
    pwc_kg.build(list(reversed(sources)), tmp_path / "b")
    ha, na = canonical(tmp_path / "a")
    hb, nb = canonical(tmp_path / "b")
    assert na > 1000 and (ha, na) == (hb, nb)


def test_a_rebuild_into_the_same_store_swaps_generations_and_keeps_one_previous(tmp_path):
    store = tmp_path / "s"
    for _ in range(3):
        pwc_kg.build([str(LAMINI)], store)
    gens = sorted(p.name for p in store.glob("gen-*"))
    assert len(gens) == 2
    assert (store / "current").resolve().name == gens[-1]
    assert (store / "previous").resolve().name == gens[0]


def test_the_provenance_graph_records_each_source_with_size_and_sha256(lamini_store):
    kg = pwc_kg.open_store(lamini_store)
    rows = kg.sparql("""PREFIX pwc: <https://w3id.org/pwc-kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?name ?sha ?size ?records ?triples ?start ?end ?version WHERE {
          ?g a pwc:SourceGraph ; prov:wasDerivedFrom ?s ; pwc:recordCount ?records ; pwc:tripleCount ?triples ;
             prov:wasGeneratedBy ?b .
          ?s pwc:fileName ?name ; pwc:sha256 ?sha ; pwc:byteSize ?size .
          ?b a pwc:Build ; prov:startedAtTime ?start ; prov:endedAtTime ?end ; pwc:toolVersion ?version ;
             prov:used ?s }""")
    by_name = {r["name"].value: r for r in rows}
    assert set(by_name) == {"papers-with-abstracts.json", "links-between-papers-and-code.json",
                            "evaluation-tables.json", "methods.json", "datasets.json"}
    ev = by_name["evaluation-tables.json"]
    data = (LAMINI / "evaluation-tables.json").read_bytes()
    assert ev["sha"].value == hashlib.sha256(data).hexdigest()
    assert int(ev["size"].value) == len(data)
    assert int(ev["records"].value) == 6 and int(ev["triples"].value) > 500
    assert ev["start"].datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def test_a_re_run_over_an_existing_store_duplicates_nothing(tmp_path):
    sources = [str(LAMINI), str(QUIRKS)]
    pwc_kg.build(sources, tmp_path / "fresh")
    expected = canonical(tmp_path / "fresh")
    store = tmp_path / "s"
    for options in ({}, {}, {"full": True}, {}):  # a re-run reusing what it can, and one reading all again
        pwc_kg.build(sources, store, **options)
        assert canonical(store) == expected
        kg = pwc_kg.open_store(store)
        activities = kg.sparql(f"SELECT ?a WHERE {{ GRAPH ?g {{ ?a a ?kind }} VALUES ?kind {{ <{PWC.Build}> <{PWC.Derivation}> }} }}")
        assert len(activities) == 2  # this build's and its derivation's: no record of earlier runs piles up
        del kg


def _content_keys(folder: Path) -> dict[str, list[str]]:
    """For each archive file, a content hash per record position: what a record is, wherever it stands."""
    keys = {}
    for f in sorted(folder.glob("*.json")):
        records = json.loads(f.read_text(encoding="utf-8"))
        if isinstance(records, list):
            keys[f.name] = [hashlib.sha256(json.dumps(r, sort_keys=True).encode()).hexdigest()[:12] for r in records]
    return keys


def _graph_by_content(store: Path, keys: dict[str, list[str]]) -> set[str]:
    """The store's quads with each source record pointer's position replaced by that record's content hash,
    without the build's activities and the sources' checksums (their files differ in byte order)."""
    kg = pwc_kg.open_store(store)
    skip = {r["n"] for r in kg.sparql(f"SELECT ?n WHERE {{ GRAPH ?g {{ ?n a ?kind }} "
                                      f"VALUES ?kind {{ <{PWC.Build}> <{PWC.Derivation}> <{PWC.Source}> }} }}")}
    skip.add(ox.NamedNode("https://w3id.org/pwc-kg/resource/agent/pwc-kg"))
    out = set()
    for q in kg.store:
        if q.subject in skip or q.object in skip or isinstance(q.graph_name, ox.DefaultGraph):
            continue  # (the default graph is the union of the named graphs)
        obj = q.object
        if q.predicate.value == PWC.sourceRecord:
            _, position, rest = obj.value.split("/", 2)
            obj = f"{keys[q.graph_name.value.rsplit('/', 1)[-1]][int(position)]}/{rest}"
        out.add(f"{q.subject} {q.predicate} {obj} {q.graph_name}")
    return out


def test_records_in_another_order_give_the_same_graph_but_for_their_positions(tmp_path):
    """Joins, names, pages and metric labels do not depend on which record came first."""
    graphs = []
    for seed in (None, 7):
        folder = tmp_path / f"in-{seed}"
        folder.mkdir()
        for f in [*sorted(LAMINI.glob("*.json")), *sorted(p for p in QUIRKS.glob("*.json") if p.name != "EXPECTED.json"),
                  SOTA / "nlp-progress.json"]:
            records = json.loads(f.read_text(encoding="utf-8"))
            if seed is not None:
                random.Random(seed).shuffle(records)
            name = f.name if f.parent != QUIRKS else f"quirks-{f.name}"  # one folder: the names must differ
            (folder / name).write_text(json.dumps(records), encoding="utf-8")
        pwc_kg.build([str(folder)], tmp_path / f"store-{seed}")
        graphs.append(_graph_by_content(tmp_path / f"store-{seed}", _content_keys(folder)))
    assert len(graphs[0]) > 20000
    assert graphs[0] == graphs[1], sorted(graphs[0] ^ graphs[1])[:5]


def test_regression_a_paper_named_by_several_rows_had_only_the_first_row_s_page_and_title(tmp_path):
    """Which row came first decided them (seen in nlp-progress.json, whose rows cut a title short)."""
    rows = [{"model_name": m, "paper_title": title, "paper_url": url, "metrics": {"F1": "1"}}
            for m, title, url in (("a", "Attention Flow", "https://arxiv.org/abs/1803.11175"),
                                  ("b", "Attention Flo", "https://arxiv.org/pdf/1803.11175.pdf"))]
    table = [{"task": "T", "datasets": [{"dataset": "D", "sota": {"metrics": ["F1"], "rows": rows}}]}]
    (tmp_path / "evaluation-tables.json").write_text(json.dumps(table))
    pwc_kg.build([str(tmp_path / "evaluation-tables.json")], tmp_path / "s")
    kg = pwc_kg.open_store(tmp_path / "s")
    pages = kg.sparql(f"SELECT DISTINCT ?u WHERE {{ ?p <{PWC.abstractPage}> ?u }}")
    assert sorted(r["u"].value for r in pages) == ["https://arxiv.org/abs/1803.11175",
                                                   "https://arxiv.org/pdf/1803.11175.pdf"]
    titles = kg.sparql(f"SELECT DISTINCT ?t WHERE {{ ?p <{PWC.title}> ?t }}")
    assert sorted(r["t"].value for r in titles) == ["Attention Flo", "Attention Flow"]
