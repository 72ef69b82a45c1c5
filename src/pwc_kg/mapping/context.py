"""What a mapper writes to: one named graph's triples, the rejects report, and shared look-ups."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable

from ..iri import Minter, name_key
from ..ntriples import iri, lit
from ..vocab import PWC, RDF

TYPE = RDF.type


class GraphWriter:
    """Writes the triples of one named graph as N-Triples (or N-Quads) files, typing each node once.

    The output is cut into chunks of ``chunk_lines`` lines; each finished chunk is handed to
    ``on_chunk`` (the build loads it into the store while the mapping goes on). With ``stream``,
    everything goes to that stream instead (a pipe the store's bulk loader reads from), closed
    by :meth:`close` unless ``shared`` (one stream for all the graphs of a build). With ``quads``,
    each line names the graph (N-Quads). Each of ``watch`` (an object with ``predicates`` and
    ``see(subject, predicate, object as written, line)``) is shown the lines of its predicates: the
    derivation's tap (derive/inputs.py), the shapes' value tests (validation/values.py).
    """

    def __init__(self, graph: str, folder: Path, stem: str, on_chunk: Callable[[Path], None],
                 chunk_lines: int = 3_000_000, stream: IO[str] | None = None, *, quads: bool = False,
                 shared: bool = False, watch: Iterable = ()):
        self._stream = stream
        self._shared = shared
        self._folder = folder
        self._stem = stem
        self._on_chunk = on_chunk
        self._chunk_lines = chunk_lines
        self._chunk = 0
        self._in_chunk = 0
        self._out: IO[str] | None = None
        self._buf: list[str] = []
        self._typed: set[tuple[str, str]] = set()
        self._end = f" <{graph}> .\n" if quads else " .\n"
        self._watch: dict[str, list[Callable[[str, str, str, str], None]]] = {}
        for watcher in watch:
            for p in watcher.predicates:
                self._watch.setdefault(p, []).append(watcher.see)
        self.graph = graph
        self.suffix = ".nq" if quads else ".nt"
        self.lines = 0  # written so far (flushed)

    def add(self, s: str, p: str, o: str) -> None:
        """Subject and predicate are IRIs; the object is an already formatted term."""
        line = f"<{s}> <{p}> {o}{self._end}"
        self._buf.append(line)
        seen = self._watch.get(p)
        if seen:
            for see in seen:
                see(s, p, o, line)
        if len(self._buf) >= 4096:
            self.flush()

    def iri(self, s: str, p: str, o: str) -> None:
        line = f"<{s}> <{p}> <{o}>{self._end}"  # add() inlined: millions of calls at full scale
        self._buf.append(line)
        seen = self._watch.get(p)
        if seen:
            for see in seen:
                see(s, p, f"<{o}>", line)
        if len(self._buf) >= 4096:
            self.flush()

    def text(self, s: str, p: str, value: str) -> None:
        self.add(s, p, lit(value))

    def type(self, node: str, cls: str) -> bool:
        """Type a node once per graph; True the first time, so callers can add its label then."""
        key = (node, cls)
        if key in self._typed:
            return False
        self._typed.add(key)
        self.add(node, TYPE, f"<{cls}>")
        return True

    def once(self, key: tuple) -> bool:
        """True the first time a key is seen in this graph: for facts written once per graph."""
        if key in self._typed:
            return False
        self._typed.add(key)
        return True

    def flush(self) -> None:
        if not self._buf:
            return
        self.lines += len(self._buf)
        if self._stream is not None:
            self._stream.write("".join(self._buf))
            self._buf.clear()
            return
        if self._out is None:
            self._path = self._folder / f"{self._stem}-{self._chunk:04d}{self.suffix}"
            self._out = open(self._path, "w", encoding="utf-8", newline="\n")
        self._in_chunk += len(self._buf)
        self._out.write("".join(self._buf))
        self._buf.clear()
        if self._in_chunk >= self._chunk_lines:
            self._end_chunk()

    def _end_chunk(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
            self._on_chunk(self._path)
            self._chunk += 1
            self._in_chunk = 0

    def abort(self) -> None:
        """Stop writing, after an error: close the stream (its reader sees the end) or the chunk being written."""
        self._buf.clear()
        out, self._out = (self._stream, None) if self._stream is not None else (self._out, None)
        if out is not None:
            try:
                out.close()
            except OSError:
                pass  # the reader is gone already

    def close(self) -> None:
        """Flush and hand over the last chunk (or close the stream, unless it is shared)."""
        try:
            self.flush()
        finally:
            if self._stream is not None and not self._shared:
                self._stream.close()
        self._end_chunk()


class Rejects:
    """The rejects report: one JSON line per record or field that did not make it into the graph."""

    def __init__(self, out: IO[str] | None):
        self._out = out
        self.count = 0

    def add(self, source: str, record: str, field: str, value: object, reason: str) -> None:
        self.count += 1
        if self._out is not None:
            line = {"source": source, "record": record, "field": field,
                    "value": _jsonable(value), "reason": reason}
            text = json.dumps(line, ensure_ascii=False, default=str)
            self._out.write(_UNSAFE_IN_LINE.sub(_escape, text) + "\n")


# Characters json.dumps leaves as they are but a JSON Lines file cannot hold: line breaks to
# str.splitlines() (U+0085, U+2028, U+2029) and lone surrogates (not encodable as UTF-8).
_UNSAFE_IN_LINE = re.compile("[\x85\u2028\u2029\ud800-\udfff]")


def _escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def _jsonable(value: object) -> object:
    try:
        json.dumps(value, default=str)
        return value
    except (TypeError, ValueError):
        return repr(value)


REGISTRY_TABLES = ("dataset_by_name", "dataset_by_alias", "method_by_name", "paper_by_arxiv", "paper_by_url",
                   "paper_by_title", "papers")


class _Table:
    """One look-up table of the registry, as mappers use it: ``table.get(key)``, ``key in table``."""

    __slots__ = ("_registry", "name")

    def __init__(self, registry: "Registry", name: str):
        self._registry = registry
        self.name = name

    def get(self, key: str, default: str | None = None) -> str | None:
        found = self._registry.lookup(self.name, key)
        return default if found is None else found

    def __contains__(self, key: str) -> bool:
        return self._registry.lookup(self.name, key) is not None

    def __getitem__(self, key: str) -> str:
        found = self._registry.lookup(self.name, key)
        if found is None:
            raise KeyError(key)
        return found


class _Papers(_Table):
    """The IRIs of the papers a papers file described: ``registry.papers.add(node)``, ``node in registry.papers``."""

    __slots__ = ()

    def add(self, node: str) -> None:
        self._registry.remember(self, node, node)


Layer = dict[str, dict[str, str]]  # table name → key → the smallest IRI one source gave it
Reads = dict[str, dict[str, str | None]]  # table name → key → what a look-up found (None: nothing)


class Registry:
    """Look-ups that later sources use to join to what earlier sources defined.

    Each source file writes into a layer of its own and a look-up sees every layer (the smallest
    IRI per key, so the join is the same whatever order files are read in). The look-ups a source
    makes are logged with what they found: an incremental build reuses a source's triples only
    if the same look-ups still find the same IRIs (:meth:`agrees`).

    >>> reg = Registry()
    >>> reg.remember(reg.method_by_name, "adam", "https://x/method/adam")
    >>> layer, reads = reg.end()
    >>> reg.method_by_name.get("adam"), "sgd" in reg.method_by_name
    ('https://x/method/adam', False)
    >>> reg.end()[1]
    {'method_by_name': {'adam': 'https://x/method/adam', 'sgd': None}}
    >>> reg.agrees({'method_by_name': {'adam': 'https://x/method/adam'}}), reg.agrees({'method_by_name': {'sgd': 'https://x/m'}})
    (True, False)
    """

    def __init__(self) -> None:
        self._tables: dict[str, list[dict[str, str]]] = {name: [] for name in REGISTRY_TABLES}  # the finished layers
        self._pending: list[tuple[Callable[[], Layer], set[str]]] = []  # layers not read from disk yet
        self._layer: Layer = {}
        self._reads: Reads = {}
        for name in REGISTRY_TABLES:
            setattr(self, name, (_Papers if name == "papers" else _Table)(self, name))

    dataset_by_name: _Table
    dataset_by_alias: _Table
    method_by_name: _Table
    paper_by_arxiv: _Table
    paper_by_url: _Table
    paper_by_title: _Table
    papers: _Papers

    def remember(self, table: _Table, key: str, value: str) -> None:
        """Keep the smallest IRI per key, so the join is the same whatever order files are read in."""
        own = self._layer.setdefault(table.name, {})
        old = own.get(key)
        if old is None or value < old:
            own[key] = value

    def _found(self, name: str, key: str) -> str | None:
        if self._pending and any(name in tables for _, tables in self._pending):
            self._read_pending(name)
        best = None
        for table in self._tables[name]:
            value = table.get(key)
            if value is not None and (best is None or value < best):
                best = value
        own = self._layer.get(name)
        if own:
            value = own.get(key)
            if value is not None and (best is None or value < best):
                best = value
        return best

    def lookup(self, name: str, key: str) -> str | None:
        """What the table holds for a key (the smallest IRI any source gave it), logged for this source."""
        found = self._found(name, key)
        log = self._reads.get(name)
        if log is None:
            log = self._reads[name] = {}
        if key not in log:
            log[key] = found
        return found

    def end(self) -> tuple[Layer, Reads]:
        """A source is mapped: its layer joins the registry; returns that layer and the look-ups it made."""
        layer, reads = {k: v for k, v in self._layer.items() if v}, self._reads
        self._add(layer)
        self._layer, self._reads = {}, {}
        return layer, reads

    def _add(self, layer: Layer) -> None:
        for name, table in layer.items():
            if table:
                self._tables[name].append(table)

    def add_layer(self, load: Callable[[], Layer], tables: Iterable[str]) -> None:
        """The layer of a source whose triples are reused, read from disk when a look-up first needs one of its tables."""
        tables = set(tables)
        if tables:
            self._pending.append((load, tables))

    def _read_pending(self, name: str) -> None:
        keep = []
        for load, tables in self._pending:
            if name in tables:
                self._add(load())
            else:
                keep.append((load, tables))
        self._pending = keep

    def agrees(self, reads: Reads) -> bool:
        """Whether every look-up a source made before would find the same IRI now."""
        return all(self._found(name, key) == value for name, log in reads.items() for key, value in log.items())


@dataclass
class Context:
    """Everything a mapper needs for one source file."""

    source: str  # the file name, as rejects name it
    graph: GraphWriter
    rejects: Rejects
    mint: Minter
    registry: Registry
    records: int = 0
    records_rejected: int = 0
    stats: dict[str, int] = field(default_factory=dict)
    task_parents: dict[str, set[str]] = field(default_factory=dict)  # subtask links written so far, against cycles

    def reject(self, record: str, field_: str, value: object, reason: str) -> None:
        self.rejects.add(self.source, record, field_, value, reason)

    def bump(self, name: str, n: int = 1) -> None:
        self.stats[name] = self.stats.get(name, 0) + n


def named(ctx: Context, node: str, cls: str, name: str) -> str:
    """Type a node and give it its name (once per graph); returns the node."""
    if ctx.graph.type(node, cls):
        ctx.graph.text(node, PWC.name, name)
    return node


__all__ = ["Context", "GraphWriter", "Registry", "Rejects", "named", "iri", "name_key"]
