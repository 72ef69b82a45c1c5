"""``methods``: every method with its papers counted, and its collections and areas for /methods.

- ``methods``: one row per method (``queries/internal/method-rows.rq``): its name, the archive's count
  of its papers (``paper_count``, pwc:paperCount; NULL where the archive gives none) and the papers
  of the graph that use it (``papers``: the rows of ``paper-methods.rq``, which also fill
  ``paper_method``).
- ``method_collection``: its collections with their areas (``method-collections.rq``), by key
  (``catalogue.key``) and name.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import pyoxigraph as ox

from . import Table, entity_rows, internal_rows, key


class MethodsTable(Table):
    name = "methods"
    schema = """
    CREATE TABLE methods (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, key TEXT NOT NULL UNIQUE,
                          name TEXT NOT NULL, full_name TEXT, paper_count INTEGER, papers INTEGER NOT NULL);
    CREATE INDEX methods_by_name ON methods (name COLLATE NOCASE, id);
    CREATE INDEX methods_by_papers ON methods (paper_count DESC, papers DESC, name COLLATE NOCASE, id);
    CREATE TABLE method_collection (method INTEGER NOT NULL, collection TEXT NOT NULL, collection_name TEXT NOT NULL,
                                    area TEXT, area_name TEXT, PRIMARY KEY (method, collection, area));
    CREATE INDEX method_collection_by_collection ON method_collection (collection, method);
    CREATE INDEX method_collection_by_area ON method_collection (area, method);
    CREATE INDEX method_collection_by_collection_name ON method_collection (collection_name COLLATE NOCASE);
    CREATE INDEX method_collection_by_area_name ON method_collection (area_name COLLATE NOCASE);
    """

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        papers = Counter(r["method"] for r in internal_rows(store, "paper-methods"))
        ids, entities = entity_rows(store, "method-rows", "method")
        rows = [row + (papers.get(row[1], 0),) for row in entities]
        db.executemany("INSERT INTO methods VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT OR IGNORE INTO method_collection VALUES (?, ?, ?, ?, ?)", (
            (ids[r["method"]], key(r["collection"], "collection"),
             r.get("collection_name") or key(r["collection"], "collection"),
             key(r["area"], "area") if "area" in r else None,
             (r.get("area_name") or key(r["area"], "area")) if "area" in r else None)
            for r in internal_rows(store, "method-collections") if r["method"] in ids))


TABLES = [MethodsTable()]
