"""A store folder holds generations; ``current`` points at the one in use.

::

    pwc-kg-store/
      .lock                 held by the build running now, if any
      current -> gen-...    the published generation (a symlink, swapped atomically)
      gen-20261125T101500-1234/
        db/                 the pyoxigraph (RocksDB) store
        rejects.jsonl       what the build could not map, and why
        build.json          the build's summary
        state/, derived.nt  what the next build needs to reuse this one (see store/state.py)

A build writes a new generation beside the current one and swaps the link only when it has
succeeded, so a failed or killed build leaves the previous store as it was, and readers of
the previous generation keep reading it. The generation before the current one is kept
until the next build, for readers still holding it. An incremental build starts its
generation as a copy of the current one's store: RocksDB table files never change once
written, so the copy hard-links them and costs next to nothing in time and space. A generation
made from another without a build (an accepted submission's) starts as a copy of all of it
(``copy_generation``).
"""

from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from ..errors import PwcKgError
from .state import STATE_DIR, link_or_copy

DEFAULT_STORE = "pwc-kg-store"


class BuildError(PwcKgError, RuntimeError):
    """The build failed; the store was left as it was."""


class BuildLocked(PwcKgError, RuntimeError):
    """Another build holds the store."""


class StoreMissing(PwcKgError, FileNotFoundError):
    """No published store at the given folder."""


class StoreDir:
    def __init__(self, path: str | os.PathLike = DEFAULT_STORE):
        self.path = Path(path)

    @property
    def current_link(self) -> Path:
        return self.path / "current"

    def current(self) -> Path | None:
        """The published generation, or None if nothing was ever built here."""
        link = self.current_link
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        return target if (target / "db").is_dir() else None

    def require_current(self) -> Path:
        gen = self.current()
        if gen is None:
            raise StoreMissing(f"no pwc-kg store at {self.path}: build one there first", option="store")
        return gen

    def open(self) -> ox.Store:
        """The published store, read-only: safe beside a running build."""
        return ox.Store.read_only(str(self.require_current() / "db"))

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the build lock; a second build at the same time is refused, not queued."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                if e.errno in (errno.EAGAIN, errno.EACCES):
                    raise BuildLocked(f"another build is running on {self.path}; wait for it to finish") from None
                raise
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def new_generation(self, copy_of: Path | None = None) -> Path:
        """A new generation folder; with ``copy_of``, its store starts as a copy of that generation's."""
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        gen = self.path / f"gen-{stamp}-{os.getpid()}"
        gen.mkdir(parents=True)
        if copy_of is not None:
            try:
                source = ox.Store.read_only(str(Path(copy_of) / "db"))  # read-only: its readers are not disturbed
                source.backup(str(gen / "db"))
                del source
            except BaseException:
                self.discard(gen)
                raise
        return gen

    def copy_generation(self, gen: Path, leave: tuple[str, ...] = ()) -> Path:
        """A new generation that starts as a copy of ``gen``: its store (as :meth:`new_generation` copies it),
        its files and its build state folder, hard-linked where the file system allows (a published
        generation's files are never written again). Files whose names start with one of ``leave`` stay
        behind: those the new generation makes again."""
        new = self.new_generation(copy_of=gen)
        try:
            for f in Path(gen).iterdir():
                if f.name.startswith(leave):
                    continue
                if f.is_file():
                    link_or_copy(f, new / f.name)
                elif f.is_dir() and f.name == STATE_DIR:
                    (new / STATE_DIR).mkdir()
                    for g in f.iterdir():
                        link_or_copy(g, new / STATE_DIR / g.name)
        except BaseException:
            self.discard(new)
            raise
        return new

    def publish(self, gen: Path) -> None:
        """Point ``current`` at the new generation atomically; keep its predecessor as ``previous``."""
        previous = self.current()
        if previous is not None:
            self._link("previous", previous)
        self._link("current", gen)
        self.clean_abandoned()

    def _link(self, name: str, gen: Path) -> None:
        tmp = self.path / f".{name}-{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(gen.name, tmp)
        os.replace(tmp, self.path / name)
        fsync_dir(self.path)

    def discard(self, gen: Path) -> None:
        shutil.rmtree(gen, ignore_errors=True)

    def clean_abandoned(self) -> None:
        """Remove every generation but the current and the previous one (e.g. left by a killed build).

        Call it only while holding the lock: a running build's generation is neither.
        """
        keep = set()
        for name in ("current", "previous"):
            link = self.path / name
            if link.is_symlink():
                keep.add(os.readlink(link))
        for old in self.path.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        for link in [*self.path.glob(".current-*"), *self.path.glob(".previous-*")]:
            link.unlink(missing_ok=True)  # a link a killed build was about to swap in


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in a folder durable: fsync the folder itself."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
