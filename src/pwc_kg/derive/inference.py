"""Directions the metric's name leaves open, decided from the data, each saying how.

For every benchmark and metric, in this order (the first that decides wins):

1. a benchmark override (``ontology/benchmark-directions.csv``);
2. the metric's name: the curated table, then the rules (derive/directions.py);
3. for a split, subset or catch-all column ("Dev", "Test", "Senseval 2", "Books") and names no
   rule knows: the benchmark's description, when it says how models are evaluated ("evaluated
   based on average cross-entropy", "lower is better");
4. the benchmark's other metrics, when the name does not read as a measure of its own (a rate, a
   ratio, a count) and every other metric of the benchmark whose direction its name gives agrees:
   "Books", "DVD" and "Kitchen" beside "Average";
5. dated results: across the leaderboards of a metric, results reported later tend to improve on
   earlier ones. The concordance of value with date is pooled over every pair of results of one
   leaderboard whose dates and values differ; a direction is inferred only with enough evidence
   (``MIN_RESULTS`` dated results, ``MIN_PAIRS`` pairs, ``|concordance| ≥ MIN_CONCORDANCE``,
   thresholds measured by bench/directions.py on held-out known metrics). A name whose
   leaderboards disagree, or a generic name, is decided per benchmark;
6. a generic name's default in the table ("Score": higher), else unknown.

Costs (size, compute, time) are ranked in their direction; metrics of kind ``none`` never are.

>>> from decimal import Decimal as D
>>> rows = [Row(f"r{i}", D(v), None, None, w) for i, (v, w) in enumerate([(1, "2017"), (2, "2018"), (3, "2019")])]
>>> evidence([rows])
Evidence(results=3, pairs=3, concordance=1.0)
>>> description_direction("Models are evaluated based on average cross-entropy (lower is better).")
False
>>> description_direction("The metric is F1, Hits@1 and ppl.") is None
True
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from . import directions as names
from .directions import (CONTEXT, DESCRIPTION, GENERIC, INFERRED, NO_DIRECTION, NONE, OVERRIDE, QUALITY,
                         TABLE, UNKNOWN, Verdict)
from .inputs import Inputs, Row
from .when import order

# Measured on held-out metrics of known direction (bench/directions.py): see bench/RESULTS.md.
MIN_RESULTS = 5
MIN_PAIRS = 10
MIN_CONCORDANCE = 0.5
# Pairs are counted within one leaderboard; past this many dated results, every k-th row counts.
MAX_ROWS_PER_BOARD = 600


@dataclass(frozen=True)
class Evidence:
    results: int  # dated results
    pairs: int  # pairs of them with different dates and values
    concordance: float  # (pairs where the later is higher − the others) / pairs; 0 without pairs

    def decisive(self) -> bool:
        return (self.results >= MIN_RESULTS and self.pairs >= MIN_PAIRS
                and abs(self.concordance) >= MIN_CONCORDANCE)

    def higher(self) -> bool | None:
        return (self.concordance > 0) if self.decisive() else None


def evidence(boards: Iterable[list[Row]]) -> Evidence:
    """The concordance of value with date, pooled over leaderboards (pairs are never made across two)."""
    results = agree = disagree = 0
    for rows in boards:
        dated = sorted(((r.when, r.value, r.result) for r in rows if r.when), key=lambda t: t[2])
        if len(dated) > MAX_ROWS_PER_BOARD:
            dated = dated[:: -(-len(dated) // MAX_ROWS_PER_BOARD)]
        results += len(dated)
        for i, (wa, va, _) in enumerate(dated):
            for wb, vb, _ in dated[i + 1:]:
                if va == vb:
                    continue
                o = order(wa, wb)
                if o is None:
                    continue
                if (vb > va) == (o < 0):
                    agree += 1
                else:
                    disagree += 1
    pairs = agree + disagree
    return Evidence(results, pairs, round((agree - disagree) / pairs, 4) if pairs else 0.0)


# "evaluated based on average cross-entropy", "the metric is Smatch", "measured in F1", "reported as accuracy"
_SAYS = re.compile(r"(?:evaluated|measured|scored|ranked|reported|assessed|compared)\s+(?:based\s+on|on|using|by|with|"
                   r"in\s+terms\s+of|in|as|according\s+to)\s+(?:the\s+)?([^.;:()\n]{2,60})"
                   r"|(?:metric|measure)\s+(?:is|was|used\s+is)\s+(?:the\s+)?([^.;:()\n]{2,60})", re.I)
_LIST = re.compile(r",|;|\band\b|\bor\b|/")
_BETTER = re.compile(r"\b(higher|lower|larger|smaller|bigger)\s+(?:values?\s+)?(?:is|are)\s+better\b", re.I)


def description_direction(text: str | None) -> bool | None:
    """The direction a benchmark's description gives for its metrics, or None (silent, or of two minds)."""
    if not text:
        return None
    found = {m.group(1).lower() in ("higher", "larger", "bigger") for m in _BETTER.finditer(text)}
    for m in _SAYS.finditer(text):
        phrase = " ".join((m.group(1) or m.group(2)).split()[:8])
        for item in _LIST.split(phrase):  # "F1, Hits@1 and ppl": three metrics, each judged
            verdict = names.rule(item)
            if verdict.source == names.RULE and verdict.kind == QUALITY:
                found.add(verdict.higher)
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class Decision:
    higher: bool | None
    source: str
    evidence: Evidence | None = None


@dataclass
class Decisions:
    metrics: dict[str, tuple[Decision, str, str]] = field(default_factory=dict)  # metric → (decision, kind, label)
    boards: dict[tuple[str, str], Decision] = field(default_factory=dict)  # (benchmark, metric) → decision


def label_and_verdict(counts) -> tuple[str, Verdict]:
    spellings = sorted(counts, key=lambda n: (-counts[n], n))  # most used spelling first, then by name
    return spellings[0], names.judge(spellings)


def metric_decision(verdict: Verdict, boards: list[list[Row]]) -> tuple[Decision, bool]:
    """A metric's own direction, and whether its benchmarks are to be decided one by one."""
    if verdict.kind == NO_DIRECTION:
        return Decision(None, NONE), False
    if verdict.higher is not None and verdict.kind != GENERIC:
        return Decision(verdict.higher, verdict.source), False
    if verdict.kind == GENERIC:
        return Decision(verdict.higher, TABLE if verdict.higher is not None else UNKNOWN), True
    # No name tells: the data, pooled over the metric's leaderboards, unless they disagree. Its
    # leaderboards are still looked at one by one: a description or the other metrics come first.
    per_board = [evidence([rows]).higher() for rows in boards]
    if True in per_board and False in per_board:
        return Decision(None, UNKNOWN), True
    pooled = evidence(boards)
    if pooled.decisive():
        return Decision(pooled.higher(), INFERRED, pooled), True
    return Decision(None, UNKNOWN), True


def decide(inputs: Inputs) -> Decisions:
    """Every metric's and every leaderboard's direction, and how each was decided."""
    out = Decisions()
    by_metric: dict[str, list[str]] = defaultdict(list)
    by_benchmark: dict[str, list[str]] = defaultdict(list)
    for b, m in sorted(inputs.results):
        by_metric[m].append(b)
        by_benchmark[b].append(m)
    verdicts, per_board = {}, set()
    for m, counts in sorted(inputs.spellings.items()):
        label, verdict = label_and_verdict(counts)
        verdicts[m] = (label, verdict)
        decision, one_by_one = metric_decision(verdict, [inputs.results[(b, m)] for b in by_metric.get(m, ())])
        out.metrics[m] = (decision, verdict.kind, label)
        if one_by_one:
            per_board.add(m)
    for (b, m), rows in sorted(inputs.results.items()):
        if (b, m) in inputs.overrides:
            out.boards[(b, m)] = Decision(inputs.overrides[(b, m)], OVERRIDE)
            continue
        decision = out.metrics[m][0] if m in out.metrics else Decision(None, UNKNOWN)
        if m not in per_board:
            out.boards[(b, m)] = decision
            continue
        label, verdict = verdicts.get(m, ("", Verdict(None, UNKNOWN)))
        out.boards[(b, m)] = _board(inputs, b, m, rows, label, verdict, decision, out, by_benchmark[b], verdicts)
    return out


def _board(inputs, b, m, rows, label, verdict, fallback, out, siblings, verdicts) -> Decision:
    """One leaderboard of a metric its name does not decide."""
    column_like = verdict.kind == GENERIC or not names.is_measure_like(label)
    if column_like:
        said = description_direction(inputs.descriptions.get(b))
        if said is not None:
            return Decision(said, DESCRIPTION)
        # The other metrics of the benchmark that are quality measures and whose direction is theirs (by
        # name, or inferred from their own data), not taken from their own benchmarks' columns.
        known = set()
        for other in siblings:
            if other == m or other not in out.metrics:
                continue
            decision, kind, _ = out.metrics[other]
            if kind in (QUALITY, GENERIC) and decision.higher is not None:
                known.add(decision.higher)
        if len(known) == 1:
            return Decision(known.pop(), CONTEXT)
    if fallback.source == INFERRED:
        return fallback
    if verdict.kind != GENERIC or verdict.higher is None:
        ev = evidence([rows])
        if ev.decisive():
            return Decision(ev.higher(), INFERRED, ev)
    return fallback


__all__ = ["Decision", "Decisions", "Evidence", "decide", "description_direction", "evidence", "MIN_CONCORDANCE",
           "MIN_PAIRS", "MIN_RESULTS"]
