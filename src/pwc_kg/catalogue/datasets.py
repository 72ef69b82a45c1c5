"""``datasets``: every dataset with its papers and benchmarks counted, and what /datasets filters it by.

- ``datasets``: one row per dataset (``queries/internal/dataset-rows.rq``): its name, the archive's
  count of its papers (``paper_count``, pwc:paperCount; NULL where the archive gives none), the
  papers of the graph that report results on it or introduced it (``papers``: the rows of
  ``paper-datasets.rq``, which also fill ``paper_dataset``) and its benchmarks
  (``dataset-benchmarks.rq``).
- ``dataset_facet``: its modalities, languages and tasks (``dataset-facets.rq``), one row per value; a
  task by its key (``catalogue.key``), whose name is in ``task_keys``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import pyoxigraph as ox

from . import Table, entity_rows, internal_rows, key


class DatasetsTable(Table):
    name = "datasets"
    schema = """
    CREATE TABLE datasets (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, key TEXT NOT NULL UNIQUE,
                           name TEXT NOT NULL, full_name TEXT, paper_count INTEGER, papers INTEGER NOT NULL,
                           benchmarks INTEGER NOT NULL);
    CREATE INDEX datasets_by_name ON datasets (name COLLATE NOCASE, id);
    CREATE INDEX datasets_by_papers ON datasets (paper_count DESC, papers DESC, name COLLATE NOCASE, id);
    CREATE TABLE dataset_facet (facet TEXT NOT NULL, value TEXT NOT NULL, dataset INTEGER NOT NULL,
                                PRIMARY KEY (facet, value, dataset)) WITHOUT ROWID;
    CREATE INDEX dataset_facet_of ON dataset_facet (dataset, facet, value);
    """

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        benchmarks = {r["dataset"]: int(r["benchmarks"]) for r in internal_rows(store, "dataset-benchmarks")}
        papers = Counter(d for _, d in {(r["paper"], r["dataset"]) for r in internal_rows(store, "paper-datasets")})
        ids, entities = entity_rows(store, "dataset-rows", "dataset")
        rows = [row + (papers.get(row[1], 0), benchmarks.get(row[1], 0)) for row in entities]
        db.executemany("INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT OR IGNORE INTO dataset_facet VALUES (?, ?, ?)",
                       ((r["facet"], key(r["value"], "task") if r["facet"] == "task" else r["value"], ids[r["dataset"]])
                        for r in internal_rows(store, "dataset-facets") if r["dataset"] in ids))


TABLES = [DatasetsTable()]
