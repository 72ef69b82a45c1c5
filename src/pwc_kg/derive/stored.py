"""The derivation's inputs read from a store, with the queries of ``queries/internal/`` that state them.

Each method reads one input (derive/inputs.py says which) of the whole store, or, with benchmarks
or metrics given, of those only, bound as VALUES: an accepted submission's update reads exactly what
a build reads, restricted to what it touches (derive/partial.py). :func:`from_store` reads them all,
for any built store; the build itself reads the same from the mapping's lines (``inputs.read_taps``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

import pyoxigraph as ox

from ..queries import bind_values, load_query
from ..store.union import union_options
from ..values import read_boolean
from ..vocab import PWC
from . import directions
from .inputs import (PAPER_DATES, Inputs, Row, dated, descriptions, number, override_key,
                     results_by_pair, titles)

# Past this many subjects, one scan of a property and a filter cost less than the subjects bound as VALUES
# (the titles of a full store's results: ten times less).
BIND_AT_MOST = 1000


def _nodes(values: Iterable[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(v) for v in sorted(values)]


class StoreReader:
    """The inputs of a derivation from ``graphs`` of a store (None: all of them, through the default graph)."""

    def __init__(self, store: ox.Store, graphs: list[str] | None):
        self.store = store
        self.graphs = None if graphs is None else [ox.NamedNode(g) for g in graphs]

    def select(self, name: str, bindings: dict):
        """``queries/internal/NAME.rq``, bound, over the union of the graphs."""
        query = bind_values(load_query(f"internal/{name}").text, bindings)
        if self.graphs is None:
            return self.store.query(query, **union_options(self.store))  # the default graph: the union, a set
        return self.store.query(query, default_graph=self.graphs)

    def per_graph(self, name: str, bindings: dict):
        """``queries/internal/NAME.rq``, which names its graphs (``GRAPH ?g``), bound, over the graphs only."""
        return self.store.query(bind_values(load_query(f"internal/{name}").text, bindings), named_graphs=self.graphs)

    def spellings(self, metrics: set[str] | None = None) -> dict[str, Counter]:
        """metric → its spellings → how many results use each (0: a name of the metric no result uses)."""
        bound = {} if metrics is None else {"m": _nodes(metrics)}
        spellings: dict[str, Counter] = defaultdict(Counter)
        for row in self.select("metric-names", bound):
            spellings[row["m"].value][row["n"].value] += 0
        for row in self.select("metric-spellings", bound):
            spellings[row["m"].value][row["n"].value] += int(row["uses"].value)
        return dict(spellings)

    def overrides(self, benchmarks: set[str] | None = None) -> dict[tuple[str, str], bool]:
        """(benchmark, metric) → higher is better, where the direction overrides name the benchmark's metric."""
        wanted = directions.overrides()
        if not wanted:
            return {}
        out = {}
        for row in self.select("override-keys", {} if benchmarks is None else {"b": _nodes(benchmarks)}):
            key = override_key(row["tn"].value, row["dn"].value, row["mn"].value)
            if key in wanted:
                out[(row["b"].value, row["m"].value)] = wanted[key]
        return out

    def results(self, benchmarks: set[str] | None = None,
                metrics: set[str] | None = None) -> dict[tuple[str, str], list[Row]]:
        """(benchmark, metric) → its results, of every pair of the given benchmarks and metrics (None: any)."""
        bound = {}
        if benchmarks is not None:
            bound["b"] = _nodes(benchmarks)
        if metrics is not None:
            bound["m"] = _nodes(metrics)
        groups: dict[tuple[str, str], dict[str, Row]] = defaultdict(dict)
        # Per named graph (results-to-rank.rq says why); over their union it would also be a third slower.
        for row in self.per_graph("results-to-rank", bound):
            r, x, d = row["r"].value, row["x"], row["d"]
            groups[(row["b"].value, row["m"].value)][r] = Row(r, number(row["v"].value), d.value if d else None,
                                                              None if x is None else read_boolean(x.value))
        return results_by_pair(groups)

    def smallest(self, predicate: str, subjects: set[str]) -> dict[str, str]:
        """subject → its smallest value of ``predicate``, for the given subjects."""
        if not subjects:
            return {}
        bound = {"p": ox.NamedNode(predicate)}
        if len(subjects) <= BIND_AT_MOST:
            bound["s"] = _nodes(subjects)
        out: dict[str, str] = {}
        for row in self.select("property-values", bound):
            subject, value = row["s"].value, row["o"].value
            if subject in subjects and (subject not in out or value < out[subject]):
                out[subject] = value
        return out

    def titles(self, paper_of: dict[str, str]) -> list[tuple[str, str]]:
        """(result, its paper's title), by result, of results with their paper (``smallest(PWC.reportedIn, ...)``)."""
        return titles(paper_of, self.smallest(PWC.title, set(paper_of.values())))

    def descriptions(self, benchmarks: set[str]) -> dict[str, str]:
        """benchmark → the description its own source gives its dataset (inputs.descriptions says which)."""
        dataset_of: dict[str, set[str]] = defaultdict(set)
        description_of: dict[str, str] = {}
        for row in self.per_graph("benchmark-descriptions", {}):
            b, ds, d = row["b"].value, row["ds"].value, row["d"]
            if b in benchmarks:
                dataset_of[b].add(ds)
                if d is not None and (ds not in description_of or d.value < description_of[ds]):
                    description_of[ds] = d.value
        return descriptions(dataset_of, description_of)


def from_store(store: ox.Store, graphs: list[str] | None = None) -> Inputs:
    """Everything the derivation reads, from ``graphs`` of a store (None: all)."""
    read = StoreReader(store, graphs)
    results = read.results()
    paper_of = read.smallest(PWC.reportedIn, {r.result for rows in results.values() for r in rows})
    papers = set(paper_of.values())
    facts = {p: read.smallest(p, papers) for p in PAPER_DATES}
    return Inputs(spellings=read.spellings(), overrides=read.overrides(),
                  results=dated(results, paper_of, lambda paper: {p: facts[p].get(paper) for p in PAPER_DATES}),
                  titles=read.titles(paper_of), descriptions=read.descriptions({b for b, _ in results}))


__all__ = ["StoreReader", "from_store"]
