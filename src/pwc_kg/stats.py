"""``pwc-kg stats``: what a store holds, per class and per named graph.

``triples`` are the distinct triples (the default graph, the set union of the named graphs);
``quads`` the named graphs' triples added up; ``graphs`` each named graph's."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from .queries.binding import bind_values
from .store.union import count_default
from .derive.directions import SOURCES
from .vocab import PWC, PWC_NS


def graph_counts(store: ox.Store) -> dict[str, int]:
    """Triples per named graph."""
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    return {row["g"].value: int(row["n"].value) for row in store.query(q)}


_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"


def class_counts(store: ox.Store, graphs: list[str] | None = None) -> dict[str, int]:
    """Distinct instances per class (by IRI), in the given named graphs or in all of them."""
    q = _CLASSES if graphs is None else bind_values(_CLASSES, {"g": [ox.NamedNode(g) for g in graphs]})
    return {row["c"].value: int(row["n"].value) for row in store.query(q) if isinstance(row["c"], ox.NamedNode)}


_METRIC_DIRECTIONS = (f"SELECT ?how (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a <{PWC.Metric}> ; "
                      f"<{PWC.directionSource}> ?how }} GROUP BY ?how")
# Benchmark+metric pairs (their leaderboard of all results) by how their direction was decided.
_COVERAGE = (f"SELECT ?how (COUNT(?board) AS ?n) WHERE {{ ?board a <{PWC.Leaderboard}> ; "
             f"<{PWC.includesExtraTrainingData}> true ; <{PWC.directionSource}> ?how }} GROUP BY ?how")


def direction_counts(select) -> tuple[dict[str, int], dict[str, int]]:
    """Metrics, and benchmark+metric pairs, by how their direction was decided (every source named, 0 or more),
    from any ``select(query)`` (the embedded store's or a remote backend's)."""
    out = []
    for q in (_METRIC_DIRECTIONS, _COVERAGE):
        counts = {how: 0 for how in SOURCES}
        for row in select(q):
            counts[row["how"].value] = int(row["n"].value)
        out.append(counts)
    return out[0], out[1]


def store_stats(store: ox.Store, generation: Path | None = None) -> dict:
    graphs = dict(sorted(graph_counts(store).items()))
    classes = {c.removeprefix(PWC_NS): n for c, n in sorted(class_counts(store).items()) if c.startswith(PWC_NS)}
    directions, coverage = direction_counts(store.query)
    # triples: distinct, those of the default graph (store/union.py); quads: the named graphs' triples
    # added up, a triple that two sources state counted twice.
    out = {"triples": count_default(store), "quads": sum(graphs.values()), "classes": classes, "graphs": graphs,
           "metric_directions": directions, "direction_coverage": coverage}
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
