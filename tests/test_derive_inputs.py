"""A full build derives from the lines its mapping wrote (derive/inputs.py ``Tap``); an incremental one
from the finished store (``from_store``). Both must read the same thing, with SPARQL's semantics."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import pwc_kg
from pwc_kg.derive import directions
from pwc_kg.derive.inputs import Tap, from_store, read_taps
from pwc_kg.derive.leaderboards import derive
from pwc_kg.iri import Minter, metric_key
from pwc_kg.vocab import PWC, RDF, XSD

from conftest import FIXTURES, LAMINI, SOTA_FILES


def _derived(store: ox.Store, mint: Minter) -> set[str]:
    g = ox.NamedNode(mint.graph("derived"))
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in store.quads_for_pattern(None, None, None, g)}


def _from_store(store: ox.Store, mint: Minter, tmp: Path) -> set[str]:
    graphs = sorted(g.value for g in store.named_graphs()
                    if "/graph/source/" in g.value or g.value == mint.graph("ontology"))
    path = tmp / "derived.nt"
    with open(path, "w", encoding="utf-8") as out:
        derive(store, mint, out, graphs=graphs)
    return {str(t) for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)}


@pytest.mark.parametrize("override", [False, True])
def test_a_full_build_derives_from_its_lines_exactly_what_the_store_gives(tmp_path, monkeypatch, override):
    """Leaderboards, ranks, records, SOTA, metric labels and directions, paper titles, direction overrides:
    the derived graph of a full build (from the tap) equals a derivation from the built store's triples."""
    if override:  # a benchmark whose metric runs against its usual direction (the bundled table has none)
        key = (metric_key("Question Answering"), metric_key("SQuAD1.1"), metric_key("EM"))
        monkeypatch.setattr(directions, "overrides", lambda path=None: {key: False})
    sources = [LAMINI, *SOTA_FILES, FIXTURES / "model-cards", FIXTURES / "mmpretrain-model-index"]
    report = pwc_kg.build([str(s) for s in sources], tmp_path / "s")
    assert report.derived.leaderboards > 100 and report.derived.records > 100
    store = pwc_kg.open_store(tmp_path / "s").store
    mint = Minter()
    built = _derived(store, mint)
    assert built == _from_store(store, mint, tmp_path)
    assert any("directionOverride" in t for t in built) == override


def _lit(v: str, dt: str) -> ox.Literal:
    return ox.Literal(v, datatype=ox.NamedNode(dt))


def test_the_tap_reads_as_sparql_joins(tmp_path):
    """Crafted quads: the value, benchmark and metric of a result join within one graph; metric spellings,
    papers and titles over all graphs; "90.10" and "90.1" are one number; the smallest title wins."""
    g1, g2 = ox.NamedNode("https://x/g1"), ox.NamedNode("https://x/g2")
    n = ox.NamedNode
    b, m = n("https://x/bench"), n("https://x/metric")
    quads = [ox.Quad(m, n(RDF.type), n(PWC.Metric), g1), ox.Quad(m, n(PWC.name), ox.Literal("Acc"), g1),
             ox.Quad(m, n(PWC.name), ox.Literal("ACC"), g2)]
    for r, g, value, day in (("r1", g1, "90.10", "2020-01-02"), ("r2", g1, "91", None), ("r3", g2, "89.5", "2019-05-06")):
        r = n(f"https://x/{r}")
        quads += [ox.Quad(r, n(PWC.benchmark), b, g), ox.Quad(r, n(PWC.metric), m, g),
                  ox.Quad(r, n(PWC.metricName), ox.Literal("ACC" if g == g2 else "Acc"), g),
                  ox.Quad(r, n(PWC.value), _lit(value, XSD.decimal), g),
                  ox.Quad(r, n(PWC.usesExtraTrainingData), _lit("false", XSD.boolean), g),
                  ox.Quad(r, n(PWC.reportedIn), n("https://x/paper"), g)]
        if day:
            quads.append(ox.Quad(r, n(PWC.resultDate), _lit(day, XSD.date), g))
    # r4: its value in one graph, its benchmark in another: no row
    r4 = n("https://x/r4")
    quads += [ox.Quad(r4, n(PWC.benchmark), b, g1), ox.Quad(r4, n(PWC.metric), m, g1),
              ox.Quad(r4, n(PWC.usesExtraTrainingData), _lit("true", XSD.boolean), g1),
              ox.Quad(r4, n(PWC.value), _lit("99", XSD.decimal), g2)]
    quads += [ox.Quad(n("https://x/paper"), n(PWC.title), ox.Literal("B title"), g1),
              ox.Quad(n("https://x/paper"), n(PWC.title), ox.Literal("A title"), g2),
              ox.Quad(n("https://x/other"), n(PWC.title), ox.Literal("not read"), g1)]
    store = ox.Store()
    store.extend(quads)
    taps = {g.value: Tap(tmp_path, g.value.rsplit("/", 1)[1], g.value) for g in (g1, g2)}
    for q in quads:
        taps[q.graph_name.value].see(q.subject.value, q.predicate.value, str(q.object), "")
    for tap in taps.values():
        tap.close()
    from_tap = read_taps(tap.paths for tap in taps.values())
    stored = from_store(store, ["https://x/g1", "https://x/g2"])
    assert from_tap == stored
    assert [r.result.rsplit("/", 1)[1] for r in from_tap.results[(b.value, m.value)]] == ["r1", "r2", "r3"]
    assert from_tap.spellings[m.value] == {"Acc": 2, "ACC": 1}
    assert {t for _, t in from_tap.titles} == {"A title"}
    assert from_tap.directions()[m.value][2] == "Acc"  # the most used spelling is the preferred label
