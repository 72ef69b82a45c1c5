"""``ranks``: every ranked result's place on its leaderboard (with extra training data and without), so that
the benchmark page reads one page of the longest leaderboard with an indexed ``LIMIT/OFFSET`` (27 ms of SPARQL
for the largest at full scale, well under 1 ms here). The order is ``leaderboard-page.rq``'s: by rank, then by
the result's IRI (SQLite compares text as UTF-8 bytes, SPARQL IRIs by code point: the same order).
"""

from __future__ import annotations

import sqlite3

import pyoxigraph as ox

from . import Table, internal_rows


class RanksTable(Table):
    name = "ranks"
    schema = """
    CREATE TABLE ranks (benchmark TEXT NOT NULL, metric TEXT NOT NULL, extra INTEGER NOT NULL, rank INTEGER NOT NULL,
                        result TEXT NOT NULL, PRIMARY KEY (benchmark, metric, extra, rank, result)) WITHOUT ROWID;
    """

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        rows = []
        for r in internal_rows(store, "result-ranks"):
            rows.append((r["benchmark"], r["metric"], 1, int(r["rank"]), r["result"]))
            if "rank_without_extra" in r:
                rows.append((r["benchmark"], r["metric"], 0, int(r["rank_without_extra"]), r["result"]))
        db.executemany("INSERT OR IGNORE INTO ranks VALUES (?, ?, ?, ?, ?)", rows)


def page(cat, benchmark: str, metric: str, with_extra: bool, limit: int, offset: int) -> list[str]:
    """One page of a leaderboard's ranked results, best first."""
    return [r["result"] for r in cat.rows(
        "SELECT result FROM ranks WHERE benchmark = ? AND metric = ? AND extra = ? ORDER BY rank, result "
        "LIMIT ? OFFSET ?", (benchmark, metric, int(with_extra), limit, offset))]


TABLES = [RanksTable()]
