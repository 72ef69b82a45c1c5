"""Whether higher or lower is better, for every metric: what its name says.

No source says it (Papers With Code's API had ``is_loss``; its dumps dropped it). The name is
read first: the curated table ``ontology/metric-directions.csv``, then rules on the name's words
(families: errors, losses and distances are lower; accuracies, F-scores, attachment and overlap
scores are higher; sizes, compute and time are costs). What the name leaves open is decided from
the data (derive/inference.py): the benchmark's description, its other metrics, dated results.
A benchmark may override its metric's direction (``ontology/benchmark-directions.csv``).

>>> decide(["Top 1 Accuracy"])
(True, 'table')
>>> decide(["Test perplexity (WT103)"])
(False, 'rule')
>>> decide(["Hallucination rate?"])
(None, 'unknown')
>>> judge(["# Params (M)"])
Verdict(higher=False, source='rule', kind='cost')
>>> judge(["Dev"]).kind, judge(["F0.5"]), judge(["Shen F-1"]).higher, judge(["R_100@1"]).higher
('generic', Verdict(higher=True, source='rule', kind='quality'), True, True)
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..iri import metric_key

# How a direction was decided (pwc:directionSource). One list, in the order they are tried.
OVERRIDE, TABLE, RULE, DESCRIPTION, CONTEXT, INFERRED, NONE, UNKNOWN = (
    "override", "table", "rule", "description", "context", "inferred", "none", "unknown")
SOURCES = (OVERRIDE, TABLE, RULE, DESCRIPTION, CONTEXT, INFERRED, NONE, UNKNOWN)
# What a metric measures: quality (the default), cost (size, compute, time: ranked, never the state of
# the art), none (a value to match, never ranked), generic (a split or catch-all name: per benchmark).
QUALITY, COST, NO_DIRECTION, GENERIC = "quality", "cost", "none", "generic"
KINDS = (QUALITY, COST, NO_DIRECTION, GENERIC)


@dataclass(frozen=True)
class Verdict:
    """What a metric's name says: its direction (None: open), how that was decided, what it measures."""
    higher: bool | None
    source: str
    kind: str = QUALITY


# Rules run on the metric key (lower case; spaces, hyphens and underscores one space: "Shen F-1" is
# "shen f 1"). Cost first (a latency is a cost before it is a lower-is-better number), then
# lower-is-better words ("top-1 error" is an error before it is a top-1), then higher-is-better ones.
_COST_HIGHER = re.compile(r"\bfps\b|frames? per sec|throughput|\bspeed\b|samples? per sec|tokens? per sec|images? per sec")
_COST_LOWER = re.compile(
    r"\bparams?\b|\bparameters?\b|#\s*param|model size|\bflops\b|\bgflops\b|\bmacs\b|\bgmacs\b|\bmult adds\b|latency"
    r"|runtime|run time|inference time|training time|train time|\btime\b|\bmemory\b|\bgpu hours?\b|\benergy\b|\bco2\b"
    r"|\bdisk\b|\bstorage\b|\bsize\b|\bcost\b"
)
_LOWER = re.compile(
    r"\berror|\berr\b|\bloss\b|perplexity|\bppl\b|\bwer\b|\bcer\b|\bter\b|\bfid\b|\bfvd\b|\bkid\b|\bmae\b|\bmse\b"
    r"|\brmse\b|\bmape\b|\bsmape\b|\beer\b|\bnll\b|bits? ?per|\bbpc\b|\bbpd\b|miss rate|false (positive|negative)"
    r"|\bfpr\b|\bfnr\b|distance|divergence|lpips|cross ?entropy|\bregret\b|\bmpjpe\b|\bmin ?[af]de\b|\b[af]de\b"
    r"|\bepe\b|\babs ?rel\b|\bsq ?rel\b|\bece\b|\bbrier\b|\bid ?sw|switches|\bhamming\b"
)
_HIGHER = re.compile(
    r"acc|\bf ?\d(\.\d+)?\b|\bf ?beta|f ?score|f ?measure|\bbleu|\brouge|\bmeteor|\bcider|\bspice|\bgleu|\bsari\b"
    r"|\bchrf|bert ?score|\bbleurt|\bcomet\b|\bmap\b|\bmap ?@|\bap\b|\bap\d|\bap[sml]\b|\bauc|\broc\b|\biou\b|miou"
    r"|\bpsnr|\bssim|precision|recall|\bmrr\b|ndcg|hits|@ ?\d|success|\btop ?\d|\bem\b|exact match|correlation"
    r"|pearson|spearman|\bkappa|\bmcc\b|\bscore\b|reward|\breturn\b|win rate|pass ?@|\bp ?@|\bdice\b|\bsr\b"
    r"|\blas\b|\buas\b|smatch|attachment|v ?measure|\bnmi\b|\bari\b|rand index|b ?cubed|\bmota\b|\bidf1\b|\bhota\b"
    r"|\bpck|\boks\b|\bplcc\b|\bsr?occ\b|\bkrcc\b|\bqwk\b|\belo\b|agreement|coverage of gold|bleu ?\d"
)
# Names of splits, subsets and catch-alls: "Dev", "Test set", "Overall", "In-domain".
_GENERIC = re.compile(
    r"^(dev|development|test|testing|val|valid|validation|train|training|overall|all|avg|average|mean|total"
    r"|result|results|value|in domain|out of domain|ood|seen|unseen|easy|medium|hard|full|public|private)"
    r"( set| split| \d+)?$"
)


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _flag(text: str | None, where: str, allow_empty: bool = False) -> bool | None:
    value = (text or "").strip().lower()
    if allow_empty and not value:
        return None
    if value not in ("true", "false"):
        raise ValueError(f"{where}: higher_is_better must be true or false, not {text!r}")
    return value == "true"


def ontology_dir() -> Path:
    from .. import resources

    return resources.folder("ontology")


@lru_cache(maxsize=4)
def entries(path: str | None = None) -> dict[str, Verdict]:
    """The curated table: metric key → its verdict (kind ``none`` and ``generic`` rows may leave the direction empty)."""
    p = Path(path) if path else ontology_dir() / "metric-directions.csv"
    out = {}
    for r in _csv_rows(p):
        kind = (r.get("kind") or QUALITY).strip() or QUALITY
        where = f"{p.name}: {r['metric']}"
        if kind not in KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        higher = _flag(r["higher_is_better"], where, allow_empty=kind in (NO_DIRECTION, GENERIC))
        out[metric_key(r["metric"])] = Verdict(None if kind == NO_DIRECTION else higher, TABLE, kind)
    return out


def table(path: str | None = None) -> dict[str, bool]:
    """The curated table's directions: metric key → higher is better (rows that give one)."""
    return {k: v.higher for k, v in entries(path).items() if v.higher is not None}


@lru_cache(maxsize=4)
def overrides(path: str | None = None) -> dict[tuple[str, str, str], bool]:
    """Benchmark overrides: (task key, dataset key, metric key) → higher is better."""
    p = Path(path) if path else ontology_dir() / "benchmark-directions.csv"
    return {(metric_key(r["task"]), metric_key(r["dataset"]), metric_key(r["metric"])):
            _flag(r["higher_is_better"], f"{p.name}: {r['metric']}") for r in _csv_rows(p)}


def rule(name: str) -> Verdict:
    """What the rules say of one name (the table aside)."""
    key = metric_key(name)
    if _GENERIC.match(key):
        return Verdict(None, UNKNOWN, GENERIC)
    if _COST_HIGHER.search(key):
        return Verdict(True, RULE, COST)
    if _COST_LOWER.search(key):
        return Verdict(False, RULE, COST)
    if _LOWER.search(key):
        return Verdict(False, RULE)
    if _HIGHER.search(key):
        return Verdict(True, RULE)
    return Verdict(None, UNKNOWN)


@lru_cache(maxsize=65536)
def _judge(names: tuple[str, ...]) -> Verdict:
    known = entries()
    for s in names:
        if metric_key(s) in known:
            return known[metric_key(s)]
    generic = None
    for s in names:
        verdict = rule(s)
        if verdict.source == RULE:
            return verdict
        if verdict.kind == GENERIC:
            generic = generic or verdict
    return generic or Verdict(None, UNKNOWN)


def judge(spellings: list[str]) -> Verdict:
    """What a metric known by these spellings (most used first) is, by its name alone."""
    return _judge(tuple(spellings))


def decide(spellings: list[str]) -> tuple[bool | None, str]:
    """(higher is better, how it was decided) for a metric known by these spellings, by its name alone."""
    verdict = judge(spellings)
    if verdict.kind == NO_DIRECTION:
        return None, NONE
    if verdict.higher is None:
        return None, UNKNOWN
    return verdict.higher, verdict.source


def is_measure_like(name: str) -> bool:
    """Whether a name reads as a measure of its own (a rate, a ratio, a count...) rather than a column of
    one (a domain, a subset): such a name never takes its direction from the benchmark's other metrics.

    >>> is_measure_like("Books"), is_measure_like("Hallucination rate"), is_measure_like("Bias (F/M)")
    (False, True, True)
    """
    return bool(_MEASURE_WORDS.search(metric_key(name)))


_MEASURE_WORDS = re.compile(
    r"rate|ratio|bias|\btime|size|count|number|\bnum\b|length|\blen\b|distance|gap|drop|delta|\bdiff|change|variance"
    r"|\bvar\b|\bstd\b|deviation|loss|cost|speed|/|%|#|per\b|\bavg\b|\bmin\b|\bmax\b|\bfrac|proportion|percent"
)
