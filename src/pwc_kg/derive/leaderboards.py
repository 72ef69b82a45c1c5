"""Leaderboards, materialised at build time into the derived graph.

Ranking 300k results with SPARQL aggregates takes seconds and "SOTA over time" written the
natural way (FILTER NOT EXISTS) takes minutes, so the build computes them once, in Python,
from one scan of the results, and stores them as triples that single-benchmark queries read
in milliseconds:

- every Metric's direction (``pwc:higherIsBetter``, with ``pwc:directionSource`` and, when it was
  inferred from dated results, the evidence), whether it measures a cost (``pwc:CostMetric``), and
  its preferred label (its most frequent spelling); every leaderboard's direction likewise, which
  may be decided for that benchmark alone (derive/inference.py);
- per benchmark × metric, two ``pwc:Leaderboard``s (all results; only those without extra
  training data), ranked in the metric's direction (ties share a rank: 1, 1, 3), with
  their state of the art;
- each result's ``pwc:rank`` and ``pwc:rankWithoutExtraData``;
- the record-setting results in date order (``pwc:Record``: the result, the one it beat and
  the margin). Undated results rank but set no record.

Leaderboards of a metric whose direction is unknown are not ranked: no SOTA is claimed. A value
on another scale than the rest of its leaderboard is flagged and kept out of ranks (derive/slips.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from ..iri import Minter
from ..ntriples import boolean, date, decimal, integer, iri, lit
from ..values import canonical_decimal
from ..vocab import PWC, RDF, SKOS
from . import directions
from .inference import Decision, Evidence, decide
from .inputs import Inputs, Row
from .slips import scale_slips


@dataclass
class DerivedStats:
    metrics: dict[str, int] = field(default_factory=dict)  # by direction source
    pairs: dict[str, int] = field(default_factory=dict)  # benchmark+metric pairs with results, by direction source
    slips: int = 0  # values kept out of ranking for being on another scale
    leaderboards: int = 0
    unranked_leaderboards: int = 0
    records: int = 0
    triples: int = 0


def rank(rows: list[Row], higher: bool) -> list[tuple[int, Row]]:
    """Competition ranking (1, 1, 3) in the metric's direction; ties in value share a rank.

    >>> from decimal import Decimal
    >>> rs = [Row("a", Decimal(1), None, False), Row("b", Decimal(3), None, False), Row("c", Decimal(3), None, False)]
    >>> [(n, r.result) for n, r in rank(rs, True)]
    [(1, 'b'), (1, 'c'), (3, 'a')]
    """
    ordered = sorted(rows, key=lambda r: (-r.value if higher else r.value, r.result))
    out, prev, current = [], None, 0
    for i, row in enumerate(ordered, 1):
        if row.value != prev:
            current, prev = i, row.value
        out.append((current, row))
    return out


def records(rows: list[Row], higher: bool) -> list[tuple[Row, Row | None]]:
    """The results that set a record, in date order, each with the record it beat.

    A result sets a record when it is strictly better than every result dated before it; of
    several results of one day, the best sets it (ties: the first IRI, so it is deterministic).
    """
    dated = sorted((r for r in rows if r.day), key=lambda r: (r.day, -r.value if higher else r.value, r.result))
    out: list[tuple[Row, Row | None]] = []
    best: Row | None = None
    for row in dated:
        if best is None or (row.value > best.value if higher else row.value < best.value):
            out.append((row, best))
            best = row
    return out


def write_derived(inputs: Inputs, mint: Minter, out: IO[str]) -> DerivedStats:
    """Write the derived graph's N-Triples to ``out`` from what the derivation read; returns what it holds."""
    g = " .\n"
    stats = DerivedStats()
    lines: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"<{s}> <{p}> {o}{g}")
        if len(lines) >= 8192:  # written in blocks: ``out`` may be a pipe the bulk loader reads as it comes
            out.write("".join(lines))
            stats.triples += len(lines)
            lines.clear()

    decided = decide(inputs)
    for m, (decision, kind, label) in sorted(decided.metrics.items()):
        stats.metrics[decision.source] = stats.metrics.get(decision.source, 0) + 1
        metric_lines(add, m, decision, kind, label)
    for (b, m), higher in sorted(inputs.overrides.items()):
        override_lines(add, mint, b, m, higher)
    for (b, m), rows in sorted(inputs.results.items()):
        board_lines(add, mint, b, m, rows, decided.boards[(b, m)], stats)
    # Oxigraph evaluates an OPTIONAL of two patterns over the whole store: copy each result's paper
    # title next to it, so that SOTA, leaderboard and history need one-pattern OPTIONALs only.
    for result, title in inputs.titles:
        add(result, PWC.paperTitle, lit(title))
    out.write("".join(lines))
    stats.triples += len(lines)
    return stats


def metric_lines(add, m: str, decision: Decision, kind: str, label: str) -> None:
    """A metric's preferred label, direction and what it measures, into the derived graph."""
    add(m, SKOS.prefLabel, lit(label))
    direction_lines(add, m, decision)
    if kind == directions.COST:
        add(m, RDF.type, iri(PWC.CostMetric))


def direction_lines(add, node: str, decision: Decision) -> None:
    """A direction, how it was decided and, when inferred from dated results, the evidence."""
    add(node, PWC.directionSource, lit(decision.source))
    if decision.higher is not None:
        add(node, PWC.higherIsBetter, boolean(decision.higher))
    ev: Evidence | None = decision.evidence
    if ev is not None:
        add(node, PWC.directionResults, integer(ev.results))
        add(node, PWC.directionPairs, integer(ev.pairs))
        add(node, PWC.directionConcordance, decimal(canonical_decimal(Decimal(str(ev.concordance)))))


def override_lines(add, mint: Minter, b: str, m: str, higher: bool) -> None:
    """A benchmark's override of its metric's direction."""
    node = mint.direction(b, m)
    add(b, PWC.directionOverride, iri(node))
    add(node, RDF.type, iri(PWC.MetricDirection))
    add(node, PWC.byMetric, iri(m))
    add(node, PWC.higherIsBetter, boolean(higher))


def board_direction(metrics: dict, override: dict, b: str, m: str) -> Decision:
    """A leaderboard's direction by its override or its metric's name alone (accepted submissions, derive/partial.py)."""
    if (b, m) in override:
        return Decision(override[(b, m)], directions.OVERRIDE)
    higher, how, _ = metrics.get(m, (None, directions.UNKNOWN, ""))
    return Decision(higher, how)


def leaderboard_iri(mint: Minter, b: str, m: str, with_extra: bool) -> str:
    return mint.leaderboard(b, m, with_extra)


def board_lines(add, mint: Minter, b: str, m: str, rows: list[Row], decision: Decision,
                stats: DerivedStats) -> None:
    """One benchmark and metric: its two leaderboards, the results' ranks, the SOTA and the records.

    The build (``derive``) and an accepted submission (derive/partial.py) both write them with this.
    "Without extra training data" leaves out the results marked so; those that do not say stay.
    """
    higher, how = decision.higher, decision.source
    stats.pairs[how] = stats.pairs.get(how, 0) + 1
    slips = scale_slips(rows) if higher is not None else {}
    for result, why in sorted(slips.items()):
        add(result, PWC.excludedFromRanking, lit(why))
    stats.slips += len(slips)
    for with_extra in (True, False):
        subset = rows if with_extra else [r for r in rows if r.extra is not True]
        if not subset:
            continue
        board = leaderboard_iri(mint, b, m, with_extra)
        add(board, RDF.type, iri(PWC.Leaderboard))
        add(board, PWC.onBenchmark, iri(b))
        add(board, PWC.byMetric, iri(m))
        add(board, PWC.includesExtraTrainingData, boolean(with_extra))
        add(board, PWC.resultCount, integer(len(subset)))
        direction_lines(add, board, decision)
        if higher is None:
            stats.unranked_leaderboards += 1
            continue
        stats.leaderboards += 1
        subset = [r for r in subset if r.result not in slips]
        rank_prop = PWC.rank if with_extra else PWC.rankWithoutExtraData
        best_written = False
        for n, row in rank(subset, higher):
            add(row.result, rank_prop, integer(n))
            if n == 1:
                add(board, PWC.stateOfTheArt, iri(row.result))
                if not best_written:
                    add(board, PWC.bestValue, decimal(canonical_decimal(row.value)))
                    best_written = True
        found = records(subset, higher)
        for i, (row, beaten) in enumerate(found, 1):
            rec = f"{board}/record/{i}"
            if i < len(found):
                add(rec, PWC.supersededOn, date(found[i][0].day))
            stats.records += 1
            add(rec, RDF.type, iri(PWC.Record))
            add(rec, PWC.leaderboard, iri(board))
            add(rec, PWC.result, iri(row.result))
            add(rec, PWC.recordIndex, integer(i))
            add(rec, PWC.recordDate, date(row.day))
            if beaten is not None:
                add(rec, PWC.previousRecord, iri(beaten.result))
                add(rec, PWC.previousValue, decimal(canonical_decimal(beaten.value)))
                add(rec, PWC.improvement, decimal(canonical_decimal(abs(row.value - beaten.value))))
