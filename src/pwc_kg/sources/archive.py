"""The five files of the Papers With Code archive, found as they are published and read as streams of records.

Each file is one JSON array, plain or gzip-compressed. Records are read one at a time
(ijson), so the 576k papers are never in memory at once. Numbers come as ``Decimal`` so a
value keeps the digits the source wrote. The same files as Parquet (one row per record) are
read by ``parquet.py`` into the same records; a Hugging Face dataset repository of them
(``links-between-paper-and-code/data/train-00000-of-00001.parquet``) is one source, its shards
read in order. ``discover`` finds the sources among files and folders and says, with the reason,
what it does not read (docs/archive-formats.md).
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Iterator

import ijson

from .kinds import (_BY_NAME, ARCHIVE_KINDS, DUMP_NAMES, HUB_NAMES, KINDS, LINEAGE, MODEL_CARDS, MODEL_INDEX,
                    NotAnArchiveFile, SourceError, kind_by_name, kind_of_record)

# A shard of a Hugging Face dataset: data/train-00000-of-00004.parquet
SHARD = re.compile(r"(?P<split>[A-Za-z0-9_.]+)-(?P<index>\d{5})-of-(?P<total>\d{5})\.parquet")

@dataclass(frozen=True)
class SourceFile:
    path: Path
    kind: str

    @property
    def name(self) -> str:
        return self.path.name


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


class _GzipStream:
    """A gzip reader that hands out every byte it could decompress before reporting damage.

    gzip raises as soon as a read reaches the damage, losing the bytes before it in that read;
    this reader ends the stream there instead and keeps the error, so the records before the
    damage are read and the error names the record it cut.
    """

    def __init__(self, path: Path):
        self._f = gzip.open(path, "rb")
        self.error: Exception | None = None

    def read(self, n: int = -1) -> bytes:
        if self.error is not None:
            return b""
        start = self._f.tell()
        try:
            return self._f.read(n)
        except (EOFError, gzip.BadGzipFile, zlib.error):
            pass
        # Read the same span again in small steps, keeping what comes before the damage.
        self._f.seek(start)
        pieces = []
        while n < 0 or sum(map(len, pieces)) < n:
            try:
                piece = self._f.read(256)
            except (EOFError, gzip.BadGzipFile, zlib.error) as e:
                self.error = e
                break
            if not piece:
                break
            pieces.append(piece)
        return b"".join(pieces)

    def seek(self, pos: int) -> int:
        self.error = None
        return self._f.seek(pos)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._f.close()


def _open(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return _GzipStream(path) if magic == b"\x1f\x8b" else open(path, "rb")


def is_json_file(path: Path) -> bool:
    return path.name.endswith((".json", ".json.gz"))


def is_parquet_file(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def classify(path: Path) -> str:
    """The kind of an archive file, by its name (a dated dump's too), else by its first record; of a Parquet
    file, by its columns; of a dataset repository folder (the Hugging Face layout), by its shards' columns."""
    path = Path(path)
    if path.is_dir():
        return _repository_kind(path, repository_files(path))
    if is_parquet_file(path):
        from . import parquet  # pyarrow is imported only for Parquet input

        return parquet.classify(path)
    kind = kind_by_name(_stem(path))
    if kind:
        return kind
    try:
        for _, record in iter_records(path):
            kind = kind_of_record(record)
            if kind:
                return kind
            raise NotAnArchiveFile(path, "record 0", "not a record of any Papers With Code archive file (papers-with-"
                                   "abstracts, links-between-papers-and-code, evaluation-tables, methods, datasets)")
    except SourceError as e:
        if e.position == "byte 0" and not isinstance(e, NotAnArchiveFile):  # a JSON object, or no JSON: no archive file
            raise NotAnArchiveFile(path, e.position, f"{e.message}: no archive file (each is a JSON array of records), "
                                   "and the file name does not say it is one") from None
        raise
    raise NotAnArchiveFile(path, "file", "an empty array, and the file name does not say which archive file it is")


# ----------------------------------------------------------------------------- what a path is


def problem(path: Path) -> str | None:
    """Why a path cannot be read as a file or folder (a FIFO, a device, a link loop, no permission), or None.

    Nothing is opened that could block: a FIFO or a device is told by its mode before any read.
    """
    path = Path(path)
    try:
        st = path.stat()
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "a symbolic link loop"
        if path.is_symlink():
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            return f"a symbolic link to nothing ({target})"
        return f"cannot be looked at: {e.strerror or e}"
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        try:
            with os.scandir(path):
                pass
        except OSError as e:
            return f"a folder that cannot be read: {e.strerror or e}"
        return None
    if not stat.S_ISREG(mode):
        what = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
        if path.is_symlink():
            what = f"a link to {os.path.realpath(path)}, {what}"
        return f"{what}, not a regular file: pwc-kg reads only regular files"
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as e:
        return f"unreadable: {e.strerror or e}"
    return None


def is_shard(path: Path) -> bool:
    return SHARD.fullmatch(path.name) is not None


def _hidden(path: Path) -> bool:
    return path.name.startswith(".")


def repository_files(folder: Path) -> list[Path]:
    """The Parquet files of a dataset repository folder, in the order its rows are numbered: every Parquet file
    below it, but in hidden folders (a download's ``.cache``), by path (``data/train-00000-of-00004.parquet``
    first)."""
    found = []
    for root, dirs, files in _walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in files if is_parquet_file(Path(f)) and not f.startswith(".")]
    return sorted(found, key=lambda f: f.relative_to(folder).parts)


def _walk(folder: Path):
    """os.walk into linked folders too (a ``data/`` linked from elsewhere), each real folder once: no link loops."""
    seen: set[str] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        yield root, dirs, files


def is_repository(folder: Path) -> bool:
    """Whether a folder is a dataset repository of the archive, as the Hugging Face Hub lays them out: named for an
    archive file (``links-between-paper-and-code``, ``methods``, ...) and holding Parquet files, or holding
    shards (``train-00000-of-00004.parquet``) in ``data/`` or in itself."""
    folder = Path(folder)
    try:
        if kind_by_name(folder.name) and repository_files(folder):
            return True
        data = folder / "data"
        return (data.is_dir() and any(is_parquet_file(f) for f in data.iterdir())) or \
            any(is_shard(f) for f in folder.iterdir())
    except OSError:
        return False


def _repository_kind(folder: Path, files: list[Path]) -> str:
    """The one archive kind of a repository's Parquet files; its shard sets checked complete."""
    if not files:
        raise SourceError(folder, "file", "a dataset repository folder without Parquet files")
    sets: dict[tuple[Path, str, int], set[int]] = {}
    for f in files:
        why = problem(f)
        if why:
            raise SourceError(f, "file", f"{why}; it is a part of the dataset repository {folder}")
        m = SHARD.fullmatch(f.name)
        if m:
            sets.setdefault((f.parent, m["split"], int(m["total"])), set()).add(int(m["index"]))
    for (parent, split, total), have in sorted(sets.items()):
        lacking = [f"{split}-{k:05d}-of-{total:05d}.parquet" for k in range(total) if k not in have]
        if lacking:
            shown = ", ".join(lacking[:4]) + (f" and {len(lacking) - 4} more" if len(lacking) > 4 else "")
            raise SourceError(parent, "file", f"{len(lacking)} of the {total} shards of the dataset repository "
                              f"{folder.name} are missing: {shown} (an unfinished download?)")
    from . import parquet

    kinds = {f: parquet.classify(f) for f in files}
    if len(set(kinds.values())) > 1:
        shown = "; ".join(f"{f.relative_to(folder)}: {k}" for f, k in kinds.items())
        raise SourceError(folder, "file", f"its Parquet files hold records of different archive files ({shown}): "
                          "one repository folder is one archive file")
    return next(iter(kinds.values()))


def has_front_matter(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4).startswith(b"---")
    except OSError:
        return False


def _dataset_card(card: Path) -> bool:
    """A README.md of an archive repository (its dataset card): no model card."""
    return kind_by_name(card.parent.name) is not None or is_repository(card.parent)


def _model_cards_in(folder: Path) -> bool:
    cards = [folder / "README.md", *folder.glob("*/README.md"), *folder.glob("*/*/README.md")]
    return any(c.is_file() and has_front_matter(c) and not _dataset_card(c) for c in cards)


def classify_other(path: Path) -> str | None:
    """The kind of a source that is not an archive file, or None."""
    if path.is_dir():
        if (path / "model-index.yml").is_file() or (path / "model-index.yaml").is_file():
            return MODEL_INDEX
        if is_repository(path):
            return None
        return MODEL_CARDS if _model_cards_in(path) else None
    name = path.name.lower()
    if name in ("model-index.yml", "model-index.yaml"):
        return MODEL_INDEX
    if name.endswith(".md") and has_front_matter(path):
        return MODEL_CARDS
    if name.endswith(".csv") and "lineage" in name:
        return LINEAGE
    return None


# Files that may hold archive data in a form pwc-kg does not read: a build that passes one over says so in its exit status.
_ARCHIVE_LIKE = re.compile(r"\.(json|jsonl|ndjson|parquet|gz|bz2|xz|zst|zip|tar|tgz|7z|part|incomplete|tmp|crdownload)"
                           r"(\.|$)", re.IGNORECASE)


def _archive_like(path: Path) -> bool:
    stem = path.name.lower()
    return bool(_ARCHIVE_LIKE.search(stem)) or any(name in stem for name in _BY_NAME if len(name) > 8)


def _holds_archive_like(folder: Path, depth: int = 3) -> Path | None:
    """An archive-like file below a folder (a few levels down), or None."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return None
    for e in entries:
        if e.name.startswith("."):
            continue
        p = Path(e.path)
        if e.is_file() and _archive_like(p):
            return p
        if depth > 1 and e.is_dir(follow_symlinks=False):
            found = _holds_archive_like(p, depth - 1)
            if found:
                return found
    return None


@dataclass
class Discovery:
    """What discovery found besides the sources, for the build's summary.

    ``passed``: files and folders under a source that were not read and hold no archive data (a dataset card, a
    README.json, a hidden folder), each with the reason. ``unread``: those that may hold archive data pwc-kg
    could not read (unreadable, a FIFO or a device, a symlink loop, a format or a layout it does not read).
    ``missing``: archive files missing from a folder that holds some of them.
    """

    passed: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def discover(paths: list[str | os.PathLike], skipped: list[str] | None = None, unread: list[str] | None = None,
             missing: list[str] | None = None) -> list[SourceFile]:
    """The sources among the given files and folders.

    A file given by name must be a source that can be read (else a SourceError). A folder is a source itself
    when it holds a model-index.yml or Hugging Face model cards, or when it is a dataset repository of the archive
    (``links-between-paper-and-code/`` with ``data/train-*.parquet``: one source, its rows numbered across its
    shards in order, as the dump numbers its records). Otherwise its archive files are sources (``.json``,
    ``.json.gz``, ``.parquet``, a dated dump, ``*lineage*.csv``) and so are its repository folders: the folder that
    holds the five repositories. Everything else under it is listed with the reason it was not read: in
    ``skipped`` what holds no archive data (a README.json, a dataset card), in ``unread`` what may (an
    unreadable file, a FIFO, a symlink loop, an unknown format or layout). ``missing`` gets a line for a folder
    holding some of the five archive files but not all. A caller that passes no list is not told; without
    ``skipped``, a file of a folder that is no archive file fails.
    """
    found = Discovery()
    seen: dict[Path, SourceFile] = {}
    plain_folders: list[tuple[Path, set[str]]] = []

    def add(path: Path, kind: str) -> str:
        seen.setdefault(path.resolve(), SourceFile(path, kind))
        return kind

    for p in map(Path, paths):
        why = problem(p)
        if why:
            if not p.exists() and not p.is_symlink():
                raise SourceError(p, "file", "no such file or folder")
            raise SourceError(p, "file", why)
        if p.is_dir():
            other = classify_other(p)
            if other == MODEL_INDEX:
                index = p / "model-index.yml" if (p / "model-index.yml").is_file() else p / "model-index.yaml"
                add(index, MODEL_INDEX)
                _read_folder_files(p, add, found, quiet=True, skipped=skipped)
            elif other == MODEL_CARDS:
                add(p, MODEL_CARDS)
                _read_folder_files(p, add, found, quiet=True, skipped=skipped)
            elif is_repository(p):
                repo = p.parent if p.name == "data" and repository_files(p.parent) == repository_files(p) else p
                add(repo, classify(repo))
                _list_repository_rest(repo, found)
            else:
                kinds = _read_folder_files(p, add, found, quiet=False, skipped=skipped)
                plain_folders.append((p, kinds))
        else:
            m = SHARD.fullmatch(p.name)
            kind = add(p, classify_other(p) or classify(p))
            if m and int(m["total"]) > 1:
                found.missing.append(f"{p}: read alone, shard {int(m['index']) + 1} of {int(m['total'])} "
                                     f"(its rows numbered from 0); give its repository folder to read them all")
    sources = list(seen.values())
    # A file given beside the repository folder it lies in would be read twice.
    repo_files = {f.resolve() for s in sources if s.path.is_dir() and s.kind in ARCHIVE_KINDS
                  for f in repository_files(s.path)}
    for s in [s for s in sources if not s.path.is_dir() and s.path.resolve() in repo_files]:
        sources.remove(s)
        found.passed.append(f"{s.path}: read as a part of its repository folder, which is among the sources")
    have = {s.kind for s in sources}
    for folder, kinds in plain_folders:
        if 2 <= len(kinds) < len(ARCHIVE_KINDS):
            lacking = [k for k in ARCHIVE_KINDS if k not in kinds and k not in have]
            if lacking:
                names = ", ".join(DUMP_NAMES[k] + (f" (the Hub's {HUB_NAMES[k]})" if HUB_NAMES[k] != DUMP_NAMES[k] else "")
                                  for k in lacking)
                found.missing.append(f"{folder}: holds {len(kinds)} of the {len(ARCHIVE_KINDS)} archive files; "
                                     f"no {names} among the sources")
    for target, items in ((skipped, found.passed), (unread, found.unread), (missing, found.missing)):
        if target is not None:
            target.extend(items)
    # Dependency order first, then file name, so that a build is the same whatever order it was given.
    return sorted(sources, key=lambda s: (KINDS.index(s.kind), s.name, str(s.path)))


def _read_folder_files(folder: Path, add, found: Discovery, *, quiet: bool, skipped: list | None) -> set[str]:
    """Adds the sources among a folder's entries; lists the rest (``quiet``: a model-card or model-index folder,
    whose other entries its reader reads). Returns the archive kinds found."""
    kinds: set[str] = set()
    for child in sorted(folder.iterdir()):
        why = problem(child)
        if why:
            if quiet and child.is_dir():
                continue
            (found.unread if not quiet or _archive_like(child) else found.passed).append(f"{child}: {why}")
            continue
        if child.is_dir():
            if quiet:
                continue
            if _hidden(child):
                found.passed.append(f"{child}: a hidden folder")
            elif is_repository(child):
                kinds.add(add(child, classify(child)))
                _list_repository_rest(child, found)
            else:
                example = _holds_archive_like(child)
                if example is not None:
                    found.unread.append(f"{child}: a folder of no layout pwc-kg reads below a source, holding "
                                        f"archive-like files ({example.relative_to(child)}, ...); give it as a source "
                                        "itself to read it")
                else:
                    found.passed.append(f"{child}: a folder holding no archive files")
            continue
        if is_json_file(child) or is_parquet_file(child):
            try:
                kind = add(child, classify(child))
            except NotAnArchiveFile as e:
                if skipped is None:
                    raise
                found.passed.append(f"{child}: {e.position}: {e.message}")
                continue
            except SourceError as e:
                found.unread.append(f"{child}: {e.position}: {e.message}")
                continue
            if kind in ARCHIVE_KINDS:
                kinds.add(kind)
        elif classify_other(child) == LINEAGE:
            add(child, LINEAGE)
        elif quiet:
            continue
        elif _hidden(child):
            found.passed.append(f"{child}: a hidden file")
        elif _archive_like(child):
            found.unread.append(f"{child}: an archive-like file in a form pwc-kg does not read (it reads .json, "
                                ".json.gz and .parquet archive files, and dataset repository folders)")
        else:
            found.passed.append(f"{child}: not a file pwc-kg reads")
    return kinds


def _list_repository_rest(repo: Path, found: Discovery) -> None:
    """Lists what a repository folder holds besides its Parquet files (its dataset card, .gitattributes, ...)."""
    parts = {f.resolve() for f in repository_files(repo)}
    for root, dirs, files in _walk(repo):
        root_path = Path(root)
        for d in sorted(dirs):
            if d.startswith("."):
                found.passed.append(f"{root_path / d}: a hidden folder (a download's cache, a Git folder)")
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            f = root_path / name
            if f.resolve() in parts:
                continue
            why = problem(f)
            if why:
                found.unread.append(f"{f}: {why}")
            elif name == "README.md" and root_path == repo:
                found.passed.append(f"{f}: the repository's dataset card")
            elif name.startswith("."):
                found.passed.append(f"{f}: a hidden file")
            elif _archive_like(f):
                found.unread.append(f"{f}: an archive-like file in a dataset repository, which pwc-kg reads only "
                                    "as its Parquet files")
            else:
                found.passed.append(f"{f}: not a file pwc-kg reads")


class _NeedsPythonParser(Exception):
    def __init__(self, count: int):
        self.count = count


def iter_records(path: Path) -> Iterator[tuple[int, object]]:
    """(position, record) for each item of the file's top-level JSON array (of a Parquet file: each row)."""
    path = Path(path)
    if path.is_dir():  # a dataset repository: its shards' rows, numbered across them in order
        from . import parquet

        files = repository_files(path)
        _repository_kind(path, files)
        start = 0
        for f in files:
            count = 0
            for index, record in parquet.iter_records(f):
                yield start + index, record
                count = index + 1
            start += count
        return
    if is_parquet_file(path):
        from . import parquet

        yield from parquet.iter_records(path)
        return
    try:
        yield from _records(path, ijson, 0)
    except _NeedsPythonParser as e:
        # yajl, the fast parser, fails on a lone surrogate escape ("\udc00"), which JSON allows and scraped
        # text holds; the pure-Python parser reads it. It reads on from the record yajl stopped at.
        for index, record in _records(path, ijson.get_backend("python"), e.count):
            yield index, without_surrogates(record)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(value: object) -> object:
    """A JSON value with each lone surrogate of its strings and keys written out as the escape it was
    read from (``"\\udc00"``, six characters): text that cannot be UTF-8 goes no further, and nothing
    collapses (two keys that differ in a surrogate stay two keys).

    >>> without_surrogates({"a\\ud800": ["x\\udc00y", 1]})
    {'a\\\\ud800': ['x\\\\udc00y', 1]}
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value


MAX_RECORD_DEPTH = 64  # levels of nesting in one record (an evaluation-tables task with subtasks: ~12)
_TOO_DEEP = "\x00pwc-kg:nested-too-deep"  # what a cut subtree reads as (no JSON text holds a raw NUL)
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_STRING_BODY = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.S)
_TOKENS = re.compile(rb'["\\\[\]{}]')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
for _b in b"[{":
    _STEP[_b] = 1
for _b in b"]}":
    _STEP[_b] = -1


class _DepthGuard:
    """A file's bytes on their way to ijson, with any value nested deeper than ``limit`` levels (the top-level
    array counts) replaced by a marker string: ijson builds a prefix string per level ("item.item.item..."),
    so 50,000 nested arrays in a 100 KB file took 6 GB; here memory stays in proportion to the input.
    ``cut`` counts the values replaced. A chunk is scanned at C speed (strings taken out by a regular
    expression, the brackets' running depth by ``accumulate``); only one that goes past the limit is walked
    byte by byte."""

    def __init__(self, f, limit: int):
        self.f = f
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.escaped = False  # the chunk before ended on a backslash inside a string
        self.skipping = 0  # > 0: inside a cut value, this many levels below the cut
        self.cut = 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.f.read(n)
        if not chunk:
            return chunk
        if self.skipping or not self._fast(chunk):
            return self._slow(chunk)
        return chunk

    def _fast(self, chunk: bytes) -> bool:
        """Update the state for a chunk that stays within the limit (True); False, state untouched, otherwise."""
        in_string, escaped = self.in_string, self.escaped
        if not escaped and b"\\" not in chunk:  # no escapes: strings are what lies between two quotes
            parts = chunk.split(b'"')
            stripped = b"".join(parts[1 if in_string else 0::2])
            in_string ^= len(parts) % 2 == 0
        else:
            stripped, in_string, escaped = self._strip(chunk)
        brackets = stripped.translate(None, _NOT_BRACKETS)
        opened = brackets.count(b"[") + brackets.count(b"{")
        if self.depth + opened <= self.limit:  # cannot go past it: no running depth needed
            self.depth = max(self.depth + 2 * opened - len(brackets), 0)
        elif brackets:
            depths = list(accumulate(map(_STEP.__getitem__, brackets), initial=self.depth))
            if max(depths) > self.limit:
                return False
            self.depth = depths[-1]
        self.in_string, self.escaped = in_string, escaped
        return True

    def _strip(self, chunk: bytes) -> tuple[bytes, bool, bool]:
        """(the chunk without its strings, in a string at its end, on a backslash at its end)."""
        pos, in_string, escaped = 0, self.in_string, self.escaped
        if in_string:
            m = _STRING_BODY.match(chunk, 1 if escaped else 0)
            if m.end() == len(chunk):
                return b"", True, False
            if chunk[m.end()] == 0x5C:  # a backslash ends the chunk
                return b"", True, True
            pos, in_string, escaped = m.end() + 1, False, False
        rest = chunk[pos:]
        stripped = _STRINGS.sub(b"", rest)
        quote = stripped.find(b'"')
        if quote >= 0:  # a string that goes on in the next chunk
            tail = rest[len(rest) - (len(stripped) - quote) + 1:]
            m = _STRING_BODY.match(tail)
            in_string, escaped = True, m.end() < len(tail)
            stripped = stripped[:quote]
        return stripped, in_string, escaped

    def _slow(self, chunk: bytes) -> bytes:
        out = []
        keep_from = 0 if not self.skipping else None
        skip_to = 0 if not self.escaped else 1
        self.escaped = False
        for m in _TOKENS.finditer(chunk):
            at = m.start()
            if at < skip_to:
                continue
            ch = chunk[at]
            if self.in_string:
                if ch == 0x5C:
                    skip_to = at + 2
                    if at + 1 == len(chunk):
                        self.escaped = True
                elif ch == 0x22:
                    self.in_string = False
                continue
            if ch == 0x22:
                self.in_string = True
            elif ch in b"[{":
                if self.skipping:
                    self.skipping += 1
                elif self.depth >= self.limit:
                    out.append(chunk[keep_from:at])
                    out.append(b'"\\u0000pwc-kg:nested-too-deep"')
                    keep_from, self.skipping = None, 1
                    self.cut += 1
                else:
                    self.depth += 1
            elif ch in b"]}":
                if self.skipping:
                    self.skipping -= 1
                    if not self.skipping:
                        keep_from = at + 1
                else:
                    self.depth = max(self.depth - 1, 0)
        if keep_from is not None:
            out.append(chunk[keep_from:])
        return b"".join(out) or b" "  # an empty read would end ijson's input


class TooDeep:
    """A record nested deeper than ``MAX_RECORD_DEPTH``, in place of the record: a reject, with the pointer of
    the value cut (``at``); the records after it are read on."""

    def __init__(self, at: str):
        self.at = at
        self.reason = (f"nested more than {MAX_RECORD_DEPTH} levels deep at {at}: refused (no record of the "
                       "archive nests past ~12)")


def too_deep_at(record: object, index: int) -> str | None:
    """The JSON Pointer of the value _DepthGuard cut out of a record, or None."""
    stack = [(record, f"/{index}")]
    while stack:
        node, at = stack.pop()
        if node == _TOO_DEEP:
            return at
        if isinstance(node, dict):
            stack.extend((v, at + "/" + str(k).replace("~", "~0").replace("/", "~1")) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{at}/{i}") for i, v in enumerate(node))
    return None


def _records(path: Path, parser, skip: int) -> Iterator[tuple[int, object]]:
    count = 0  # records read so far: the index of the record being read when an error comes
    try:
        with _open(path) as f:
            first = _first_significant_byte(f)
            if first != b"[":
                what = "nothing" if not first else repr(first.decode("latin-1"))
                raise SourceError(path, "byte 0", f"expected a JSON array of records, found {what}")
            f.seek(0)
            guard = _DepthGuard(f, MAX_RECORD_DEPTH + 1)
            try:
                for record in parser.items(guard, "item", buf_size=16384):
                    if guard.cut and (at := too_deep_at(record, count)) is not None:
                        record = TooDeep(at)
                    if count >= skip:
                        yield count, record
                    count += 1
            except ijson.JSONError:
                if getattr(f, "error", None) is None:
                    raise
            damage = getattr(f, "error", None)
            if damage is not None:
                raise SourceError(path, f"record {count}", f"damaged gzip file: {damage}")
    except SourceError:
        raise
    except ijson.JSONError as e:
        raise SourceError(path, f"record {count}", f"invalid JSON: {e}") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise SourceError(path, f"record {count}", f"damaged gzip file: {e}") from None
    except OSError as e:  # unreadable, or a read that failed
        raise SourceError(path, f"record {count}" if count else "file", f"cannot be read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        if parser is ijson and ijson.backend != "python":
            raise _NeedsPythonParser(count) from None
        raise SourceError(path, f"record {count}", f"not UTF-8: {e}") from None


def _first_significant_byte(f) -> bytes:
    while True:
        chunk = f.read(4096)
        if not chunk:
            return b""
        stripped = chunk.lstrip(b" \t\r\n\xef\xbb\xbf")
        if stripped:
            return stripped[:1]


def source_files(path: Path) -> list[Path]:
    """The files a source is read from: a file itself; a dataset repository's Parquet files (not its card, and in a
    linked ``data/`` too); every file of any other folder (model cards)."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    if is_repository(path):
        return repository_files(path)
    return sorted(f for f in path.rglob("*") if f.is_file())


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, hex sha256) of a file; of a folder, over its files' relative names and bytes (of a dataset
    repository, its Parquet files')."""
    path = Path(path)
    h = hashlib.sha256()
    size = 0
    files = source_files(path)
    for file in files:
        if path.is_dir():
            h.update(str(file.relative_to(path)).encode() + b"\0")
        with open(file, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
    return size, h.hexdigest()


def every_record_rejected(path: Path, kind: str, count: int) -> SourceError:
    """The error for an archive source whose every record was rejected: most likely a file named for another
    kind than it holds (methods records in evaluation-tables.json.gz); the first record tells."""
    hint = ""
    try:
        for _, record in iter_records(path):
            other = kind_of_record(record)
            if other and other != kind:
                hint = f"; its records look like {DUMP_NAMES.get(other, other)} records: is it named for the wrong file?"
            break
    except SourceError:
        pass
    what = f"{count} records" if count > 1 else "one record"
    return SourceError(path, "file", f"every record was rejected ({what}, read as {DUMP_NAMES.get(kind, kind)}){hint}; "
                       "a source that gives nothing fails the build")
