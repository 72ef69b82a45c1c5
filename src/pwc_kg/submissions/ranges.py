"""The range a metric's values can take, to flag a submitted value outside it.

First the curated table ``ontology/metric-ranges.csv``, then rules on the name, like the
direction rules (derive/directions.py): percentages of things counted (accuracy, F1, precision,
recall, exact match, mAP, IoU, BLEU, ROUGE, error rates, ...) lie in 0–100 (a fraction in 0–1 lies
there too); correlations in −100–100; errors, losses, perplexities, distances, sizes and times are
never negative. A metric neither decides is not checked.

>>> value_range("Top-1 Accuracy"), value_range("Test perplexity"), value_range("MAE"), value_range("Hallucination?")
((0, 100), (1, None), (0, None), None)
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..iri import metric_key

_BOUNDED = [
    (re.compile(r"pearson|spearman|correlation|kappa|\bmcc\b|\btau\b"), (-100, 100)),
    (re.compile(r"perplexity|\bppl\b"), (1, None)),
    (re.compile(r"absolute|squared|\bmean\b.*\berror|\bmae\b|\bmse\b|\brmse\b"), (0, None)),
    (re.compile(r"error rate|\bwer\b|\bcer\b|\bter\b|miss rate|top-?\d error|\berror\b"), (0, 100)),
    (re.compile(r"\bacc|accuracy|top-?\d|precision|recall|\bf1\b|f-?score|f-?measure|\bem\b|exact match|\bmap\b|\bap\b"
                r"|\bap\d|\bap[sml]\b|\biou\b|miou|\bauc\b|bleu|rouge|meteor|chrf|success rate|pass@|hits@|\bdice\b"
                r"|win rate|\bsr\b|\bndcg|\bmrr\b|\bp@|r@|recall@"), (0, 100)),
    (re.compile(r"\berror|\bloss\b|\bmae\b|\bmse\b|\brmse\b|\bfid\b|\bkid\b|\bnll\b|bits? ?per|\bbpc\b|\bbpd\b|latency"
                r"|runtime|inference time|\bflops\b|\bgflops\b|\bmacs\b|\bparams?\b|parameters|distance|divergence"
                r"|lpips|psnr|cider|\btime\b|memory|size"), (0, None)),
]


def _bound(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


@lru_cache(maxsize=2)
def table(path: str | None = None) -> dict[str, tuple[int | None, int | None]]:
    from .. import resources
    from ..derive.directions import _csv_rows

    p = Path(path) if path else resources.path("ontology/metric-ranges.csv")
    return {metric_key(r["metric"]): (_bound(r["min"] or ""), _bound(r["max"] or "")) for r in _csv_rows(p)}


def value_range(name: str) -> tuple[int | None, int | None] | None:
    """(min, max) of a metric's values, either side None for unbounded; None when unknown."""
    key = metric_key(name)
    known = table()
    if key in known:
        return known[key]
    for pattern, bounds in _BOUNDED:
        if pattern.search(key):
            return bounds
    return None


def outside(name: str, value: Decimal) -> str | None:
    """Why a value lies outside its metric's range, or None."""
    bounds = value_range(name)
    if bounds is None:
        return None
    lo, hi = bounds
    if lo is not None and value < lo:
        return f"{value} is below {lo}, the least a {name} can be"
    if hi is not None and value > hi:
        return f"{value} is above {hi}, the most a {name} can be"
    return None
