"""What a path is: a file pwc-kg can read, a Parquet file or shard, a Hugging Face dataset repository and its
archive kind, a model card, a model index or a lineage file; and why a path cannot be read (a FIFO, a device,
a link loop), told without opening anything that could block. Nothing here reads records (archive.py does).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from .kinds import LINEAGE, MODEL_CARDS, MODEL_INDEX, SourceError, kind_by_name


# A shard of a Hugging Face dataset: data/train-00000-of-00004.parquet
SHARD = re.compile(r"(?P<split>[A-Za-z0-9_.]+)-(?P<index>\d{5})-of-(?P<total>\d{5})\.parquet")


def is_json_file(path: Path) -> bool:
    return path.name.endswith((".json", ".json.gz"))


def is_parquet_file(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


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


def repository_files(folder: Path) -> list[Path]:
    """The Parquet files of a dataset repository folder, in the order its rows are numbered: every Parquet file
    below it, but in hidden folders (a download's ``.cache``), by path (``data/train-00000-of-00004.parquet``
    first)."""
    found = []
    for root, dirs, files in walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in files if is_parquet_file(Path(f)) and not f.startswith(".")]
    return sorted(found, key=lambda f: f.relative_to(folder).parts)


def walk(folder: Path):
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


def repository_kind(folder: Path, files: list[Path]) -> str:
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
