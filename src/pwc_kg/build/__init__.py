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

Here: the store folder's lock, the new generation, publishing it or leaving the old one. The parts:
build/plan.py (the inputs, their graphs, what the previous generation gives), build/sources.py (each
source read and mapped, or reused), build/run.py (the run and its steps after the sources),
build/report.py (what a build tells); store/loader.py the loader and compaction threads.
"""

from __future__ import annotations

import gc
import json
import shutil
import traceback
from pathlib import Path
from typing import Iterable

from ..iri import DEFAULT_BASE, Minter
from ..sources import discover
from ..store import StoreDir
from ..store.disk import disk_full
from ..store.generations import BuildError
from .plan import Plan, graph_labels, graph_name, inputs_of, previous_build
from .report import BuildReport
from .run import BuildRun, Progress

__all__ = ["BuildError", "BuildReport", "Progress", "build", "graph_labels", "graph_name"]


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
        inputs = inputs_of(files, labels, mint)
        previous, reason = previous_build(sd, inputs, mint, entail, full)
        gen = sd.new_generation(copy_of=previous.gen if previous else None)
        try:
            # The run, and with it the store, goes when it has run: RocksDB lets go of the generation.
            report = BuildRun(gen, mint, Plan(previous, inputs), progress, entail).execute(validate)
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
