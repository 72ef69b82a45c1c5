"""What a view hands to the renderer, and the small value helpers the views share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox


@dataclass
class Page:
    """A page to render: its status, its template and what the template shows.

    A download (a table as CSV or JSON) has no template: its ``body`` is sent as it is, with its
    ``content_type`` and ``headers``.
    """

    status: int
    template: str | None
    context: dict = field(default_factory=dict)
    body: bytes | None = None
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def download(body: bytes, content_type: str, filename: str | None = None) -> Page:
    """A file to send as it is (``filename``: offered for saving under that name)."""
    headers = [("Content-Disposition", f'attachment; filename="{filename}"')] if filename else []
    return Page(200, None, body=body, content_type=content_type, headers=headers)


def not_found(what: str) -> Page:
    return Page(404, "not_found.html", {"title": "Not found", "what": what})


def text(term) -> str | None:
    """The lexical form of a term (the value of a literal, the IRI of a named node)."""
    return None if term is None else term.value


def number(term) -> float | None:
    """A numeric literal as a float; None when it is absent or no number."""
    if term is None:
        return None
    try:
        return float(term.value)
    except ValueError:
        return None


def integer(term) -> int | None:
    n = number(term)
    return None if n is None else int(n)


def flag(term) -> bool | None:
    """An xsd:boolean literal as a bool; None when absent."""
    if term is None:
        return None
    return term.value in ("true", "1")


def day(term) -> date | None:
    """An xsd:date literal as a date; None when absent or not a date."""
    if term is None:
        return None
    try:
        return date.fromisoformat(term.value[:10])
    except ValueError:
        return None


def pointer_key(pointer: str) -> tuple:
    """Sorts JSON Pointers in document order: numbers as numbers, names as names.

    >>> sorted(["/0/rows/10", "/0/rows/2", "/1/rows/0"], key=pointer_key)
    ['/0/rows/2', '/0/rows/10', '/1/rows/0']
    """
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[/#]", pointer))


def local_name(iri: str) -> str:
    """The last path segment of an IRI (a metric's slug, a benchmark's hash).

    >>> local_name("https://w3id.org/pwc-kg/resource/metric/top-1-accuracy")
    'top-1-accuracy'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1]


def is_iri(term) -> bool:
    return isinstance(term, ox.NamedNode)
