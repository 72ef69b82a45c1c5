"""``pwc-kg build``: sources are read, mapped to N-Quads, bulk-loaded, derived, validated, then published.

Mapping (Python) and loading (pyoxigraph's bulk loader, which releases the GIL) run side by
side, on both cores: a full build writes every graph's N-Quads into one pipe the bulk loader
reads as they come, so neither waits for a chunk to be finished on disk, and RocksDB takes in
the table files of one bulk load rather than one per source. The lines the derivation reads
are caught on the way (derive/inputs.py): the derived graph is computed from them in Python
while the store compacts itself on another thread, instead of from a scan of the finished
store. The new store is a new generation of the store folder; it is published only once
everything, validation included, succeeded.

The store's default graph holds every distinct triple of the named graphs, once (store/union.py):
queries read it, and see each triple once however many sources state it. A full build writes each
line of the stream twice, once in its graph and once without (the bulk loader stores a set of
quads, so a triple many graphs hold is one triple of the default graph); the ontology, derived and
provenance graphs are loaded into it too, and graphs rewritten by difference keep it in step.

A build on a store that has a current generation is incremental (unless ``full``): the new
generation starts as a copy of the current store (hard links, no copying), and only the sources
whose file changed, or whose joins into other files now find something else, are read again.
Their graphs, and the derived and provenance graphs, are rewritten by difference
(store/graph_diff.py); the derived graph is kept as it was when no change touched a triple it is
computed from. The result is the same triples a full build of the same input gives.
The joins are the registry's look-ups (mapping/context.py): each source's own entries and the
look-ups it made are kept in the generation (store/state.py), so that a source that was not read
again still counts for the joins of those that are, and a source whose look-ups would now find
another IRI (a paper that a corrected papers file renamed, say) is read again too.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gc
import json
import os
import queue
import re
import shutil
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

import pyoxigraph as ox

from . import catalogue
from .__about__ import __version__
from .errors import PwcKgError
from .iri import DEFAULT_BASE, Minter, segment
from .kinds import MAPPERS, READERS
from .mapping.context import Context, GraphWriter, Registry, Rejects
from .derive.entail import EntailedStats, materialise
from .derive.inputs import Tap, read_taps
from .derive.inputs import reads as derivation_reads  # which triples the derived graph is computed from
from .validation.compiled import compile_shapes
from .validation.values import ValueChecks, shapes_digest
from .derive.leaderboards import DerivedStats, write_derived
from .queries.binding import bind_values
from .provenance import SourceRecord, build_quads, derivation_quads, source_quads
from .sources import SourceError, SourceFile, discover
from .sources.archive import TooDeep, every_record_rejected, file_digest
from .sources.kinds import ARCHIVE_KINDS
from .stats import graph_counts
from .submissions.rebuild import keep_accepted
from .store import StoreDir
from .store.disk import disk_full
from .store.graph_diff import GraphChange, replace_graph
from .store.union import copy_to_default, count_default, drop_graph
from .store.state import (DERIVED_FILE, STATE_DIR, BuildState, PreviousBuild, SourceState, StateUnusable,
                          code_fingerprint, link_or_copy, read_json, save_layer, signature, tap_paths, write_json)
from .vocab import RDF, ontology_path

Progress = Callable[[str, int, int | None], None]

# An incremental build that would rewrite more than this share of the previous source triples (and
# more than REWRITE_MIN of them) is made a full build: rewriting a graph costs more per triple than
# loading it, and a full build leaves a compacted store.
REWRITE_LIMIT = 0.5
REWRITE_MIN = 1_000_000
# The bulk loader can read a pipe the mapping writes into (by its /dev/fd path): loading then keeps
# pace with mapping, with no chunk waiting on disk. Elsewhere (or with PWC_KG_NO_PIPES set, to
# compare) the N-Triples go through staged files.
PIPES = Path("/dev/fd").is_dir() and not os.environ.get("PWC_KG_NO_PIPES")


class BuildError(PwcKgError, RuntimeError):
    """The build failed; the store was left as it was."""


@dataclass
class BuildReport:
    store: str
    generation: str
    base_iri: str
    mode: str = "full"  # or "incremental": built upon the previous generation
    full_reason: str = ""  # why a build was a full one
    sources: list[SourceRecord] = field(default_factory=list)
    reread: list[str] = field(default_factory=list)  # sources this build read and mapped
    reused: list[str] = field(default_factory=list)  # sources not read: their graphs kept as the previous build wrote them
    removed: list[str] = field(default_factory=list)  # graphs of sources no longer given, removed
    changes: dict[str, dict[str, int]] = field(default_factory=dict)  # incremental: per graph rewritten, triples removed and added
    records: int = 0
    records_rejected: int = 0
    rejects: int = 0
    triples: int = 0  # distinct triples: those of the default graph
    quads: int = 0  # the triples of each named graph, added up (a triple two sources state counts twice)
    violations: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # process CPU (all threads) during each phase
    rejects_file: str = ""
    skipped: list[str] = field(default_factory=list)  # files and folders under sources not read, holding no archive data
    unread: list[str] = field(default_factory=list)  # not read, and may hold archive data (unreadable, a FIFO, ...)
    missing: list[str] = field(default_factory=list)  # archive files missing from a folder that holds some of them
    derived: DerivedStats = field(default_factory=DerivedStats)
    derived_kept: bool = False  # incremental: no change touched what the derived graph is computed from
    entailed: EntailedStats | None = None  # with entail=True: the graph restated in standard terms
    submissions: dict = field(default_factory=dict)  # the accepted submissions kept (submissions/rebuild.py)
    catalogue_seconds: dict[str, float] = field(default_factory=dict)  # each part of what a server reads (catalogue/)

    def to_json(self) -> dict:
        return asdict(self)


def graph_labels(files: list[SourceFile]) -> dict[Path, str]:
    """Each source's graph is named after its file name, or folder/file name where two share a name.

    Where that is not enough (the Hugging Face layout: ``papers-with-abstracts/data/train-00000-of-00001.parquet``
    beside ``methods/data/train-00000-of-00001.parquet``), as many folders as tell them apart.
    """
    def label(f: SourceFile, depth: int) -> str:
        return "/".join(f.path.parts[-depth:])

    names = [f.name for f in files]
    labels = {}
    for f in files:
        depth = 1 if names.count(f.name) == 1 else 2
        while depth < len(f.path.parts) and sum(label(g, depth) == label(f, depth) for g in files) > 1:
            depth += 1
        labels[f.path] = label(f, depth)
    return labels


def graph_name(mint: Minter, label: str) -> str:
    return mint.graph("source/" + "/".join(segment(part) for part in label.split("/")))


@dataclass
class _Input:
    """One source of this build, and what the previous build knew of it."""

    src: SourceFile
    label: str
    graph: str
    files: list  # its signature: names, sizes, mtimes
    digest: tuple[int, str] | None = None  # (size, sha256), when already computed
    old: SourceState | None = None  # the previous build's record of the same file
    same: bool = False  # its content is what the previous build read

    @property
    def reusable(self) -> bool:
        return self.old is not None and self.same and self.old.name == self.label


class _Loader:
    """Writes into the store in a background thread, in order: bulk loads of finished N-Triples files,
    and, in incremental builds, graphs rewritten by difference."""

    def __init__(self, store: ox.Store, staging: Path):
        self.store = store
        self.staging = staging
        self.changes: list[GraphChange] = []
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
            what, run, staged, fds = job
            try:
                if self.error is None and not self.cancelled:
                    run()
            except BaseException as e:  # noqa: BLE001 - reported by finish()
                self.error = BuildError(f"{what(e) if callable(what) else what} failed: {e}")
            finally:
                for path in staged:
                    Path(path).unlink(missing_ok=True)  # loaded: the disk space goes back
                for fd in fds:
                    os.close(fd)  # a mapping still writing into the pipe now fails instead of waiting

    def load(self, path: Path, fmt=ox.RdfFormat.N_TRIPLES, graph: str | None = None) -> None:
        def run():
            if graph is None:
                self.store.bulk_load(path=str(path), format=fmt)
            else:
                self.store.bulk_load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph))

        self.jobs.put((f"loading {Path(path).name}", run, [path] if Path(path).parent == self.staging else [], []))

    def load_quads(self, path: Path) -> None:
        """An N-Quads file into its graphs, and its triples into the default graph."""
        def run():
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            self.store.bulk_load(path=str(_as_triples(Path(path))), format=ox.RdfFormat.N_TRIPLES)

        triples = Path(path).with_suffix(".default.nt")
        self.jobs.put((f"loading {Path(path).name}", run, [path, triples], []))

    def call(self, what: str, fn: Callable[[], object]) -> None:
        """Run ``fn`` in turn with the loads."""
        self.jobs.put((what, fn, [], []))

    def pipe(self, graph: str | None, name: str | Callable[[BaseException], str]) -> IO[str]:
        """A stream to write N-Triples into: bulk-loaded into ``graph`` as they come, until it is closed.

        Without a graph, N-Quads: one stream (and one bulk load, whose table files RocksDB takes in
        at once) for every graph of a full build. ``name`` says what is loaded, or which part of the
        stream an error is in.
        """
        read_fd, write_fd = os.pipe()

        def run():
            if graph is None:
                self.store.bulk_load(path=f"/dev/fd/{read_fd}", format=ox.RdfFormat.N_QUADS)
            else:
                self.store.bulk_load(path=f"/dev/fd/{read_fd}", format=ox.RdfFormat.N_TRIPLES,
                                     to_graph=ox.NamedNode(graph))

        self.jobs.put((name if callable(name) else f"loading {name}", run, [], [read_fd]))
        return os.fdopen(write_fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20)

    def replace(self, graph: str, paths: list[Path]) -> None:
        """Make ``graph`` hold the triples of these N-Triples files, writing only the difference."""
        def run():
            self.changes.append(replace_graph(self.store, graph, paths, self.staging / "diff"))

        self.jobs.put((f"rewriting {graph}", run, paths, []))

    def finish(self, cancel: bool = False) -> None:
        """Wait for the jobs queued so far (or, with ``cancel``, only for the one running)."""
        self.cancelled = cancel
        self.jobs.put(None)
        self.thread.join()
        if self.error is not None and not cancel:
            raise self.error


class _Twice:
    """A stream of N-Quads lines of one graph that writes each line twice: in its graph, and in the
    default graph (the same line without the graph name). Lines end in " <graph> .\n"; a literal
    cannot hold a line break, so that suffix is found at line ends only."""

    def __init__(self, out: IO[str], graph: str):
        self._out = out
        self._suffix = f" <{graph}> .\n"

    def write(self, text: str) -> int:
        self._out.write(text)
        return self._out.write(text.replace(self._suffix, " .\n"))

    def close(self) -> None:
        self._out.close()

    @property
    def closed(self) -> bool:
        return self._out.closed


def _as_triples(path: Path) -> Path:
    """An N-Quads file of one graph, beside it as N-Triples (``.default.nt``) for the default graph."""
    out = path.with_suffix(".default.nt")
    with open(path, encoding="utf-8") as f, open(out, "w", encoding="utf-8", newline="\n") as w:
        for line in f:
            head, sep, _ = line.rstrip("\n").removesuffix(" .").rpartition(" <")
            w.write(head + " .\n" if sep else line)
    return out


def _map_source(inp: _Input, writer: GraphWriter, ctx_args: dict, progress: Progress | None) -> SourceRecord:
    src = inp.src
    size, sha = inp.digest or file_digest(src.path)
    record = SourceRecord(str(src.path), inp.label, src.kind, size, sha, inp.graph)
    mapper = MAPPERS[src.kind]
    ctx = Context(source=inp.label, graph=writer, **ctx_args)
    rejects_before = ctx.rejects.count
    for index, rec in READERS[src.kind](src.path):
        if isinstance(rec, TooDeep):  # read in bounded memory, then refused: a reject with the value's pointer
            ctx.records += 1
            ctx.records_rejected += 1
            ctx.reject(f"/{index}", rec.at, None, rec.reason)
            continue
        if not isinstance(rec, dict):
            raise SourceError(src.path, f"record {index}",
                              f"expected an object (a {src.kind} record), found {type(rec).__name__}")
        ctx.records += 1
        if not mapper(ctx, index, rec):
            ctx.records_rejected += 1
        if progress and isinstance(index, int) and index % 5000 == 0:
            progress(src.name, index, None)
    writer.close()
    if ctx.records and ctx.records_rejected == ctx.records and src.kind in ARCHIVE_KINDS:
        raise every_record_rejected(src.path, src.kind, ctx.records)
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
    entail: bool = False,
    full: bool = False,
) -> BuildReport:
    """Build a store from archive files and folders; the previous store stays until this one succeeds.

    On a store that has been built before, only what changed is read again (``full=True``: everything).
    """
    mint = Minter(base_iri)
    skipped: list[str] = []
    unread: list[str] = []
    missing: list[str] = []
    files = discover(list(sources), skipped, unread, missing)
    if not files:
        raise BuildError("no archive files among the sources")
    labels = graph_labels(files)
    if len(set(labels.values())) != len(labels):
        raise BuildError("two sources have the same folder and file name: each file is one named graph, named after it")
    sd = StoreDir(store)
    with sd.lock():
        sd.clean_abandoned()
        inputs = [_Input(f, labels[f.path], graph_name(mint, labels[f.path]), signature(f.path)) for f in files]
        previous, reason = _previous_build(sd, inputs, mint, entail, full)
        gen = sd.new_generation(copy_of=previous.gen if previous else None)
        try:
            report = _build_into(gen, inputs, mint, validate, progress, entail=entail, previous=previous)
            report.full_reason = reason
            report.skipped, report.unread, report.missing = skipped, unread, missing
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
            full = disk_full(e, gen)
            if full is not None:  # said plainly, not as a traceback from deep inside a writer
                raise BuildError(f"{full}; the store was left as it was") from e
            raise
    if rejects:
        shutil.copyfile(gen / "rejects.jsonl", rejects)
        report.rejects_file = str(rejects)
    return report


def _previous_build(sd: StoreDir, inputs: list[_Input], mint: Minter, entail: bool,
                    full: bool) -> tuple[PreviousBuild | None, str]:
    """The generation to build upon, and which inputs it read as they are now; or None and why not."""
    if full:
        return None, "--full"
    current = sd.current()
    if current is None:
        return None, "no previous build in this store"
    try:
        previous = PreviousBuild.open(current, base_iri=mint.base, entail=entail)
    except StateUnusable as e:
        return None, str(e)
    for inp in inputs:
        old = previous.by_path.get(str(inp.src.path.resolve()))
        if old is None or old.kind != inp.src.kind:
            continue
        inp.old = old
        # Same names, sizes and mtimes: the same content, unread. Otherwise the sha256 decides.
        inp.digest = (old.size, old.sha256) if inp.files == old.files else file_digest(inp.src.path)
        inp.same = inp.digest == (old.size, old.sha256)
    total = sum(s.triples for s in previous.state.sources)
    rewritten = total - sum(inp.old.triples for inp in inputs if inp.reusable)
    if rewritten > max(REWRITE_LIMIT * total, REWRITE_MIN):
        for inp in inputs:
            inp.old, inp.same = None, False
        return None, f"{rewritten:,} of the previous build's {total:,} source triples would be rewritten"
    return previous, ""


def _build_into(gen: Path, inputs: list[_Input], mint: Minter, validate: bool, progress: Progress | None,
                entail: bool = False, previous: PreviousBuild | None = None) -> BuildReport:
    store = ox.Store(str(gen / "db"))  # incremental: the copy of the previous store new_generation made
    started = _now()
    phase = _Phases()
    staging = gen / "staging"
    staging.mkdir()
    (gen / STATE_DIR).mkdir()
    report = BuildReport(store="", generation=gen.name, base_iri=mint.base, rejects_file=str(gen / "rejects.jsonl"),
                         mode="incremental" if previous else "full")
    state = BuildState(code_fingerprint(), mint.base, entail)
    # What the value tests found on the lines of every source graph, this build's and the reused ones'.
    checked = ValueChecks(compile_shapes(), shapes_digest())
    with phase("map_and_load"):
        inputs_changed = _map_and_load(store, gen, staging, inputs, mint, previous, report, state, progress, checked)
    compaction = None
    if previous is None:
        # The per-graph counts, then the compaction (faster scans and queries; RocksDB does it on one
        # thread), run in Rust on a thread of their own beside the rest: the submissions and the
        # derivation in Python, the derived graph's load, the provenance and the validation.
        compaction = _Compaction(store)
    try:
        ontology_triples, derive_started = _derive_and_count(store, gen, staging, mint, report, state, previous,
                                                             inputs_changed, compaction, phase)
        provenance = _provenance(store, staging, mint, report, started, derive_started)
        if entail:  # before validation, so that the shapes check the entailed graph too
            stamp = started.replace(":", "").replace("-", "")
            with phase("entail"):
                entailed = ox.NamedNode(mint.graph("entailed"))
                if store.contains_named_graph(entailed):  # restated from scratch: the old one leaves the default graph
                    drop_graph(store, entailed)
                report.entailed = materialise(store, mint, mint.graph("provenance"),
                                              mint.build(stamp + "/entailment"), staging)
                copy_to_default(store, entailed)
                copy_to_default(store, ox.NamedNode(mint.graph("provenance")))  # the entailment's activity
        shutil.rmtree(staging)
        if validate:
            from .validation import validate_store

            with phase("validate"):
                result = validate_store(store, checked=checked)
            report.violations = result.count
            (gen / "validation.txt").write_text(result.text())
    finally:
        if compaction is not None:  # RocksDB must be done with the folder before it is published or removed
            with phase("optimize"):  # what is left of it
                compaction.wait(errors=sys.exc_info()[0] is None)
    store.flush()
    state.save(gen)
    report.records = sum(r.records for r in report.sources)
    report.records_rejected = sum(r.records_rejected for r in report.sources)
    report.rejects = sum(r.rejects for r in report.sources)
    report.quads = sum(r.triples for r in report.sources) + ontology_triples + provenance + report.derived.triples
    report.quads += report.submissions.get("triples", 0)
    if report.entailed:
        report.quads += report.entailed.triples + report.entailed.provenance_triples
    with phase("count_default"):
        report.triples = count_default(store)
    with phase("catalogue"):  # what the server lists and counts, so that it answers at once after a start
        report.catalogue_seconds = catalogue.prepare(store, gen)
    report.seconds, report.cpu_seconds = phase.total()
    return report


def _map_and_load(store: ox.Store, gen: Path, staging: Path, inputs: list[_Input], mint: Minter,
                  previous: PreviousBuild | None, report: BuildReport, state: BuildState,
                  progress: Progress | None, checked: ValueChecks) -> bool:
    """Each source read and mapped into its graph, or reused; the graphs of sources no longer given removed.

    A full build writes every graph into one N-Quads stream the bulk loader reads. Every source read
    shows its lines to its tap (the derivation's lines, kept in the state) and to the shapes' value
    tests on the way; what they found goes into ``checked``, with what the previous build found on
    the sources it reuses. Returns whether what the derived graph is computed from may have changed
    since the previous build.
    """
    loader = _Loader(store, staging)
    spans = _Spans()
    shared = loader.pipe(None, spans.describe) if previous is None and PIPES else None
    loaded_whole = previous is None  # a graph loaded without comparing: what changed in it is not known
    registry = Registry()
    old_graphs = {s.graph: s for s in previous.state.sources} if previous else {}
    # Registry tables whose content may differ from the previous build's at this point of the
    # build: only look-ups into them need checking. A source no longer given changes its tables.
    given = {inp.old.path for inp in inputs if inp.old}
    dirty = {t for s in old_graphs.values() if s.path not in given for t in s.layer}
    with open(gen / "rejects.jsonl", "w", encoding="utf-8") as rej_out:
        rejects = Rejects(rej_out)
        ctx_args = {"rejects": rejects, "mint": mint, "registry": registry}
        try:
            for i, inp in enumerate(inputs):
                stem = f"{i:03d}-{inp.src.kind}"  # its state files' and staged files' names
                if inp.reusable and _still_joins(previous, inp.old, registry, dirty):
                    record, kept = _reuse(previous, inp, gen, stem, registry, rejects, rej_out, checked)
                    report.reused.append(inp.label)
                else:
                    record, kept = _read(inp, gen, stem, staging, loader, registry, ctx_args, progress,
                                         rewrite=inp.graph in old_graphs, stream=shared, checked=checked, spans=spans)
                    loaded_whole |= inp.graph not in old_graphs
                    old_layer = inp.old.layer if inp.old else {}
                    dirty |= {t for t in set(kept.layer) | set(old_layer) if kept.layer.get(t) != old_layer.get(t)}
                    report.reread.append(inp.label)
                report.sources.append(record)
                state.sources.append(kept)
            for graph, old in old_graphs.items():
                if graph not in {inp.graph for inp in inputs}:
                    loader.replace(graph, [])
                    report.removed.append(old.name)
            if shared is not None:
                shared.close()  # the end of the sources: the bulk loader commits them
            if previous is None:
                loader.load(ontology_path(), ox.RdfFormat.TURTLE, mint.graph("ontology"))
                loader.call("copying the ontology into the default graph",
                            lambda: copy_to_default(store, ox.NamedNode(mint.graph("ontology"))))
        except BaseException as e:
            if shared is not None and not shared.closed:
                try:
                    shared.close()  # the loader gets the end of its stream instead of waiting for ever
                except OSError:
                    pass
            loader.finish(cancel=True)
            if isinstance(e, BrokenPipeError) and loader.error is not None:
                raise loader.error from e  # the loader stopped reading: its error is the one to tell
            raise
        loader.finish()
    report.changes = {c.graph: {"removed": c.removed, "added": c.added} for c in loader.changes}
    kind_of = {inp.graph: inp.src.kind for inp in inputs}
    return loaded_whole or any(derivation_reads(p, kind=kind_of.get(c.graph)) for c in loader.changes
                               for p in c.predicates) or any(
        derivation_reads(RDF.type, cls) for c in loader.changes for cls in c.classes)


def _count_graphs(store: ox.Store, mint: Minter, report: BuildReport, state: BuildState,
                  counts: dict[str, int] | None = None) -> int:
    """The triples of each source graph (kept graphs keep their count) into the report; returns the ontology's."""
    ontology = mint.graph("ontology")
    if counts is not None:
        pass  # counted already, beside the derivation
    elif report.mode == "full":
        counts = graph_counts(store)
    else:
        counts = {g: _count(store, g) for g in [*(r.graph for r in report.sources if r.name in report.reread), ontology]}
    for rec, kept in zip(report.sources, state.sources):
        rec.triples = kept.triples = counts.get(rec.graph, rec.triples)
    return counts.get(ontology, 0)


def _derive_and_count(store: ox.Store, gen: Path, staging: Path, mint: Minter, report: BuildReport,
                      state: BuildState, previous: PreviousBuild | None, inputs_changed: bool,
                      compaction: "_Compaction | None", phase: "_Phases") -> tuple[int, str]:
    """Accepted submissions kept, the derived graph made, the graphs counted; returns the ontology's
    triples and when the derivation started.

    Both derive from the sources' taps: a full build loads the result, an incremental one (when a
    change touched what the derivation reads) rewrites the graph by difference.
    """
    with phase("submissions"):  # accepted submissions: mapped and validated again, kept in the store
        inputs_changed |= keep_accepted(store, gen, mint, report)
    if previous is None:
        derive_started = _now()
        with phase("derive"):
            path = _derive_from_taps(store, gen, staging, mint, report, state)
        with phase("load_derived"):
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(mint.graph("derived")))
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)  # and into the default graph
            os.replace(path, gen / DERIVED_FILE)
        with phase("count"):  # what is left of it
            counts = compaction.counts()
        return _count_graphs(store, mint, report, state, counts), derive_started
    with phase("count"):
        ontology_triples = _count_graphs(store, mint, report, state)
    derive_started = _now()
    with phase("derive"):
        if inputs_changed:
            _derive(store, gen, staging, mint, report, state, previous)
        else:  # no change touched a triple the derivation reads: the derived graph stays as it is
            if previous.derived is not None:
                link_or_copy(previous.derived, gen / DERIVED_FILE)
            else:  # an accepted submission's generation: the store has the graph, the file is made now
                store.dump(str(gen / DERIVED_FILE), format=ox.RdfFormat.N_TRIPLES,
                           from_graph=ox.NamedNode(mint.graph("derived")))
            report.derived = DerivedStats(**previous.derived_stats())
            report.derived_kept = True
    return ontology_triples, derive_started


def _derive(store: ox.Store, gen: Path, staging: Path, mint: Minter, report: BuildReport, state: BuildState,
            previous: PreviousBuild) -> None:
    """An incremental build's derived graph, from the sources' taps, rewritten by difference; kept as
    N-Triples for the next build to compare with."""
    path = _derive_from_taps(store, gen, staging, mint, report, state)
    _write_graph(store, mint.graph("derived"), path, staging, report, previous.derived)
    os.replace(path, gen / DERIVED_FILE)


def _derive_from_taps(store: ox.Store, gen: Path, staging: Path, mint: Minter, report: BuildReport,
                      state: BuildState) -> Path:
    """The derived graph, from the lines every source's mapping wrote (derive/inputs.py), the ontology's
    and the accepted submissions' graphs; written to an N-Triples file, returned."""
    others = [mint.graph("ontology"), *report.submissions.get("graphs", [])]
    extra = [q for g in others for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    inputs = read_taps((tap_paths(gen / STATE_DIR, s.file_stem) for s in state.sources), extra)
    path = staging / DERIVED_FILE
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        report.derived = write_derived(inputs, mint, out)
    return path


class _Spans:
    """Which source wrote which lines of the one stream of a full build: a loader error names the file."""

    _LINE = re.compile(r"\bline (\d+)")

    def __init__(self):
        self._done = 0  # lines of the stream from the sources finished before the current one
        self._spans: list[tuple[int, str, GraphWriter]] = []

    def start(self, name: str, writer: GraphWriter) -> None:
        if self._spans:
            self._done += 2 * self._spans[-1][2].lines  # each line twice: its graph, the default graph (_Twice)
        self._spans.append((self._done, name, writer))

    def describe(self, error: BaseException) -> str:
        m = self._LINE.search(str(error))
        if m and self._spans:
            line = int(m.group(1))
            for first, name, _ in reversed(self._spans):
                if line > first:
                    return f"loading {name} (near line {(line - first + 1) // 2} of its triples)"
        return "loading the sources"


class _Compaction:
    """A full build's per-graph counts, then ``Store.optimize()``, on a thread of their own (pyoxigraph
    releases the GIL): ``counts()`` waits for the first, ``wait()`` for both."""

    def __init__(self, store: ox.Store):
        self._counted = threading.Event()
        self._counts: dict[str, int] | None = None
        self._error: BaseException | None = None

        def run():
            try:
                self._counts = graph_counts(store)
                self._counted.set()
                store.optimize()
            except BaseException as e:  # noqa: BLE001 - raised by counts() or wait()
                self._error = e
            finally:
                self._counted.set()

        self._thread = threading.Thread(target=run, name="pwc-kg-compaction", daemon=True)
        self._thread.start()

    def counts(self) -> dict[str, int]:
        self._counted.wait()
        if self._counts is None:
            raise self._error
        return self._counts

    def wait(self, errors: bool = True) -> None:
        self._thread.join()
        if errors and self._error is not None:
            raise self._error


def _provenance(store: ox.Store, staging: Path, mint: Minter, report: BuildReport, started: str,
                derive_started: str) -> int:
    """The provenance graph: each source and graph, the build and the derivation; returns its triples."""
    graph = mint.graph("provenance")
    ontology = mint.graph("ontology")
    stamp = started.replace(":", "").replace("-", "")
    sources = [r.graph for r in report.sources]
    quads = [line for rec in report.sources for line in source_quads(mint, rec, graph)]
    quads += build_quads(mint, mint.build(stamp), graph, started=started, ended=_now(), version=__version__,
                         sources=report.sources, generated=sources + [ontology])
    quads += derivation_quads(mint, mint.build(stamp + "/derivation"), graph, started=derive_started, ended=_now(),
                              used=sources, generated=mint.graph("derived"), triples=report.derived.triples)
    path = staging / "provenance.nt"
    suffix = f" <{graph}> .\n"
    path.write_text("".join(line.removesuffix(suffix) + " .\n" for line in quads), encoding="utf-8")
    _write_graph(store, graph, path, staging, report, None)
    return len(quads)


def _still_joins(previous: PreviousBuild, old: SourceState, registry: Registry, dirty: set[str]) -> bool:
    """Whether a source's look-ups into the registry would find what they found in the previous build."""
    checked = dirty.intersection(old.reads)
    if not checked:
        return True  # every table it read holds what it held then
    reads = previous.reads(old)
    return registry.agrees({t: reads[t] for t in checked if t in reads})


def _reuse(previous: PreviousBuild, inp: _Input, gen: Path, stem: str, registry: Registry, rejects: Rejects,
           rej_out, checked: ValueChecks) -> tuple[SourceRecord, SourceState]:
    """A source not read again: its graph stays; its registry entries, reject lines, tap and value-test
    suspects are the previous build's."""
    old = inp.old
    registry.add_layer(lambda: previous.layer(old), old.layer)
    for suffix in ("layer", "reads", "suspects"):
        link_or_copy(previous.file(old, suffix), gen / STATE_DIR / f"{stem}.{suffix}.json")
    for before, now in zip(tap_paths(previous.gen / STATE_DIR, old.file_stem), tap_paths(gen / STATE_DIR, stem)):
        link_or_copy(before, now)
    checked.merge(read_json(previous.file(old, "suspects")), old.graph)
    lines = previous.rejects_of(old.name)
    rej_out.writelines(lines)
    rejects.count += len(lines)
    record = SourceRecord(str(inp.src.path), old.name, old.kind, old.size, old.sha256, old.graph, old.records,
                          old.records_rejected, old.rejects, old.triples, dict(old.stats))
    return record, dataclasses.replace(old, files=inp.files, file_stem=stem)


def _read(inp: _Input, gen: Path, stem: str, staging: Path, loader: _Loader, registry: Registry, ctx_args: dict,
          progress: Progress | None, rewrite: bool, stream: IO[str] | None = None,
          *, checked: ValueChecks, spans: "_Spans | None" = None) -> tuple[SourceRecord, SourceState]:
    """A source read and mapped; its graph loaded, or rewritten by difference where the previous store has it.

    With ``stream``, its N-Quads go into that stream, shared by all the sources of a full build.
    """
    chunks: list[Path] = []
    tap = Tap(gen / STATE_DIR, stem, inp.graph, inp.src.kind)  # the lines the derivation reads, kept for the next build
    checks = checked.fresh()  # the shapes' value tests on every line
    watch = (tap, checks)
    if rewrite:  # compared with what the graph holds: staged
        writer = GraphWriter(inp.graph, staging, stem, chunks.append, watch=watch)
    elif stream is not None:  # each line in its graph and in the default graph
        writer = GraphWriter(inp.graph, staging, stem, chunks.append, stream=_Twice(stream, inp.graph), quads=True,
                             shared=True, watch=watch)
        spans.start(inp.src.name, writer)
    elif PIPES:
        writer = GraphWriter(inp.graph, staging, stem, chunks.append,
                             stream=_Twice(loader.pipe(None, inp.label), inp.graph), quads=True, watch=watch)
    else:  # N-Quads files, loaded as they are finished
        writer = GraphWriter(inp.graph, staging, stem, loader.load_quads, quads=True, watch=watch)
    try:
        record = _map_source(inp, writer, ctx_args, progress)
    except BaseException:
        writer.abort()  # a loader reading the pipe gets its end (else it would wait for ever), the build the error
        raise
    finally:
        tap.close()
    found = checks.to_json()
    write_json(gen / STATE_DIR / f"{stem}.suspects.json", found)
    checked.merge(found, inp.graph)
    if rewrite:
        loader.replace(inp.graph, chunks)
    layer, reads = registry.end()
    digests = save_layer(gen / STATE_DIR / f"{stem}.layer.json", layer)
    write_json(gen / STATE_DIR / f"{stem}.reads.json", reads)
    kept = SourceState(str(inp.src.path.resolve()), inp.label, inp.src.kind, record.size, record.sha256, inp.graph,
                       inp.files, record.records, record.records_rejected, record.rejects, 0, record.stats,
                       digests, sorted(reads), stem)
    return record, kept


def _write_graph(store: ox.Store, graph: str, path: Path, staging: Path, report: BuildReport, old: Path | None) -> None:
    """A computed graph (derived, provenance): loaded, or, in an incremental build, rewritten by difference."""
    if report.mode == "full":
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)  # and into the default graph
        return
    change = replace_graph(store, graph, [path], staging / "diff", old=old)
    report.changes[graph] = {"removed": change.removed, "added": change.added}


class _Phases:
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


_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(store: ox.Store, graph: str) -> int:
    (row,) = store.query(bind_values(_COUNT, {"g": ox.NamedNode(graph)}))
    return int(row["n"].value)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
