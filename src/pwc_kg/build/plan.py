"""The incremental plan: each input of a build, its graph, and whether the previous generation gives it.

A build on a store that has a current generation starts from it (:func:`previous_build`) unless a full
build is asked for, the generation cannot be built upon (store/state.py says why) or too much would be
rewritten. A source is reused (:meth:`Plan.reuses`) when its file is the same, its graph has the same
name and every look-up it made into the registry (mapping/context.py) finds what it found then; only
look-ups into tables that a source read again, or no longer given, changed (:attr:`Plan.dirty`) need
checking.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..iri import Minter, segment
from ..mapping.context import Registry
from ..sources import SourceFile
from ..sources.archive import file_digest
from ..store import StoreDir
from ..store.state import PreviousBuild, SourceState, StateUnusable, signature

# An incremental build that would rewrite more than this share of the previous source triples (and
# more than REWRITE_MIN of them) is made a full build: rewriting a graph costs more per triple than
# loading it, and a full build leaves a compacted store.
REWRITE_LIMIT = 0.5
REWRITE_MIN = 1_000_000


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
class Input:
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


def inputs_of(files: list[SourceFile], labels: dict[Path, str], mint: Minter) -> list[Input]:
    return [Input(f, labels[f.path], graph_name(mint, labels[f.path]), signature(f.path)) for f in files]


def previous_build(sd: StoreDir, inputs: list[Input], mint: Minter, entail: bool,
                   full: bool) -> tuple[PreviousBuild | None, str]:
    """The generation to build upon, and which inputs it read as they are now; or None and why not."""
    if full:
        return None, "asked for"
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


class Plan:
    """Which sources a build reads again and which it takes from the previous generation, decided source
    by source as the build goes (a source read again may change what the next ones' look-ups find)."""

    def __init__(self, previous: PreviousBuild | None, inputs: list[Input]):
        self.previous = previous
        self.inputs = inputs
        self.old_graphs = {s.graph: s for s in previous.state.sources} if previous else {}
        # Registry tables whose content may differ from the previous build's at this point of the
        # build: only look-ups into them need checking. A source no longer given changes its tables.
        given = {inp.old.path for inp in inputs if inp.old}
        self.dirty = {t for s in self.old_graphs.values() if s.path not in given for t in s.layer}

    def rewrites(self, inp: Input) -> bool:
        """Whether the previous store has the source's graph (then rewritten by difference, not loaded)."""
        return inp.graph in self.old_graphs

    def reuses(self, inp: Input, registry: Registry) -> bool:
        """Whether the source's graph, as the previous build wrote it, is what reading it again would give."""
        return inp.reusable and self._still_joins(inp.old, registry)

    def _still_joins(self, old: SourceState, registry: Registry) -> bool:
        """Whether a source's look-ups into the registry would find what they found in the previous build."""
        checked = self.dirty.intersection(old.reads)
        if not checked:
            return True  # every table it read holds what it held then
        reads = self.previous.reads(old)
        return registry.agrees({t: reads[t] for t in checked if t in reads})

    def read_again(self, inp: Input, kept: SourceState) -> None:
        """A source was read: the registry tables it now writes differently are dirty."""
        old_layer = inp.old.layer if inp.old else {}
        self.dirty |= {t for t in set(kept.layer) | set(old_layer) if kept.layer.get(t) != old_layer.get(t)}

    def removed(self) -> list[SourceState]:
        """The previous build's sources whose graphs are no longer among this build's."""
        graphs = {inp.graph for inp in self.inputs}
        return [old for graph, old in self.old_graphs.items() if graph not in graphs]
