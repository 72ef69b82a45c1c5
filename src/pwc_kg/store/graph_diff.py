"""Replace what a named graph holds, writing only the triples that changed.

An incremental build re-maps a changed source file into N-Triples; most of its triples are
usually those the graph already holds. Deleting a graph costs far more than loading it
(Oxigraph deletes quad by quad, six index entries each), so the old and the new triples are
compared line by line, by a 128-bit hash of each N-Triples line, and only the difference is
written: removals first, then the additions through the bulk loader.

Both sides are N-Triples as pyoxigraph and pwc-kg write them (one triple per line, terms in
canonical form), so an unchanged triple has the same line on both sides. Were a triple written
differently on the two sides, it would be removed and added again: the graph would still end
exactly as the new lines say.

The default graph stays the set union of the named graphs (store/union.py): an added triple goes
into it too, a removed one leaves it only when no other named graph still states it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from ..vocab import RDF
from .union import remove_from_default

_TYPE = f"<{RDF.type}>".encode()  # as an N-Triples line writes it


@dataclass
class GraphChange:
    graph: str
    removed: int = 0
    added: int = 0
    predicates: set[str] = field(default_factory=set)  # of the triples removed or added
    classes: set[str] = field(default_factory=set)  # of the rdf:type triples removed or added

    def note(self, line: bytes) -> None:
        """Remember what a removed or added N-Triples line says: its predicate, and its class if a type."""
        _, predicate, rest = line.split(b" ", 2)
        self.predicates.add(predicate[1:-1].decode())
        if predicate == _TYPE:
            self.classes.add(rest.rstrip(b" .").strip(b"<>").decode())


def _lines(paths: Iterable[Path]) -> Iterator[tuple[bytes, bytes]]:
    """(hash, line) for each non-empty line of the files."""
    for path in paths:
        with open(path, "rb") as f:
            for line in f:
                line = line.strip()
                if line:
                    yield hashlib.blake2b(line, digest_size=16).digest(), line


def replace_graph(store: ox.Store, graph: str, new: list[Path], work: Path, old: Path | None = None) -> GraphChange:
    """Make ``graph`` hold exactly the triples of the ``new`` N-Triples files.

    What it holds now is read from ``old`` (an N-Triples file of exactly that, kept by the build
    that wrote it), else dumped from the store. A graph left with no triples is removed.
    """
    g = ox.NamedNode(graph)
    work.mkdir(parents=True, exist_ok=True)
    if old is None:
        old = work / "old.nt"
        store.dump(str(old), format=ox.RdfFormat.N_TRIPLES, from_graph=g)
    old_keys = {k for k, _ in _lines([old])}
    new_keys = {k for k, _ in _lines(new)}
    gone = old_keys - new_keys
    fresh = new_keys - old_keys
    empty = not new_keys
    del old_keys, new_keys
    change = GraphChange(graph, removed=len(gone), added=len(fresh))
    if gone:
        removed = b"\n".join(line for k, line in _lines([old]) if k in gone)
        for line in removed.split(b"\n"):
            change.note(line)
        triples = [t for t in ox.parse(input=removed, format=ox.RdfFormat.N_TRIPLES)]
        for t in triples:
            store.remove(ox.Quad(t.subject, t.predicate, t.object, g))
        remove_from_default(store, triples, g)  # after all of them: only other graphs' statements count
    if fresh:
        added = work / "added.nt"
        with open(added, "wb") as out:
            for k, line in _lines(new):
                if k in fresh:
                    fresh.discard(k)  # a line written twice is added once
                    out.write(line + b"\n")
                    change.note(line)
        store.bulk_load(path=str(added), format=ox.RdfFormat.N_TRIPLES, to_graph=g)
        store.bulk_load(path=str(added), format=ox.RdfFormat.N_TRIPLES)  # the default graph: a set, no duplicates
        added.unlink()
    if empty:
        store.remove_graph(g)
    if old.parent == work and old.name == "old.nt":
        old.unlink()
    return change
