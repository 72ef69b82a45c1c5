"""``pwc-kg build``: sources are read, mapped to N-Quads, bulk-loaded, validated, then published.

Mapping (Python) and loading (pyoxigraph's bulk loader, which releases the GIL) run side by
side: while one source file loads, the next is mapped. The new store is a new generation
of the store folder; it is published only once everything, validation included, succeeded.
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import queue
import shutil
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox

from .__about__ import __version__
from .iri import DEFAULT_BASE, Minter, segment
from .kinds import MAPPERS, READERS
from .mapping.context import Context, GraphWriter, Registry, Rejects
from .derive.leaderboards import DerivedStats, derive
from .provenance import SourceRecord, build_quads, derivation_quads, source_quads
from .sources import SourceError, SourceFile, discover
from .sources.archive import file_digest
from .stats import graph_counts
from .store import StoreDir
from .vocab import ontology_path

Progress = Callable[[str, int, int | None], None]


class BuildError(RuntimeError):
    """The build failed; the store was left as it was."""


@dataclass
class BuildReport:
    store: str
    generation: str
    base_iri: str
    sources: list[SourceRecord] = field(default_factory=list)
    records: int = 0
    records_rejected: int = 0
    rejects: int = 0
    triples: int = 0
    violations: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    rejects_file: str = ""
    skipped: list[str] = field(default_factory=list)  # files in source folders that are no archive file
    derived: DerivedStats = field(default_factory=DerivedStats)

    def to_json(self) -> dict:
        return asdict(self)


def graph_labels(files: list[SourceFile]) -> dict[Path, str]:
    """Each source's graph is named after its file name, or folder/file name where two share a name."""
    names = [f.name for f in files]
    return {f.path: f.name if names.count(f.name) == 1 else f"{f.path.parent.name}/{f.name}" for f in files}


def graph_name(mint: Minter, label: str) -> str:
    return mint.graph("source/" + "/".join(segment(part) for part in label.split("/")))


class _Loader:
    """Bulk-loads finished N-Quads files in a background thread, in order."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.jobs: queue.Queue = queue.Queue()
        self.error: BaseException | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._run, name="pwc-kg-loader", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            path, fmt, graph = job
            if self.error is not None or self.cancelled:
                continue
            try:
                self.store.bulk_load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph) if graph else None)
            except BaseException as e:  # noqa: BLE001 - reported by finish()
                self.error = BuildError(f"loading {Path(path).name} failed: {e}")
            if Path(path).parent.name == "staging":
                Path(path).unlink(missing_ok=True)  # loaded: the disk space goes back

    def load(self, path: Path, fmt=ox.RdfFormat.N_QUADS, graph: str | None = None) -> None:
        self.jobs.put((path, fmt, graph))

    def finish(self, cancel: bool = False) -> None:
        """Wait for the loads queued so far (or, with ``cancel``, only for the one running)."""
        self.cancelled = cancel
        self.jobs.put(None)
        self.thread.join()
        if self.error is not None and not cancel:
            raise self.error


def _map_source(src: SourceFile, label: str, staging: Path, stem: str, loader: "_Loader", ctx_args: dict,
                progress: Progress | None) -> SourceRecord:
    size, sha = file_digest(src.path)
    mint: Minter = ctx_args["mint"]
    graph = graph_name(mint, label)
    record = SourceRecord(str(src.path), label, src.kind, size, sha, graph)
    mapper = MAPPERS[src.kind]
    writer = GraphWriter(graph, staging, stem, lambda path: loader.load(path, ox.RdfFormat.N_TRIPLES, graph))
    ctx = Context(source=label, graph=writer, **ctx_args)
    rejects_before = ctx.rejects.count
    for index, rec in READERS[src.kind](src.path):
        if not isinstance(rec, dict):
            raise SourceError(src.path, f"record {index}",
                              f"expected an object (a {src.kind} record), found {type(rec).__name__}")
        ctx.records += 1
        if not mapper(ctx, index, rec):
            ctx.records_rejected += 1
        if progress and isinstance(index, int) and index % 5000 == 0:
            progress(src.name, index, None)
    writer.close()
    record.records = ctx.records
    record.records_rejected = ctx.records_rejected
    record.rejects = ctx.rejects.count - rejects_before
    record.stats = dict(sorted(ctx.stats.items()))
    return record


def build(
    sources: Iterable[str | Path],
    store: str | Path = "pwc-kg-store",
    *,
    base_iri: str = DEFAULT_BASE,
    rejects: str | Path | None = None,
    validate: bool = True,
    allow_violations: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Build a store from archive files and folders; the previous store stays until this one succeeds."""
    mint = Minter(base_iri)
    skipped: list[str] = []
    files = discover(list(sources), skipped)
    if not files:
        raise BuildError("no archive files among the sources")
    labels = graph_labels(files)
    if len(set(labels.values())) != len(labels):
        raise BuildError("two sources have the same folder and file name: each file is one named graph, named after it")
    sd = StoreDir(store)
    timings: dict[str, float] = {}
    with sd.lock():
        sd.clean_abandoned()
        gen = sd.new_generation()
        try:
            report = _build_into(gen, files, labels, mint, timings, validate, progress)
            report.skipped = skipped
            if report.violations and not allow_violations:
                # the generation is about to go: keep its report where the message says
                kept = sd.path / "failed-validation.txt"
                shutil.copyfile(gen / "validation.txt", kept)
                raise BuildError(f"{report.violations} SHACL violations (see {kept}); the store was not replaced")
            report.store = str(sd.path)
            (gen / "build.json").write_text(json.dumps(report.to_json(), indent=2))
            sd.publish(gen)
        except BaseException as e:
            # The store closes when its last reference goes: drop the ones the traceback holds first,
            # or RocksDB may still write into the generation while it is being removed.
            traceback.clear_frames(e.__traceback__)
            gc.collect()
            sd.discard(gen)
            raise
    if rejects:
        shutil.copyfile(gen / "rejects.jsonl", rejects)
        report.rejects_file = str(rejects)
    return report


def _build_into(gen: Path, files: list[SourceFile], labels: dict[Path, str], mint: Minter, timings: dict, validate: bool,
                progress: Progress | None) -> BuildReport:
    store = ox.Store(str(gen / "db"))
    started = _now()
    t0 = time.perf_counter()
    staging = gen / "staging"
    staging.mkdir()
    loader = _Loader(store)
    report = BuildReport(store="", generation=gen.name, base_iri=mint.base, rejects_file=str(gen / "rejects.jsonl"))
    registry = Registry()
    with open(gen / "rejects.jsonl", "w", encoding="utf-8") as rej_out:
        rejects = Rejects(rej_out)
        try:
            for i, src in enumerate(files):
                rec = _map_source(src, labels[src.path], staging, f"{i:03d}-{src.kind}", loader,
                                  {"rejects": rejects, "mint": mint, "registry": registry}, progress)
                report.sources.append(rec)
            loader.load(ontology_path(), ox.RdfFormat.TURTLE, mint.graph("ontology"))
            del registry  # the join look-ups (hundreds of MB at full scale) are done with
        except BaseException:
            loader.finish(cancel=True)
            raise
        loader.finish()
    timings["map_and_load"] = time.perf_counter() - t0
    t_opt = time.perf_counter()
    store.optimize()  # compacted, the store answers the derivation's and validation's scans faster
    timings["optimize"] = time.perf_counter() - t_opt
    t1 = time.perf_counter()
    counts = graph_counts(store)
    for rec in report.sources:
        rec.triples = counts.get(rec.graph, 0)
    timings["count"] = time.perf_counter() - t1
    t_derive = time.perf_counter()
    derived_graph = mint.graph("derived")
    derive_started = _now()
    derived_path = staging / "derived.nq"
    with open(derived_path, "w", encoding="utf-8", newline="\n") as out:
        report.derived = derive(store, mint, derived_graph, out)
    store.bulk_load(path=str(derived_path), format=ox.RdfFormat.N_QUADS)
    timings["derive"] = time.perf_counter() - t_derive
    prov_graph = mint.graph("provenance")
    stamp = started.replace(":", "").replace("-", "")
    build_iri = mint.build(stamp)
    prov = [line for rec in report.sources for line in source_quads(mint, rec, prov_graph)]
    prov += build_quads(mint, build_iri, prov_graph, started=started, ended=_now(), version=__version__,
                        sources=report.sources, generated=[r.graph for r in report.sources] + [mint.graph("ontology")])
    prov += derivation_quads(mint, mint.build(stamp + "/derivation"), prov_graph, started=derive_started,
                             ended=_now(), used=[r.graph for r in report.sources], generated=derived_graph,
                             triples=report.derived.triples)
    store.bulk_load(input="".join(prov).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    shutil.rmtree(staging)
    if validate:
        from .validation import validate_store

        t3 = time.perf_counter()
        result = validate_store(store)
        report.violations = result.count
        (gen / "validation.txt").write_text(result.text())
        timings["validate"] = time.perf_counter() - t3
    store.flush()
    report.records = sum(r.records for r in report.sources)
    report.records_rejected = sum(r.records_rejected for r in report.sources)
    report.rejects = sum(r.rejects for r in report.sources)
    report.triples = sum(counts.values()) + len(prov) + report.derived.triples
    timings["total"] = time.perf_counter() - t0
    report.seconds = {k: round(v, 2) for k, v in timings.items()}
    return report



def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
