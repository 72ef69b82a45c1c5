"""The derived graph computed from a finished store (``derive.stored.from_store``), not from the mapping's lines
as a build does: what the tests compare a build's and an accepted submission's derived graph with."""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox

from pwc_kg.derive.leaderboards import DerivedStats, write_derived
from pwc_kg.derive.stored import from_store
from pwc_kg.iri import Minter


def derive(store: ox.Store, mint: Minter, out: IO[str], graphs: list[str] | None = None) -> DerivedStats:
    """Write the derived graph's N-Triples to ``out``, computed from ``graphs`` (default: all); returns what it holds.

    A build names the source graphs (and the ontology): a previous derived graph still in the
    store, or the provenance graph, must not count.
    """
    return write_derived(from_store(store, graphs), mint, out)
