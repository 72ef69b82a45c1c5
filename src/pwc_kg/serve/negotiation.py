"""Content negotiation: the formats the server writes, and which one a request gets.

A request names its format by a ``format=`` (or ``output=``, ``results=``, as SPARQL tools
send) parameter, which wins, or by its ``Accept`` header (RFC 9110: the most specific matching
range gives a format its quality; the highest quality wins, ties go to the order offered).

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULTS).name
'xml'
>>> negotiate("*/*", GRAPHS).name
'turtle'
>>> negotiate("image/png", GRAPHS) is None
True
>>> negotiate("text/turtle;q=0, */*", GRAPHS).name
'ntriples'
>>> by_name("json", GRAPHS).name, by_name("application/n-triples", GRAPHS).name
('jsonld', 'ntriples')
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str  # what pyoxigraph is asked for (its canonical media type)
    content_type: str  # the response's Content-Type, exactly
    aliases: tuple[str, ...] = ()  # other media types that ask for it
    names: tuple[str, ...] = ()  # format= values that ask for it
    suffix: str = ""  # the file suffix of a linked-data URL in this format


RESULTS = (
    Format("json", "application/sparql-results+json", "application/sparql-results+json",
           ("application/json", "text/javascript", "application/javascript"), ("json", "srj")),
    Format("xml", "application/sparql-results+xml", "application/sparql-results+xml",
           ("application/xml", "text/xml"), ("xml", "srx")),
    Format("csv", "text/csv", "text/csv; charset=utf-8", (), ("csv",)),
    Format("tsv", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8", (), ("tsv",)),
)
GRAPHS = (
    Format("turtle", "text/turtle", "text/turtle; charset=utf-8", ("application/x-turtle", "application/turtle"),
           ("turtle", "ttl", "n3", "text/n3"), ".ttl"),
    Format("ntriples", "application/n-triples", "application/n-triples", ("text/plain",), ("ntriples", "nt", "n-triples"),
           ".nt"),
    Format("jsonld", "application/ld+json", "application/ld+json",
           ("application/json", "application/x-json+ld"), ("jsonld", "json-ld", "json"), ".jsonld"),
    Format("rdfxml", "application/rdf+xml", "application/rdf+xml", ("application/xml", "text/xml"),
           ("rdfxml", "rdf+xml", "rdf", "xml"), ".rdf"),
)
HTML = Format("html", "text/html", "text/html; charset=utf-8", ("application/xhtml+xml",), ("html",), ".html")

FORMAT_PARAMS = ("format", "output", "results")
# Characters XML 1.0 cannot carry at all, not even as character references (UTF-8 bytes).
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def xml_unsafe(body: bytes) -> str | None:
    """The first character in an XML serialisation that XML 1.0 forbids (as U+XXXX), or None.

    The archive holds control characters (a BEL in a title, say); RDF/XML and SPARQL XML results
    cannot express them, so such an answer is refused (406) rather than sent ill-formed.

    >>> xml_unsafe(b"<a>ok\tok</a>") is None, xml_unsafe(b"<a>bell\x07</a>")
    (True, 'U+0007')
    """
    m = _NOT_XML.search(body)
    return None if m is None else f"U+{ord(m[0].decode('utf-8')):04X}"


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """(media range, quality) pairs; a missing or empty header accepts anything.

    >>> parse_accept("text/html;level=1;q=0.7, */*;q=0")
    [('text/html', 0.7), ('*/*', 0.0)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    out = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append((media, q))
    return out


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> float | None:
    """The quality a request gives a format: from the most specific range matching it (its media type
    or an alias exactly, then ``type/*`` of the media type it is sent as, then ``*/*``); None if none does."""
    kind = fmt.media_type.split("/")[0]
    best: tuple[int, float] | None = None
    for rng, q in ranges:
        spec = 2 if rng == fmt.media_type or rng in fmt.aliases else 1 if rng == f"{kind}/*" else 0 if rng == "*/*" else -1
        if spec >= 0 and (best is None or (spec, q) > best):
            best = (spec, q)
    return None if best is None else best[1]


def negotiate(accept: str | None, offered: tuple[Format, ...] | list[Format]) -> Format | None:
    """The offered format the Accept header prefers, or None if it accepts none of them."""
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for fmt in offered:
        q = _quality(fmt, ranges)
        if q is not None and q > best_q:
            best, best_q = fmt, q
    return best


def by_name(value: str, offered: tuple[Format, ...] | list[Format]) -> Format | None:
    """The offered format a ``format=`` value names (a short name or a media type), or None."""
    v = value.strip().lower().split(";")[0].strip()
    for fmt in offered:
        if v in fmt.names or v == fmt.media_type or v in fmt.aliases:
            return fmt
    return None


def prefers_html(accept: str | None) -> bool:
    """Whether a client would rather have HTML than any RDF format (a browser, typically); ``*/*`` would not.

    >>> prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), prefers_html("*/*")
    (True, False)
    """
    return negotiate(accept, GRAPHS + (HTML,)) is HTML


def prefers_html_results(accept: str | None) -> bool:
    """Whether a client would rather have HTML than any SPARQL results or RDF format: a browser's
    navigation, not an API client (``*/*`` or a SPARQL media type, ties going to the SPARQL formats).

    >>> prefers_html_results("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    True
    >>> prefers_html_results("*/*"), prefers_html_results("application/sparql-results+json,*/*;q=0.9")
    (False, False)
    >>> prefers_html_results("text/html, */*"), prefers_html_results(None)
    (False, False)
    """
    return negotiate(accept, RESULTS + GRAPHS + (HTML,)) is HTML
