"""Running the compiled shapes (compiler.py) on a store: the violations, counted and sampled.

``validate_store`` runs every constraint's query over the union of the store's named graphs, the value
tests of one path in one shared scan; ``report`` gives every result as SHACL reports it (the W3C suite's
form).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..queries.binding import bind_values
from ..store.union import union_options
from .compiler import compile_shapes
from .shacl import SH, SUBCLASS, SUBCLASSES, Constraint

SAMPLE = 20


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    component: str
    value: str
    message: str


@dataclass
class ValidationResult:
    count: int = 0
    by_constraint: dict[str, int] = field(default_factory=dict)
    samples: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return self.count == 0

    def text(self) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape.\n"
        lines = [f"Does not conform: {self.count} violations."]
        for key, n in sorted(self.by_constraint.items()):
            lines.append(f"  {n:8d}  {key}")
        lines.append("Examples:")
        for v in self.samples:
            lines.append(f"  {v.focus}\n      {v.path} [{v.component}] {v.message} (value: {v.value})")
        return "\n".join(lines) + "\n"


def _class_values(store: ox.Store, cls: str, cache: dict) -> str:
    """The class and its subclasses in the store, as the body of a VALUES block."""
    if cls not in cache:
        rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{SUBCLASS}>* <{cls}> }}", **union_options(store))
        classes = {cls} | {r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)}
        cache[cls] = " ".join(f"<{k}>" for k in sorted(classes))
    return cache[cls]


def _resolve(store: ox.Store, query: str, cache: dict) -> str:
    """The query with each class placeholder replaced by the class and its subclasses in the store."""
    return SUBCLASSES.sub(lambda m: _class_values(store, m.group(1), cache), query)


def _plan(store: ox.Store, constraints: list[Constraint], checked=None) -> list[tuple[str, list[Constraint]]]:
    """Queries to run: one per constraint, except that the value tests of one (focus nodes, IRI path) share
    a single scan, whose rows are sorted out by the separate queries only when it finds any.

    With ``checked`` (a ``values.ValueChecks`` the build ran on the lines of the graphs it names),
    the value tests of a path it checked look only at its suspects and at the other graphs.
    """
    cache: dict[str, str] = {}
    jobs, tests = [], {}
    others = None
    if checked is not None:
        streamed = set(checked.graphs)
        others = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in streamed)
    for c in constraints:
        if c.test:
            tests.setdefault((c.focus, c.path), []).append(c)
        else:
            jobs.append((_resolve(store, c.query, cache), [c]))
    for (focus, path), group in tests.items():
        either = " || ".join(f"({c.test})" for c in group)
        if checked is not None and path in checked.paths and path not in checked.overflow:
            where = _checked_values(path, checked.suspects.get(path, ()), others)
            if where is None:
                continue  # no suspect, no other graph: nothing left to test
        else:
            where = f"?focus <{path}> ?value"
        query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {{ SELECT ?focus ?value WHERE {{ {where} "
                 f"FILTER({either}) }} }} {focus} }}")
        jobs.append((_resolve(store, query, cache), group))
    return jobs


def _checked_values(path: str, suspects, others: list[str]) -> str | None:
    """The values of a path a stream checked: its suspects' values, and every value in the graphs it did not see."""
    parts = []
    if suspects:
        parts.append(bind_values(f"SELECT ?focus ?value WHERE {{ ?focus <{path}> ?value }}",
                                 {"focus": [ox.NamedNode(s) for s in sorted(suspects)]}))
    if others:
        parts.append(bind_values(f"SELECT ?focus ?value WHERE {{ GRAPH ?g {{ ?focus <{path}> ?value }} }}",
                                 {"g": [ox.NamedNode(g) for g in others]}))
    return " UNION ".join("{ " + part + " }" for part in parts) or None


def _run(store: ox.Store, query: str) -> list:
    return list(store.query(query, **union_options(store)))  # the default graph: the named graphs' union


def validate_store(store: ox.Store, shapes: Path | None = None, sample: int = SAMPLE, threads: int = 2,
                   checked=None) -> ValidationResult:
    """Run every compiled constraint over the union of the store's named graphs.

    Queries run on ``threads`` threads (pyoxigraph releases the GIL while it evaluates). With
    ``checked``, the value tests the build ran on its lines are run on their suspects only (values.py).
    """
    result = ValidationResult()
    jobs = _plan(store, compile_shapes(shapes), checked)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        found = list(pool.map(lambda job: _run(store, job[0]), jobs))
    cache: dict[str, str] = {}
    for (query, group), rows in zip(jobs, found):
        if not rows:
            continue
        for c in group:
            if len(group) > 1:  # a shared scan found something: which of its tests failed?
                rows = _run(store, _resolve(store, c.query, cache))
                if not rows:
                    continue
            paths = " | ".join(_short(p) for p in c.path.split(" | "))
            key = f"{_short(c.target)} {paths} {c.component}" + ("" if c.component == "or" else f" {_short(c.value)}")
            result.by_constraint[key] = result.by_constraint.get(key, 0) + len(rows)
            result.count += len(rows)
            for row in rows[: max(0, sample - len(result.samples))]:
                result.samples.append(Violation(row["focus"].value, c.path, c.component, str(row["value"]), c.message))
    return result


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Result:
    """One validation result, as SHACL reports it: terms, not text."""

    focus: object  # a pyoxigraph term
    path: str | None  # the result path as a SPARQL path, None for a constraint of a node shape
    component: str  # the constraint component's IRI
    value: object  # a pyoxigraph term, or None
    shape: str


def report(store: ox.Store, constraints) -> list[Result]:
    """Every result of the constraints on the store (its default graph, else the union of its named
    graphs), one query per constraint: for small graphs and for conformance tests."""
    cache: dict[str, str] = {}
    out = []
    for c in constraints:
        component = SH + c.component[0].upper() + c.component[1:] + "ConstraintComponent"
        for row in _run(store, _resolve(store, c.query, cache)):
            focus = row["focus"]
            try:
                path = row["path"]
            except (KeyError, IndexError, TypeError):
                path = None
            path = f"<{path.value}>" if path is not None else c.result_path
            value = row["value"] if c.value_is == "value" else focus if c.value_is == "focus" else None
            out.append(Result(focus, path, component, value, c.shape))
    return out
