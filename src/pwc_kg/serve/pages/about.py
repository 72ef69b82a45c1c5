"""The pages of fixed paths about the site itself.

- ``/about``: the sources of the store's generation with their sha256 (the build's record, build.json,
  as ``site.build_info``), the licence and the attribution, the build (date, pwc-kg version,
  generation), the entities per kind (the search index's counts), how metric directions are decided
  and how many benchmark+metric pairs each way decided, and links to the ontology, VoID, dumps, SPARQL.
- ``/submit``: the submit form on its own page, for any benchmark (``?benchmark=`` an IRI or a page
  path fills it in); it posts to the submissions API's form route (submissions/api.py), with the same
  validation. With submissions off (no token) it says how to turn them on.
- ``/sparql`` for a browser: YASGUI or a query's results (pages/query.py; serve/sparql.py hands the
  browser over, under ``SPARQL_BROWSER``).
"""

from __future__ import annotations

from pathlib import Path

from ...derive import directions
from ...queries import load_query
from ...vocab import PWC
from . import benchmark, query
from .home import DIRECTION_SOURCES, KIND_NAMES
from .page import Page, not_found

LICENCE = ("CC-BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/")
ATTRIBUTION = ("Papers With Code", "https://paperswithcode.com/")
INDEX_WAIT = 2.0  # seconds /about waits for the search index (its counts) before saying they are being made


def _build(pages) -> dict:
    """The build's provenance (queries/internal/about-build.rq), lexical forms; {} when the store has none."""
    rows = pages.reads.select(load_query("internal/about-build").text)
    return {k: v.value for k, v in rows[0].items()} if rows else {}


def _explanation() -> list[list[tuple[str, bool]]]:
    """How a direction is decided, as derive/directions.py says it (its docstring's prose, not its examples):
    paragraphs of (text, is code) pieces, the docstring's ``code`` marks read."""
    prose = (directions.__doc__ or "").split(">>>")[0]
    return [[(piece, i % 2 == 1) for i, piece in enumerate(" ".join(p.split()).split("``")) if piece]
            for p in prose.split("\n\n") if p.strip()]


def about_page(pages, params: dict[str, list[str]]) -> Page:
    info = pages.site.build_info
    sources = [s for s in info.get("sources", []) if isinstance(s, dict)]
    build = pages.site.per_generation("pages.about-build", lambda: _build(pages))
    index = pages.search_index(INDEX_WAIT)
    counts = index.counts() if index is not None else None
    kinds = [(KIND_NAMES[k], counts[k]) for k in KIND_NAMES if counts and counts.get(k)] if counts else None
    pairs = info.get("derived", {}).get("pairs", {}) if isinstance(info.get("derived"), dict) else {}
    total = sum(n for n in pairs.values() if isinstance(n, int))
    decided = [{"source": s, "label": DIRECTION_SOURCES.get(s, s), "pairs": pairs.get(s, 0),
                "share": 100 * pairs.get(s, 0) / total if total else 0.0} for s in directions.SOURCES]
    return Page(200, "about.html", {
        "title": "About", "sources": sources, "build": build, "generation": pages.site.generation,
        "info": info, "kinds": kinds, "decided": decided, "pairs_total": total, "explanation": _explanation(),
        "licence": LICENCE, "attribution": ATTRIBUTION, "dumps": _dumps(pages)})


def _dumps(pages) -> list[tuple[str, str]]:
    """(file name, format) of the dumps the server serves at /dumps/ (``--dumps DIR``)."""
    from ..void import dump_files

    try:
        return [(Path(d.path).name, d.format + (", gzip" if d.gzip else ""))
                for d in dump_files(getattr(pages.site.config, "dumps", None), "")]
    except OSError:
        return []


def submit_page(pages, params: dict[str, list[str]]) -> Page:
    """The submit form for any benchmark: ``?benchmark=`` (its IRI or page path) names one, else the user
    types the task and the dataset."""
    def one(name: str) -> str:
        return (params.get(name) or [""])[0].strip()[:300]

    context = {"title": "Submit results", "on": pages.submissions_on(), "api_url": pages.site.url("api/submissions"),
               "form_benchmark": None, "form_label": None, "form_task": one("task"), "form_dataset": one("dataset"),
               "form_metrics": [], "form_free": 3, "form_paper": None}
    wanted = one("benchmark")
    if wanted and context["on"]:
        links = pages.links()
        iri = wanted if wanted.startswith(("http://", "https://")) else links.iri(wanted)
        entity = pages.reads.entity(iri) if iri.startswith(links.base + "benchmark/") else None
        if not entity or PWC.Benchmark not in entity.types():
            return not_found(f"a benchmark {wanted[:200]!r} (give its IRI or its page's path, /benchmark/...)")
        metrics, _ = benchmark._metrics(pages.reads, entity)  # the benchmark page's metrics, in its column order
        context.update(form_benchmark=iri, form_label=entity.label, form_metrics=[m["name"] for m in metrics],
                       form_free=1)
    # Off, the submissions routes answer 404 (submissions/api.py); this page says why and how to turn them on.
    return Page(200 if context["on"] else 404, "submit.html", context)


# /sparql is the endpoint's (serve/sparql.py): it hands a browser to the pages under SPARQL_BROWSER, a key
# no request path can equal (no leading '/'), so the pages never answer /sparql by themselves.
SPARQL_BROWSER = "sparql:browser"
ROUTES: dict = {"/about": about_page, "/submit": submit_page, SPARQL_BROWSER: query.sparql_view}
