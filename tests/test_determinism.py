"""Building the same input twice gives the same triples, apart from the build's own activity record."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
from conftest import LAMINI, QUIRKS

import pwc_kg


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
