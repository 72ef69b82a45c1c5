"""The five files of the Papers With Code archive, read as streams of records.

Each file is one JSON array, plain or gzip-compressed. Records are read one at a time
(ijson), so the 576k papers are never in memory at once. Numbers come as ``Decimal`` so a
value keeps the digits the source wrote. The same files as Parquet (one row per record) are
read by ``parquet.py`` into the same records.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import ijson

PAPERS = "papers"
CODE_LINKS = "code-links"
EVALUATION_TABLES = "evaluation-tables"
METHODS = "methods"
DATASETS = "datasets"
# Sources beyond the archive: where model lineage comes from.
MODEL_INDEX = "model-index"  # a Papers With Code model-index.yml (importing metafile.yml files)
MODEL_CARDS = "model-cards"  # a folder of Hugging Face model cards (README.md with YAML front matter)
LINEAGE = "lineage"  # the curated lineage file (CSV)
# The order a build reads them in: later kinds look up names the earlier ones defined.
KINDS = (METHODS, DATASETS, PAPERS, CODE_LINKS, EVALUATION_TABLES, MODEL_INDEX, MODEL_CARDS, LINEAGE)

_BY_NAME = {
    "papers-with-abstracts": PAPERS,
    "links-between-papers-and-code": CODE_LINKS,
    "evaluation-tables": EVALUATION_TABLES,
    "methods": METHODS,
    "datasets": DATASETS,
}


class SourceError(Exception):
    """A source file that cannot be read: names the file, the position and what is wrong."""

    def __init__(self, path: os.PathLike | str, position: str, message: str):
        self.path = str(path)
        self.position = position
        self.message = message
        super().__init__(f"{self.path}: {position}: {message}")


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


def kind_of_record(record: object) -> str | None:
    """Which archive file a record belongs in, from its keys."""
    if not isinstance(record, dict):
        return None
    keys = record.keys()
    if "task" in keys and ("datasets" in keys or "subtasks" in keys):
        return EVALUATION_TABLES
    if "repo_url" in keys:
        return CODE_LINKS
    if "paper_url" in keys and ("abstract" in keys or "authors" in keys):
        return PAPERS
    url = record.get("url")
    if "collections" in keys or (isinstance(url, str) and "/method/" in url):
        return METHODS
    if "data_loaders" in keys or "modalities" in keys or (isinstance(url, str) and "/dataset/" in url):
        return DATASETS
    return None


def is_json_file(path: Path) -> bool:
    return path.name.endswith((".json", ".json.gz"))


def is_parquet_file(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def classify(path: Path) -> str:
    """The kind of an archive file, by its name, else by its first record; of a Parquet file, by its columns."""
    if is_parquet_file(path):
        from . import parquet  # pyarrow is imported only for Parquet input

        return parquet.classify(path)
    kind = _BY_NAME.get(_stem(path))
    if kind:
        return kind
    for _, record in iter_records(path):
        kind = kind_of_record(record)
        if kind:
            return kind
        raise SourceError(path, "record 0", "not a record of any Papers With Code archive file "
                          "(papers-with-abstracts, links-between-papers-and-code, evaluation-tables, methods, datasets)")
    raise SourceError(path, "file", "an empty array, and the file name does not say which archive file it is")


class NotAnArchiveFile(SourceError):
    """A Parquet file whose columns are those of no archive file: in a folder, it is skipped."""


def parquet_files(folder: Path) -> list[Path]:
    """The Parquet files of a folder: its own, and all those below a subfolder named for an archive file.

    That is the Hugging Face layout (``pwc-archive/evaluation-tables/data/train-00000-of-00004.parquet``);
    a folder named for an archive file is searched all the way down itself.
    """
    if folder.name in _BY_NAME:
        return sorted(f for f in folder.rglob("*") if f.is_file() and is_parquet_file(f))
    found = [c for c in folder.iterdir() if c.is_file() and is_parquet_file(c)]
    for sub in folder.iterdir():
        if sub.is_dir() and sub.name in _BY_NAME:
            found += [f for f in sub.rglob("*") if f.is_file() and is_parquet_file(f)]
    return sorted(found)


def has_front_matter(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4).startswith(b"---")
    except OSError:
        return False


def _model_cards_in(folder: Path) -> bool:
    cards = [folder / "README.md", *folder.glob("*/README.md"), *folder.glob("*/*/README.md")]
    # The dataset cards of the Hugging Face pwc-archive sets (evaluation-tables/README.md, ...) are no model cards.
    return any(c.is_file() and c.parent.name not in _BY_NAME and has_front_matter(c) for c in cards)


def classify_other(path: Path) -> str | None:
    """The kind of a source that is not an archive JSON file, or None."""
    if path.is_dir():
        if (path / "model-index.yml").is_file() or (path / "model-index.yaml").is_file():
            return MODEL_INDEX
        return MODEL_CARDS if _model_cards_in(path) else None
    name = path.name.lower()
    if name in ("model-index.yml", "model-index.yaml"):
        return MODEL_INDEX
    if name.endswith(".md") and has_front_matter(path):
        return MODEL_CARDS
    if name.endswith(".csv") and "lineage" in name:
        return LINEAGE
    return None


def discover(paths: list[str | os.PathLike], skipped: list[str] | None = None) -> list[SourceFile]:
    """The sources among the given files and folders.

    A file given by name must be a source. A folder is a source itself when it holds a
    model-index.yml or Hugging Face model cards; otherwise its ``.json``, ``.json.gz``, ``.parquet`` and
    ``*lineage*.csv`` files are (and the Parquet files of the Hugging Face layout, see ``parquet_files``),
    and the ``.json`` and ``.parquet`` files that are no archive file (a README.json, say) are skipped and
    listed in ``skipped``.
    """
    seen: dict[Path, SourceFile] = {}
    for p in map(Path, paths):
        if p.is_dir():
            other = classify_other(p)
            if other == MODEL_INDEX:
                index = p / "model-index.yml" if (p / "model-index.yml").is_file() else p / "model-index.yaml"
                seen.setdefault(index.resolve(), SourceFile(index, MODEL_INDEX))
            elif other == MODEL_CARDS:
                seen.setdefault(p.resolve(), SourceFile(p, MODEL_CARDS))
            for child in sorted(c for c in p.iterdir() if c.is_file()):
                if is_json_file(child):
                    try:
                        seen.setdefault(child.resolve(), SourceFile(child, classify(child)))
                    except SourceError as e:
                        if skipped is None:
                            raise
                        skipped.append(f"{child}: {e.message}")
                elif classify_other(child) == LINEAGE:
                    seen.setdefault(child.resolve(), SourceFile(child, LINEAGE))
            for child in parquet_files(p):
                try:
                    seen.setdefault(child.resolve(), SourceFile(child, classify(child)))
                except NotAnArchiveFile as e:
                    if skipped is None:
                        raise
                    skipped.append(f"{child}: {e.message}")
        elif p.is_file():
            kind = classify_other(p) or classify(p)
            seen.setdefault(p.resolve(), SourceFile(p, kind))
        else:
            raise SourceError(p, "file", "no such file or folder")
    # Dependency order first, then file name, so that a build is the same whatever order it was given.
    return sorted(seen.values(), key=lambda s: (KINDS.index(s.kind), s.name, str(s.path)))


class _NeedsPythonParser(Exception):
    def __init__(self, count: int):
        self.count = count


def iter_records(path: Path) -> Iterator[tuple[int, object]]:
    """(position, record) for each item of the file's top-level JSON array (of a Parquet file: each row)."""
    path = Path(path)
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


def _records(path: Path, parser, skip: int) -> Iterator[tuple[int, object]]:
    count = 0  # records read so far: the index of the record being read when an error comes
    try:
        with _open(path) as f:
            first = _first_significant_byte(f)
            if first != b"[":
                what = "nothing" if not first else repr(first.decode("latin-1"))
                raise SourceError(path, "byte 0", f"expected a JSON array of records, found {what}")
            f.seek(0)
            try:
                for record in parser.items(f, "item", buf_size=16384):
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


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, hex sha256) of a file; of a folder, over its files' relative names and bytes."""
    path = Path(path)
    h = hashlib.sha256()
    size = 0
    files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            h.update(str(file.relative_to(path)).encode() + b"\0")
        with open(file, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
    return size, h.hexdigest()
