"""The derived graph updated for a few benchmarks only: what accepting a submission changes.

A full derivation (derive/leaderboards.py) scans every result; accepting one submission touches
a handful of benchmarks and metrics. :func:`update` recomputes, with the same code the build
uses (``metric_lines``, ``override_lines``, ``board_lines``), exactly the derived triples that
depend on those benchmarks and metrics, and replaces them in the store's derived graph:

- each touched metric's preferred label and direction (a new spelling may change them); when a
  metric's direction or how it was decided changes, every benchmark with that metric is touched;
- each touched benchmark's direction overrides;
- per touched (benchmark, metric): both leaderboards, their SOTA and records, the results' ranks
  and the paper titles copied beside them.

It reads them as a build does, with the same queries (derive/stored.py) bound to what it touches,
and the result equals a full derivation of the same store (tested), so a later incremental build,
which compares with ``derived.nt``, finds nothing to change. One exception, by design: a direction
decided from the data (a benchmark's description, its other metrics, dated results; see
derive/inference.py) is kept as the last build decided it, and a new leaderboard gets its metric's
direction by name only; the next build decides them again from all the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ..iri import Minter
from ..ntriples import lit
from ..values import read_boolean
from ..vocab import PWC, RDF
from . import directions
from .inference import Decision, Evidence, label_and_verdict, metric_decision
from .inputs import Row
from .leaderboards import (DerivedStats, board_direction, board_lines, leaderboard_iri, metric_lines,
                           override_lines)
from .stored import StoreReader

# Directions decided from the data, kept by an update (see above).
FROM_DATA = (directions.DESCRIPTION, directions.CONTEXT, directions.INFERRED)


@dataclass
class PartialChange:
    removed: int = 0
    added: int = 0
    pairs: list[tuple[str, str]] = field(default_factory=list)  # the (benchmark, metric) pairs recomputed
    stats_delta: DerivedStats = field(default_factory=DerivedStats)  # new minus old (metrics: by direction source)


def metric_directions_of(read: StoreReader, metrics: set[str]) -> dict[str, tuple[Decision, str, str]]:
    """The directions of a few metrics by their names, as the full derivation decides them: (decision, kind, label)."""
    if not metrics:
        return {}
    out = {}
    for m, counts in read.spellings(metrics).items():
        label, verdict = label_and_verdict(counts)
        out[m] = (metric_decision(verdict, [])[0], verdict.kind, label)
    return out


def _stored(store: ox.Store, subject: str, derived: ox.NamedNode) -> Decision | None:
    """A direction the derived graph holds for a metric or leaderboard, when it was decided from the data."""
    values = {q.predicate.value: q.object.value
              for q in store.quads_for_pattern(ox.NamedNode(subject), None, None, derived)}
    how = values.get(PWC.directionSource)
    if how not in FROM_DATA:
        return None
    higher = values.get(PWC.higherIsBetter)
    ev = None
    if PWC.directionPairs in values:
        ev = Evidence(int(values[PWC.directionResults]), int(values[PWC.directionPairs]),
                      float(values[PWC.directionConcordance]))
    return Decision(None if higher is None else read_boolean(higher), how, ev)


def _rows_of(read: StoreReader, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], list[Row]]:
    """The results of each pair: per benchmark, those of its touched metrics."""
    rows: dict[tuple[str, str], list[Row]] = {}
    for b in sorted({b for b, _ in pairs}):
        rows.update(read.results({b}, {m for bb, m in pairs if bb == b}))
    return rows


class _Lines:
    """Collects the triples a derivation function writes (as pyoxigraph quads in the derived graph)."""

    def __init__(self, graph: ox.NamedNode):
        self.graph = graph
        self.text: list[str] = []

    def __call__(self, s: str, p: str, o: str) -> None:
        self.text.append(f"<{s}> <{p}> {o} .\n")

    def quads(self) -> set[ox.Quad]:
        return {ox.Quad(t.subject, t.predicate, t.object, self.graph)
                for t in ox.parse(input="".join(self.text), format=ox.RdfFormat.N_TRIPLES)}


def update(store: ox.Store, mint: Minter, graphs: list[str], benchmarks: set[str], metrics: set[str],
           pairs: set[tuple[str, str]]) -> PartialChange:
    """Recompute the derived triples of these benchmarks, metrics and (benchmark, metric) pairs, in place.

    ``graphs`` are the graphs a full derivation would read (sources, ontology, accepted submissions).
    """
    derived = ox.NamedNode(mint.graph("derived"))
    read = StoreReader(store, graphs)
    change = PartialChange()
    delta = change.stats_delta
    old_quads: set[ox.Quad] = set()
    new = _Lines(derived)

    def old_of(subject: str) -> list[ox.Quad]:
        return list(store.quads_for_pattern(ox.NamedNode(subject), None, None, derived))

    def old_value(subject: str, prop: str) -> str | None:
        for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(prop), None, derived):
            return q.object.value
        return None

    # Metrics: label and direction; a changed direction touches every benchmark of the metric.
    decided = metric_directions_of(read, metrics)
    for m in sorted(metrics):
        old_how = old_value(m, PWC.directionSource)
        old_higher = old_value(m, PWC.higherIsBetter)
        old_quads.update(old_of(m))
        if old_how is not None:
            delta.metrics[old_how] = delta.metrics.get(old_how, 0) - 1
        if m not in decided:
            continue
        decision, kind, label = decided[m]
        decision = _stored(store, m, derived) or decision
        decided[m] = (decision, kind, label)
        higher, how = decision.higher, decision.source
        delta.metrics[how] = delta.metrics.get(how, 0) + 1
        metric_lines(new, m, decision, kind, label)
        if old_how is not None and (old_how, None if old_higher is None else read_boolean(old_higher)) != (how, higher):
            pairs |= set(read.results(metrics={m}))  # every leaderboard of the metric
    # Direction overrides of the touched benchmarks.
    benchmarks = set(benchmarks) | {b for b, _ in pairs}
    for b in sorted(benchmarks):
        for q in store.quads_for_pattern(ox.NamedNode(b), ox.NamedNode(PWC.directionOverride), None, derived):
            old_quads.add(q)
            old_quads.update(store.quads_for_pattern(q.object, None, None, derived))
    override = read.overrides(benchmarks)
    for (b, m), higher in sorted(override.items()):
        override_lines(new, mint, b, m, higher)
    # The leaderboards of each touched pair.
    all_metrics = {m for _, m in pairs}
    named = {m: (_stored(store, m, derived) or d, kind, label)
             for m, (d, kind, label) in metric_directions_of(read, all_metrics - set(decided)).items()}
    named.update(decided)
    known = {m: (d.higher, d.source, label) for m, (d, _, label) in named.items()}
    rows_by_pair = _rows_of(read, pairs)
    shown: set[str] = set()
    old_stats = DerivedStats()
    for b, m in sorted(pairs):
        for with_extra in (True, False):
            board = leaderboard_iri(mint, b, m, with_extra)
            board_quads = old_of(board)
            if board_quads:
                if any(q.predicate.value == PWC.higherIsBetter for q in board_quads):
                    old_stats.leaderboards += 1
                else:
                    old_stats.unranked_leaderboards += 1
            old_quads.update(board_quads)
            if with_extra:
                kept = _stored(store, board, derived)
                for q in board_quads:
                    if q.predicate.value == PWC.directionSource:
                        old_stats.pairs[q.object.value] = old_stats.pairs.get(q.object.value, 0) + 1
            for q in store.quads_for_pattern(None, ox.NamedNode(PWC.leaderboard), ox.NamedNode(board), derived):
                old_stats.records += 1
                old_quads.update(store.quads_for_pattern(q.subject, None, None, derived))
        rows = rows_by_pair.get((b, m), [])
        for r in rows:
            mine = old_of(r.result)
            old_stats.slips += sum(q.predicate.value == PWC.excludedFromRanking for q in mine)
            old_quads.update(mine)
        shown.update(r.result for r in rows)
        if not rows:
            continue
        decision = board_direction(known, override, b, m)
        if kept is not None and decision.source != directions.OVERRIDE:
            decision = kept
        board_lines(new, mint, b, m, rows, decision, delta)
    for result, title in read.titles(read.smallest(PWC.reportedIn, shown)):
        new(result, PWC.paperTitle, lit(title))
    new_quads = new.quads()
    gone, fresh = old_quads - new_quads, new_quads - old_quads
    for q in gone:
        store.remove(q)
    store.extend(fresh)
    change.removed, change.added = len(gone), len(fresh)
    change.pairs = sorted(pairs)
    delta.leaderboards -= old_stats.leaderboards
    delta.unranked_leaderboards -= old_stats.unranked_leaderboards
    delta.records -= old_stats.records
    delta.slips -= old_stats.slips
    for how, n in old_stats.pairs.items():
        delta.pairs[how] = delta.pairs.get(how, 0) - n
    delta.pairs = {k: v for k, v in delta.pairs.items() if v}
    delta.triples = len(new_quads) - len(old_quads)
    delta.metrics = {k: v for k, v in delta.metrics.items() if v}
    return change


def touched(quads) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """The benchmarks, metrics and (benchmark, metric) pairs a graph's triples touch."""
    benchmarks, metrics = set(), set()
    result_bench: dict[str, str] = {}
    result_metric: dict[str, str] = {}
    for q in quads:
        p, o = q.predicate.value, q.object
        if p == RDF.type and o.value == PWC.Benchmark:
            benchmarks.add(q.subject.value)
        elif p == RDF.type and o.value == PWC.Metric:
            metrics.add(q.subject.value)
        elif p == PWC.benchmark:
            benchmarks.add(o.value)
            result_bench[q.subject.value] = o.value
        elif p in (PWC.metric, PWC.hasMetric):
            metrics.add(o.value)
            if p == PWC.metric:
                result_metric[q.subject.value] = o.value
    pairs = {(result_bench[r], result_metric[r]) for r in result_bench if r in result_metric}
    return benchmarks, metrics, pairs
