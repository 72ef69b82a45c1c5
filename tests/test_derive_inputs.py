"""A build derives from the lines its mapping wrote (derive/inputs.py ``Tap``); an accepted submission from
the store, with the queries of queries/internal/ bound to what it touches (derive/stored.py, derive/partial.py).
All must read the same thing, as those queries state it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import pwc_kg
from pwc_kg.derive import directions, partial
from pwc_kg.derive.inference import label_and_verdict
from pwc_kg.derive.inputs import Tap, read_taps
from pwc_kg.derive.stored import from_store
from pwc_kg.iri import Minter, metric_key
from pwc_kg.vocab import PWC, RDF, XSD

from conftest import FIXTURES, LAMINI, SOTA_FILES
from derive_oracle import derive


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
    assert label_and_verdict(from_tap.spellings[m.value])[0] == "Acc"  # the most used spelling is the preferred label


def _tapped(quads: list[ox.Quad], tmp: Path):
    """What the build's reader reads of these quads, written to a tap per graph as the mapping writes lines."""
    taps = {}
    for q in quads:
        g = q.graph_name.value
        if g not in taps:
            taps[g] = Tap(tmp, f"{len(taps):03d}", g)
        taps[g].see(q.subject.value, q.predicate.value, str(q.object), "")
    for tap in taps.values():
        tap.close()
    return read_taps(tap.paths for tap in taps.values())


def test_the_tap_reads_boolean_one_as_true(tmp_path):
    """xsd:boolean's lexical space is true, false, 1 and 0: a tap has the lines as written ("1"), a store the
    canonical form ("true"); both read one value."""
    n, g = ox.NamedNode, ox.NamedNode("https://x/g")
    b, m = n("https://x/bench"), n("https://x/metric")
    quads = []
    for r, flag in (("r1", "1"), ("r2", "0"), ("r3", "true"), ("r4", "false")):
        r = n(f"https://x/{r}")
        quads += [ox.Quad(r, n(PWC.benchmark), b, g), ox.Quad(r, n(PWC.metric), m, g),
                  ox.Quad(r, n(PWC.value), _lit("1", XSD.decimal), g),
                  ox.Quad(r, n(PWC.usesExtraTrainingData), _lit(flag, XSD.boolean), g)]
    from_tap = _tapped(quads, tmp_path)
    assert [row.extra for row in from_tap.results[(b.value, m.value)]] == [True, False, True, False]
    store = ox.Store()
    store.extend(quads)
    assert from_store(store, [g.value]) == from_tap


def test_partial_joins_a_result_within_one_graph_as_the_build_does(tmp_path):
    """The partial update read a result's benchmark, metric and value over the union of the graphs, the build
    within one: a result whose value one graph gives and whose benchmark another gives was ranked by an accept
    and by no build. Now the accept reads as the build does."""
    n, g1, g2 = ox.NamedNode, ox.NamedNode("https://x/g1"), ox.NamedNode("https://x/g2")
    b, m, paper = n("https://x/bench"), n("https://x/metric"), n("https://x/paper")
    quads = [ox.Quad(m, n(RDF.type), n(PWC.Metric), g1), ox.Quad(m, n(PWC.name), ox.Literal("Accuracy"), g1),
             ox.Quad(paper, n(PWC.title), ox.Literal("A title"), g2)]
    for r, value, day in (("r1", "90", "2020-01-02"), ("r2", "91", "2021-03-04")):
        r = n(f"https://x/{r}")
        quads += [ox.Quad(r, n(PWC.benchmark), b, g1), ox.Quad(r, n(PWC.metric), m, g1),
                  ox.Quad(r, n(PWC.metricName), ox.Literal("Accuracy"), g1),
                  ox.Quad(r, n(PWC.value), _lit(value, XSD.decimal), g1),
                  ox.Quad(r, n(PWC.resultDate), _lit(day, XSD.date), g1), ox.Quad(r, n(PWC.reportedIn), paper, g1)]
    split = n("https://x/split")  # its benchmark and metric in one graph, its value (the best) in another
    quads += [ox.Quad(split, n(PWC.benchmark), b, g1), ox.Quad(split, n(PWC.metric), m, g1),
              ox.Quad(split, n(PWC.value), _lit("99", XSD.decimal), g2), ox.Quad(split, n(PWC.reportedIn), paper, g2)]
    store, mint, graphs = ox.Store(), Minter(), [g1.value, g2.value]
    store.extend(quads)
    path = tmp_path / "derived.nt"
    with open(path, "w", encoding="utf-8") as out:
        derive(store, mint, out, graphs=graphs)
    built = {str(t) for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)}
    assert built and not any(split.value in t for t in built)
    partial.update(store, mint, graphs, {b.value}, {m.value}, {(b.value, m.value)})
    assert _derived(store, mint) == built

