"""``pwc-kg stats``: what a store or a server holds, per class and per named graph.

:func:`graph_stats` counts over any ``select(query)`` (the embedded store's ``query``, a remote backend's
``select``), with the queries of ``queries/internal/``: ``triples`` are the distinct triples, those of the
default graph where it is the set union of the named graphs (the store's, store/union.py; a server's pushed
``UNION_GRAPH``); ``quads`` the named graphs' triples added up; ``graphs`` each named graph's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox

from .derive.directions import SOURCES
from .queries.named import load_query
from .vocab import PWC_NS

Select = Callable[[str], Iterable]  # a query's text -> its rows, each indexed by variable name


def _rows(select: Select, name: str) -> Iterable:
    return select(load_query(f"internal/{name}").text)


def _counts(select: Select, name: str, key: str) -> dict[str, int]:
    return {row[key].value: int(row["n"].value) for row in _rows(select, name)}


def graph_counts(store: ox.Store) -> dict[str, int]:
    """Triples per named graph."""
    return _counts(store.query, "graph-triples", "g")


def direction_counts(select: Select) -> tuple[dict[str, int], dict[str, int]]:
    """Metrics, and benchmark+metric pairs, by how their direction was decided (every source named, 0 or more)."""
    out = []
    for name in ("metric-directions", "direction-coverage"):
        out.append({how: 0 for how in SOURCES} | _counts(select, name, "how"))
    return out[0], out[1]


def graph_stats(select: Select, *, graphs_under: str = "", distinct: bool = True) -> dict:
    """The counts of ``pwc-kg stats``. ``graphs_under``: only the named graphs whose IRI starts with it are
    counted (a server may hold graphs of its own); ``distinct``: the default graph holds each distinct triple
    once, so it gives ``triples`` (else, a server's union of the named graphs being a bag, the quads do)."""
    graphs = {g: n for g, n in sorted(_counts(select, "graph-triples", "g").items()) if g.startswith(graphs_under)}
    classes = {c.removeprefix(PWC_NS): n for c, n in sorted(_counts(select, "class-entities", "c").items())}
    directions, coverage = direction_counts(select)
    # a triple that two sources state is one of the triples and two of the quads
    quads = sum(graphs.values())
    triples = int(next(iter(_rows(select, "distinct-triples")))["n"].value) if distinct else quads
    return {"triples": triples, "quads": quads, "classes": classes, "graphs": graphs,
            "metric_directions": directions, "direction_coverage": coverage}


def store_stats(store: ox.Store, generation: Path | None = None) -> dict:
    """The counts of a store, with the summary of the build that made its generation (``build.json``)."""
    out = graph_stats(store.query)
    if generation is not None and (generation / "build.json").is_file():
        build = json.loads((generation / "build.json").read_text())
        out["build"] = {k: build[k] for k in ("generation", "base_iri", "records", "records_rejected", "rejects",
                                              "violations", "seconds") if k in build}
    return out


def format_stats(stats: dict) -> str:
    lines = [f"triples  {stats['triples']:>12,}  (distinct)"]
    if "quads" in stats:
        lines.append(f"quads    {stats['quads']:>12,}  (the named graphs' triples added up)")
    lines += ["", "classes"]
    lines += [f"  {name:<24}{n:>12,}" for name, n in stats["classes"].items()]
    d = stats.get("metric_directions", {})
    lines += ["", "metric directions: " + ", ".join(f"{how} {n:,}" for how, n in d.items() if n)]
    cov = stats.get("direction_coverage", {})
    if any(cov.values()):
        total = sum(cov.values()) or 1
        lines += ["", "leaderboard directions (benchmark+metric pairs): " + ", ".join(
            f"{how} {n:,} ({100 * n / total:.1f}%)" for how, n in cov.items() if n)]
    lines += ["", "graphs"]
    width = max([60] + [len(g) for g in stats["graphs"]])  # every IRI whole, the counts aligned after them
    lines += [f"  {g:<{width}}{n:>12,}" for g, n in stats["graphs"].items()]
    if "build" in stats:
        b = stats["build"]
        lines += ["", f"build {b.get('generation')}: {b.get('records', 0):,} records, "
                      f"{b.get('rejects', 0):,} rejects, {b.get('violations', 0):,} violations"]
    return "\n".join(lines) + "\n"
