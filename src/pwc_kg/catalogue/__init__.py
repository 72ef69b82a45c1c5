"""The catalogue of a store generation: what the site lists, pages, sorts and counts, computed once.

Browsing the whole archive means listing 576k papers newest first, 15k datasets by modality, the
state of the art of every benchmark, a task tree with counts: questions whose SPARQL answer takes
seconds on a full-scale store. They are asked once, when a generation is made (``pwc-kg build``,
or a submission accepted), through the internal queries of ``queries/internal/``, and their
answers are kept as SQLite tables in ``catalogue.sqlite`` in the generation's folder. The pages
read the tables (a page of a list is an indexed ``LIMIT/OFFSET``); the tests check each table
against the named query it stands for.

The catalogue is a small driver over table modules: every module of this package that defines
``TABLES`` (a list of :class:`Table`) is found and filled, in module-name order. A table module
imports only this package's base and the queries.

    >>> from pwc_kg.catalogue import Table, table_modules
    >>> "sota" in table_modules()
    True
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import pkgutil
import sqlite3
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from ..queries.binding import bind_values
from ..queries.named import load_query

log = logging.getLogger(__name__)

FILE_NAME = "catalogue.sqlite"
SCHEMA_VERSION = "1"


class Table:
    """One table of the catalogue: its SQL (``CREATE TABLE`` and ``CREATE INDEX`` statements) and how
    it is filled from a generation's store. ``fill`` writes its rows with ``db.executemany``."""

    name: str = ""
    schema: str = ""

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        raise NotImplementedError


def table_modules() -> list[str]:
    """The names of the modules of this package that define tables."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def tables() -> list[Table]:
    out: list[Table] = []
    for name in table_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        out.extend(getattr(module, "TABLES", ()))
    return out


def internal_rows(store: ox.Store, name: str, bindings: dict | None = None) -> Iterator[dict]:
    """The rows of ``queries/internal/NAME.rq`` on ``store``: dicts of variable → lexical form (unbound absent).

    ``bindings`` (variable → pyoxigraph term or list of terms) are joined as a ``VALUES`` block.
    """
    text = load_query(f"internal/{name}").text
    if bindings:
        text = bind_values(text, bindings)
    results = store.query(text)
    names = [v.value for v in results.variables]
    for solution in results:
        yield {n: solution[n].value for n in names if solution[n] is not None}


def key(iri: str, kind: str) -> str:
    """The part of an entity's IRI after its kind: what the list pages name it by in their parameters.

    >>> key("https://w3id.org/pwc-kg/resource/dataset/imagenet/real", "dataset")
    'imagenet/real'
    >>> key("urn:x:y", "dataset")
    'urn:x:y'
    """
    marker = f"/{kind}/"
    at = iri.find(marker)
    return iri[at + len(marker):] if at >= 0 else iri


# -- building ----------------------------------------------------------------------------------------

def entity_rows(store: ox.Store, name: str, kind: str) -> tuple[dict[str, int], list[tuple]]:
    """The entities ``queries/internal/NAME.rq`` lists (a column ``kind`` for the IRI, and name, full_name,
    paper_count), numbered from 1 in IRI order: ({iri: id}, [(id, iri, key, name, full_name, paper_count)]).
    An entity without a name is shown by its key."""
    ids: dict[str, int] = {}
    rows = []
    for n, r in enumerate(sorted(internal_rows(store, name), key=lambda r: r[kind]), start=1):
        iri = r[kind]
        ids[iri] = n
        count = r.get("paper_count")
        rows.append((n, iri, key(iri, kind), r.get("name") or key(iri, kind), r.get("full_name"),
                     None if count is None else int(count)))
    return ids, rows


def build(store: ox.Store, path: Path, only: Iterable[str] | None = None, threads: int = 2) -> dict[str, float]:
    """Write the catalogue of ``store`` to ``path`` (atomically: a reader never sees half of it).

    Returns the seconds each table took. ``only``: fill only the tables of these names (tests).
    Tables are filled ``threads`` at a time, each through a connection of its own: the store's
    queries run outside the GIL, and SQLite takes the writes one at a time.
    """
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    wanted = set(only) if only is not None else None
    chosen = [t for t in tables() if wanted is None or t.name in wanted]

    def fill(table: Table) -> float:
        started = time.perf_counter()
        db = sqlite3.connect(tmp, timeout=3600)
        try:
            db.execute("PRAGMA synchronous = OFF")
            db.executescript(table.schema)
            table.fill(store, db)
            db.commit()
        finally:
            db.close()
        return round(time.perf_counter() - started, 3)

    try:
        with closing(sqlite3.connect(tmp)) as db:
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            db.commit()
        with ThreadPoolExecutor(max(1, threads), thread_name_prefix="pwc-kg-catalogue") as pool:
            seconds = dict(zip((t.name for t in chosen), pool.map(fill, chosen)))
        with closing(sqlite3.connect(tmp)) as db:
            db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("schema", SCHEMA_VERSION), ("built", str(time.time())), ("seconds", json.dumps(seconds)),
                ("tables", json.dumps(sorted(seconds)))])
            db.commit()
            db.execute("ANALYZE")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return seconds


def usable(path: Path) -> bool:
    """Whether ``path`` is a complete catalogue of this version, with every table this code reads (a
    catalogue made by an older pwc-kg lacks the tables added since: it is made again)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('schema', 'tables')").fetchall())
    except sqlite3.Error:
        return False
    return meta.get("schema") == SCHEMA_VERSION and meta.get("tables") == json.dumps(sorted(t.name for t in tables()))


def catalogue_path(generation: Path) -> Path:
    """Where a generation's catalogue lives: in its folder if writable, else in the temporary directory
    (a generation built before the catalogue existed, served from a read-only folder)."""
    generation = Path(generation)
    if os.access(generation, os.W_OK):
        return generation / FILE_NAME
    key = hashlib.sha256(str(generation.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"pwc-kg-catalogue-{key}.sqlite"


# -- reading -----------------------------------------------------------------------------------------

class Catalogue:
    """A catalogue file, read-only. Each thread that asks gets a connection of its own, kept for its next
    questions (a page asks several): opening one costs more than most of the page's reads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (rows as ``sqlite3.Row``)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    def rows(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        """The rows of a SELECT, as dicts. Values are bound as parameters, never pasted into ``sql``."""
        return [dict(r) for r in self.connection().execute(sql, params).fetchall()]

    def value(self, sql: str, params: tuple | dict = ()):
        """The first column of the first row (None when there is none)."""
        row = self.connection().execute(sql, params).fetchone()
        return None if row is None else row[0]

    def meta(self, key: str):
        """A value of the ``meta`` table, JSON-decoded when it is JSON."""
        raw = self.value("SELECT value FROM meta WHERE key = ?", (key,))
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw


def open_catalogue(store: ox.Store, generation: Path) -> tuple[Catalogue, float | None]:
    """The catalogue of a generation, built first if it is not there: (catalogue, seconds spent building or None)."""
    path = catalogue_path(generation)
    if path.is_file() and usable(path):
        return Catalogue(path), None
    started = time.perf_counter()
    build(store, path)
    return Catalogue(path), time.perf_counter() - started


class InBackground:
    """Opens (or, for a generation made before it existed, builds) a per-generation file on a thread,
    so a server answers at once. Reads the generation's store directly, read-only, not through the
    query workers: it reads the whole store, and must neither hold a worker nor meet the limits made
    for users."""

    def __init__(self, generation: Path, opener: Callable[[ox.Store, Path], tuple[object, float | None]],
                 present: Callable[[Path], object | None], name: str):
        self.generation = Path(generation)
        self.name = name
        self.value = None
        self.seconds: float | None = None  # how long the build took (None when it was there already)
        self.error: BaseException | None = None
        self._opener, self._present = opener, present
        self._done = threading.Event()
        self.value = present(self.generation)  # made with the generation: ready at once, no thread
        if self.value is not None:
            self._done.set()
        else:
            threading.Thread(target=self._run, name=f"pwc-kg-{name}", daemon=True).start()

    def _run(self) -> None:
        try:
            self.value = self._present(self.generation)  # (made meanwhile by another process?)
            if self.value is None:
                log.info("%s of %s: not there (a generation made before it existed); building it",
                         self.name, self.generation.name)
                store = ox.Store.read_only(str(self.generation / "db"))
                try:
                    self.value, self.seconds = self._opener(store, self.generation)
                finally:
                    del store
        except BaseException as exc:  # kept and reported by the pages: a page must not hang on it
            self.error = exc
        finally:
            self._done.set()

    def get(self, wait: float = 0.0):
        """The value once it is ready (waiting up to ``wait`` seconds), else None; raises if its build failed."""
        self._done.wait(wait)
        if self.error is not None:
            raise RuntimeError(f"the {self.name} of {self.generation} could not be built: {self.error}") from self.error
        return self.value


def prepare(store: ox.Store, generation: Path) -> dict[str, float]:
    """Everything a server reads per generation, computed into the generation's folder before it is
    published: the catalogue and the search index. Returns the seconds each part took."""
    from .search import build_index, index_path

    def index() -> float:
        started = time.perf_counter()
        build_index(store, index_path(generation))
        return round(time.perf_counter() - started, 3)

    with ThreadPoolExecutor(1, thread_name_prefix="pwc-kg-search-index") as pool:  # beside the tables
        searching = pool.submit(index)
        seconds = build(store, catalogue_path(generation))
        seconds["search_index"] = searching.result()
    return seconds


def present(generation: Path) -> Catalogue | None:
    path = catalogue_path(generation)
    return Catalogue(path) if path.is_file() and usable(path) else None
