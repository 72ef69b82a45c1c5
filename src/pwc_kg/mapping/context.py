"""What a mapper writes to: one named graph's triples, the rejects report, and shared look-ups."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

from ..iri import Minter, name_key
from ..ntriples import iri, lit
from ..vocab import PWC, RDF

TYPE = RDF.type


class GraphWriter:
    """Writes the triples of one named graph as N-Triples files, typing each node once.

    The output is cut into chunks of ``chunk_lines`` triples; each finished chunk is handed to
    ``on_chunk`` (the build loads it into the store while the mapping goes on).
    """

    def __init__(self, graph: str, folder: Path, stem: str, on_chunk: Callable[[Path], None],
                 chunk_lines: int = 3_000_000):
        self._folder = folder
        self._stem = stem
        self._on_chunk = on_chunk
        self._chunk_lines = chunk_lines
        self._chunk = 0
        self._in_chunk = 0
        self._out: IO[str] | None = None
        self._buf: list[str] = []
        self._typed: set[tuple[str, str]] = set()
        self.graph = graph

    def add(self, s: str, p: str, o: str) -> None:
        """Subject and predicate are IRIs; the object is an already formatted term."""
        self._buf.append(f"<{s}> <{p}> {o} .\n")
        if len(self._buf) >= 4096:
            self.flush()

    def iri(self, s: str, p: str, o: str) -> None:
        self.add(s, p, f"<{o}>")

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
        if self._out is None:
            self._path = self._folder / f"{self._stem}-{self._chunk:04d}.nt"
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

    def close(self) -> None:
        """Flush and hand over the last chunk."""
        self.flush()
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
            self._out.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")


def _jsonable(value: object) -> object:
    try:
        json.dumps(value, default=str)
        return value
    except (TypeError, ValueError):
        return repr(value)


@dataclass
class Registry:
    """Look-ups that later sources use to join to what earlier sources defined."""

    dataset_by_name: dict[str, str] = field(default_factory=dict)
    dataset_by_alias: dict[str, str] = field(default_factory=dict)
    method_by_name: dict[str, str] = field(default_factory=dict)
    paper_by_arxiv: dict[str, str] = field(default_factory=dict)
    paper_by_url: dict[str, str] = field(default_factory=dict)
    paper_by_title: dict[str, str] = field(default_factory=dict)
    papers: set[str] = field(default_factory=set)  # IRIs of the papers a papers file described

    def remember(self, table: dict[str, str], key: str, value: str) -> None:
        """Keep the smallest IRI per key, so the join is the same whatever order files are read in."""
        old = table.get(key)
        if old is None or value < old:
            table[key] = value


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

    def reject(self, record: str, field_: str, value: object, reason: str) -> None:
        self.rejects.add(self.source, record, field_, value, reason)

    def bump(self, name: str, n: int = 1) -> None:
        self.stats[name] = self.stats.get(name, 0) + n


def pointer(*parts: object) -> str:
    """A JSON Pointer (RFC 6901) to a place in the source file."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def named(ctx: Context, node: str, cls: str, name: str) -> str:
    """Type a node and give it its name (once per graph); returns the node."""
    if ctx.graph.type(node, cls):
        ctx.graph.text(node, PWC.name, name)
    return node


__all__ = ["Context", "GraphWriter", "Registry", "Rejects", "named", "pointer", "iri", "name_key"]
