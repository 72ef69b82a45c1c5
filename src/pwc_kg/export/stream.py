"""The store read as a stream of subject blocks: one subject's statements at a time.

Dataset formats (N-Quads, TriG, JSON-LD) keep the named graphs: the blocks come graph by graph,
each graph in the store's own subject order (its GSPO index), so one subject's statements in one
graph are consecutive. Graph formats (N-Triples, Turtle) hold the merge of the graphs, where a
triple that several graphs hold is one triple: the blocks come subject by subject, and each
subject's statements are read from all the chosen graphs at once (the SPOG index) and written
once. Either way only one block is in memory, plus, for the merge, the store's set of the
distinct subjects (encoded terms, not text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import pyoxigraph as ox

from ..queries.binding import bind_values
from ..queries.named import load_query

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Statement = tuple[ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]


@dataclass
class Block:
    graph: GraphName | None  # None: the merge of the chosen graphs
    subject: ox.NamedNode | ox.BlankNode
    statements: list[Statement]  # (predicate, object) pairs


def graph_blocks(store: ox.Store, graphs: Iterable[GraphName]) -> Iterator[Block]:
    """The chosen graphs, one after the other, each as its subjects' blocks."""
    for graph in graphs:
        block: Block | None = None
        for q in store.quads_for_pattern(None, None, None, graph):
            s = q.subject
            if block is None or s != block.subject:
                if block is not None:
                    yield block
                block = Block(graph, s, [])
            block.statements.append((q.predicate, q.object))
        if block is not None:
            yield block


def merged_blocks(store: ox.Store, graphs: list[GraphName], everything: bool = False) -> Iterator[Block]:
    """The merge of the chosen graphs (named graphs, or ``everything`` the store holds), subject by subject,
    each triple once."""
    chosen = set(graphs)
    if everything:
        rows = store.query(load_query("internal/all-subjects").text)
    else:
        named = [g for g in graphs if isinstance(g, ox.NamedNode)]
        if len(named) != len(graphs):
            raise ValueError("a merge of chosen graphs takes named graphs only")
        rows = store.query(bind_values(load_query("internal/graph-subjects-list").text, {"g": named})) if named else []
    for row in rows:
        s = row["s"]
        seen: set[Statement] = set()
        statements = []
        for q in store.quads_for_pattern(s, None, None, None):
            if everything or q.graph_name in chosen:
                po = (q.predicate, q.object)
                if po not in seen:
                    seen.add(po)
                    statements.append(po)
        if statements:
            yield Block(None, s, statements)
