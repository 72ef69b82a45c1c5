"""The five files of the Papers With Code archive, read as streams of records.

Each file is one JSON array, plain or gzip-compressed. Records are read one at a time
(ijson), so the 576k papers are never in memory at once. Numbers come as ``Decimal`` so a
value keeps the digits the source wrote. The same files as Parquet (one row per record) are
read by ``parquet.py`` into the same records; a Hugging Face dataset repository of them
(``links-between-paper-and-code/data/train-00000-of-00001.parquet``) is one source, its shards
read in order. A record nested deeper than ``MAX_RECORD_DEPTH`` is cut, not parsed (``TooDeep``).
Which files a source is (``discover.py``) and what a path is (``paths.py``) are told apart from here.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from itertools import accumulate
from pathlib import Path
from typing import Iterator

import ijson

from .kinds import DUMP_NAMES, SourceError, kind_of_record
from .paths import is_parquet_file, is_repository, repository_files, repository_kind


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


class _NeedsPythonParser(Exception):
    def __init__(self, count: int):
        self.count = count


def iter_records(path: Path) -> Iterator[tuple[int, object]]:
    """(position, record) for each item of the file's top-level JSON array (of a Parquet file: each row)."""
    path = Path(path)
    if path.is_dir():  # a dataset repository: its shards' rows, numbered across them in order
        from . import parquet

        files = repository_files(path)
        repository_kind(path, files)
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
