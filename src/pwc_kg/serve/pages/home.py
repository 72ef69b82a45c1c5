"""The home page (counts, the search box, notable benchmarks) and the search results page."""

from __future__ import annotations

from ..search import KINDS, SearchIndex
from .page import Page, integer, text
from .reads import Reads

PER_PAGE = 50
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


# How a leaderboard's direction was decided, in words, in the order they are tried (derive/inference.py).
DIRECTION_SOURCES = {"override": "a benchmark override", "table": "the curated table", "rule": "a rule on the name",
                     "description": "the benchmark's description", "context": "the benchmark's other metrics",
                     "inferred": "inferred from dated results", "none": "no better direction",
                     "unknown": "unknown (no SOTA)"}


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


def search_page(index: SearchIndex | None, params: dict[str, list[str]]) -> Page:
    q = (params.get("q") or [""])[0][:500]
    kind = (params.get("kind") or [""])[0]
    if kind not in KINDS:
        kind = ""
    try:
        page = min(MAX_PAGE, max(1, int((params.get("page") or ["1"])[0])))
    except ValueError:
        page = 1
    context = {"title": f"Search: {q}" if q.strip() else "Search", "q": q, "kind": kind, "page": page,
               "hits": [], "counts": [], "total": 0, "per_page": PER_PAGE, "kind_names": KIND_NAMES, "ready": True}
    if index is None:
        context["ready"] = False
        return Page(503, "search.html", context)
    if q.strip():
        hits, counts = index.search(q, kind or None, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        context.update(hits=hits, counts=[(k, counts[k]) for k in KINDS if k in counts],
                       total=counts.get(kind, 0) if kind else sum(counts.values()))
    return Page(200, "search.html", context)
