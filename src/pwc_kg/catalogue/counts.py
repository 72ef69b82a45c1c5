"""``void_counts``: what the VoID description counts (distinct triples in all, per property, per named
graph and per class, distinct subjects, links out), counted once per generation.

Counting scans the whole store (minutes at full scale): done here, a server's ``/.well-known/void``
only writes the description around these numbers. The numbers are those of
``pwc_kg.export.void.store_counts`` (tested equal).
"""

from __future__ import annotations

import json
import sqlite3

import pyoxigraph as ox

from ..export.void import Counts, distinct_subjects, entities_per_class, store_counts
from ..iri import DEFAULT_BASE
from ..queries.run import EmbeddedBackend
from ..queries.resolve import base_iri
from . import Catalogue, Table


class VoidCounts(Table):
    name = "void_counts"
    schema = "CREATE TABLE void_counts (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

    def fill(self, store: ox.Store, db: sqlite3.Connection) -> None:
        base = base_iri(EmbeddedBackend(store)) or DEFAULT_BASE
        counts = store_counts(store, None, base + "graph/ontology")
        counts.subjects = distinct_subjects(store, None, None, counts)
        counts.classes = entities_per_class(store, None)
        db.executemany("INSERT INTO void_counts VALUES (?, ?)", [
            ("statements", json.dumps(counts.statements)), ("graphs", json.dumps(counts.graphs)),
            ("predicates", json.dumps(counts.predicates)),
            ("links", json.dumps([[k, p, n] for (k, p), n in sorted(counts.links.items())])),
            ("subjects", json.dumps(counts.subjects)), ("classes", json.dumps(counts.classes))])


def void_counts(cat: Catalogue) -> Counts:
    """The counts kept in a catalogue."""
    v = {r["key"]: json.loads(r["value"]) for r in cat.rows("SELECT key, value FROM void_counts")}
    return Counts(v["statements"], v["graphs"], v["predicates"], {(k, p): n for k, p, n in v["links"]},
                  v["subjects"], v["classes"])


TABLES = [VoidCounts()]
