"""One build run into a new generation: its steps in order, each adding to the run's report and state.

Sources are mapped and loaded (build/sources.py); accepted submissions kept; the derived graph made
from the sources' taps; the graphs counted; the provenance graph written; with ``entail``, the entailed
graph; the shapes checked; the totals, the default graph's count and the catalogue. A full build
compacts the store on a thread of its own beside all of that (store/loader.py).
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from .. import catalogue
from ..__about__ import __version__
from ..derive.entail import materialise
from ..derive.inputs import read_taps
from ..derive.leaderboards import DerivedStats, write_derived
from ..iri import Minter
from ..provenance import activity_stamp, provenance_graph
from ..queries import load_query
from ..queries.binding import bind_values
from ..stats import graph_counts
from ..store.graph_diff import replace_graph
from ..store.loader import Compaction
from ..store.state import DERIVED_FILE, STATE_DIR, BuildState, code_fingerprint, link_or_copy, tap_paths
from ..store.union import copy_to_default, count_default, drop_graph
from ..submissions.rebuild import keep_accepted
from ..validation.compiled import compile_shapes
from ..validation.values import ValueChecks, shapes_digest
from .plan import Plan
from .report import BuildReport
from .sources import map_and_load

Progress = Callable[[str, int, int | None], None]


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Phases:
    """Wall and process CPU seconds per phase of a build (CPU above wall: more than one core at work)."""

    def __init__(self):
        self.start = (time.perf_counter(), time.process_time())
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall[name] = round(time.perf_counter() - wall, 2)
        self.cpu[name] = round(time.process_time() - cpu, 2)

    def total(self) -> tuple[dict[str, float], dict[str, float]]:
        self.wall["total"] = round(time.perf_counter() - self.start[0], 2)
        self.cpu["total"] = round(time.process_time() - self.start[1], 2)
        return self.wall, self.cpu


@dataclass
class BuildRun:
    """A build writing one generation: its store (a copy of the previous one's in an incremental build),
    its staging folder, and the report, state and value-test findings its steps add to."""

    gen: Path
    mint: Minter
    plan: Plan
    progress: Progress | None = None
    entail: bool = False
    phase: Phases = field(default_factory=Phases)
    started: str = field(default_factory=now)

    def __post_init__(self):
        self.store = ox.Store(str(self.gen / "db"))
        self.staging = self.gen / "staging"
        self.staging.mkdir()
        (self.gen / STATE_DIR).mkdir()
        self.report = BuildReport(store="", generation=self.gen.name, base_iri=self.mint.base,
                                  rejects_file=str(self.gen / "rejects.jsonl"), mode="full" if self.full else "incremental")
        self.state = BuildState(code_fingerprint(), self.mint.base, self.entail)
        # What the value tests found on the lines of every source graph, this build's and the reused ones'.
        self.checked = ValueChecks(compile_shapes(), shapes_digest())

    @property
    def full(self) -> bool:
        return self.plan.previous is None

    def execute(self, validate: bool) -> BuildReport:
        """The steps, in order, into the generation; its report (the caller publishes it or discards it)."""
        with self.phase("map_and_load"):
            inputs_changed = map_and_load(self)
        compaction = None
        if self.full:
            # The per-graph counts, then the compaction (faster scans and queries; RocksDB does it on one
            # thread), run in Rust on a thread of their own beside the rest: the submissions and the
            # derivation in Python, the derived graph's load, the provenance and the validation.
            compaction = Compaction(self.store, graph_counts)
        try:
            ontology_triples, derive_started = self._derive_and_count(inputs_changed, compaction)
            provenance = self._provenance(derive_started)
            if self.entail:  # before validation, so that the shapes check the entailed graph too
                with self.phase("entail"):
                    self._entail()
            shutil.rmtree(self.staging)
            if validate:
                self._validate()
        finally:
            if compaction is not None:  # RocksDB must be done with the folder before it is published or removed
                with self.phase("optimize"):  # what is left of it
                    compaction.wait(errors=sys.exc_info()[0] is None)
        self.store.flush()
        self.state.save(self.gen)
        self._totals(ontology_triples, provenance)
        with self.phase("count_default"):
            self.report.triples = count_default(self.store)
        with self.phase("catalogue"):  # what the server lists and counts, so that it answers at once after a start
            self.report.catalogue_seconds = catalogue.prepare(self.store, self.gen)
        self.report.seconds, self.report.cpu_seconds = self.phase.total()
        return self.report

    def _derive_and_count(self, inputs_changed: bool, compaction: Compaction | None) -> tuple[int, str]:
        """Accepted submissions kept, the derived graph made, the graphs counted; returns the ontology's
        triples and when the derivation started.

        Both derive from the sources' taps: a full build loads the result, an incremental one (when a
        change touched what the derivation reads) rewrites the graph by difference.
        """
        store, gen, report, phase = self.store, self.gen, self.report, self.phase
        with phase("submissions"):  # accepted submissions: mapped and validated again, kept in the store
            inputs_changed |= keep_accepted(store, gen, self.mint, report)
        if self.full:
            derive_started = now()
            with phase("derive"):
                path = self._derive_from_taps()
            with phase("load_derived"):
                self._load(self.mint.graph("derived"), path)
                os.replace(path, gen / DERIVED_FILE)
            with phase("count"):  # what is left of it
                counts = compaction.counts()
            return self._count_graphs(counts), derive_started
        with phase("count"):
            ontology_triples = self._count_graphs()
        derive_started = now()
        previous = self.plan.previous
        with phase("derive"):
            if inputs_changed:  # rewritten by difference; kept as N-Triples for the next build to compare with
                path = self._derive_from_taps()
                self.write_graph(self.mint.graph("derived"), path, previous.derived)
                os.replace(path, gen / DERIVED_FILE)
            else:  # no change touched a triple the derivation reads: the derived graph stays as it is
                if previous.derived is not None:
                    link_or_copy(previous.derived, gen / DERIVED_FILE)
                else:  # an accepted submission's generation: the store has the graph, the file is made now
                    store.dump(str(gen / DERIVED_FILE), format=ox.RdfFormat.N_TRIPLES,
                               from_graph=ox.NamedNode(self.mint.graph("derived")))
                report.derived = DerivedStats(**previous.derived_stats())
                report.derived_kept = True
        return ontology_triples, derive_started

    def _derive_from_taps(self) -> Path:
        """The derived graph, from the lines every source's mapping wrote (derive/inputs.py), the ontology's
        and the accepted submissions' graphs; written to an N-Triples file, returned."""
        others = [self.mint.graph("ontology"), *self.report.submissions.get("graphs", [])]
        extra = [q for g in others for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
        inputs = read_taps((tap_paths(self.gen / STATE_DIR, s.file_stem) for s in self.state.sources), extra)
        path = self.staging / DERIVED_FILE
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            self.report.derived = write_derived(inputs, self.mint, out)
        return path

    def _count_graphs(self, counts: dict[str, int] | None = None) -> int:
        """The triples of each source graph (kept graphs keep their count) into the report; returns the
        ontology's. ``counts``: counted already, beside the derivation."""
        ontology = self.mint.graph("ontology")
        if counts is None:
            reread = [r.graph for r in self.report.sources if r.name in self.report.reread]
            counts = self._count([*reread, ontology])
        for rec, kept in zip(self.report.sources, self.state.sources):
            rec.triples = kept.triples = counts.get(rec.graph, rec.triples)
        return counts.get(ontology, 0)

    def _count(self, graphs: list[str]) -> dict[str, int]:
        """The triples of these named graphs (0 for one that has none)."""
        query = bind_values(load_query("internal/graph-triples").text, {"g": [ox.NamedNode(g) for g in graphs]})
        return {g: 0 for g in graphs} | {row["g"].value: int(row["n"].value) for row in self.store.query(query)}

    def _provenance(self, derive_started: str) -> int:
        """The provenance graph: each source and graph, the build and the derivation; returns its triples."""
        lines = provenance_graph(self.mint, self.report.sources, started=self.started, derive_started=derive_started,
                                 ended=now(), version=__version__, derived_triples=self.report.derived.triples)
        path = self.staging / "provenance.nt"
        path.write_text("".join(lines), encoding="utf-8")
        self.write_graph(self.mint.graph("provenance"), path, None)
        return len(lines)

    def _entail(self) -> None:
        """The graph restated in the standard terms the ontology aligns to, with its activity in the provenance."""
        entailed = ox.NamedNode(self.mint.graph("entailed"))
        if self.store.contains_named_graph(entailed):  # restated from scratch: the old one leaves the default graph
            drop_graph(self.store, entailed)
        self.report.entailed = materialise(self.store, self.mint, self.mint.graph("provenance"),
                                           self.mint.build(activity_stamp(self.started) + "/entailment"), self.staging)
        copy_to_default(self.store, entailed)
        copy_to_default(self.store, ox.NamedNode(self.mint.graph("provenance")))  # the entailment's activity

    def _validate(self) -> None:
        from ..validation import validate_store

        with self.phase("validate"):
            result = validate_store(self.store, checked=self.checked)
        self.report.violations = result.count
        (self.gen / "validation.txt").write_text(result.text())

    def _totals(self, ontology_triples: int, provenance: int) -> None:
        report = self.report
        report.records = sum(r.records for r in report.sources)
        report.records_rejected = sum(r.records_rejected for r in report.sources)
        report.rejects = sum(r.rejects for r in report.sources)
        report.quads = sum(r.triples for r in report.sources) + ontology_triples + provenance + report.derived.triples
        report.quads += report.submissions.get("triples", 0)
        if report.entailed:
            report.quads += report.entailed.triples + report.entailed.provenance_triples

    def write_graph(self, graph: str, path: Path, old: Path | None) -> None:
        """A computed graph (derived, provenance): loaded, or, in an incremental build, rewritten by difference."""
        if self.full:
            self._load(graph, path)
            return
        change = replace_graph(self.store, graph, [path], self.staging / "diff", old=old)
        self.report.changes[graph] = {"removed": change.removed, "added": change.added}

    def _load(self, graph: str, path: Path) -> None:
        """An N-Triples file into a named graph, and into the default graph."""
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
