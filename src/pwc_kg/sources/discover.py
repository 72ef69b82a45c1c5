"""The sources among the files and folders a build is given, found as they are published (docs/archive-formats.md).

``discover`` says, with the reason, what it does not read: files that hold no archive data (a dataset card, a
hidden folder) and files that may hold some that pwc-kg cannot read (a FIFO, a format or a layout it does
not read); and the archive files missing from a folder that holds some of them. ``classify`` tells an archive
file's kind by its name, else by its first record (of a Parquet file, by its columns).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .archive import iter_records
from .kinds import (_BY_NAME, ARCHIVE_KINDS, DUMP_NAMES, HUB_NAMES, KINDS, LINEAGE, MODEL_CARDS, MODEL_INDEX,
                    NotAnArchiveFile, SourceError, kind_by_name, kind_of_record)
from .paths import (SHARD, classify_other, is_json_file, is_parquet_file, is_repository, problem, repository_files,
                    repository_kind, walk)


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


def classify(path: Path) -> str:
    """The kind of an archive file, by its name (a dated dump's too), else by its first record; of a Parquet
    file, by its columns; of a dataset repository folder (the Hugging Face layout), by its shards' columns."""
    path = Path(path)
    if path.is_dir():
        return repository_kind(path, repository_files(path))
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


def _hidden(path: Path) -> bool:
    return path.name.startswith(".")


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
    for root, dirs, files in walk(repo):
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
