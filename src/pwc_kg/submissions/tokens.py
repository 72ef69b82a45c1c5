"""API tokens: ``STORE/tokens.json`` (mode 0600), each token kept only as its sha256.

A token is 32 random bytes from ``secrets`` (``pwckg_`` + URL-safe base64), shown once when it is
made. Being random, a plain sha256 of it is enough to keep (no password hashing needed), and it is
compared with ``hmac.compare_digest``. The file is read again on every authentication, so a
revocation takes effect at once, also in a running server.

Roles: ``submitter`` (may submit) and ``moderator`` (may also list, show, accept and reject).
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from ..errors import PwcKgError

TOKENS_FILE = "tokens.json"
PREFIX = "pwckg_"
SUBMITTER, MODERATOR = "submitter", "moderator"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@\-]{0,63}$")


class TokenError(PwcKgError, ValueError):
    """A token command that cannot be done (a name taken, unknown, malformed)."""


@dataclass
class Token:
    name: str
    sha256: str
    role: str
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    @property
    def moderator(self) -> bool:
        return self.role == MODERATOR


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class TokenStore:
    """The tokens of one store folder."""

    def __init__(self, store: str | os.PathLike):
        self.folder = Path(store)
        self.path = self.folder / TOKENS_FILE

    def _read(self) -> list[Token]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        return [Token(**t) for t in data.get("tokens", [])]

    def _write(self, tokens: list[Token]) -> None:
        tmp = self.path.with_name(f".{TOKENS_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"tokens": [asdict(t) for t in tokens]}, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / ".tokens.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def list(self) -> list[Token]:
        return self._read()

    def configured(self) -> bool:
        """Whether the API is on: a token was ever made here. Revoking every token keeps it on, so that a
        revoked token gets 401 (refused) rather than 404 (off)."""
        return bool(self._read())

    def any_active(self) -> bool:
        """Whether anyone can submit now: at least one token that is not revoked (the pages' forms show then)."""
        return any(t.active for t in self._read())

    def add(self, name: str, moderator: bool = False) -> str:
        """A new token for ``name``; returns the token itself (shown once, kept only as its hash)."""
        name = name.strip()
        if not _NAME.match(name):
            raise TokenError(f"a token name is 1 to 64 letters, digits, spaces or ._@- (not {name!r})")
        token = PREFIX + secrets.token_urlsafe(32)
        with self._locked():
            tokens = self._read()
            if any(t.name == name and t.active for t in tokens):
                raise TokenError(f"a token named {name!r} exists; revoke it first or choose another name")
            tokens.append(Token(name, digest(token), MODERATOR if moderator else SUBMITTER, _now()))
            self._write(tokens)
        return token

    def revoke(self, name: str) -> int:
        """Revoke every active token of that name; returns how many."""
        with self._locked():
            tokens = self._read()
            n = 0
            for t in tokens:
                if t.name == name and t.active:
                    t.revoked = _now()
                    n += 1
            if not n:
                raise TokenError(f"no active token is named {name!r}")
            self._write(tokens)
        return n

    def authenticate(self, token: str | None) -> Token | None:
        """The active token whose hash matches, else None (read from the file now: revocations count at once)."""
        if not token or not token.startswith(PREFIX) or len(token) > 200:
            return None
        wanted = digest(token)
        found = None
        for t in self._read():
            if hmac.compare_digest(t.sha256, wanted) and t.active:
                found = t
        return found
