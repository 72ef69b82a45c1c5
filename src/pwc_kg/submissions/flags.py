"""Flags for review: a claimed new SOTA by more than the operator's margin, or a value outside its metric's range.

The margin is relative, in percent of the current state of the art (``--sota-margin``, default
5): a result on a leaderboard whose SOTA is 80.0 (higher is better) is flagged from 84.0 + ε
on, one on a leaderboard of error 10.0 (lower is better) from 9.5 − ε on. A SOTA of 0 flags any
improvement. A leaderboard the graph does not have yet (a new benchmark or metric), or a metric
whose direction is unknown, sets no margin. The SOTA compared with is the leaderboard of all
results (with extra training data). A flagged submission can still be accepted.
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from ..derive.leaderboards import leaderboard_iri
from ..iri import Minter
from ..vocab import PWC
from .payload import Mapped
from .ranges import outside

DEFAULT_SOTA_MARGIN = 5.0


def _value(store: ox.Store, s: str, p: str) -> str | None:
    for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None):
        return q.object.value
    return None


def flags(mapped: Mapped, store: ox.Store, mint: Minter, margin: float = DEFAULT_SOTA_MARGIN) -> list[dict]:
    """The submission's flags: ``{"kind": "sota-margin" | "range", "result", "pointer", "message"}``."""
    names = {t.subject.value: t.object.value for t in mapped.triples if t.predicate.value == PWC.metricName}
    metric_names = {t.subject.value: t.object.value for t in mapped.triples if t.predicate.value == PWC.name}
    out = []
    for r in mapped.results():
        name = names.get(r.iri) or metric_names.get(r.metric) or _value(store, r.metric, PWC.name) or r.metric
        why = outside(name, r.value)
        if why:
            out.append({"kind": "range", "result": r.iri, "pointer": r.pointer, "message": why})
        board = leaderboard_iri(mint, r.benchmark, r.metric, True) if r.benchmark and r.metric else None
        best = _value(store, board, PWC.bestValue) if board else None
        higher = _value(store, board, PWC.higherIsBetter) if board else None
        if best is None or higher is None:
            continue
        best_value, up = Decimal(best), higher == "true"
        gain = (r.value - best_value) if up else (best_value - r.value)
        if gain <= 0:
            continue
        rel = None if best_value == 0 else gain / abs(best_value) * 100
        if rel is None or rel > Decimal(str(margin)):
            said = "any improvement on a SOTA of 0" if rel is None else f"{rel:.2f}% better"
            out.append({"kind": "sota-margin", "result": r.iri, "pointer": r.pointer,
                        "message": f"claims a new SOTA of {r.value} {name} against {best_value} "
                                   f"({'higher' if up else 'lower'} is better): {said}, "
                                   f"past the margin of {margin:g}%"})
    return out
