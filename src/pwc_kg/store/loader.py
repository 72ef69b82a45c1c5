"""Writing a generation's store on threads of their own, beside the mapping: the loads, then the compaction.

:class:`Loader` runs the bulk loads (of finished N-Triples files, or of a pipe the mapping writes into
as it goes) and the graphs rewritten by difference, in order, on one thread; pyoxigraph's bulk loader
releases the GIL, so mapping and loading use both cores. A full build writes every graph into one
N-Quads stream, each line twice (:class:`Twice`: in its graph and in the default graph, store/union.py);
:class:`Spans` says which source a line of that stream came from, so that a load error names the file.
:class:`Compaction` counts the graphs and then compacts the store, on another thread, while the build
goes on in Python.
"""

from __future__ import annotations

import os
import queue
import re
import threading
from pathlib import Path
from typing import IO, Callable

import pyoxigraph as ox

from .generations import BuildError
from .graph_diff import GraphChange, replace_graph

# The bulk loader can read a pipe the mapping writes into (by its /dev/fd path): loading then keeps
# pace with mapping, with no chunk waiting on disk. Elsewhere (or with PWC_KG_NO_PIPES set, to
# compare) the N-Triples go through staged files.
PIPES = Path("/dev/fd").is_dir() and not os.environ.get("PWC_KG_NO_PIPES")


class Loader:
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


class Twice:
    """A stream of N-Quads lines of one graph that writes each line twice: in its graph, and in the
    default graph (the same line without the graph name). Lines end in " <graph> .\\n"; a literal
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


class Spans:
    """Which source wrote which lines of the one stream of a full build: a loader error names the file.

    Each source's writer counts its ``lines``; the stream holds each of them twice (:class:`Twice`).
    """

    _LINE = re.compile(r"\bline (\d+)")

    def __init__(self):
        self._done = 0  # lines of the stream from the sources finished before the current one
        self._spans: list[tuple[int, str, object]] = []

    def start(self, name: str, writer) -> None:
        if self._spans:
            self._done += 2 * self._spans[-1][2].lines  # each line twice: its graph, the default graph
        self._spans.append((self._done, name, writer))

    def describe(self, error: BaseException) -> str:
        m = self._LINE.search(str(error))
        if m and self._spans:
            line = int(m.group(1))
            for first, name, _ in reversed(self._spans):
                if line > first:
                    return f"loading {name} (near line {(line - first + 1) // 2} of its triples)"
        return "loading the sources"


class Compaction:
    """A full build's per-graph counts (``count(store)``), then ``Store.optimize()``, on a thread of their own
    (pyoxigraph releases the GIL): ``counts()`` waits for the first, ``wait()`` for both."""

    def __init__(self, store: ox.Store, count: Callable[[ox.Store], dict[str, int]]):
        self._counted = threading.Event()
        self._counts: dict[str, int] | None = None
        self._error: BaseException | None = None

        def run():
            try:
                self._counts = count(store)
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
