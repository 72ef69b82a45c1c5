"""``papers``: every paper with its date, code and results counts, and its links to tasks, methods and datasets.

The /papers list (newest first, filtered by task, method or dataset) and a paper's related papers read
these tables:

- ``papers``: one row per paper (``queries/internal/paper-rows.rq``), with how many repositories it
  links to (``paper-code-counts.rq``) and how many results it reports (``paper-result-counts.rq``);
  ``id`` is the catalogue's own number for the paper, which the link tables use.
- ``paper_task``, ``paper_method``, ``paper_dataset``: a paper's tasks (``paper-tasks.rq``), methods
  (``paper-methods.rq``) and datasets (``paper-datasets.rq``), each row keyed by the entity's key (the
  IRI's path after its kind, ``key``) and carrying the paper's date as a number (``day``: 20230427, 0
  when unknown), so that the papers of a task are read newest first from the table's own key. Lists read
  newest first as ``ORDER BY day DESC, paper DESC`` (``papers``: ``date DESC, id DESC``, no date last).
- ``task_keys``: every task's key, IRI and name (``paper-task-names.rq``), for the names of the filters.

A page names a task, method or dataset in its parameters by its key: ``/papers?task=question-answering``.
"""

from __future__ import annotations

import sqlite3

import pyoxigraph as ox

from . import Table, internal_rows, key

# The link tables: (table, internal query, the query's entity column, the entity's kind in its IRI).
LINKS = (("paper_task", "paper-tasks", "task", "task"),
         ("paper_method", "paper-methods", "method", "method"),
         ("paper_dataset", "paper-datasets", "dataset", "dataset"))


def smaller(a: str | None, b: str | None) -> str | None:
    """The smaller of two optional values (None only when both are)."""
    if a is None:
        return b
    return a if b is None or a <= b else b


def papers_of(store: ox.Store) -> dict[str, tuple[str | None, str | None]]:
    """Every paper's IRI → (title, date): the smallest of each when a paper carries several."""
    papers: dict[str, tuple[str | None, str | None]] = {}
    for r in internal_rows(store, "paper-rows"):
        title, date = r.get("title"), r.get("date")
        date = date[:10] if date else None
        old = papers.get(r["paper"])
        papers[r["paper"]] = (title, date) if old is None else (smaller(old[0], title), smaller(old[1], date))
    return papers


def day(date: str | None) -> int:
    """A date as the number the link tables sort by; 0 (oldest) when there is none.

    >>> day("2023-04-27"), day(None)
    (20230427, 0)
    """
    try:
        return int(date[:10].replace("-", "")) if date else 0
    except ValueError:
        return 0


class PapersTable(Table):
    name = "papers"
    schema = """
    CREATE TABLE papers (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, title TEXT, date TEXT,
                         code_count INTEGER NOT NULL, result_count INTEGER NOT NULL);
    CREATE INDEX papers_date ON papers (date, id);
    CREATE TABLE paper_task (task TEXT NOT NULL, day INTEGER NOT NULL, paper INTEGER NOT NULL,
                             PRIMARY KEY (task, day, paper)) WITHOUT ROWID;
    CREATE INDEX paper_task_by_paper ON paper_task (paper, task);
    CREATE TABLE paper_method (method TEXT NOT NULL, day INTEGER NOT NULL, paper INTEGER NOT NULL,
                               PRIMARY KEY (method, day, paper)) WITHOUT ROWID;
    CREATE INDEX paper_method_by_paper ON paper_method (paper, method);
    CREATE TABLE paper_dataset (dataset TEXT NOT NULL, day INTEGER NOT NULL, paper INTEGER NOT NULL,
                                PRIMARY KEY (dataset, day, paper)) WITHOUT ROWID;
    CREATE INDEX paper_dataset_by_paper ON paper_dataset (paper, dataset);
    """

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        papers = papers_of(store)
        code = {r["paper"]: int(r["code"]) for r in internal_rows(store, "paper-code-counts")}
        results = {r["paper"]: int(r["results"]) for r in internal_rows(store, "paper-result-counts")}
        ids: dict[str, tuple[int, str | None]] = {}
        rows = []
        for n, iri in enumerate(sorted(papers), start=1):  # sorted: the same ids for the same graph
            title, date = papers[iri]
            ids[iri] = (n, day(date))
            rows.append((n, iri, title, date, code.get(iri, 0), results.get(iri, 0)))
        db.executemany("INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?)", rows)
        del rows, code, results
        for table, query, column, kind in LINKS:
            db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?, ?)",  # a pair twice: once
                           ((key(r[column], kind), ids[r["paper"]][1], ids[r["paper"]][0])
                            for r in internal_rows(store, query) if r["paper"] in ids))


class TaskKeysTable(Table):
    name = "task_keys"
    schema = """
    CREATE TABLE task_keys (key TEXT PRIMARY KEY, iri TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
    CREATE INDEX task_keys_by_name ON task_keys (name COLLATE NOCASE);
    """

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        db.executemany("INSERT OR IGNORE INTO task_keys VALUES (?, ?, ?)",
                       ((key(r["task"], "task"), r["task"], r.get("name") or key(r["task"], "task"))
                        for r in internal_rows(store, "paper-task-names")))


TABLES = [PapersTable(), TaskKeysTable()]
