"""What a SPARQL request asks for, read from its text before anything runs.

The endpoint needs four facts before it hands a query to the store: its form (SELECT, ASK,
CONSTRUCT, DESCRIBE, or an update), whether it names its own dataset (``FROM``), and where its
``SERVICE`` clauses would go. pyoxigraph 0.5 *executes* ``SERVICE <http://...>`` by sending HTTP
requests itself, so the targets are checked here, before the query runs.

``SERVICE`` is decided on the parsed query: pyoxigraph 0.5 gives Python neither its algebra nor
a service handler, so a query whose text holds the letters ``SERVICE`` in any case (pyoxigraph
cannot see a SERVICE clause without them) is parsed with rdflib's SPARQL parser and its algebra
walked for every ``SERVICE`` (in sub-queries, ``EXISTS`` and ``OPTIONAL`` alike). Where the two
parsers could read one text differently, the safe side wins: the lexical scan below must find no
other ``SERVICE`` either (its comments end at a line feed or a carriage return, as the grammar's
and pyoxigraph's do), and a query rdflib cannot parse that holds the word is refused. A
``SERVICE`` whose target is not an absolute IRI is reported as ``None``.

The scan tokenises the text the way SPARQL does (comments, the four kinds of strings and IRIs
are skipped as wholes, so a keyword inside them counts for nothing).

>>> shape = analyze('PREFIX e: <http://example.org/> SELECT * FROM <urn:g> WHERE { SERVICE e:sparql { ?s ?p ?o } }')
>>> shape.form, shape.has_dataset, shape.services
('SELECT', True, ['http://example.org/sparql'])
>>> analyze('# SERVICE <http://x/>\\nASK { ?s ?p "SERVICE <http://y/>" }').services
[]
>>> 'http://127.0.0.1:9/x' in analyze('SELECT * WHERE { # x' + chr(13) + 'SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }').services
True
>>> analyze('INSERT DATA { <a:b> <a:c> <a:d> }').is_update
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from rdflib import URIRef

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

# No IRI can span a '<', '>' or '{': a SERVICE clause always has one of them after its target,
# so an IRI token never hides a SERVICE the store would see.
_IRI = re.compile(r'<((?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PNAME = re.compile(r"((?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?):((?:[\w\-.:%\u00B7-\uFFFF]|\\[^\s])*)")
_VAR = re.compile(r"[?$][\w\u00B7-\uFFFF]*")
_GLUED = re.compile(r"(?i)service(?=[A-Za-z0-9_:\u00C0-\uFFFF])")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_EOL = re.compile(r"[\n\r]")
_SERVICE_LETTERS = re.compile(r"(?i)service")


@dataclass
class QueryShape:
    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE; an update keyword; None if none was found
    has_dataset: bool = False  # a FROM or FROM NAMED clause
    services: list[str | None] = field(default_factory=list)  # SERVICE targets; None: not an absolute IRI

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS


@dataclass
class _Token:
    kind: str  # "iri", "word", "pname", "var", "string", "punct"
    text: str
    value: str = ""  # an IRI's content, a prefixed name's prefix


def tokens(text: str):
    """The query's tokens, comments and whitespace dropped (a SPARQL lexer, enough for :func:`analyze`)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":  # a comment ends at the end of the line: a line feed or a carriage return
            m = _EOL.search(text, i)
            i = n if m is None else m.end()
        elif c in "\"'":
            q = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(q)
            while j < n and not text.startswith(q, j):
                j += 2 if text[j] == "\\" else 1
            yield _Token("string", text[i:j + len(q)])
            i = j + len(q)
        elif c == "<" and (m := _IRI.match(text, i)):
            yield _Token("iri", m[0], _UCHAR.sub(_unescape, m[1]))
            i = m.end()
        elif c in "?$" and (m := _VAR.match(text, i)) and len(m[0]) > 1:
            yield _Token("var", m[0])
            i = m.end()
        elif _GLUED.match(text, i):
            # pyoxigraph's parser matches a keyword as a prefix: 'SERVICE:x' and 'SERVICESILENT<...>'
            # are SERVICE clauses to it, so they are to this scan too.
            yield _Token("word", text[i:i + 7])
            i += 7
        elif (m := _PNAME.match(text, i)) and m.end() > i:
            local = m[2].rstrip(".")  # a trailing '.' ends the triple, not the name
            yield _Token("pname", f"{m[1]}:{local}", m[1])
            i = m.start(2) + len(local)
        elif m := _WORD.match(text, i):
            yield _Token("word", m[0])
            i = m.end()
        else:
            yield _Token("punct", c)
            i += 1


def _unescape(m: re.Match) -> str:
    return chr(int(m[1] or m[2], 16))


def analyze(text: str) -> QueryShape:
    """The query's form, dataset and SERVICE targets (see the module's docstring)."""
    form, has_dataset, services = _analyze(text)
    return QueryShape(form, has_dataset, list(services))


@lru_cache(maxsize=64)  # the endpoint and the executor both ask about the same text
def _analyze(text: str) -> tuple[str | None, bool, tuple[str | None, ...]]:
    shape = _scan(text)
    services = list(shape.services)
    if _SERVICE_LETTERS.search(text) and not shape.is_update:
        parsed = parsed_services(text)
        for target in [None] if parsed is None else parsed:  # None: rdflib could not parse it; refused
            if target not in services:
                services.append(target)
    return shape.form, shape.has_dataset, tuple(services)


def parsed_services(text: str) -> list[str | None] | None:
    """The targets of every SERVICE in the parsed query (``None`` for one that is not an absolute IRI),
    or None when rdflib cannot parse the query.

    >>> parsed_services('PREFIX e: <http://h/> SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE SILENT e:x { } } }')
    ['http://h/x']
    >>> parsed_services('SELECT * WHERE { ?s ?p "SERVICE <http://h/>" }')
    []
    >>> parsed_services('SELECT * WHERE {') is None
    True
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(text)).algebra
    except Exception:  # noqa: BLE001 - any failure of rdflib's parser: the query could not be checked
        return None
    found: list[str | None] = []
    seen: set[int] = set()
    stack: list = [algebra]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if getattr(node, "name", None) == "ServiceGraphPattern":
                term = node.get("term")
                found.append(str(term) if isinstance(term, URIRef) and urlsplit(str(term)).scheme else None)
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set)):
            stack.extend(node)
    return found


def _scan(text: str) -> QueryShape:
    shape = QueryShape()
    base: str | None = None
    prefixes: dict[str, str] = {}
    toks = list(tokens(text))
    for k, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if word == "BASE" and nxt is not None and nxt.kind == "iri":
            base = _resolve(base, nxt.value)
        elif word == "PREFIX" and nxt is not None and nxt.kind == "pname" and k + 2 < len(toks) and toks[k + 2].kind == "iri":
            prefixes[nxt.value] = _resolve(base, toks[k + 2].value) or ""
        elif shape.form is None and word in QUERY_FORMS | UPDATE_FORMS:
            shape.form = word
        elif word == "FROM":
            shape.has_dataset = True
        elif word == "SERVICE":
            shape.services.append(_target(_after_silent(toks[k + 1:]), base, prefixes))
    return shape


def _after_silent(rest: list[_Token]) -> _Token | None:
    """The SERVICE target: the next token, after SILENT (which, to pyoxigraph, may be glued to it)."""
    if not rest:
        return None
    tok = rest[0]
    if tok.kind in ("word", "pname") and tok.text.upper().startswith("SILENT"):
        if len(tok.text) == 6:
            return rest[1] if len(rest) > 1 else None
        return next(tokens(tok.text[6:]), None)
    return tok


def _target(tok: _Token | None, base: str | None, prefixes: dict[str, str]) -> str | None:
    if tok is None:
        return None
    if tok.kind == "iri":
        return _resolve(base, tok.value)
    if tok.kind == "pname" and tok.value in prefixes:
        local = re.sub(r"\\(.)", r"\1", tok.text.split(":", 1)[1])
        return _resolve(None, prefixes[tok.value] + local)
    return None  # a variable, an unknown prefix, or no target at all


def _resolve(base: str | None, iri: str) -> str | None:
    """The absolute IRI, or None when it is relative with no absolute base to resolve it against."""
    if urlsplit(iri).scheme:
        return iri
    if base and urlsplit(base).scheme:
        return urljoin(base, iri)
    return None


def service_allowed(iri: str | None, allowlist: list[str]) -> bool:
    """Whether a SERVICE target is on the allowlist: an entry is a host, ``host:port``, or an IRI prefix.

    >>> service_allowed("https://query.wikidata.org/sparql", ["query.wikidata.org"])
    True
    >>> service_allowed("http://127.0.0.1:8890/sparql", ["query.wikidata.org"])
    False
    >>> service_allowed("http://evil.example/x", ["http://evil.example/sparql"])
    False
    """
    if iri is None:
        return False
    parts = urlsplit(iri)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    for entry in allowlist:
        entry = entry.strip()
        if "://" in entry:  # an IRI prefix, matched at a path boundary
            if iri == entry or (iri.startswith(entry) and (entry.endswith("/") or iri[len(entry)] in "/?#")):
                return True
            continue
        try:
            e = urlsplit("//" + entry)
            if e.hostname and e.hostname.lower() == host and e.port in (None, port):
                return True
        except ValueError:  # a malformed port: the entry allows nothing
            continue
    return False
