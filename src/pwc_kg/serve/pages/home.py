"""The home page (counts, the search box, notable benchmarks) and the search results page."""

from __future__ import annotations

from ...catalogue.search import KINDS, SearchIndex
from .page import Page, integer, text
from .reads import Reads

PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_PAGE = 100_000  # past the last hit a page is empty; past SQLite's 64-bit OFFSET it was a 500
KIND_NAMES = {"Paper": "papers", "Task": "tasks", "Dataset": "datasets", "Method": "methods", "Model": "models",
              "Benchmark": "benchmarks", "Metric": "metrics", "EvaluationResult": "results"}


def notable_benchmarks(reads: Reads) -> list[dict]:
    out = {}
    for r in reads.named("notable-benchmarks"):
        out.setdefault(r["benchmark"].value, {"iri": r["benchmark"].value, "name": r["name"].value,
                                              "task": text(r.get("task")), "dataset": text(r.get("dataset")),
                                              "results": integer(r.get("results")) or 0,
                                              "metrics": integer(r.get("metrics")) or 0})
    return sorted(out.values(), key=lambda b: (-b["results"], b["name"]))


def notable_from_catalogue(cat, limit: int = 24) -> list[dict]:
    """The same as :func:`notable_benchmarks`, read from the catalogue's ``benchmarks`` table."""
    rows = cat.rows("SELECT b.benchmark AS iri, b.name, t.name AS task, b.dataset_name AS dataset, b.results, b.metrics "
                    "FROM benchmarks b LEFT JOIN tasks t ON t.task = b.task WHERE b.metrics > 0 "
                    "ORDER BY b.results DESC, b.benchmark LIMIT ?", (limit,))
    return sorted(rows, key=lambda b: (-b["results"], b["name"] or ""))


# How a leaderboard's (or a metric's) direction was decided, in words, in the order they are tried
# (derive/inference.py): the home page counts them, the benchmark and metric pages say theirs.
DIRECTION_SOURCES = {"override": "by a benchmark override", "table": "from the curated table of metrics",
                     "rule": "by a rule on the metric's name", "description": "as the benchmark's description says",
                     "context": "like the benchmark's other metrics", "inferred": "inferred from dated results",
                     "none": "no better direction: a value to match", "unknown": "unknown: no state of the art"}


def direction_words(higher: bool | None, source: str | None, dated: int | None = None,
                    concordance: str | None = None) -> str:
    """A leaderboard's or a metric's direction and how it was decided, in words.

    >>> direction_words(True, "table")
    'higher is better (from the curated table of metrics)'
    >>> direction_words(False, "inferred", 7, "-0.9")
    'lower is better (inferred from 7 dated results (concordance -0.9))'
    >>> direction_words(None, "unknown")
    'direction unknown: no state of the art'
    >>> direction_words(None, "none")
    'no better direction: a value to match, so no state of the art'
    """
    if higher is None:
        return ("no better direction: a value to match, so no state of the art" if source == "none"
                else "direction unknown: no state of the art")
    words = "higher is better" if higher else "lower is better"
    how = DIRECTION_SOURCES.get(source or "")
    if source == "inferred" and dated:
        how = f"inferred from {dated} dated results" + (f" (concordance {concordance})" if concordance else "")
    return f"{words} ({how})" if how and source not in ("none", "unknown") else words


def home_page(index: SearchIndex | None, notable: list[dict], directions: dict[str, int] | None = None) -> Page:
    """``directions``: benchmark+metric pairs by how their direction was decided (the build's summary)."""
    counts = index.counts() if index is not None else {}
    shown = [(KIND_NAMES[k], counts[k]) for k in KIND_NAMES if counts.get(k)]
    directions = directions or {}
    total = sum(directions.values())
    coverage = [(DIRECTION_SOURCES[k], directions[k], 100 * directions[k] / total)
                for k in DIRECTION_SOURCES if directions.get(k)]
    return Page(200, "home.html", {"title": "Papers With Code, as a knowledge graph", "counts": shown,
                                   "notable": notable, "kinds": KINDS, "coverage": coverage})


def _clamped(params: dict[str, list[str]], name: str, default: int, most: int) -> int:
    try:
        return min(most, max(1, int((params.get(name) or [str(default)])[0])))
    except ValueError:
        return default


def search_page(index: SearchIndex | None, params: dict[str, list[str]]) -> Page:
    q = (params.get("q") or [""])[0][:500]
    kind = (params.get("kind") or [""])[0]
    if kind not in KINDS:
        kind = ""
    # Out of range or not a number, a page number or size is brought into range (a search is never a 400).
    page = _clamped(params, "page", 1, MAX_PAGE)
    per_page = _clamped(params, "per_page", PER_PAGE, MAX_PER_PAGE)
    keep = {"q": q, "kind": kind, **({"per_page": per_page} if per_page != PER_PAGE else {})}
    context = {"title": f"Search: {q}" if q.strip() else "Search", "q": q, "kind": kind, "page": page,
               "hits": [], "counts": [], "total": 0, "per_page": per_page, "kind_names": KIND_NAMES, "ready": True,
               "keep": {k: v for k, v in keep.items() if v}}
    if index is None:
        context["ready"] = False
        return Page(503, "search.html", context)
    if q.strip():
        hits, counts = index.search(q, kind or None, limit=per_page, offset=(page - 1) * per_page)
        context.update(hits=hits, counts=[(k, counts[k]) for k in KINDS if k in counts],
                       total=counts.get(kind, 0) if kind else sum(counts.values()))
    return Page(200, "search.html", context)
