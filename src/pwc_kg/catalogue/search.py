"""The search index of the site: SQLite FTS5 over the labels of papers, tasks, datasets, methods,
models, benchmarks and metrics.

Built with each store generation, from its store (``pwc_kg.catalogue.prepare``, beside the catalogue's
tables), into ``search-index.sqlite`` in the generation's folder (or, for a generation made before the
index existed and served from a folder that cannot be written, a file in the temporary directory named
after it), and read by every server on that generation. The file is written under a temporary
name and renamed into place, so a reader never sees half an index.

Words are matched as prefixes, case- and accent-insensitively; the user's text never reaches the
FTS query syntax (it is cut into words, each quoted), and is bound as a parameter.

Ranking: an entity one of whose names is the query's words exactly comes first, then one with a name
that starts with them (both found on an index of the names, not by reading every match), papers
before the other kinds; then the rest, by BM25 (the label weighing more than the other names) when
there are at most ``BM25_MAX`` of them, else in the index's own order: papers newest first, then the
other kinds by name. The entries of a kind are one range of row ids, so a kind's count and a search
within a kind read only that range: a broad query ("a", 350k matches at full scale) costs tens of
milliseconds, not a second. Models that are one model under several names
(``owl:sameAs``, as ``queries/same-as.rq`` follows them: a leaderboard's model and its Hugging Face
ids) are one entry: the leaderboard's model, with the others as its aliases.

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
import unicodedata
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..vocab import PWC, SKOS
from . import internal_rows

SCHEMA_VERSION = "4"
FILE_NAME = "search-index.sqlite"
MAX_WORDS = 12
BM25_MAX = 2_000  # matches (after the names' tier) ranked by BM25; past it, in the index's order
PREFIX_MAX = 500  # names starting with the words that are read for the second tier

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


def normal_words(text: str, limit: int | None = None) -> str:
    """The words of a name, lower case, accents removed, one space apart: how names are compared whole.

    >>> normal_words("LaMini-LM: A Diverse Herd")
    'lamini lm a diverse herd'
    >>> normal_words("  Éclair / CAFÉ ")
    'eclair cafe'
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(w.casefold() for w in _WORD.findall(plain)[:limit])


@dataclass(frozen=True)
class Hit:
    kind: str
    iri: str
    label: str
    detail: str  # a year for papers, the other matching names for the rest
    aliases: tuple[tuple[str, str], ...] = ()  # a model's other IRIs under owl:sameAs: (IRI, name)


class SearchIndex:
    """An FTS5 index file, opened read-only per search (one connection per call: thread-safe)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._ranges: dict[str, tuple[int, int]] | None = None

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

    def ranges(self) -> dict[str, tuple[int, int]]:
        """Each kind's range of row ids (its entries were inserted together)."""
        if self._ranges is None:
            with self._connect() as db:
                row = db.execute("SELECT value FROM meta WHERE key = 'ranges'").fetchone()
            self._ranges = {k: (lo, hi) for k, (lo, hi) in json.loads(row[0]).items()}
        return self._ranges

    def search(self, text: str, kind: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Hit], dict[str, int]]:
        """(the hits, best first; the number of hits of each kind)."""
        match = words_query(text)
        if not match:
            return [], {}
        ranges = self.ranges()
        with self._connect() as db:
            # The hits of each kind in one pass over the matches' row ids (a count per kind would make one pass each).
            which = " ".join(f"WHEN rowid BETWEEN {int(a)} AND {int(b)} THEN {n}" for n, (a, b) in enumerate(ranges.values()))
            kinds = list(ranges)
            counts = {kinds[n]: c for n, c in db.execute(
                f"SELECT CASE {which} END AS k, count(*) FROM entries WHERE entries MATCH ? GROUP BY k", (match,))
                if n is not None}
            lo, hi = ranges.get(kind, (0, 0)) if kind else (min(r[0] for r in ranges.values()),
                                                              max(r[1] for r in ranges.values()))
            wanted = offset + limit
            words = normal_words(text, MAX_WORDS)
            # Names that are the words, then names that start with them: a range of the names' index.
            # Names that are the words, then names that start with them (the first PREFIX_MAX in the index's
            # order, then papers first): ranges of the names' index, never a scan of every match.
            exact = [r[0] for r in db.execute("SELECT DISTINCT entry FROM names WHERE name = ? AND entry BETWEEN ? AND ? "
                                              "ORDER BY entry LIMIT ?", (words, lo, hi, wanted))]
            starting = sorted({r[0] for r in db.execute(
                "SELECT entry FROM names WHERE name > ? AND name < ? AND entry BETWEEN ? AND ? LIMIT ?",
                (words, words + "\U0010ffff", lo, hi, PREFIX_MAX))} - set(exact))
            ids = (exact + starting)[:wanted]
            if len(ids) < wanted:
                seen = set(ids)
                total = sum(counts.get(k, 0) for k in ([kind] if kind else counts))
                order = "bm25(entries, 10.0, 2.0), rowid" if total <= BM25_MAX else "rowid"
                for (rowid,) in db.execute(
                        f"SELECT rowid FROM entries WHERE entries MATCH ? AND rowid BETWEEN ? AND ? ORDER BY {order} "
                        "LIMIT ?", (match, lo, hi, wanted + len(seen))):
                    if rowid not in seen:
                        ids.append(rowid)
                        if len(ids) >= wanted:
                            break
            page = ids[offset:wanted]
            found = {r[0]: r[1:] for r in db.execute(
                f"SELECT rowid, kind, iri, label, detail, aliases FROM entries WHERE rowid IN ({','.join('?' * len(page))})",
                page)} if page else {}
        return [Hit(k, i, label, detail, tuple(map(tuple, json.loads(aliases or "[]"))))
                for k, i, label, detail, aliases in (found[r] for r in page)], counts


def _label_rows(store, kind: str):
    """(iri, property, value) of every label of the kind's entities, streamed from the store.

    One query per property, each starting from the class: in Oxigraph far faster than one query
    over all the properties (which scans every subject that has any of them). A paper's title
    needs no class (only papers have one): the join would only multiply the rows, once per
    named graph that repeats the paper.
    """
    label, others = KINDS[kind]
    for prop in (label, *others):
        p = ox.NamedNode(prop)
        rows = (internal_rows(store, "property-values", {"p": p}) if prop == PWC.title
                else internal_rows(store, "class-property-values", {"c": ox.NamedNode(PWC[kind]), "p": p}))
        for row in rows:
            yield row["s"], prop, row["o"]


def _same_models(store) -> dict[str, str]:
    """Each model that has aliases under owl:sameAs (either way, transitively) -> the model that stands for them.

    That is a model named on a leaderboard rather than one minted for a Hugging Face id
    (``Minter.hf_model``: ``model/hf/...``) where the group has one, then the least IRI.
    """
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for row in internal_rows(store, "same-models"):
        for x in (row["a"], row["b"]):
            parent.setdefault(x, x)
        a, b = root(row["a"]), root(row["b"])
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for iri in list(parent):
        groups.setdefault(root(iri), []).append(iri)
    out = {}
    for members in groups.values():
        head = min(members, key=lambda i: ("/model/hf/" in i, i))
        out.update({m: head for m in members})
    return out


def _paper_years(store) -> dict[str, str]:
    return {row["s"]: row["o"][:4] for row in internal_rows(store, "property-values",
                                                              {"p": ox.NamedNode(PWC.publicationDate)})}


def _counts(store, kinds) -> dict[str, int]:
    """Entities per class, labelled or not."""
    found = {row["c"]: int(row["n"]) for row in internal_rows(store, "class-entities",
                                                               {"c": [ox.NamedNode(PWC[k]) for k in kinds]})}
    return {kind: found.get(PWC[kind], 0) for kind in kinds}


def build_index(store, path: Path) -> dict[str, int]:
    """Write the index of ``store`` (a pyoxigraph Store) to ``path``; entities per class."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE VIRTUAL TABLE entries USING fts5(label, other, kind UNINDEXED, iri UNINDEXED, "
                   "detail UNINDEXED, names UNINDEXED, aliases UNINDEXED, "
                   "tokenize = 'unicode61 remove_diacritics 2')")
        db.execute("CREATE TABLE names (name TEXT NOT NULL, entry INTEGER NOT NULL)")
        ranges: dict[str, tuple[int, int]] = {}
        years = _paper_years(store)
        same = _same_models(store)
        for kind, (label_prop, _) in KINDS.items():
            entities: dict[str, tuple[list[str], list[str]]] = {}
            for iri, prop, value in _label_rows(store, kind):
                labels, others = entities.setdefault(iri, ([], []))
                target = labels if prop == label_prop else others
                if value not in target:
                    target.append(value)
            named = {}
            for iri, (labels, others) in entities.items():
                labels.sort()
                if not labels:  # no label of its own: its first other name stands in
                    labels = sorted(others)[:1]
                named[iri] = (labels[0], [n for n in labels[1:] + sorted(others) if n != labels[0]])
            groups: dict[str, list[str]] = {}
            for iri in named:  # a model and its aliases are one entry, under the model that stands for them
                groups.setdefault(same.get(iri, iri) if kind == "Model" else iri, []).append(iri)
            rows = []
            for head, members in groups.items():
                if head not in named:  # the group's head has no label: its first labelled member stands in
                    head = min(members)
                label, own = named[head]
                other, aliases = list(own), []
                for m in sorted(members):
                    if m == head:
                        continue
                    m_label, m_other = named[m]
                    # An alias by the name that tells it apart (a Hugging Face id, not the shared leaderboard name).
                    aliases.append((m, sorted([m_label, *m_other], key=lambda n: (n == label, n))[0]))
                    other = other + [n for n in (m_label, *m_other) if n not in other and n != label]
                names = "\n".join(dict.fromkeys(normal_words(n) for n in (label, *other)))
                detail = years.get(head, "") if kind == "Paper" else " | ".join(own)
                rows.append((label, " | ".join(other), kind, head, detail, f"\n{names}\n",
                             json.dumps(aliases) if aliases else ""))
            # The index's own order, for a broad query: papers newest first, the rest by name.
            rows.sort(key=(lambda r: (-int(r[4]) if r[4].isdigit() else 0, r[0])) if kind == "Paper" else (lambda r: r[0]))
            first = (db.execute("SELECT max(rowid) FROM entries").fetchone()[0] or 0) + 1
            db.executemany("INSERT INTO entries (rowid, label, other, kind, iri, detail, names, aliases) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(first + n, *row) for n, row in enumerate(rows)])
            db.executemany("INSERT INTO names VALUES (?, ?)",
                           [(name, first + n) for n, row in enumerate(rows) for name in row[5].strip("\n").split("\n")])
            ranges[kind] = (first, first + len(rows) - 1)
        # The home page's counts: entities per class, labelled or not.
        counts = _counts(store, (*KINDS, "EvaluationResult"))
        db.execute("INSERT INTO entries (entries) VALUES ('optimize')")
        db.execute("CREATE INDEX names_name ON names (name, entry)")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA_VERSION), ("built", str(time.time())),
                                                          ("counts", json.dumps(counts)),
                                                          ("ranges", json.dumps(ranges))])
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


def present(generation: Path) -> SearchIndex | None:
    """The index of a generation if it is there and of this version (made with the generation), else None."""
    path = index_path(generation)
    return SearchIndex(path) if path.is_file() and _usable(path) else None
