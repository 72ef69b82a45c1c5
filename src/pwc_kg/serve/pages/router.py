"""``Pages``: which view answers a path, and the rendering of its template.

The server calls ``Pages.render(path, params)`` for a page path and serves ``Pages.static``
under ``/static/``. Templates are Jinja2 with autoescaping on: every value from the data is
escaped where it is written out.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import jinja2

from ... import catalogue, resources
from ...__about__ import __version__
from ...catalogue import search
from ...catalogue.search import SearchIndex
from ...entities import KINDS
from ...vocab import PWC, PWC_NS
from . import about, benchmark, browse, entities, home, listing, models, query, sota_all
from .links import Links
from .page import Page, local_name, not_found
from .reads import Reads

log = logging.getLogger(__name__)

# The first path segment of a page, and the class its entity must have for that page.
VIEWS = {k.segment: k.cls for k in KINDS if k.page}
# The other kinds of IRI that pwc-kg mints (and the server dereferences): shown as their triples, both ways.
GENERIC = frozenset(k.segment for k in KINDS if not k.page)
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
                ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".map": "application/json; charset=utf-8", ".md": "text/plain; charset=utf-8"}
# The page modules that answer fixed paths: each has ROUTES, path -> view(pages, params); a path ending
# in '/' answers every path under it (the view gets the rest as params['_rest']).
ROUTED = (browse, sota_all, listing, about)
SEARCH_WAIT = 10.0  # seconds a search waits for an index still being built before it answers 503


def load_static() -> dict[str, tuple[bytes, str]]:
    """Every file under serve/static (subfolders too: static/yasgui/, the vendored YASGUI), by its URL path."""
    folder = resources.folder("serve/static")
    return {f"/static/{p.relative_to(folder).as_posix()}":
            (p.read_bytes(), STATIC_TYPES.get(p.suffix, "application/octet-stream"))
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


class Pages:
    """The HTML pages of the site, over ``site`` (its store, limits, base IRI and public URL).

    What a page keeps from the data (the search index, the notable benchmarks, the links' base)
    is kept per store generation (``site.per_generation``): a new build is picked up as it is
    published, and its search index is built on a thread at once.
    """

    def __init__(self, site):
        self.site = site
        self.reads = Reads(site)
        self.static = load_static()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(resources.folder("serve/templates"))),
            autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
        self.env.globals.update(version=__version__, local_name=local_name)
        self.search_index()  # starts building the current generation's index

    def _generation_path(self) -> Path:
        path = getattr(self.site, "generation_path", None)
        return Path(path) if path is not None else Path(str(self.site.generation))

    # -- kept per generation --------------------------------------------------------------------

    def links(self) -> Links:
        return self.site.per_generation("pages.links", lambda: Links(self.site.base_iri, self.site.public_base))

    def notable(self) -> list[dict]:
        """The home page's benchmarks with the most results: from the catalogue (kept per generation), or
        while it is being built for a store made before it, by the named query (tested equal)."""
        cat = self.ready_catalogue()
        if cat is not None:
            return self.site.per_generation("pages.notable", lambda: home.notable_from_catalogue(cat))
        return home.notable_benchmarks(self.reads)

    def prop_labels(self) -> dict[str, str]:
        """rdfs:label of the ontology's terms (generic pages name properties by them)."""
        def read() -> dict[str, str]:
            rows = self.reads.internal("term-labels", {})
            return {r["p"].value: r["l"].value for r in rows if r["p"].value.startswith(PWC_NS)}
        return self.site.per_generation("pages.prop_labels", read)

    def search_index(self, wait: float = 0.0) -> SearchIndex | None:
        """The generation's search index, or None while it is being built (after waiting ``wait`` s)."""
        gen = self._generation_path()
        background = self.site.per_generation("pages.search", lambda: catalogue.InBackground(
            gen, search.open_index, search.present, "search index"))
        return background.get(wait)

    # -- rendering -----------------------------------------------------------------------------

    def render(self, path: str, params: dict[str, list[str]]) -> tuple[int, str] | None:
        """(status, HTML) for a page path ('/', '/search', '/query', '/paper/<slug>', ...), None when no page is there."""
        out = self.respond(path, params)
        if out is None:
            return None
        status, body, _, _ = out
        return status, body.decode("utf-8")

    def respond(self, path: str, params: dict[str, list[str]]) -> tuple[int, bytes, str, list] | None:
        """(status, body, content type, headers) for a page path or a download, None when nothing is there."""
        started = time.perf_counter()
        page = self.route(path, params or {})
        if page is None:
            return None
        if page.template is None:
            return page.status, page.body or b"", page.content_type, page.headers
        html = self.env.get_template(page.template).render({
            **page.context, "status": page.status, "path": path, "links": self.links(),
            "generation": self._generation_path().name, "submissions_on": self.submissions_on()})
        log.debug("page %s: %d in %.1f ms", path, page.status, 1000 * (time.perf_counter() - started))
        return page.status, html.encode("utf-8"), page.content_type, page.headers

    def routed(self, path: str, params: dict[str, list[str]]) -> Page | None:
        """The page of a fixed path (``ROUTED``), or None."""
        for module in ROUTED:
            view = module.ROUTES.get(path)
            if view is not None:
                return view(self, params)
        for module in ROUTED:
            for prefix, view in module.ROUTES.items():
                if prefix.endswith("/") and path.startswith(prefix) and len(path) > len(prefix):
                    return view(self, {**params, "_rest": [path[len(prefix):]]})
        return None

    def ready_catalogue(self):
        """The catalogue if it is ready, else None (a page that can ask the store instead does)."""
        try:
            return self.catalogue()
        except RuntimeError:  # it could not be made: the store still answers
            return None

    def catalogue(self, wait: float = 0.0):
        """The generation's catalogue (``pwc_kg.catalogue``), or None while it is being built (after waiting ``wait`` s)."""
        gen = self._generation_path()
        background = self.site.per_generation("pages.catalogue", lambda: catalogue.InBackground(
            gen, catalogue.open_catalogue, catalogue.present, "catalogue"))
        return background.get(wait)

    def submissions_on(self) -> bool:
        """Whether the submissions API is on (a token exists): the benchmark and paper pages then show the form."""
        from ...submissions.tokens import TokenStore

        return TokenStore(self.site.store_dir.path).any_active()

    def route(self, path: str, params: dict[str, list[str]]) -> Page | None:
        if path in ("", "/"):
            pairs = self.site.build_info.get("derived", {}).get("pairs", {})
            return home.home_page(self.search_index(), self.notable(), pairs)
        if path == "/search":
            return home.search_page(self.search_index(SEARCH_WAIT), params)
        if path == "/query":
            return query.query_page(self.reads, params, self.links())
        page = self.routed(path, params)
        if page is not None:
            return page
        first, _, rest = path.lstrip("/").partition("/")
        if first not in VIEWS and first not in GENERIC:
            return None
        if not rest:
            return not_found(f"the page {path!r}")
        entity = None
        for iri in self.links().iri_candidates(path):
            entity = self.reads.entity(iri)
            if entity:
                break
        if not entity:
            return not_found(f"anything at {path!r}")
        kind = VIEWS.get(first)
        if kind is None or PWC[kind] not in entity.types():
            return entities.generic_page(self.reads, entity, self.prop_labels())
        if kind == "Paper":
            page = entities.paper_page(self.reads, entity)
            if page.status == 200:
                page.context["related"] = listing.related_papers(self, entity.iri)
            return page
        if kind == "Task":
            return browse.task_page(self, entity, params)
        if kind == "Dataset":
            return entities.dataset_page(self.reads, entity, params)
        if kind == "Method":
            return entities.method_page(self.reads, entity)
        if kind == "Metric":
            return entities.metric_page(self.reads, entity, params)
        if kind == "Model":
            return models.model_page(self.reads, entity, self.site.kg, params)
        if kind == "Benchmark":
            return benchmark.benchmark_page(self.reads, entity, params, self.links(), self.ready_catalogue())
        return entities.result_page(self.reads, entity, self.site.kg)
