"""What the HTML pages get from the server: the current store, queried with the server's limits.

The pages (``pwc_kg.serve.pages.Pages``) are given one :class:`Site` when the server starts and
keep it. Every query they run through it goes to the query workers (``serve/executor.py``), so a
page obeys the same time limit, row cap and concurrency limit as ``/sparql``, and it always reads
the store's *current* generation: after a new build is published, the next query sees the new
data. Anything a page computes from the data and keeps (a search index, say) should be kept with
:meth:`Site.per_generation`, which forgets it when the generation changes.

::

    site.kg.sota("Question Answering", "PIQA")          # the questions of pwc_kg.questions
    site.kg.query("paper-results", paper="LaMini-LM: ...")  # a named query, Python values
    site.select("SELECT ?t WHERE { ?p pwc:title ?t }", {"p": ox.NamedNode(iri)})  # pyoxigraph terms
    site.local_path(iri)        # '/paper/lamini-lm-...' for an IRI the server dereferences, else None
    site.url("/paper/x")        # 'http://127.0.0.1:8000/paper/x'
    site.generation             # 'gen-20261125T101500-1234'

Errors: a query past its limits raises :class:`pwc_kg.serve.executor.QueryLimitError` (its
``status`` is the HTTP status to answer with, its message says which limit); the server turns
an exception a page lets through into an error page with that status.

Headers the server sets on every HTML page: ``Content-Security-Policy: default-src 'none';
style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; base-uri 'none';
frame-ancestors 'none'`` (so: no inline ``<script>`` or ``style=""``, no CDN; inline ``<svg>``
with presentation attributes is fine), ``X-Content-Type-Options: nosniff``, ``X-Frame-Options:
DENY``, ``Referrer-Policy: same-origin``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Callable, TypeVar

import pyoxigraph as ox

from ..entities import SEGMENTS
from ..graph import Graph
from ..iri import DEFAULT_BASE
from ..queries.binding import bind_values
from ..store import StoreDir
from .config import ServeConfig
from .executor import QueryExecutor

T = TypeVar("T")


class ExecutorBackend:
    """A backend for ``pwc_kg.questions`` and the named queries that runs through the query workers."""

    def __init__(self, executor: QueryExecutor, max_rows: int | None = None):
        self.executor = executor
        self.max_rows = max_rows

    def run(self, query: str) -> tuple[list[str], list[dict]]:
        """(the SELECT's variables, its rows of bound terms), as ``EmbeddedBackend.run``."""
        answer = self.executor.terms(query, max_rows=self.max_rows)
        return answer.variables, answer.rows

    def select(self, query: str) -> list[dict]:
        return self.run(query)[1]


class Site:
    """The server's store and settings, as the pages see them. See the module's docstring."""

    def __init__(self, store_dir: StoreDir, executor: QueryExecutor, config: ServeConfig):
        self.store_dir = store_dir
        self.executor = executor
        self.config = config
        self.kg = Graph(ExecutorBackend(executor))  # the questions of a KnowledgeGraph, through the workers
        self._lock = threading.Lock()
        self._cache_generation: str | None = None
        self._cache: dict[str, object] = {}

    # --- where things are ---------------------------------------------------------------
    @property
    def public_base(self) -> str:
        """The server's URL base, ending in '/': ``http://HOST:PORT/`` unless ``--base-iri`` says otherwise."""
        return self.config.public_base

    @property
    def generation_path(self) -> Path:
        """The folder of the store's current generation (raises ``StoreUnavailable`` if there is none)."""
        return self.executor.generation()

    @property
    def generation(self) -> str:
        """The name of the store's current generation; it changes when a new build is published."""
        return self.generation_path.name

    @property
    def build_info(self) -> dict:
        """The current generation's ``build.json`` (the build's summary: sources, counts, base IRI), or {}."""
        return self.per_generation("build.json", lambda: _read_build_json(self.generation_path))

    @property
    def base_iri(self) -> str:
        """The base of the IRIs in the store (the build's ``--base-iri``), ending in '/' or '#'."""
        return self.build_info.get("base_iri") or DEFAULT_BASE

    def url(self, path: str) -> str:
        """The public URL of a server path ('/paper/x' → 'http://HOST:PORT/paper/x')."""
        return self.public_base + path.lstrip("/")

    def local_path(self, iri: str) -> str | None:
        """The server path that dereferences an IRI of the store ('/paper/x'), or None if the server has none.

        IRIs under the store's base IRI map onto the server's paths whatever the base (a store
        built with the default ``https://w3id.org/pwc-kg/resource/`` still serves ``/paper/...``),
        and so do IRIs already under the server's own base.
        """
        for base in (self.base_iri, self.public_base):
            if iri.startswith(base):
                rest = iri[len(base):]
                if rest.split("/", 1)[0] in SEGMENTS and "/" in rest:  # the kinds of IRI pwc-kg mints
                    return "/" + rest
        return None

    def iri_for(self, path: str) -> str:
        """The store IRI a server path names ('/paper/x' → base IRI + 'paper/x')."""
        return self.base_iri + path.lstrip("/")

    def page_for(self, iri: str) -> str:
        """A link for an IRI: its server path if the server dereferences it, else the IRI itself."""
        return self.local_path(iri) or iri

    # --- queries, with the server's limits -----------------------------------------------
    def select(self, query: str, bindings: dict | None = None, *, max_rows: int | None = None,
               timeout: float | None = None) -> list[dict]:
        """Rows of a SELECT (dicts of variable → pyoxigraph term, unbound variables absent).

        ``bindings`` (variable name → ``ox.NamedNode``/``ox.Literal``, or a list of them) are joined
        as a ``VALUES`` block, never pasted into the text. ``max_rows`` and ``timeout`` override the
        server's limits for this query (a search index reading every label needs more rows).
        """
        return self.executor.terms(_bound(query, bindings), max_rows=max_rows, timeout=timeout).rows

    def ask(self, query: str, bindings: dict | None = None, *, timeout: float | None = None) -> bool:
        return bool(self.executor.terms(_bound(query, bindings), timeout=timeout).boolean)

    def construct(self, query: str, bindings: dict | None = None, *, max_rows: int | None = None,
                  timeout: float | None = None) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE."""
        return self.executor.terms(_bound(query, bindings), max_rows=max_rows, timeout=timeout).triples

    def per_generation(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per store generation: kept until a new build is published.

        Two threads asking at once for a missing key may both compute it; the last one is kept.
        """
        gen = self.generation
        with self._lock:
            if self._cache_generation != gen:
                self._cache_generation, self._cache = gen, {}
            if key in self._cache:
                return self._cache[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            if self._cache_generation == gen:
                self._cache[key] = value
        return value


def _bound(query: str, bindings: dict | None) -> str:
    return bind_values(query, bindings) if bindings else query


def _read_build_json(gen: Path) -> dict:
    try:
        return json.loads((gen / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}

