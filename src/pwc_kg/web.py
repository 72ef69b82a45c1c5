"""The little HTTP the server needs over WSGI: a request, a response, errors, and the headers every response gets."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, quote, urlsplit

from .errors import PwcKgError

# On every HTML page: nothing from elsewhere, no inline script or style, no framing.
HTML_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
# On everything else: nothing runs or loads, should a browser render it anyway.
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"

_PCT = re.compile(r"%[0-9a-fA-F]{2}")


class HTTPError(PwcKgError):
    """An error answered with its status and message (plain text, or an HTML page for browsers)."""

    def __init__(self, status: int, message: str, headers: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


class Request:
    def __init__(self, environ: dict):
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        self.query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        self._body: bytes | None = None

    @property
    def path(self) -> str:
        """The path as the client sent it, percent-encoding kept (escapes in upper case)."""
        raw = self.environ.get("REQUEST_URI")
        if raw:
            raw = raw.split("?", 1)[0].split("#", 1)[0]
            if raw.lower().startswith(("http://", "https://")):  # an absolute-form request target
                raw = urlsplit(raw).path
            script = self.environ.get("SCRIPT_NAME", "")
            if script and raw.startswith(script):
                raw = raw[len(script):]
            path = "/" + raw.lstrip("/")
        else:  # PATH_INFO is decoded (as latin-1 bytes): encode it again
            info = self.environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
            path = quote(info, safe="/-._~!$&'()*+,;=:@%")
        return _PCT.sub(lambda m: m[0].upper(), path)

    def header(self, name: str, default: str | None = None) -> str | None:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            return self.environ.get(key) or default
        return self.environ.get("HTTP_" + key, default)

    @property
    def accept(self) -> str | None:
        return self.header("Accept")

    @property
    def content_type(self) -> str:
        """The body's media type, lower case, without parameters."""
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def body(self, limit: int) -> bytes:
        """The request body; :class:`HTTPError` 413 past ``limit`` bytes (read no further than that)."""
        if self._body is not None:
            return self._body
        length = self.header("Content-Length")
        if length:
            try:
                n = int(length)
            except ValueError:
                raise HTTPError(400, f"Content-Length is not a number: {length!r}") from None
            if n > limit:
                raise HTTPError(413, f"the request body has {n:,} bytes; this server takes at most {limit:,}")
        stream = self.environ.get("wsgi.input")
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise HTTPError(413, f"the request body has more than {limit:,} bytes, the server's limit")
        self._body = data
        return data

    def form(self, limit: int) -> dict[str, list[str]]:
        """An ``application/x-www-form-urlencoded`` body's fields."""
        try:
            text = self.body(limit).decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPError(400, "the form body is not UTF-8") from None
        return parse_qs(text, keep_blank_values=True)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str, value: str) -> "Response":
        self.headers.append((name, value))
        return self

    def status_line(self) -> str:
        try:
            return f"{self.status} {HTTPStatus(self.status).phrase}"
        except ValueError:
            return f"{self.status} Status"


def text(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, (message.rstrip("\n") + "\n").encode("utf-8"), "text/plain; charset=utf-8",
                    list(headers or []))


def html_page(status: int, title: str, body_html: str) -> Response:
    """A minimal page; ``body_html`` must already be escaped."""
    doc = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
           f"</head><body>{body_html}</body></html>\n")
    return Response(status, doc.encode("utf-8"), "text/html; charset=utf-8")


def error_page(status: int, message: str) -> Response:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return html_page(status, f"{status} {phrase}",
                     f"<h1>{status} {html.escape(phrase)}</h1><p>{html.escape(message)}</p><p><a href=\"/\">pwc-kg</a></p>")


def security_headers(response: Response) -> None:
    """The headers every response carries; a strict CSP for HTML, a stricter one for the rest."""
    names = {n.lower() for n, _ in response.headers}
    is_html = response.content_type.startswith("text/html")
    defaults = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
                ("Content-Security-Policy", HTML_CSP if is_html else OTHER_CSP),
                ("Cross-Origin-Resource-Policy", "cross-origin" if "access-control-allow-origin" in names else "same-origin")]
    for name, value in defaults:
        if name.lower() not in names:
            response.headers.append((name, value))
