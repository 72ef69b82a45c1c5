"""The task tree, the research areas and the benchmarks, as Browse state of the art shows them.

Tables (each filled from the internal query named, and tested equal to it):

- ``tasks``: every task, its name and slug, its number of papers and of benchmarks, its own and with its
  subtasks' (``task-rows``, ``task-counts``);
- ``task_parents``: the tree's links, a task and each of its parents (``task-parents``);
- ``task_subtree``: a task and every task under it, itself included (``task-subtree``): what "with
  subtasks" counts and what All SotA's task filter takes;
- ``task_areas``: the research areas of a task, its own or, without one, those above it (``task-areas``);
- ``areas``: every research area with its number of tasks, benchmarks and papers (``area-rows``,
  ``area-counts``);
- ``benchmarks``: every benchmark with its task and dataset, its number of results (under its most used
  metric) and of metrics (``task-benchmark-rows``; the counts from ``boards``, as
  ``notable-benchmarks.rq`` counts them);
- ``boards``: every leaderboard that counts results with extra training data, known direction or not
  (``task-board-rows``): a task page lists every benchmark's metrics from it;
- ``records``: those leaderboards' record histories (``task-record-rows``): the task page's trends.

A slug is the IRI's last part after ``/task/`` or ``/area/``: the page's path, as the links make it.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import pyoxigraph as ox

from . import Table, internal_rows


def slug(iri: str, kind: str) -> str:
    """The part of a minted IRI after ``/KIND/``.

    >>> slug("https://w3id.org/pwc-kg/resource/task/question-answering", "task")
    'question-answering'
    """
    marker = f"/{kind}/"
    at = iri.rfind(marker)
    return iri[at + len(marker):] if at >= 0 else iri


def _int(text: str | None) -> int:
    return int(text) if text is not None else 0


def _flag(text: str | None) -> int | None:
    return None if text is None else int(text in ("true", "1"))


class TasksTable(Table):
    name = "tasks"
    schema = """
    CREATE TABLE tasks (task TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL,
                        papers INTEGER NOT NULL, benchmarks INTEGER NOT NULL,
                        papers_all INTEGER NOT NULL, benchmarks_all INTEGER NOT NULL);
    CREATE INDEX tasks_slug ON tasks (slug);
    CREATE INDEX tasks_name ON tasks (name COLLATE NOCASE);
    CREATE TABLE task_parents (task TEXT NOT NULL, parent TEXT NOT NULL, PRIMARY KEY (task, parent));
    CREATE INDEX task_parents_parent ON task_parents (parent);
    CREATE TABLE task_subtree (task TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (task, member));
    CREATE INDEX task_subtree_member ON task_subtree (member);
    CREATE TABLE task_areas (task TEXT NOT NULL, area TEXT NOT NULL, inherited INTEGER NOT NULL,
                             PRIMARY KEY (task, area));
    CREATE INDEX task_areas_area ON task_areas (area, task);
    CREATE TABLE areas (area TEXT PRIMARY KEY, name TEXT, slug TEXT NOT NULL, tasks INTEGER NOT NULL,
                        benchmarks INTEGER NOT NULL, papers INTEGER NOT NULL);
    CREATE INDEX areas_slug ON areas (slug);
    """

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        counts: dict[tuple[str, str], tuple[int, int]] = {}
        for r in internal_rows(store, "task-counts"):
            counts[(r["task"], r["scope"])] = (_int(r.get("papers")), _int(r.get("benchmarks")))
        rows = []
        for r in internal_rows(store, "task-rows"):
            own = counts.get((r["task"], "own"), (0, 0))
            every = counts.get((r["task"], "with subtasks"), (0, 0))
            rows.append((r["task"], r["name"], slug(r["task"], "task"), own[0], own[1], every[0], every[1]))
        db.executemany("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO task_parents VALUES (?, ?)",
                       [(r["task"], r["parent"]) for r in internal_rows(store, "task-parents")])
        db.executemany("INSERT INTO task_subtree VALUES (?, ?)",
                       [(r["task"], r["member"]) for r in internal_rows(store, "task-subtree")])
        areas: dict[tuple[str, str], int] = {}
        for r in internal_rows(store, "task-areas"):
            key = (r["task"], r["area"])
            # An area both its own and a parent's (the query cannot give both: said once, as its own).
            areas[key] = min(areas.get(key, 1), _flag(r.get("inherited")) or 0)
        db.executemany("INSERT INTO task_areas VALUES (?, ?, ?)", [(t, a, i) for (t, a), i in areas.items()])
        area_counts = {r["area"]: (_int(r.get("tasks")), _int(r.get("benchmarks")), _int(r.get("papers")))
                       for r in internal_rows(store, "area-counts")}
        db.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?)",
                       [(r["area"], r.get("name"), slug(r["area"], "area"), *area_counts.get(r["area"], (0, 0, 0)))
                        for r in internal_rows(store, "area-rows")])


class BenchmarksTable(Table):
    name = "benchmarks"
    schema = """
    CREATE TABLE benchmarks (benchmark TEXT PRIMARY KEY, name TEXT, task TEXT NOT NULL, dataset TEXT,
                             dataset_name TEXT, results INTEGER NOT NULL, metrics INTEGER NOT NULL);
    CREATE INDEX benchmarks_task ON benchmarks (task);
    CREATE INDEX benchmarks_results ON benchmarks (results DESC, benchmark, metrics);
    CREATE TABLE boards (board TEXT PRIMARY KEY, benchmark TEXT NOT NULL, metric TEXT NOT NULL,
                         metric_name TEXT, result_count INTEGER NOT NULL, higher_is_better INTEGER,
                         cost INTEGER NOT NULL);
    CREATE INDEX boards_benchmark ON boards (benchmark);
    CREATE TABLE records (board TEXT NOT NULL, idx INTEGER NOT NULL, date TEXT NOT NULL, value REAL NOT NULL,
                          PRIMARY KEY (board, idx));
    """

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        boards = {}
        for r in internal_rows(store, "task-board-rows"):
            if r["board"] in boards:  # a metric with two names: the first, as a table shows one
                continue
            boards[r["board"]] = (r["board"], r["benchmark"], r["metric"], r.get("metric_name"),
                                  _int(r.get("result_count")), _flag(r.get("higher_is_better")),
                                  _flag(r.get("cost")) or 0)
        db.executemany("INSERT INTO boards VALUES (?, ?, ?, ?, ?, ?, ?)", list(boards.values()))
        most: dict[str, int] = defaultdict(int)
        metrics: dict[str, int] = defaultdict(int)
        for _, benchmark, _, _, n, _, _ in boards.values():
            most[benchmark] = max(most[benchmark], n)
            metrics[benchmark] += 1
        rows = {}
        for r in internal_rows(store, "task-benchmark-rows"):
            b = r["benchmark"]
            if b not in rows:  # a benchmark with two names or tasks: the first
                rows[b] = (b, r.get("name"), r["task"], r.get("dataset"), r.get("dataset_name"), most[b], metrics[b])
        db.executemany("INSERT INTO benchmarks VALUES (?, ?, ?, ?, ?, ?, ?)", list(rows.values()))
        db.executemany("INSERT OR IGNORE INTO records VALUES (?, ?, ?, ?)",
                       [(r["board"], int(r["idx"]), r["date"], float(r["value"]))
                        for r in internal_rows(store, "task-record-rows")])


TABLES = [TasksTable(), BenchmarksTable()]
