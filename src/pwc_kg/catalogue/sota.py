"""``sota``: the state of the art of every leaderboard, one row per leaderboard and best result.

A leaderboard is a benchmark and a metric, counting results that used extra training data or not
(``extra``). Its rows are ``queries/internal/sota-rows.rq``; ``sota-all.rq`` gives the same
leaderboards and results (tested equal).

All SotA (``/sota/all``) pages, sorts and filters this table: for each way it sorts (``SORTS``), one index
after ``extra`` and ``cost`` (its default leaves cost metrics out) and one after ``extra`` alone (cost
metrics shown), so a page is an indexed ``LIMIT/OFFSET`` and its count a covering index's.
"""

from __future__ import annotations

import sqlite3

import pyoxigraph as ox

from . import Table, internal_rows

COLUMNS = ("board", "extra", "benchmark", "benchmark_name", "task", "task_name", "dataset", "dataset_name", "metric",
           "metric_name", "higher_is_better", "cost", "direction_source", "value", "result_count", "result",
           "model_name", "model", "paper", "paper_title", "date")
_FLAGS = ("extra", "higher_is_better", "cost")
_NUMBERS = ("value",)
_INTEGERS = ("result_count",)


# All SotA's sort keys: the columns each orders by (``serve/pages/browse.py`` names its indexes by them).
SORTS = {
    "task": ("task_name COLLATE NOCASE", "dataset_name COLLATE NOCASE", "metric_name COLLATE NOCASE"),
    "dataset": ("dataset_name COLLATE NOCASE",),
    "metric": ("metric_name COLLATE NOCASE",),
    "model": ("model_name COLLATE NOCASE",),
    "value": ("value",),
    "date": ("date",),
    "paper": ("paper_title COLLATE NOCASE",),
}


def sort_index(key: str, cost: bool) -> str:
    """The index that orders the rows by ``key``: those without cost metrics (``cost`` False) or all."""
    return f"sota_{'any' if cost else 'nocost'}_by_{key}"


def _sort_indexes() -> str:
    out = []
    for key, columns in SORTS.items():
        out.append(f"CREATE INDEX {sort_index(key, False)} ON sota (extra, cost, {', '.join(columns)});")
        out.append(f"CREATE INDEX {sort_index(key, True)} ON sota (extra, {', '.join(columns)});")
    return "\n".join(out)


class SotaTable(Table):
    name = "sota"
    schema = """
    CREATE TABLE sota (board TEXT NOT NULL, extra INTEGER NOT NULL, benchmark TEXT NOT NULL, benchmark_name TEXT,
                       task TEXT NOT NULL, task_name TEXT, dataset TEXT NOT NULL, dataset_name TEXT, metric TEXT NOT NULL,
                       metric_name TEXT, higher_is_better INTEGER NOT NULL, cost INTEGER NOT NULL,
                       direction_source TEXT, value REAL NOT NULL, result_count INTEGER, result TEXT NOT NULL,
                       model_name TEXT, model TEXT, paper TEXT, paper_title TEXT, date TEXT,
                       PRIMARY KEY (board, result));
    CREATE INDEX sota_task ON sota (task, extra, cost);
    CREATE INDEX sota_benchmark ON sota (benchmark, extra);
    CREATE INDEX sota_dataset ON sota (dataset, extra);
    """ + _sort_indexes()

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        seen: set[tuple[str, str]] = set()
        rows = []
        for r in internal_rows(store, "sota-rows"):
            key = (r["board"], r["result"])
            if key in seen:  # a result with two model names or papers: the first, as a table shows one
                continue
            seen.add(key)
            rows.append(tuple(_value(c, r.get(c)) for c in COLUMNS))
        db.executemany(f"INSERT INTO sota ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", rows)


def _value(column: str, text: str | None):
    if column in _FLAGS:
        return int(text in ("true", "1"))
    if text is None:
        return None
    if column in _NUMBERS:
        return float(text)
    if column in _INTEGERS:
        return int(text)
    return text


TABLES = [SotaTable()]
