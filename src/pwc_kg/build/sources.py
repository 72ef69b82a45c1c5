"""The build's first step: each source read and mapped into its graph, or reused from the previous generation.

A full build writes every graph into one N-Quads stream the bulk loader reads (store/loader.py); an
incremental one stages the graphs it reads again and rewrites them by difference. Every source read
shows its lines to its tap (the derivation's lines, kept in the state) and to the shapes' value tests
on the way; a source reused brings the previous build's (build/plan.py decides which).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from ..derive.inputs import Tap
from ..derive.inputs import reads as derivation_reads  # which triples the derived graph is computed from
from ..kinds import MAPPERS, READERS
from ..mapping.context import Context, GraphWriter, Registry, Rejects
from ..provenance import SourceRecord
from ..sources import SourceError
from ..sources.archive import TooDeep, every_record_rejected, file_digest
from ..sources.kinds import ARCHIVE_KINDS
from ..store.loader import PIPES, Loader, Spans, Twice
from ..store.state import STATE_DIR, SourceState, link_or_copy, read_json, save_layer, tap_paths, write_json
from ..store.union import copy_to_default
from ..vocab import RDF, ontology_path
from .plan import Input

if TYPE_CHECKING:
    from .run import BuildRun


def map_and_load(run: BuildRun) -> bool:
    """Each source read and mapped into its graph, or reused; the graphs of sources no longer given removed;
    into ``run``'s report, state and value-test findings. Returns whether what the derived graph is computed
    from may have changed since the previous build."""
    loader = Loader(run.store, run.staging)
    with open(run.gen / "rejects.jsonl", "w", encoding="utf-8") as rejects:
        sources = _Sources(run, loader, rejects)
        try:
            sources.all()
        except BaseException as e:
            sources.end_stream()  # the loader gets the end of its stream instead of waiting for ever
            loader.finish(cancel=True)
            if isinstance(e, BrokenPipeError) and loader.error is not None:
                raise loader.error from e  # the loader stopped reading: its error is the one to tell
            raise
        loader.finish()
    run.report.changes = {c.graph: {"removed": c.removed, "added": c.added} for c in loader.changes}
    kind_of = {inp.graph: inp.src.kind for inp in run.plan.inputs}
    return sources.loaded_whole or any(derivation_reads(p, kind=kind_of.get(c.graph)) for c in loader.changes
                                       for p in c.predicates) or any(
        derivation_reads(RDF.type, cls) for c in loader.changes for cls in c.classes)


class _Sources:
    """One pass over a build's sources: where their lines, registry entries and rejects go."""

    def __init__(self, run: BuildRun, loader: Loader, rejects: IO[str]):
        self.run = run
        self.loader = loader
        self.rejects_out = rejects
        self.rejects = Rejects(rejects)
        self.registry = Registry()
        self.spans = Spans()
        # A full build's one N-Quads stream, for every graph
        self.stream = loader.pipe(None, self.spans.describe) if run.full and PIPES else None
        self.loaded_whole = run.full  # a graph loaded without comparing: what changed in it is not known

    def all(self) -> None:
        run, plan = self.run, self.run.plan
        for i, inp in enumerate(plan.inputs):
            stem = f"{i:03d}-{inp.src.kind}"  # its state files' and staged files' names
            if plan.reuses(inp, self.registry):
                record, kept = self.reuse(inp, stem)
                run.report.reused.append(inp.label)
            else:
                record, kept = self.read(inp, stem)
                self.loaded_whole |= not plan.rewrites(inp)
                plan.read_again(inp, kept)
                run.report.reread.append(inp.label)
            run.report.sources.append(record)
            run.state.sources.append(kept)
        for old in plan.removed():
            self.loader.replace(old.graph, [])
            run.report.removed.append(old.name)
        if self.stream is not None:
            self.stream.close()  # the end of the sources: the bulk loader commits them
        if run.full:
            ontology = run.mint.graph("ontology")
            self.loader.load(ontology_path(), ox.RdfFormat.TURTLE, ontology)
            self.loader.call("copying the ontology into the default graph",
                             lambda: copy_to_default(run.store, ox.NamedNode(ontology)))

    def end_stream(self) -> None:
        if self.stream is not None and not self.stream.closed:
            try:
                self.stream.close()
            except OSError:
                pass

    def reuse(self, inp: Input, stem: str) -> tuple[SourceRecord, SourceState]:
        """A source not read again: its graph stays; its registry entries, reject lines, tap and value-test
        suspects are the previous build's."""
        old, previous, gen = inp.old, self.run.plan.previous, self.run.gen
        self.registry.add_layer(lambda: previous.layer(old), old.layer)
        for suffix in ("layer", "reads", "suspects"):
            link_or_copy(previous.file(old, suffix), gen / STATE_DIR / f"{stem}.{suffix}.json")
        for before, now in zip(tap_paths(previous.gen / STATE_DIR, old.file_stem), tap_paths(gen / STATE_DIR, stem)):
            link_or_copy(before, now)
        self.run.checked.merge(read_json(previous.file(old, "suspects")), old.graph)
        lines = previous.rejects_of(old.name)
        self.rejects_out.writelines(lines)
        self.rejects.count += len(lines)
        record = SourceRecord(str(inp.src.path), old.name, old.kind, old.size, old.sha256, old.graph, old.records,
                              old.records_rejected, old.rejects, old.triples, dict(old.stats))
        return record, dataclasses.replace(old, files=inp.files, file_stem=stem)

    def read(self, inp: Input, stem: str) -> tuple[SourceRecord, SourceState]:
        """A source read and mapped; its graph loaded, or rewritten by difference where the previous store has it."""
        state = self.run.gen / STATE_DIR
        tap = Tap(state, stem, inp.graph, inp.src.kind)  # the lines the derivation reads, kept for the next build
        checks = self.run.checked.fresh()  # the shapes' value tests on every line
        chunks: list[Path] = []
        writer = self._writer(inp, stem, chunks, watch=(tap, checks))
        try:
            record = self._map(inp, writer)
        except BaseException:
            writer.abort()  # a loader reading the pipe gets its end (else it would wait for ever), the build the error
            raise
        finally:
            tap.close()
        found = checks.to_json()
        write_json(state / f"{stem}.suspects.json", found)
        self.run.checked.merge(found, inp.graph)
        if self.run.plan.rewrites(inp):
            self.loader.replace(inp.graph, chunks)
        layer, reads = self.registry.end()
        digests = save_layer(state / f"{stem}.layer.json", layer)
        write_json(state / f"{stem}.reads.json", reads)
        kept = SourceState(str(inp.src.path.resolve()), inp.label, inp.src.kind, record.size, record.sha256, inp.graph,
                           inp.files, record.records, record.records_rejected, record.rejects, 0, record.stats,
                           digests, sorted(reads), stem)
        return record, kept

    def _writer(self, inp: Input, stem: str, chunks: list[Path], watch: tuple) -> GraphWriter:
        """Where a source's lines go: staged to be compared with what its graph holds, the build's one
        stream (each line in its graph and in the default graph), a pipe of its own, or N-Quads files
        loaded as they are finished."""
        staging = self.run.staging
        if self.run.plan.rewrites(inp):
            return GraphWriter(inp.graph, staging, stem, chunks.append, watch=watch)
        if self.stream is not None:
            writer = GraphWriter(inp.graph, staging, stem, chunks.append, stream=Twice(self.stream, inp.graph),
                                 quads=True, shared=True, watch=watch)
            self.spans.start(inp.src.name, writer)
            return writer
        if PIPES:
            return GraphWriter(inp.graph, staging, stem, chunks.append,
                               stream=Twice(self.loader.pipe(None, inp.label), inp.graph), quads=True, watch=watch)
        return GraphWriter(inp.graph, staging, stem, self.loader.load_quads, quads=True, watch=watch)

    def _map(self, inp: Input, writer: GraphWriter) -> SourceRecord:
        """The source's records mapped into ``writer``, counted; every record of an archive file rejected is an error."""
        src, progress = inp.src, self.run.progress
        size, sha = inp.digest or file_digest(src.path)
        record = SourceRecord(str(src.path), inp.label, src.kind, size, sha, inp.graph)
        mapper = MAPPERS[src.kind]
        ctx = Context(source=inp.label, graph=writer, rejects=self.rejects, mint=self.run.mint, registry=self.registry)
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
