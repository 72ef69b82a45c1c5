"""A remote SPARQL 1.1 endpoint as a query backend, through SPARQLWrapper.

``SparqlEndpointBackend`` has the interface of the embedded one (``run``, ``select``), so
``run_query``, ``pwc_kg.questions`` and the CLI run unchanged against Oxigraph server,
Virtuoso or any SPARQL 1.1 server holding a pushed pwc-kg graph.

What differs between servers, and what this does about it:

- The default graph. Our queries read the union of the named graphs, as a set: each triple once
  (store/union.py). No server gives that by itself: Virtuoso's default graph, Oxigraph's with
  ``--union-default-graph``, and a dataset of several ``default-graph-uri`` all count a triple
  once per graph that holds it. So ``pwc-kg push`` sends the store's default graph (the set) into
  the graph ``UNION_GRAPH``, and every query is sent with that graph as its one
  ``default-graph-uri`` and the server's other graphs as ``named-graph-uri`` (``"set"``), so that
  ``GRAPH ?g`` still finds each source. With ``default_graph="auto"`` the backend asks once: if a
  ``pwc:Build`` is in ``UNION_GRAPH``, ``"set"``; else (a graph pushed by an older pwc-kg) if one
  is visible without ``GRAPH``, the server's default graph is used as it is (``"union"``: a bag);
  if it is only in a named graph, every query is sent with the server's named graphs as its
  dataset, each as a ``default-graph-uri`` and a ``named-graph-uri`` (``"named"``: a bag too);
  if none, there is no pwc-kg graph there and it says so.
- Silent row caps. Virtuoso cuts every result at ``ResultSetMaxRows`` (10,000 in Debian's
  stock virtuoso.ini) with 200 OK; the only sign is an ``X-SPARQL-MaxRows`` header. A result
  that reaches the cap raises ``RowCapExceeded`` rather than returning partial rows. (Paging
  with ORDER BY/LIMIT/OFFSET is no way round it: Virtuoso refuses a sorted OFFSET past
  ``MaxSortedTopRows``, also 10,000, and without ORDER BY pages are not stable.) A result
  that ends at its own LIMIT is not flagged. Virtuoso 7 cuts a CONSTRUCT at the cap too but
  then sends no header, so no client can tell: ask large graphs with SELECT.
- CONSTRUCT results arrive as bytes; ``construct`` asks for N-Triples (Virtuoso's Turtle writes
  ``"85"^^xsd:decimal`` as ``85``, an integer) and parses them.
"""

from __future__ import annotations

import re
import urllib.error

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from ..errors import SettingError
from ..queries.binding import _where_brace, bind_values, skip_token
from ..queries.named import load_query
from .terms import solutions
from .transport import Credentials, RemoteError, http_error

# Graphs a push loads into before swapping them in; never part of the dataset of a query.
PUSH_TEMP_PREFIX = "urn:pwc-kg:push-tmp:"
# The graph a push sends the store's default graph into: every distinct triple of the named graphs.
UNION_GRAPH = "urn:pwc-kg:default-graph"
DEFAULT_GRAPH_MODES = ("auto", "set", "union", "named")


# The prologue's tokens: comments, IRIs, strings (any quoting), words (a prefix name with its colon).
_TOKEN = re.compile("|".join([
    r"#[^\n]*",
    r"<[^<>\"{}|^`\\\s]*>",
    r'"""(?:[^\\]|\\.)*?"""', r"'''(?:[^\\]|\\.)*?'''",
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",
    r"[A-Za-z_][\w.-]*:?",
    r"\S",
]), re.S)
QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def query_form(query: str) -> str:
    r"""SELECT, CONSTRUCT, ASK or DESCRIBE: the first keyword after the prologue.

    (SPARQLWrapper guesses the form with a regular expression that finds "ask" inside "# the
    task" in a comment, so the form is read here and handed to it.)

    >>> query_form("# a task, with its subtasks\nPREFIX ask: <http://x/#select>\nSELECT * WHERE { ?s ?p ?o }")
    'SELECT'
    >>> query_form("BASE <http://x/> construct { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    >>> query_form("INSERT DATA { <http://x/a> <http://x/b> 1 }")
    Traceback (most recent call last):
    ...
    ValueError: not a SPARQL query (SELECT, CONSTRUCT, ASK or DESCRIBE): it starts with 'INSERT'
    """
    skip = 0
    for token in _TOKEN.findall(query):
        if token.startswith("#") or skip:
            skip -= 0 if token.startswith("#") else 1
            continue
        word = token.upper()
        if word == "PREFIX":
            skip = 2  # the prefix name and its IRI
        elif word == "BASE":
            skip = 1
        elif word in QUERY_FORMS:
            return word
        else:
            raise ValueError(f"not a SPARQL query (SELECT, CONSTRUCT, ASK or DESCRIBE): it starts with {token!r}")
    raise ValueError("not a SPARQL query: it is empty")


_OUTER_LIMIT = re.compile(r"\bLIMIT\s+(\d+)", re.IGNORECASE)
_VALUES = re.compile(r"\s*VALUES\s+(\?\w+|\((?:\s*\?\w+)+\s*\))\s*\{", re.IGNORECASE)


def _closing(query: str, at: int) -> int | None:
    """The index of the '}' that closes the '{' at ``at``, skipping comments, strings and IRIs."""
    depth, i, n = 0, at, len(query)
    while i < n:
        c = query[i]
        past = skip_token(query, i)
        if past is not None:
            i = past
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def path_values_last(query: str) -> str:
    """The query with each VALUES block that opens its WHERE group and binds the end of a ``*`` or ``+``
    property path (``?t pwc:subtaskOf* ?task_iri``) moved to the end of the group.

    Virtuoso 7, given a dataset (``default-graph-uri`` or FROM), loses rows of such a query when the
    VALUES comes first: the SOTA of a task and its subtasks came back empty. With the block at the end
    of the group the answer is right, and the query means the same (a group joins its parts whatever
    their order; a query with BIND is left as it is). Other VALUES blocks stay where they are: moved,
    Virtuoso got other queries wrong.

    >>> path_values_last("SELECT ?b WHERE { VALUES ?x { <http://e/t> } VALUES ?y { 1 } ?t <http://e/sub>* ?x . ?b <http://e/task> ?t }")
    'SELECT ?b WHERE { VALUES ?y { 1 } ?t <http://e/sub>* ?x . ?b <http://e/task> ?t VALUES ?x { <http://e/t> } }'
    """
    try:
        start = _where_brace(query) + 1
    except ValueError:
        return query
    i, moved, kept = start, [], []
    while (m := _VALUES.match(query, i)) is not None:
        end = _closing(query, m.end() - 1)
        if end is None:
            return query
        block, var = query[m.start():end + 1].strip(), m.group(1)
        at_path_end = var.startswith("?") and re.search(r"[*+]\s*" + re.escape(var) + r"(?!\w)", query)
        (moved if at_path_end else kept).append(block)
        i = end + 1
    close = _closing(query, start - 1)
    if not moved or close is None or re.search(r"\bBIND\s*\(", query[i:close], re.IGNORECASE):
        return query
    return (query[:start] + " " + "".join(k + " " for k in kept) + query[i:close].strip() + " " + " ".join(moved)
            + " " + query[close:])


def _internal(name: str) -> str:
    return load_query(f"internal/{name}").text


class RowCapExceeded(RemoteError):
    """The server cut the result at its row cap (Virtuoso's ResultSetMaxRows)."""


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper sending through our opener (see ``transport``) and keeping the response."""

    def __init__(self, url: str, opener, timeout: float):
        super().__init__(url)
        self._opener = opener
        self._timeout_s = timeout

    def _query(self):
        return self._opener.open(self._createRequest(), timeout=self._timeout_s), self.returnFormat


class SparqlEndpointBackend:
    """Queries a remote SPARQL endpoint over the union of its named graphs.

    ``auth`` is ``"basic"`` or ``"digest"`` (Virtuoso's ``/sparql-auth`` takes only digest);
    ``default_graph`` is ``"auto"``, ``"set"`` (the pushed ``UNION_GRAPH`` as the default graph,
    the other graphs as named graphs), ``"union"`` (send no dataset: the server's default graph
    is the union) or ``"named"`` (send the server's named graphs as the dataset).
    """

    joint_values = False  # one VALUES block per variable: portable to Virtuoso 7.2

    def __init__(self, url: str, user: str | None = None, password: str | None = None, auth: str = "basic", *,
                 default_graph: str = "auto", timeout: float = 300.0):
        if not url.startswith(("http://", "https://")):
            raise SettingError(f"a SPARQL endpoint is an http(s) URL, not {url!r}", option="url")
        if default_graph not in DEFAULT_GRAPH_MODES:
            raise SettingError(f"the default graph is one of {', '.join(DEFAULT_GRAPH_MODES)}, not {default_graph!r}",
                               option="default_graph")
        self.url = url
        self.credentials = Credentials(user, password, auth)
        self.timeout = timeout
        self._opener = self.credentials.opener(url)
        self._mode = None if default_graph == "auto" else default_graph
        self._graphs: list[str] | None = None

    def __repr__(self) -> str:
        return f"SparqlEndpointBackend({self.url!r}, {self.credentials.describe()})"

    # The interface of EmbeddedBackend.
    def run(self, query: str) -> tuple[list[str], list[dict]]:
        """(the variables, the rows of bound terms) of a SELECT; a CONSTRUCT or DESCRIBE gives
        subject, predicate, object rows, an ASK one ``ask`` row."""
        kind = query_form(query)
        if kind in ("CONSTRUCT", "DESCRIBE"):
            return ["subject", "predicate", "object"], [
                {"subject": t.subject, "predicate": t.predicate, "object": t.object} for t in self.construct(query)]
        if kind == "ASK":
            return ["ask"], [{"ask": ox.Literal(self.ask(query))}]
        headers, body = self._send(query, JSON, self.dataset())
        names, rows = solutions(body)
        self._check_cap(headers, len(rows), query)
        return names, rows

    def select(self, query: str) -> list[dict]:
        return self.run(query)[1]

    def ask(self, query: str) -> bool:
        return self._ask(query, self.dataset())

    def construct(self, query: str) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE, parsed from the bytes the server sent."""
        headers, body = self._send(query, TURTLE, self.dataset())
        media = headers.get("content-type", "text/turtle").split(";")[0].strip()
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            raise RemoteError(f"{self.url}: a CONSTRUCT answered in {media}, which is no RDF format pwc-kg reads")
        try:
            triples = [q.triple for q in ox.parse(body, format=fmt)]
        except SyntaxError as e:
            raise RemoteError(f"{self.url}: the CONSTRUCT result does not parse as {media}: {e}") from None
        self._check_cap(headers, len(triples), query)
        return triples

    # The dataset: how the union of the named graphs is asked for.
    @property
    def default_graph(self) -> str:
        """``"set"``, ``"union"`` or ``"named"``: decided on first use when created with ``"auto"``."""
        if self._mode is None:
            self._mode = self._probe()
        return self._mode

    def named_graphs(self) -> list[str]:
        """The server's named graphs (pushes' temporary graphs left out), asked once."""
        if self._graphs is None:
            # named-graphs lists the graphs without reading them (Oxigraph); Virtuoso answers it with none, so
            # there: the graphs the pwc-kg provenance describes (described-graphs).
            listings = (_internal("named-graphs"), _internal("described-graphs"))
            for query in listings:
                _, body = self._send(query, JSON, None)
                self._graphs = sorted({r["g"].value for r in solutions(body)[1] if isinstance(r.get("g"), ox.NamedNode)
                                       and not r["g"].value.startswith(PUSH_TEMP_PREFIX) and r["g"].value != UNION_GRAPH})
                if self._graphs:
                    break
        return self._graphs

    def dataset(self) -> tuple[list[str], list[str]] | None:
        """The (default, named) graphs sent as the dataset of each query, or None to use the server's
        default graph."""
        if self.default_graph == "set":
            return [UNION_GRAPH], self.named_graphs()
        if self.default_graph == "named":
            return self.named_graphs(), self.named_graphs()
        return None

    def _probe(self) -> str:
        if self._ask(bind_values(_internal("build-in-graph"), {"g": ox.NamedNode(UNION_GRAPH)}, joint=False), None):
            return "set"
        if self._ask(_internal("build-in-default"), None):
            return "union"
        if self._ask(_internal("build-in-graph"), None):
            return "named"
        raise RemoteError(f"{self.url} holds no pwc-kg graph (no pwc:Build in its default graph or in any named "
                          "graph): load one with 'pwc-kg push'")

    def _ask(self, query: str, dataset: tuple[list[str], list[str]] | None) -> bool:
        body = self._send(query, JSON, dataset)[1]
        if isinstance(body, dict) and isinstance(body.get("boolean"), bool):
            return body["boolean"]
        # Virtuoso 7 answers an ASK in JSON as a SELECT of ?__ASK_RETVAL: one row (1) or none.
        if isinstance(body, dict) and body.get("head", {}).get("vars") == ["__ASK_RETVAL"]:
            rows = solutions(body)[1]
            return bool(rows) and rows[0].get("__ASK_RETVAL", ox.Literal("0")).value not in ("0", "false")
        raise RemoteError(f"{self.url}: not a SPARQL JSON boolean result for an ASK query")

    # HTTP.
    def _wrapper(self, query: str) -> _Wrapper:
        w = _Wrapper(self.url, self._opener, self.timeout)
        w.setQuery(query)
        w.queryType = query_form(query)  # see query_form
        return w

    def _send(self, query: str, fmt: str, dataset: tuple[list[str], list[str]] | None) -> tuple[dict, object]:
        if dataset is not None:
            query = path_values_last(query)  # Virtuoso: see path_values_last
        w = self._wrapper(query)
        w.setMethod(POST)  # long queries (VALUES blocks, datasets) do not fit in a URL
        w.setOnlyConneg(True)
        w.setReturnFormat(fmt)
        for name, value in self.credentials.headers().items():
            w.addCustomHttpHeader(name, value)
        if fmt == TURTLE:  # N-Triples first: Virtuoso's Turtle writes a whole xsd:decimal as a bare integer
            w.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
        defaults, named = dataset or ((), ())
        for g in defaults:
            w.addDefaultGraph(g)
        for g in named:
            w.addNamedGraph(g)
        try:
            result = w.query()
            headers = {k.lower(): v for k, v in result.info().items()}
            # CONSTRUCT: the bytes as sent (SPARQLWrapper would turn RDF/XML into an rdflib Graph)
            body = result.response.read() if fmt == TURTLE else result.convert()
        except urllib.error.HTTPError as e:
            raise http_error(self.url, e, self.credentials) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            raise http_error(self.url, e, self.credentials) from None
        except ValueError as e:  # a body that is not the JSON it claims to be
            raise RemoteError(f"{self.url}: an unreadable answer: {e}") from None
        return headers, body

    def _check_cap(self, headers: dict, rows: int, query: str) -> None:
        cap = headers.get("x-sparql-maxrows")
        if cap is None or not cap.strip().isdigit() or rows < int(cap):
            return
        limit = _OUTER_LIMIT.search(query[query.rfind("}"):])
        if limit and rows == int(limit.group(1)) <= int(cap):
            return  # the query's own LIMIT, not the cap, ended it (Virtuoso sends the header anyway)
        raise RowCapExceeded(
            f"{self.url} cut the result at {int(cap):,} rows (X-SPARQL-MaxRows): the answer is incomplete. "
            "Raise the server's cap (Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini) "
            "or narrow the query")


def graph_triple_count(backend: SparqlEndpointBackend, graph: str) -> int:
    """The number of triples the server holds in one named graph."""
    q = bind_values(_internal("graph-triples"), {"g": ox.NamedNode(graph)}, joint=False)
    _, body = backend._send(q, JSON, None)
    rows = solutions(body)[1]
    return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0
