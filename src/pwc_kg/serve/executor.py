"""Running queries with limits: a pool of worker processes over the store's current generation.

:class:`QueryExecutor` is what ``/sparql``, the linked-data routes and the HTML pages (through
``Site``) run every query with::

    executor = QueryExecutor(StoreDir("pwc-kg-store"), ServeConfig())
    executor.start()
    answer = executor.serialize("SELECT * WHERE { ?s ?p ?o } LIMIT 3",
                                results_format="application/sparql-results+json")
    answer.kind, answer.media_type, answer.body, answer.count     # 'select', ..., b'{"head":...', 3
    terms = executor.terms("ASK { ?s ?p ?o }")                     # pyoxigraph terms instead of bytes
    terms.boolean                                                  # True (terms.rows / terms.triples otherwise)
    executor.close()

The limits, all from :class:`~pwc_kg.serve.config.ServeConfig`, each with its own error (a
:class:`QueryError` whose ``status`` is the HTTP status to answer with):

- time (``query_timeout``): pyoxigraph cannot interrupt a query, so queries run in worker
  processes and one past its time gets its worker killed and replaced → :class:`QueryTimeout`;
- memory (``worker_memory`` MiB, RLIMIT_DATA in each worker): a query past it ends its worker, which is
  replaced → :class:`MemoryLimit`;
- rows (``max_rows``): a worker stops one solution (or triple) past the cap → :class:`TooManyRows`;
- concurrency (``max_concurrent`` queries running or waiting; ``workers`` running): a query
  waits up to ``queue_timeout`` for a slot and then for a worker → :class:`Busy`;
- ``SERVICE``: refused before the query runs unless its target is on ``service_allowlist``
  → :class:`QueryRefused`; updates likewise (and the workers open the store read-only).

The default graph of every query is the union of the store's named graphs (a set: the store's
own default graph, see store/union.py), unless the query
names its own dataset (``FROM``/``FROM NAMED``) or the request does (``Dataset``).

Hot swap: each query runs on the generation ``current`` points at when it starts (one
``readlink``); a worker reopens the store when that changes, so a new build is picked up by
the next query and the queries running on the old generation finish there.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PwcKgError
from ..store import StoreDir
from ..vocab import PREFIXES
from . import worker as _worker
from .config import ServeConfig
from .query_text import QueryShape, analyze, service_allowed

log = logging.getLogger("pwc_kg.serve")


class QueryError(PwcKgError):
    """A query that could not be answered; ``status`` is the HTTP status that says why."""

    status = 500


class MalformedQuery(QueryError):
    status = 400


class QueryRefused(QueryError):
    """An update, or a SERVICE the server does not allow: never run."""

    status = 403


class NotAcceptable(QueryError):
    status = 406


class QueryLimitError(QueryError):
    """A query past one of the server's limits."""


class TooManyRows(QueryLimitError):
    status = 422


class Busy(QueryLimitError):
    status = 503


class QueryTimeout(QueryLimitError):
    status = 504


class MemoryLimit(QueryLimitError):
    """A query that needed more memory than a worker may use (``worker_memory``): its worker is replaced."""

    status = 507  # Insufficient Storage: the server cannot hold what the query needs


class StoreUnavailable(QueryError):
    status = 503


@dataclass
class Dataset:
    """The RDF dataset a request names (SPARQL protocol ``default-graph-uri``, ``named-graph-uri``)."""

    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


@dataclass
class Answer:
    """A query's results, serialised."""

    kind: str  # "select", "ask" or "graph" (CONSTRUCT, DESCRIBE)
    media_type: str
    body: bytes
    count: int  # solutions or triples (1 for ASK)
    generation: str


@dataclass
class Terms:
    """A query's results as pyoxigraph terms."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str]
    rows: list[dict]  # SELECT: variable → term, unbound variables absent
    boolean: bool | None  # ASK
    triples: list  # CONSTRUCT, DESCRIBE
    generation: str


class _Worker:
    def __init__(self, ctx, isolate: bool, memory_mib: int = 0):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker.main, args=(child, isolate, memory_mib), daemon=True,
                                   name="pwc-kg-query")
        self.process.start()
        child.close()
        self.isolated = False
        self.sparql = False  # held by a /sparql query (that lane holds at most ``workers``)

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise RuntimeError(f"a query worker did not start within {timeout:.0f} s")
        msg = self.conn.recv()
        self.isolated = bool(msg[2])

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(5)
        finally:
            self.conn.close()


class QueryExecutor:
    """The worker pool; see the module's docstring. Thread-safe: call it from any request thread."""

    def __init__(self, store_dir: StoreDir, config: ServeConfig):
        self.store_dir = store_dir
        self.config = config
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()  # every worker started and not yet killed
        self._cond = threading.Condition()
        # Two lanes, so that /sparql saturated does not starve the pages: /sparql (serialize) may hold at most
        # ``workers`` workers and its own slots; pages and linked data (terms) take any idle worker, and there
        # are ``page_workers`` more workers than /sparql may hold.
        self._slots = threading.BoundedSemaphore(config.max_concurrent)
        self._page_slots = threading.BoundedSemaphore(config.max_concurrent)
        self._sparql_held = 0
        self._closed = False
        self._isolate = config.isolate_network and not config.service_allowlist
        self.network_isolated = False
        self.replaced = 0  # workers killed for their time limit or lost, and replaced

    # --- the pool -------------------------------------------------------------------------
    def start(self) -> "QueryExecutor":
        """Start the workers and wait until they are ready."""
        count = max(1, self.config.workers) + max(0, getattr(self.config, "page_workers", 0))
        workers = [_Worker(self._ctx, self._isolate, self.config.worker_memory) for _ in range(count)]
        for w in workers:
            w.wait_ready(60)
        self.network_isolated = all(w.isolated for w in workers)
        with self._cond:
            self._idle.extend(workers)
            self._all.update(workers)
            self._cond.notify_all()
        return self

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = self._all - set(idle)
            self._all = set()
            self._cond.notify_all()
        for w in idle:
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.process.join(2)
            w.kill()
        for w in busy:  # a running query does not hold up the shutdown: its request gets an error
            try:
                w.process.kill()
            except (OSError, ValueError):
                pass

    def __enter__(self) -> "QueryExecutor":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _replace(self) -> None:
        """Start a worker in the background for one that was killed or died."""
        self.replaced += 1

        def spawn() -> None:
            delay = 0.5
            while not self._closed:
                try:
                    w = _Worker(self._ctx, self._isolate, self.config.worker_memory)
                    w.wait_ready(60)
                except Exception as e:  # noqa: BLE001 - retried: the pool must not shrink for good
                    log.warning("starting a query worker failed (%s); retrying in %.1f s", e, delay)
                    time.sleep(delay)
                    delay = min(delay * 2, 30)
                    continue
                with self._cond:
                    if self._closed:
                        w.kill()
                        break
                    self._idle.append(w)
                    self._all.add(w)
                    self._cond.notify_all()
                return
        threading.Thread(target=spawn, name="pwc-kg-respawn", daemon=True).start()

    # --- where queries go -----------------------------------------------------------------
    def generation(self) -> Path:
        """The generation ``current`` points at now."""
        gen = self.store_dir.current()
        if gen is None:
            raise StoreUnavailable(f"no published store at {self.store_dir.path}")
        return gen

    # --- running ----------------------------------------------------------------------------
    def serialize(self, query: str, *, results_format: str | None = "application/sparql-results+json",
                  graph_format: str | None = "text/turtle", dataset: Dataset | None = None,
                  substitutions: dict | None = None, max_rows: int | None = None,
                  timeout: float | None = None) -> Answer:
        """The results of any query in a format: ``results_format`` (a media type pyoxigraph writes) for
        SELECT and ASK, ``graph_format`` for CONSTRUCT and DESCRIBE; None for a kind the client does not
        accept (:class:`NotAcceptable` if the query is of that kind). ``substitutions`` (variable name →
        pyoxigraph term) are put in place of the variables before the query runs (SEP-0007)."""
        job = self._job(query, "serialize", dataset, max_rows, results_format=results_format,
                        graph_format=graph_format, prefixes=PREFIXES, substitutions=substitutions)
        kind, media_type, body, count = self._run(job, timeout, sparql=True)
        return Answer(kind, media_type, body, count, Path(job.generation).name)

    def terms(self, query: str, *, dataset: Dataset | None = None, substitutions: dict | None = None,
              max_rows: int | None = None, timeout: float | None = None) -> Terms:
        """The results of any query as pyoxigraph terms (see :class:`Terms`)."""
        job = self._job(query, "terms", dataset, max_rows, substitutions=substitutions)
        kind, variables, rows, boolean, triples = self._run(job, timeout)
        return Terms(kind, variables, rows, boolean, triples, Path(job.generation).name)

    def select(self, query: str, **options) -> list[dict]:
        """The rows of a SELECT: dicts of variable → pyoxigraph term."""
        return self.terms(query, **options).rows

    def idle_workers(self) -> int:
        """How many idle, alive workers a /sparql query could take now (the pages have ``page_workers`` more)."""
        with self._cond:
            alive = sum(1 for w in self._idle if w.process.is_alive())
            return min(alive, max(0, max(1, self.config.workers) - self._sparql_held))

    def check(self, query: str) -> QueryShape:
        """Refuse, before it runs, what no query here may do: update, or SERVICE off the allowlist."""
        shape = analyze(query)
        if shape.is_update:
            raise QueryRefused(f"SPARQL {shape.form} (an update) is refused: this endpoint is read-only")
        for target in shape.services:
            if not self.config.service_allowlist:
                raise QueryRefused("SERVICE (federated query) is disabled on this endpoint")
            if not service_allowed(target, self.config.service_allowlist):
                where = target or "a target that is not an absolute IRI (a variable, say)"
                raise QueryRefused(f"SERVICE to {where} is not allowed: the allowed targets are "
                                   + ", ".join(self.config.service_allowlist))
        return shape

    def _job(self, query: str, mode: str, dataset: Dataset | None, max_rows: int | None, **fmt) -> _worker.Job:
        shape = self.check(query)
        gen = self.generation()
        job = _worker.Job(str(gen), query, mode, max_rows if max_rows is not None else self.config.max_rows, **fmt)
        job.base_iri = self.config.public_base + "sparql"  # relative IRIs resolve against the endpoint
        if dataset is not None:
            job.union = False
            job.default_graphs, job.named_graphs = list(dataset.default_graphs), list(dataset.named_graphs)
        else:
            job.union = not shape.has_dataset  # FROM in the query: its dataset, not the union
        return job

    def _run(self, job: _worker.Job, timeout: float | None, sparql: bool = False) -> tuple:
        limit = self.config.query_timeout if timeout is None else timeout
        slots = self._slots if sparql else self._page_slots
        if not slots.acquire(timeout=self.config.queue_timeout):
            raise Busy(f"too many queries at once (at most {self.config.max_concurrent}); try again shortly")
        try:
            for attempt in (1, 2):
                w = self._take_worker(sparql)
                try:
                    w.conn.send(job)
                except (OSError, ValueError):  # it died while idle: replace it, try another once
                    self._lost(w)
                    if attempt == 2:
                        raise QueryError("the query worker was lost; try again") from None
                    continue
                return self._receive(w, limit)
        finally:
            slots.release()
        raise AssertionError("unreachable")

    def _take_worker(self, sparql: bool = False) -> _Worker:
        deadline = time.monotonic() + self.config.queue_timeout
        with self._cond:
            while not self._idle or (sparql and self._sparql_held >= max(1, self.config.workers)):
                if self._closed:
                    raise StoreUnavailable("the server is shutting down")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Busy(f"all {self.config.workers} query workers are busy; try again shortly")
                self._cond.wait(left)
            w = self._idle.pop()
            w.sparql = sparql
            self._sparql_held += sparql
            return w

    def _let_go(self, w: _Worker) -> None:
        """(holding the condition) the worker no longer counts against the /sparql lane."""
        if getattr(w, "sparql", False):
            w.sparql = False
            self._sparql_held -= 1

    def _give_back(self, w: _Worker) -> None:
        with self._cond:
            self._let_go(w)
            if self._closed:
                w.kill()
                return
            self._idle.append(w)
            self._cond.notify_all()

    def _lost(self, w: _Worker) -> None:
        with self._cond:
            self._let_go(w)
            self._all.discard(w)
            self._cond.notify_all()
        w.kill()
        if not self._closed:
            self._replace()

    def _memory_limit(self) -> MemoryLimit:
        return MemoryLimit(f"the query needed more than the {self.config.worker_memory:,} MiB of memory a query "
                           "worker may use on this server and was stopped; its worker was replaced. Narrow it: "
                           "a LIMIT does not bound what an ORDER BY or a join holds before the first row",
                           option="worker_memory")

    def _receive(self, w: _Worker, limit: float) -> tuple:
        try:
            ready = w.conn.poll(limit)
            reply = w.conn.recv() if ready else None
        except (EOFError, OSError):
            self._lost(w)
            code = w.process.exitcode
            if self.config.worker_memory and code in (-6, -9, 1, 134, 137):  # abort (Rust), OOM kill, MemoryError
                raise self._memory_limit() from None
            raise QueryError(f"the query's worker process died (exit {code}); the query was not answered") from None
        if reply is None:
            self._lost(w)  # the only way to stop a running pyoxigraph query
            raise QueryTimeout(f"the query ran past the server's time limit of {limit:g} s and was stopped")
        if reply[:2] == ("error", "memory"):
            self._lost(w)  # a worker that ran out of memory is not trusted with the next query
            raise self._memory_limit()
        self._give_back(w)
        if reply[0] == "ok":
            return reply[1:]
        _, code, message = reply
        raise {"malformed": MalformedQuery, "rows": TooManyRows, "not-acceptable": NotAcceptable,
               "store": StoreUnavailable}.get(code, QueryError)(message)

