"""Whether higher or lower is better, for every metric.

No source says it (Papers With Code's API had ``is_loss``; its dumps dropped it). So: first the
curated table ``ontology/metric-directions.csv``; then rules on the name; else unknown, which
is said as unknown. A benchmark may override its metric's direction
(``ontology/benchmark-directions.csv``).

>>> decide(["Top 1 Accuracy"])
(True, 'table')
>>> decide(["Test perplexity (WT103)"])
(False, 'rule')
>>> decide(["Hallucination rate?"])
(None, 'unknown')
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from ..iri import metric_key

TABLE, RULE, OVERRIDE, UNKNOWN = "table", "rule", "override", "unknown"

# Lower-is-better words are tried first: "top-1 error" is an error before it is a top-1.
_LOWER = re.compile(
    r"\berror|\berr\b|\bloss\b|perplexity|\bppl\b|\bwer\b|\bcer\b|\bfid\b|\bkid\b|\bmae\b|\bmse\b|\brmse\b|\beer\b"
    r"|\bnll\b|bits? ?per|\bbpc\b|\bbpd\b|latency|runtime|inference time|\bflops\b|\bgflops\b|\bmacs\b"
    r"|\bparams?\b|parameters|miss rate|false (positive|negative)|distance|divergence|\bter\b|lpips"
)
_HIGHER = re.compile(
    r"acc|\bf1\b|f-?score|f-?measure|bleu|rouge|meteor|cider|spice|\bmap\b|\bap\b|\bap\d|\bap[sml]\b|auc|\biou\b|miou"
    r"|psnr|ssim|precision|recall|\bmrr\b|ndcg|hits@|success|top-?\d|\bem\b|exact match|correlation|pearson"
    r"|spearman|kappa|score|reward|return|win rate|pass@|\bp@|\bdice\b|\bsr\b"
)


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _flag(text: str, where: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"{where}: higher_is_better must be true or false, not {text!r}")
    return value == "true"


def ontology_dir() -> Path:
    from .. import resources

    return resources.folder("ontology")


@lru_cache(maxsize=4)
def table(path: str | None = None) -> dict[str, bool]:
    """The curated table: metric key → higher is better."""
    p = Path(path) if path else ontology_dir() / "metric-directions.csv"
    return {metric_key(r["metric"]): _flag(r["higher_is_better"], f"{p.name}: {r['metric']}") for r in _csv_rows(p)}


@lru_cache(maxsize=4)
def overrides(path: str | None = None) -> dict[tuple[str, str, str], bool]:
    """Benchmark overrides: (task key, dataset key, metric key) → higher is better."""
    p = Path(path) if path else ontology_dir() / "benchmark-directions.csv"
    return {(metric_key(r["task"]), metric_key(r["dataset"]), metric_key(r["metric"])):
            _flag(r["higher_is_better"], f"{p.name}: {r['metric']}") for r in _csv_rows(p)}


def decide(spellings: list[str]) -> tuple[bool | None, str]:
    """(higher is better, how it was decided) for a metric known by these spellings."""
    known = table()
    for s in spellings:
        if metric_key(s) in known:
            return known[metric_key(s)], TABLE
    for s in spellings:
        key = metric_key(s)
        if _LOWER.search(key):
            return False, RULE
        if _HIGHER.search(key):
            return True, RULE
    return None, UNKNOWN
