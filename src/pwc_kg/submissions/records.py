"""Submissions on disk: ``STORE/submissions/{id}/``, outside the store's generations.

::

    submissions/20260102T101500Z-3f9a1c2e/
      payload             the request body exactly as received
      meta.json           status (pending, accepted, rejected), who, when, content type, flags,
                          touched benchmarks, reason, and the accepting generation
      mapped.nq           the submission mapped, in its named graph {base}graph/submission/{id}
      report.json         the validation report of the last check (submission or accept)

Every file is written atomically (a temporary file, fsync, rename, fsync of the folder). An id is
a UTC time stamp and 8 random hex digits, and is claimed with ``mkdir``: two submissions at the same
moment never share one. Changes of a submission's meta.json are serialised by a lock file of its own.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import PwcKgError
from ..store.generations import fsync_dir

FOLDER = "submissions"
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


class SubmissionNotFound(PwcKgError, LookupError):
    pass


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def valid_id(text: str) -> bool:
    return bool(_ID.match(text or ""))


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_json(path: Path, data: object) -> None:
    write_atomic(path, (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))


class Submissions:
    """The submissions of one store folder."""

    def __init__(self, store: str | os.PathLike):
        self.root = Path(store) / FOLDER

    def folder(self, sid: str) -> Path:
        if not valid_id(sid):
            raise SubmissionNotFound(f"no submission {sid!r} (an id looks like 20260102T101500Z-3f9a1c2e)")
        path = self.root / sid
        if not (path / "meta.json").is_file():
            raise SubmissionNotFound(f"no submission {sid!r}")
        return path

    def new_id(self) -> tuple[str, Path]:
        """A fresh id and its (new, empty) folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            sid = f"{stamp}-{secrets.token_hex(4)}"
            try:
                (self.root / sid).mkdir()
            except FileExistsError:
                continue
            return sid, self.root / sid

    def create(self, payload: bytes, content_type: str, meta: dict, mapped: str, report: dict,
               sid_folder: tuple[str, Path]) -> str:
        """Write a submission's files; meta.json last (a folder without it is not a submission)."""
        sid, folder = sid_folder
        write_atomic(folder / "payload", payload)
        write_atomic(folder / "mapped.nq", mapped.encode("utf-8"))
        write_json(folder / "report.json", report)
        write_json(folder / "meta.json", {**meta, "id": sid, "content_type": content_type})
        return sid

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if valid_id(p.name) and (p / "meta.json").is_file())

    def meta(self, sid: str) -> dict:
        return json.loads((self.folder(sid) / "meta.json").read_text(encoding="utf-8"))

    def all(self) -> list[dict]:
        out = []
        for sid in self.ids():
            try:
                out.append(self.meta(sid))
            except (OSError, ValueError, SubmissionNotFound):
                continue
        return out

    def payload(self, sid: str) -> bytes:
        return (self.folder(sid) / "payload").read_bytes()

    def report(self, sid: str) -> dict:
        path = self.folder(sid) / "report.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def mapped(self, sid: str) -> str:
        path = self.folder(sid) / "mapped.nq"
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def save_report(self, sid: str, report: dict) -> None:
        write_json(self.folder(sid) / "report.json", report)

    def save_meta(self, sid: str, meta: dict) -> None:
        write_json(self.folder(sid) / "meta.json", meta)

    def save_mapped(self, sid: str, mapped: str) -> None:
        write_atomic(self.folder(sid) / "mapped.nq", mapped.encode("utf-8"))

    @contextmanager
    def locked(self, sid: str) -> Iterator[dict]:
        """The submission's meta, to change in place; written back (atomically) when the block ends without error."""
        folder = self.folder(sid)
        fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            yield meta
            write_json(folder / "meta.json", meta)
        finally:
            os.close(fd)

    def accepted(self) -> list[dict]:
        """The accepted submissions, in the order they were accepted (within one second, by the generation each
        accept made: its name has microseconds, and accepts take turns under the store's lock)."""
        return sorted((m for m in self.all() if m.get("status") == ACCEPTED),
                      key=lambda m: (m.get("accepted_at") or "", m.get("generation") or "", m["id"]))
