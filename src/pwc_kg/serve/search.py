"""The search index of the site: SQLite FTS5 over the labels of papers, tasks, datasets, methods,
models, benchmarks and metrics.

Built once per store generation, from the store, into ``search-index.sqlite`` in the generation's
folder (or, when that folder cannot be written, a file in the temporary directory named after
it), and reused by every later server on that generation. The file is written under a temporary
name and renamed into place, so a reader never sees half an index.

Words are matched as prefixes, case- and accent-insensitively; the user's text never reaches the
FTS query syntax (it is cut into words, each quoted), and is bound as a parameter.

>>> words_query("LaMini-LM: a *herd* OR \\"x\\"")
'"LaMini"* "LM"* "a"* "herd"* "OR"* "x"*'
>>> words_query("  ' OR 1=1 -- ")
'"OR"* "1"* "1"*'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..vocab import PWC, SKOS

SCHEMA_VERSION = "2"
FILE_NAME = "search-index.sqlite"
MAX_WORDS = 12

# What is indexed: kind -> (the label property, the other properties whose values also match).
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Paper": (PWC.title, (PWC.arxivId,)),
    "Task": (PWC.name, (PWC.synonym,)),
    "Dataset": (PWC.name, (PWC.fullName, PWC.variant)),
    "Method": (PWC.name, (PWC.fullName,)),
    "Model": (PWC.name, (PWC.huggingFaceId,)),
    "Benchmark": (PWC.name, ()),
    "Metric": (SKOS.prefLabel, (SKOS.altLabel,)),
}
_WORD = re.compile(r"\w+")


def words_query(text: str) -> str:
    """An FTS5 query matching every word of ``text`` as a prefix; '' when it has no words."""
    return " ".join(f'"{w}"*' for w in _WORD.findall(text)[:MAX_WORDS])


@dataclass(frozen=True)
class Hit:
    kind: str
    iri: str
    label: str
    detail: str  # a year for papers, the other matching names for the rest


class SearchIndex:
    """An FTS5 index file, opened read-only per search (one connection per call: thread-safe)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self):
        return closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True))

    def size(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT count(*) FROM entries").fetchone()[0]

    def counts(self) -> dict[str, int]:
        """Entities per kind, counted when the index was built (results too: ``EvaluationResult``)."""
        with self._connect() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'counts'").fetchone()
        return json.loads(row[0]) if row else {}

    def search(self, text: str, kind: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Hit], dict[str, int]]:
        """(the hits, best first; the number of hits of each kind)."""
        match = words_query(text)
        if not match:
            return [], {}
        with self._connect() as db:
            counts = dict(db.execute("SELECT kind, count(*) FROM entries WHERE entries MATCH ? GROUP BY kind",
                                     (match,)).fetchall())
            where, args = "entries MATCH ?", [match]
            if kind:
                where += " AND kind = ?"
                args.append(kind)
            # An exact label first, then BM25 with the label weighing more than the other names.
            rows = db.execute(
                f"SELECT kind, iri, label, detail FROM entries WHERE {where} "
                "ORDER BY lower(label) = lower(?) DESC, bm25(entries, 10.0, 2.0) LIMIT ? OFFSET ?",
                (*args, text.strip(), limit, offset)).fetchall()
        return [Hit(*row) for row in rows], counts


def _label_rows(store, kind: str):
    """(iri, property, value) of every label of the kind's entities, streamed from the store.

    One query per property, each starting from the class: in Oxigraph far faster than one query
    over all the properties (which scans every subject that has any of them). A paper's title
    needs no class (only papers have one): the join would only multiply the rows, once per
    named graph that repeats the paper.
    """
    label, others = KINDS[kind]
    for prop in (label, *others):
        typed = "" if prop == PWC.title else f"?s a <{PWC[kind]}> . "
        q = f"SELECT ?s ?l WHERE {{ {typed}?s <{prop}> ?l }}"
        for row in store.query(q):
            yield row["s"].value, prop, row["l"].value


def _paper_years(store) -> dict[str, str]:
    q = f"SELECT ?s ?d WHERE {{ ?s <{PWC.publicationDate}> ?d }}"
    return {row["s"].value: row["d"].value[:4] for row in store.query(q)}


def _count(store, kind: str) -> int:
    q = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{PWC[kind]}> }}"
    return int(next(iter(store.query(q)))["n"].value)


def build_index(store, path: Path) -> dict[str, int]:
    """Write the index of ``store`` (a pyoxigraph Store) to ``path``; entities per class."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE VIRTUAL TABLE entries USING fts5(label, other, kind UNINDEXED, iri UNINDEXED, "
                   "detail UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')")
        years = _paper_years(store)
        for kind, (label_prop, _) in KINDS.items():
            entities: dict[str, tuple[list[str], list[str]]] = {}
            for iri, prop, value in _label_rows(store, kind):
                labels, others = entities.setdefault(iri, ([], []))
                target = labels if prop == label_prop else others
                if value not in target:
                    target.append(value)
            rows = []
            for iri, (labels, others) in entities.items():
                labels.sort()
                if not labels:  # no label of its own: its first other name stands in
                    labels = sorted(others)[:1]
                alt = [o for o in sorted(others) if o not in labels[:1]]
                other = " | ".join(labels[1:] + alt)
                detail = years.get(iri, "") if kind == "Paper" else other
                rows.append((labels[0], other, kind, iri, detail))
            db.executemany("INSERT INTO entries (label, other, kind, iri, detail) VALUES (?, ?, ?, ?, ?)", rows)
        # The home page's counts: entities per class, labelled or not.
        counts = {kind: _count(store, kind) for kind in (*KINDS, "EvaluationResult")}
        db.execute("INSERT INTO entries (entries) VALUES ('optimize')")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA_VERSION), ("built", str(time.time())),
                                                          ("counts", json.dumps(counts))])
        db.commit()
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, path)
    return counts


def _usable(path: Path) -> bool:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (SCHEMA_VERSION,)
        finally:
            db.close()
    except sqlite3.Error:
        return False


def index_path(generation: Path) -> Path:
    """Where the index of a generation lives: in its folder if writable, else in the temporary directory."""
    generation = Path(generation)
    if os.access(generation, os.W_OK):
        return generation / FILE_NAME
    key = hashlib.sha256(str(generation.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"pwc-kg-search-{key}.sqlite"


def open_index(store, generation: Path) -> tuple[SearchIndex, float | None]:
    """The index of a generation, built first if it is not there: (index, seconds spent building or None)."""
    path = index_path(generation)
    if path.is_file() and _usable(path):
        return SearchIndex(path), None
    started = time.perf_counter()
    build_index(store, path)
    return SearchIndex(path), time.perf_counter() - started


class BackgroundIndex:
    """Opens (or builds) a generation's index on a thread, so a server answers while it is built.

    The build reads the generation's store directly, read-only, not through the query workers:
    it reads every label once, and must neither hold a worker nor meet the limits made for users.
    """

    def __init__(self, generation: Path):
        self.generation = Path(generation)
        self.index: SearchIndex | None = None
        self.seconds: float | None = None  # how long the build took (None when it was reused)
        self.error: BaseException | None = None
        self._done = threading.Event()
        threading.Thread(target=self._run, name="pwc-kg-search-index", daemon=True).start()

    def _run(self) -> None:
        try:
            path = index_path(self.generation)
            if path.is_file() and _usable(path):
                self.index = SearchIndex(path)
            else:
                store = ox.Store.read_only(str(self.generation / "db"))
                try:
                    self.index, self.seconds = open_index(store, self.generation)
                finally:
                    del store
        except BaseException as exc:  # kept and reported by the pages: a search must not hang on it
            self.error = exc
        finally:
            self._done.set()

    def get(self, wait: float = 0.0) -> SearchIndex | None:
        """The index once it is ready (waiting up to ``wait`` seconds), else None; raises if its build failed."""
        self._done.wait(wait)
        if self.error is not None:
            raise RuntimeError(f"the search index of {self.generation} could not be built: {self.error}") from self.error
        return self.index
