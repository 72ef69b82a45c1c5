"""The store's default graph: every distinct triple of its named graphs, once.

A query that names no graph (no ``GRAPH``, no ``FROM``) reads the default graph. pyoxigraph 0.5's
"union default graph" (``use_default_graph_as_union``) is a bag: a triple that two named graphs
hold is seen twice, so ``COUNT``, ``SUM`` and every join over it are inflated (oxigraph issue 1919,
fixed only in 0.6.0-dev). So pwc-kg keeps the union itself, as a set: Oxigraph stores a set of
quads, so loading each named graph's triples into the default graph as well stores each distinct
triple once there, and the named graphs stay one per source, for provenance (``GRAPH ?g``).

Every write keeps the default graph equal to the set union of the named graphs:

- a triple added to a named graph is added to the default graph (a no-op when it is there);
- a triple removed from a named graph leaves the default graph only when no other named graph
  still states it (:func:`remove_from_default`).

:class:`SetKeeping` wraps a store so that ``add``, ``extend``, ``remove``, ``remove_graph`` and
``clear_graph`` on named graphs do this; bulk loads do it themselves (store/graph_diff.py, store/loader.py, build/).
:func:`fill_default` computes the default graph from scratch (a store loaded from a dump, which
holds the named graphs only); :func:`check_default` tells a store built before the default graph
was kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from .. import resources
from ..errors import PwcKgError

DEFAULT = ox.DefaultGraph()


class DefaultGraphMissing(PwcKgError, RuntimeError):
    """The store's named graphs hold triples but its default graph is empty: built by an older pwc-kg."""


def to_default(quads: Iterable[ox.Quad | ox.Triple]) -> list[ox.Quad]:
    return [ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in quads]


def stated_elsewhere(store: ox.Store, triple: ox.Quad | ox.Triple, graph: ox.NamedNode | ox.BlankNode | None) -> bool:
    """Whether a named graph other than ``graph`` holds the triple."""
    for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object):
        g = q.graph_name
        if not isinstance(g, ox.DefaultGraph) and g != graph:
            return True
    return False


def remove_from_default(store: ox.Store, triples: Iterable[ox.Quad | ox.Triple],
                        graph: ox.NamedNode | ox.BlankNode | None) -> int:
    """Triples just removed from ``graph``: each leaves the default graph unless another named graph
    still states it. Returns how many left it."""
    gone = 0
    for t in triples:
        if not stated_elsewhere(store, t, graph):
            store.remove(ox.Quad(t.subject, t.predicate, t.object, DEFAULT))
            gone += 1
    return gone


def copy_to_default(store: ox.Store, graph: ox.NamedNode, batch: int = 100_000) -> None:
    """Every triple of a named graph into the default graph (blank nodes stay the same nodes)."""
    quads: list[ox.Quad] = []
    for q in store.quads_for_pattern(None, None, None, graph):
        quads.append(ox.Quad(q.subject, q.predicate, q.object, DEFAULT))
        if len(quads) >= batch:
            store.extend(quads)
            quads = []
    if quads:
        store.extend(quads)


def drop_graph(store: ox.Store, graph: ox.NamedNode) -> None:
    """Remove a named graph; its triples leave the default graph unless another named graph states them."""
    quads = list(store.quads_for_pattern(None, None, None, graph))
    store.remove_graph(graph)
    remove_from_default(store, quads, graph)


def fill_default(store: ox.Store, work: str | Path | None = None) -> int:
    """Make the default graph the set union of the named graphs, from scratch; returns its triples.

    For a store loaded from a dump (``pwc-kg export`` writes the named graphs only) or built before
    pwc-kg kept the default graph. Graph by graph through an N-Triples file and the bulk loader when
    ``work`` (a folder) is given, else through ``extend`` (blank nodes kept; small stores).
    """
    store.clear_graph(DEFAULT)
    for g in list(store.named_graphs()):
        if work is not None and not _has_blank_nodes(store, g):
            path = Path(work) / "default-graph.nt"
            store.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=g)
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
            path.unlink()
        else:
            copy_to_default(store, g)
    return count_default(store)


def _has_blank_nodes(store: ox.Store, graph) -> bool:
    return any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
               for q in store.quads_for_pattern(None, None, None, graph))


def has_default(store: ox.Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, DEFAULT)), None) is not None


def union_options(store: ox.Store) -> dict:
    """``store.query`` options to read the union of the named graphs: the default graph, or for a store
    that has none (made by hand, or loaded from a dump without :func:`fill_default`), pyoxigraph's
    union, a bag: for callers whose answers do not change when a triple repeats (a validation, a set
    of triples written)."""
    return {} if has_default(store) else {"use_default_graph_as_union": True}


def count_default(store: ox.Store) -> int:
    """The distinct triples of the store: those of its default graph."""
    # The query's file read as it is (queries/ is above store/ in the layers; it binds nothing)
    (row,) = store.query(resources.path("queries/internal/distinct-triples.rq").read_text(encoding="utf-8"))
    return int(row["n"].value)


def check_default(store: ox.Store, where: str = "the store") -> None:
    """Raise DefaultGraphMissing when the named graphs hold triples and the default graph none."""
    if has_default(store):
        return
    for g in store.named_graphs():
        if next(iter(store.quads_for_pattern(None, None, None, g)), None) is not None:
            raise DefaultGraphMissing(
                f"{where} has named graphs but an empty default graph: it was built by a pwc-kg that did not "
                "keep the union of the named graphs as the default graph. Make a full build of it again (or, "
                "for a store loaded from a dump, call pwc_kg.store.union.fill_default(store))")


class SetKeeping:
    """A store whose writes to named graphs keep the default graph their set union.

    Everything else is the wrapped store's (``query``, ``quads_for_pattern``, ...). Writes to the
    default graph itself are refused: it is computed, never stated.
    """

    def __init__(self, store: ox.Store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    @property
    def store(self) -> ox.Store:
        return self._store

    @staticmethod
    def _named(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
        quads = list(quads)
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                raise ValueError(f"{q}: the default graph is the union of the named graphs; write into a named graph")
        return quads

    def add(self, quad: ox.Quad) -> None:
        self.extend([quad])

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        quads = self._named(quads)
        self._store.extend(quads + to_default(quads))

    def remove(self, quad: ox.Quad) -> None:
        (quad,) = self._named([quad])
        self._store.remove(quad)
        remove_from_default(self._store, [quad], quad.graph_name)

    def remove_graph(self, graph: ox.NamedNode) -> None:
        drop_graph(self._store, graph)

    def clear_graph(self, graph: ox.NamedNode) -> None:
        if isinstance(graph, ox.DefaultGraph):
            raise ValueError("the default graph is the union of the named graphs: clear the named graphs")
        quads = list(self._store.quads_for_pattern(None, None, None, graph))
        self._store.clear_graph(graph)
        remove_from_default(self._store, quads, graph)
