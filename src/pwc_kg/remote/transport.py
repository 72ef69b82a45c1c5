"""HTTP to a SPARQL server: credentials (basic or digest), one opener per client, clear errors.

Each client gets its own urllib opener. (SPARQLWrapper's own digest support installs a
process-wide opener bound to one realm, which two clients in one process would overwrite.)
Basic credentials are sent with the first request. Digest ones answer the server's challenge,
whatever its realm, and once a server has sent one, every later request answers it up front:
Virtuoso refuses an unauthenticated request before reading its body, which breaks the pipe of
a large upload instead of returning the 401 the client waits for.

>>> Credentials("ann", "pw", "basic").headers()
{'Authorization': 'Basic YW5uOnB3'}
>>> Credentials("ann", "pw", "digest").headers()
{}
>>> Credentials("ann", None, "basic")
Traceback (most recent call last):
...
pwc_kg.errors.SettingError: the user ann needs a password
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from ..errors import PwcKgError, SettingError

AUTH_KINDS = ("basic", "digest")


class RemoteError(PwcKgError, RuntimeError):
    """A SPARQL server refused, failed or could not be reached; the message says which and why."""


class AuthError(RemoteError):
    """The server refused the credentials, or wants some (HTTP 401, 403)."""


@dataclass(frozen=True)
class Credentials:
    user: str | None = None
    password: str | None = None
    auth: str = "basic"

    def __post_init__(self):
        if self.auth not in AUTH_KINDS:
            raise SettingError(f"the authentication is basic or digest, not {self.auth!r}", option="auth")
        if self.user and self.password is None:
            raise SettingError(f"the user {self.user} needs a password", option="password")
        if self.password is not None and not self.user:
            raise SettingError("a password was given without a user", option="user")

    def headers(self) -> dict[str, str]:
        """Headers sent with every request: the Authorization of basic auth."""
        if self.user and self.auth == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        return {}

    def opener(self, *urls: str) -> urllib.request.OpenerDirector:
        """An opener that answers digest challenges from the servers of ``urls``, in any realm."""
        handlers = []
        if self.user and self.auth == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in urls:
                parts = urllib.parse.urlsplit(url)
                passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", self.user, self.password)
            handlers.append(PreemptiveDigestHandler(passwords))
        return urllib.request.build_opener(*handlers)

    def describe(self) -> str:
        return f"user {self.user!r} with {self.auth} auth" if self.user else "no credentials"


class PreemptiveDigestHandler(urllib.request.HTTPDigestAuthHandler):
    """Digest auth that remembers each server's last challenge and answers it with the next request."""

    def __init__(self, passwords):
        super().__init__(passwords)
        self.challenges: dict[str, dict] = {}  # host -> the last challenge it sent

    def http_error_auth_reqed(self, auth_header, host, req, headers):
        challenge = headers.get(auth_header, "")
        if challenge.lower().startswith("digest "):
            self.challenges[host] = urllib.request.parse_keqv_list(
                filter(None, urllib.request.parse_http_list(challenge.split(" ", 1)[1])))
        return super().http_error_auth_reqed(auth_header, host, req, headers)

    def forget(self, url: str) -> None:
        """Drop the challenge of ``url``'s server (after a failure that may mean it went stale)."""
        self.challenges.pop(urllib.parse.urlsplit(url).netloc, None)

    def knows(self, url: str) -> bool:
        return urllib.parse.urlsplit(url).netloc in self.challenges

    def http_request(self, req):
        challenge = self.challenges.get(urllib.parse.urlsplit(req.full_url).netloc)
        if challenge and not req.has_header(self.auth_header):
            answer = self.get_authorization(req, challenge)
            if answer:
                req.add_unredirected_header(self.auth_header, f"Digest {answer}")
        return req

    https_request = http_request


def digest_handler(opener: urllib.request.OpenerDirector) -> PreemptiveDigestHandler | None:
    return next((h for h in opener.handlers if isinstance(h, PreemptiveDigestHandler)), None)


def http_error(url: str, e: Exception, credentials: Credentials, body: bytes | None = None) -> RemoteError:
    """A RemoteError that says what the server at ``url`` answered, in words."""
    if isinstance(e, urllib.error.HTTPError):
        if body is None:
            try:
                body = e.read()
            except Exception:  # noqa: BLE001 (the body is only a detail of the message)
                body = b""
        detail = (body or b"").decode("utf-8", "replace").strip()
        detail = " ".join(detail.split())[:500]
        if e.code == 401:
            if credentials.user:
                return AuthError(f"{url}: HTTP 401 Unauthorized: the server refused the credentials "
                                 f"({credentials.describe()})")
            return AuthError(f"{url}: HTTP 401 Unauthorized: the server wants credentials: a user and a password "
                             "(and digest authentication for Virtuoso)", option="user")
        if e.code == 403:
            return AuthError(f"{url}: HTTP 403 Forbidden ({credentials.describe()}): {detail}")
        return RemoteError(f"{url}: HTTP {e.code} {e.reason}: {detail}")
    reason = getattr(e, "reason", e)
    return RemoteError(f"cannot reach {url}: {reason}")


def retryable(e: BaseException) -> bool:
    """Worth sending again: the server was unreachable, timed out, overloaded or failed inside."""
    if isinstance(e, urllib.error.HTTPError):
        return e.code >= 500 or e.code in (408, 429)
    return isinstance(e, (urllib.error.URLError, ConnectionError, TimeoutError))
