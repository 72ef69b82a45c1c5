"""What a generation keeps so that the next build can reuse it: its sources and their registry layers.

::

    gen-.../state/
      build-state.json        the code that built it, its base IRI, and per source: its file(s) with
                              size and mtime (the fast path), sha256, named graph, counts, and the
                              registry tables it wrote and read
      NNN-KIND.layer.json     what source NNN wrote to the registry (table → key → IRI)
      NNN-KIND.reads.json     the look-ups its mapping made, and what they found
      NNN-KIND.tap.nq, NNN-KIND.tap-late.nq
                              the lines of its graph the derivation reads (derive/inputs.py)
      NNN-KIND.suspects.json  the subjects whose values failed a value test of the shapes, and the
                              shapes' hash (validation/values.py)
    gen-.../derived.nt        the derived graph as written, to compare the next one with (not in the
                              generation an accepted submission makes: the store has the graph)

A later build reuses a source's named graph when the file is the same (same size and mtime, or
else the same sha256), its graph has the same name, and every look-up it made finds the same
IRI (only look-ups into tables that some re-read source changed need checking).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ..errors import PwcKgError

STATE_FORMAT = 2  # 2: each source's tap and value-test suspects
STATE_DIR = "state"
STATE_FILE = "build-state.json"
DERIVED_FILE = "derived.nt"


class StateUnusable(PwcKgError):
    """The previous generation cannot be built upon; the message says why (a full build follows)."""


def signature(path: Path) -> list[list]:
    """[relative name, size, mtime_ns] of a file, or of every file in a folder: unchanged, the file is taken as unchanged."""
    from ..sources.archive import source_files  # a dataset repository: its Parquet files, as its digest has them

    path = Path(path)
    files = source_files(path)
    out = []
    for f in files:
        st = f.stat()
        out.append([str(f.relative_to(path)) if path.is_dir() else f.name, st.st_size, st.st_mtime_ns])
    return out


# Parts of pwc-kg that read a built store but never write one: changing them keeps stores reusable.
NOT_BUILDING = ("cli/", "__main__.py", "questions.py", "stats.py", "queries/", "validation/", "serve/", "remote/",
                "export/")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of what decides the triples besides the input: pwc-kg's code (but the parts that only
    read a store), its ontology folder (crosswalk and direction tables; not the lineage file, which
    is a source) and pyoxigraph's version. Read once per process: the code this process runs."""
    h = hashlib.sha256(f"state {STATE_FORMAT}; pyoxigraph {ox.__version__}".encode())
    for name, f in building_files():
        h.update(name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def building_files() -> list[tuple[str, Path]]:
    """(name, path) of the files :func:`code_fingerprint` hashes, sorted by name."""
    from .. import vocab

    package = Path(vocab.__file__).parent
    ontology = vocab.ontology_path().parent
    files = [(f"pkg/{f.relative_to(package).as_posix()}", f) for f in package.rglob("*.py")]
    files = [(name, f) for name, f in files if not name.removeprefix("pkg/").startswith(NOT_BUILDING)]
    files += [(f"ontology/{f.name}", f) for f in ontology.iterdir()
              if f.is_file() and f.suffix in (".ttl", ".csv", ".jsonld") and "lineage" not in f.name]
    return sorted(files)


def save_layer(path: Path, layer: dict[str, dict[str, str]]) -> dict[str, str]:
    """Write a source's registry layer; returns a digest per table (two layers that differ in a table differ in its digest)."""
    digests = {}
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("{")
        for i, (name, table) in enumerate(sorted((n, t) for n, t in layer.items() if t)):
            text = json.dumps(table, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            digests[name] = hashlib.sha256(text.encode()).hexdigest()
            f.write(("," if i else "") + json.dumps(name) + ":" + text)
        f.write("}")
    os.replace(tmp, path)
    return digests


@dataclass
class SourceState:
    """One source of a generation, as the next build needs it."""

    path: str  # resolved
    name: str  # its label: the graph is named after it
    kind: str
    size: int
    sha256: str
    graph: str
    files: list = field(default_factory=list)  # signature()
    records: int = 0
    records_rejected: int = 0
    rejects: int = 0
    triples: int = 0
    stats: dict = field(default_factory=dict)
    layer: dict = field(default_factory=dict)  # table → digest of what it wrote
    reads: list = field(default_factory=list)  # the tables it looked up
    file_stem: str = ""  # state/{file_stem}.layer.json and .reads.json


@dataclass
class BuildState:
    fingerprint: str
    base_iri: str
    entail: bool = False
    sources: list[SourceState] = field(default_factory=list)
    format: int = STATE_FORMAT

    def save(self, gen: Path) -> None:
        folder = Path(gen) / STATE_DIR
        folder.mkdir(exist_ok=True)
        (folder / STATE_FILE).write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, gen: Path) -> "BuildState":
        """The state of a generation; StateUnusable (with the reason) when there is none or it cannot be read."""
        path = Path(gen) / STATE_DIR / STATE_FILE
        if not path.is_file():
            raise StateUnusable(f"the current generation ({Path(gen).name}) keeps no build state "
                                "(built by an older pwc-kg)")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != STATE_FORMAT:
                raise StateUnusable(f"the current generation's build state has format {data.get('format')}, "
                                    f"this pwc-kg reads format {STATE_FORMAT}")
            sources = [SourceState(**s) for s in data.pop("sources")]
            return cls(sources=sources, **data)
        except StateUnusable:
            raise
        except (ValueError, TypeError, KeyError) as e:
            raise StateUnusable(f"{path}: unreadable build state ({e})") from None


def write_json(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, path)


def read_json(path: Path) -> object:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def link_or_copy(src: Path, dst: Path) -> None:
    """A file of the previous generation into this one: a hard link where the file system allows it."""
    try:
        os.link(src, dst)
    except OSError:
        import shutil

        shutil.copyfile(src, dst)


def tap_paths(folder: Path, stem: str) -> tuple[Path, Path]:
    """The two files of a source's tap in a build state folder: what the mapping wrote for the derivation
    (derive/inputs.py reads them)."""
    return Path(folder) / f"{stem}.tap.nq", Path(folder) / f"{stem}.tap-late.nq"


class PreviousBuild:
    """The current generation, as the base of an incremental build."""

    def __init__(self, gen: Path, state: BuildState):
        self.gen = Path(gen)
        self.state = state
        self.by_path = {s.path: s for s in state.sources}
        self._rejects: dict[str, list[str]] | None = None

    @classmethod
    def open(cls, gen: Path, *, base_iri: str, entail: bool) -> "PreviousBuild":
        """StateUnusable, saying why, when the next build must be a full one."""
        state = BuildState.load(gen)
        if state.fingerprint != code_fingerprint():
            raise StateUnusable(f"the current generation ({Path(gen).name}) was built by another version of pwc-kg "
                                "(its code or ontology files differ)")
        if state.base_iri != base_iri:
            raise StateUnusable(f"the base IRI changed (from {state.base_iri})")
        if state.entail or entail:
            raise StateUnusable("the entailed graph restates all the others: a build that makes it, or follows one "
                                "that did, is a full build")
        previous = cls(gen, state)
        # derived.nt may be missing: an accepted submission's generation has none (the build dumps the graph)
        missing = [f for f in [previous.gen / "build.json",
                               *(previous.file(s, x) for s in state.sources for x in ("layer", "reads", "suspects")),
                               *(t for s in state.sources for t in tap_paths(previous.gen / STATE_DIR, s.file_stem))]
                   if not f.is_file()]
        if missing:
            raise StateUnusable(f"the current generation ({Path(gen).name}) lacks {missing[0].name}")
        return previous

    @property
    def db(self) -> Path:
        return self.gen / "db"

    @property
    def derived(self) -> Path | None:
        """The derived graph as N-Triples, or None where the generation has none (an accept's): read it from the store."""
        path = self.gen / DERIVED_FILE
        return path if path.is_file() else None

    def file(self, old: SourceState, suffix: str) -> Path:
        return self.gen / STATE_DIR / f"{old.file_stem}.{suffix}.json"

    def layer(self, old: SourceState) -> dict:
        return read_json(self.file(old, "layer"))

    def reads(self, old: SourceState) -> dict:
        return read_json(self.file(old, "reads"))

    def derived_stats(self) -> dict:
        """What the previous build's derived graph holds, as its build.json says (DerivedStats' fields)."""
        return json.loads((self.gen / "build.json").read_text())["derived"]

    def rejects_of(self, label: str) -> list[str]:
        """The previous rejects report's lines for one source, as they were written."""
        if self._rejects is None:
            self._rejects = {}
            with open(self.gen / "rejects.jsonl", encoding="utf-8", newline="") as f:
                for line in f:
                    self._rejects.setdefault(json.loads(line)["source"], []).append(line)
        return self._rejects.get(label, [])
