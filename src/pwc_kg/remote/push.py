"""``pwc-kg push``: load a store into a remote SPARQL server, named graph by named graph.

Each graph is sent in chunks of at most ``chunk_triples`` triples (N-Triples bodies; by
default 10,000 by Graph Store Protocol, 1,000 by ``INSERT DATA``) and
replaces the server's copy of that graph; it is never appended to it. Two ways:

- with an update endpoint (``update_endpoint``): the chunks go into a temporary graph (by
  Graph Store Protocol POSTs when ``graph_store`` is given too, else ``INSERT DATA``), its
  triple count is checked, and one ``MOVE`` swaps it in for the graph. A failure before the
  MOVE leaves the server's graph as it was, and says so.
- with only a Graph Store Protocol endpoint (``graph_store``): the first chunk is PUT (which
  replaces the graph), the others POSTed. A failure after the PUT leaves the graph half
  replaced; the report says which chunks arrived, and a new push replaces it whole.

A failed request is retried (``retries`` times, with doubling back-off) when the failure may
pass (no answer, a timeout, HTTP 5xx, 408, 429), then reported. Sending a chunk again adds
nothing: a graph is a set of triples. (Triples with blank nodes would not be: they are kept
together in one chunk, since a blank node's label means nothing across requests.) Afterwards
each graph's triple count on the server is compared with the store's.

The store's default graph, every distinct triple of the named graphs once (store/union.py), is
pushed too, into the graph ``UNION_GRAPH``: queries then take it as their default graph (see
remote/endpoint.py), so a server answers as the store does, each triple counted once.
"""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Iterator

import pyoxigraph as ox

from ..errors import SettingError
from ..queries.named import load_query
from ..store.union import union_options
from .endpoint import PUSH_TEMP_PREFIX, UNION_GRAPH, SparqlEndpointBackend, graph_triple_count
from .transport import AuthError, Credentials, RemoteError, digest_handler, http_error, retryable

# Triples per request: Graph Store Protocol bodies can be large; an INSERT DATA is compiled like a
# query, and Virtuoso 7 refuses one of a few thousand triples ("generated SQL text has exceeded
# 10000 lines", "memory exhausted").
DEFAULT_CHUNK_TRIPLES = 10_000
DEFAULT_INSERT_CHUNK_TRIPLES = 1_000


@dataclass
class GraphPush:
    """What happened to one graph."""

    graph: str
    triples: int = 0          # in the local store
    chunks: int = 0           # sent, of ...
    chunks_total: int = 0
    server_triples: int | None = None  # counted on the server afterwards
    retries: int = 0
    retry_reason: str | None = None  # the first failure that was retried
    status: str = "pending"   # replaced, failed (unchanged), failed (half replaced), ...
    error: str | None = None
    cause: Exception | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "replaced"


@dataclass
class PushReport:
    graphs: list[GraphPush] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)    # pwc-kg graphs on the server that the store lacks
    dropped: list[str] = field(default_factory=list)  # ... dropped with prune=True
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(g.ok for g in self.graphs)

    def text(self) -> str:
        width = max([len(g.graph) for g in self.graphs] + [5])
        lines = [f"{'graph':<{width}}  {'triples':>10}  {'chunks':>9}  {'on server':>10}  status"]
        for g in self.graphs:
            server = "" if g.server_triples is None else f"{g.server_triples:,}"
            extra = f" ({g.retries} retries)" if g.retries else ""
            lines.append(f"{g.graph:<{width}}  {g.triples:>10,}  {g.chunks:>4}/{g.chunks_total:<4}  {server:>10}  "
                         f"{g.status}{extra}")
            if g.error:
                lines.append(f"  {g.error}")
            elif g.retry_reason:
                lines.append(f"  retried after: {g.retry_reason}")
        for s in self.stale:
            lines.append(f"stale: {s} is on the server but not in the store (a push that prunes drops it)")
        for d in self.dropped:
            lines.append(f"dropped: {d}")
        lines += self.notes
        failed = sum(not g.ok for g in self.graphs)
        named = sum(g.triples for g in self.graphs if g.graph != UNION_GRAPH)
        default = [g.triples for g in self.graphs if g.graph == UNION_GRAPH]
        lines.append(f"{len(self.graphs) - failed} of {len(self.graphs)} graphs replaced, {named:,} triples"
                     + (f" ({default[0]:,} distinct, the default graph)" if default else "")
                     + f", {self.seconds:.1f} s" + (f"; {failed} FAILED" if failed else ""))
        return "\n".join(lines) + "\n"


def temp_graph(graph: str) -> str:
    """The temporary graph a push loads ``graph`` into: the same one each time, so a new push clears it.

    >>> temp_graph("https://w3id.org/pwc-kg/resource/graph/derived")
    'urn:pwc-kg:push-tmp:562367ca88914ba57d8497b38d8d6318'
    """
    return PUSH_TEMP_PREFIX + hashlib.sha256(graph.encode()).hexdigest()[:32]


class _Client:
    """The HTTP side of a push: updates, Graph Store Protocol requests, retries."""

    def __init__(self, credentials: Credentials, urls: list[str], retries: int, backoff: float, timeout: float):
        self.credentials = credentials
        self.opener = credentials.opener(*urls)
        self.digest = digest_handler(self.opener)
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.retried = 0
        self.retry_reasons: list[str] = []

    def send(self, method: str, url: str, body: bytes | None, content_type: str | None) -> None:
        """One request, retried while its failure may pass; a RemoteError when it does not succeed."""
        for attempt in range(self.retries + 1):
            if self.digest and body and not self.digest.knows(url):
                self._learn_challenge(url)
            headers = dict(self.credentials.headers())
            if content_type:
                headers["Content-Type"] = content_type
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    response.read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                if isinstance(e, urllib.error.HTTPError) and method == "DELETE" and e.code == 404:
                    return  # nothing to delete
                body_text = e.read() if isinstance(e, urllib.error.HTTPError) else None
                if self.digest and not isinstance(e, urllib.error.HTTPError):
                    self.digest.forget(url)  # the pipe may have broken on a stale nonce
                if attempt < self.retries and retryable(e):
                    self.retried += 1
                    self.retry_reasons.append(str(http_error(url, e, self.credentials, body_text)))
                    time.sleep(self.backoff * 2 ** attempt)
                    continue
                error = http_error(url, e, self.credentials, body_text)
                if attempt:
                    error.args = (f"{error} (after {attempt + 1} attempts)",)
                raise error from None

    def _learn_challenge(self, url: str) -> None:
        """A HEAD request, so the digest challenge is known before a large body is sent."""
        try:
            with self.opener.open(urllib.request.Request(url, method="HEAD"), timeout=self.timeout):
                pass
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # a server that wants no credentials, or one the request itself will report

    def update(self, url: str, text: str) -> None:
        self.send("POST", url, text.encode("utf-8"), "application/sparql-update")

    def graph_store(self, method: str, url: str, graph: str, body: bytes | None = None) -> None:
        target = url + ("&" if "?" in url else "?") + urllib.parse.urlencode({"graph": graph})
        self.send(method, target, body, "application/n-triples" if body is not None else None)


def _chunks(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, size: int) -> Iterator[bytes]:
    """The graph's triples as N-Triples bodies of at most ``size`` triples; those with blank nodes last, together."""
    batch, with_blanks = [], []
    for q in store.quads_for_pattern(None, None, None, graph):
        t = q.triple
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            with_blanks.append(t)
            continue
        batch.append(t)
        if len(batch) >= size:
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)
            batch = []
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)
    if with_blanks:
        yield ox.serialize(with_blanks, format=ox.RdfFormat.N_TRIPLES)


def _chunk_count(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, size: int) -> tuple[int, int]:
    """(triples, chunks) of a graph, counted before sending so progress can say 'k of n'."""
    plain = blank = 0
    for q in store.quads_for_pattern(None, None, None, graph):
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            blank += 1
        else:
            plain += 1
    return plain + blank, -(-plain // size) + (1 if blank else 0)


def _iri(graph: str) -> str:
    return str(ox.NamedNode(graph))


def push_store(store: ox.Store, endpoint: str, *, graph_store: str | None = None, update_endpoint: str | None = None,
               user: str | None = None, password: str | None = None, auth: str = "basic",
               chunk_triples: int | None = None, retries: int = 3, backoff: float = 0.5, timeout: float = 300.0,
               prune: bool = False, progress: Callable[[str], None] | None = None) -> PushReport:
    """Push every named graph of ``store`` to the server; see the module's description."""
    if not graph_store and not update_endpoint:
        raise SettingError("a push needs a Graph Store Protocol endpoint or an update endpoint (or both)",
                           option="graph_store")
    if chunk_triples is None:
        chunk_triples = DEFAULT_CHUNK_TRIPLES if graph_store else DEFAULT_INSERT_CHUNK_TRIPLES
    if chunk_triples < 1:
        raise SettingError(f"a chunk holds one triple or more, not {chunk_triples}", option="chunk_triples")
    if retries < 0:
        raise SettingError(f"the retries of a request are 0 or more, not {retries}", option="retries")
    for name, what, url in (("endpoint", "query endpoint", endpoint), ("graph_store", "Graph Store Protocol endpoint",
                                                                      graph_store),
                            ("update_endpoint", "update endpoint", update_endpoint)):
        if url is not None and not url.startswith(("http://", "https://")):
            raise SettingError(f"the {what} is an http(s) URL, not {url!r}", option=name)
    credentials = Credentials(user, password, auth)
    urls = [u for u in (endpoint, graph_store, update_endpoint) if u]
    client = _Client(credentials, urls, retries, backoff, timeout)
    counter = SparqlEndpointBackend(endpoint, user, password, auth, default_graph="union", timeout=timeout)
    say = progress or (lambda _msg: None)
    report = PushReport()
    t0 = time.perf_counter()

    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    # The default graph (the set union of the named graphs) goes last, into UNION_GRAPH: a query that
    # finds it there reads it as the default graph; until it is there, queries read the old one.
    sources: dict[str, ox.NamedNode | ox.DefaultGraph] = {g: ox.NamedNode(g) for g in graphs}
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        sources[UNION_GRAPH] = ox.DefaultGraph()
    else:
        report.notes.append(f"note: the store's default graph is empty (built by an older pwc-kg?): {UNION_GRAPH} "
                            "was not sent, and queries on the server count a triple once per graph that holds it")
    try:  # before the push replaces the provenance that lists them on some servers
        before = counter.named_graphs()
    except RemoteError as e:
        before = []
        report.notes.append(f"note: could not list the server's graphs to find stale ones: {e}")
    refused = None
    for graph, node in sources.items():
        result = GraphPush(graph)
        report.graphs.append(result)
        if refused:  # the same credentials would be refused again
            result.status, result.error = "failed (not attempted)", f"not sent: {refused}"
            continue
        result.triples, result.chunks_total = _chunk_count(store, node, chunk_triples)
        retried = client.retried
        try:
            if update_endpoint:
                _push_via_temp_graph(client, counter, store, node, result, graph_store, update_endpoint,
                                     chunk_triples, say, graph)
            else:
                _push_by_put(client, store, node, result, graph_store, chunk_triples, say, graph)
        except RemoteError as e:
            result.status, result.error, result.cause = "failed (unchanged)", str(e), e
        if isinstance(result.cause, AuthError):
            refused = str(result.cause)
        result.retries = client.retried - retried
        if result.retries:
            result.retry_reason = client.retry_reasons[-result.retries]
        if result.status == "replaced":
            try:
                result.server_triples = graph_triple_count(counter, graph)
            except RemoteError as e:
                result.status, result.error = "failed (not counted)", f"counting it on {endpoint}: {e}"
            else:
                if result.server_triples != result.triples:
                    result.status = "failed (count differs)"
                    result.error = (f"the server holds {result.server_triples:,} triples in {graph}, the store "
                                    f"{result.triples:,}" + (" (a server that stores literals by value, as Virtuoso "
                                                            "does, merges literals equal in value, e.g. 1.50 and 1.5)"
                                                            if result.server_triples < result.triples else ""))
        say(f"{graph}: {result.status}")
    _stale(report, store, before, client, graphs, graph_store, update_endpoint, prune)
    report.seconds = time.perf_counter() - t0
    return report


def _push_via_temp_graph(client: _Client, counter, store, node, result: GraphPush, graph_store, update_endpoint, size,
                         say, graph: str):
    tmp = temp_graph(graph)
    try:
        client.update(update_endpoint, f"DROP SILENT GRAPH {_iri(tmp)}")  # what a failed push left
        for i, body in enumerate(_chunks(store, node, size)):
            if graph_store:
                client.graph_store("PUT" if i == 0 else "POST", graph_store, tmp, body)
            else:
                client.update(update_endpoint, f"INSERT DATA {{ GRAPH {_iri(tmp)} {{\n{body.decode('utf-8')}}} }}")
            result.chunks = i + 1
            say(f"{graph}: chunk {i + 1} of {result.chunks_total}")
    except RemoteError as e:
        result.status, result.cause = "failed (unchanged)", e
        result.error = (f"chunk {result.chunks + 1} of {result.chunks_total} failed: {e}; the server's copy of the "
                        "graph is as it was")
        _drop_quietly(client, update_endpoint, tmp)
        return
    if result.triples == 0:
        client.update(update_endpoint, f"DROP SILENT GRAPH {_iri(graph)}")
        result.status = "replaced"
        return
    try:
        loaded = graph_triple_count(counter, tmp)
    except RemoteError as e:
        loaded, why = None, f"counting it failed: {e}"
    else:
        why = f"it holds {loaded:,} triples, the store {result.triples:,}"
    if loaded != result.triples:  # never swap in an incomplete graph
        result.status = "failed (unchanged)"
        result.error = f"all {result.chunks} chunks were sent to {tmp}, but {why}; the server's copy is as it was"
        _drop_quietly(client, update_endpoint, tmp)
        return
    try:
        client.update(update_endpoint, f"MOVE SILENT GRAPH {_iri(tmp)} TO GRAPH {_iri(graph)}")
    except RemoteError as e:
        result.status = "failed (MOVE)"
        result.error = (f"the graph was complete in {tmp}, but the MOVE onto {graph} failed: {e}; a server applies "
                        "an update whole or not at all, so its copy should be as it was: push again")
        _drop_quietly(client, update_endpoint, tmp)
        return
    result.status = "replaced"


def _push_by_put(client: _Client, store, node, result: GraphPush, graph_store, size, say, graph: str):
    if result.triples == 0:
        try:
            client.graph_store("DELETE", graph_store, graph)
        except RemoteError as e:
            result.status, result.error = "failed (unchanged)", f"deleting the empty graph failed: {e}"
            return
        result.status = "replaced"
        return
    try:
        for i, body in enumerate(_chunks(store, node, size)):
            client.graph_store("PUT" if i == 0 else "POST", graph_store, graph, body)
            result.chunks = i + 1
            say(f"{graph}: chunk {i + 1} of {result.chunks_total}")
    except RemoteError as e:
        result.cause = e
        if result.chunks == 0:
            result.status = "failed (unchanged)"
            result.error = f"the first chunk (a PUT) failed: {e}; the server's copy of the graph is as it was"
        else:
            result.status = "failed (half replaced)"
            result.error = (f"chunk {result.chunks + 1} of {result.chunks_total} failed: {e}; the server's copy "
                            f"now holds only chunks 1-{result.chunks}: push again to replace it whole")
        return
    result.status = "replaced"


def _drop_quietly(client: _Client, update_endpoint: str, graph: str) -> None:
    try:
        client.update(update_endpoint, f"DROP SILENT GRAPH {_iri(graph)}")
    except RemoteError:
        pass  # the next push drops it first


def _stale(report: PushReport, store, on_server, client, graphs, graph_store, update_endpoint, prune) -> None:
    """pwc-kg graphs (under the store's base IRI) that the server had and the store lacks."""
    # the union of the named graphs where the default graph is empty (a store built by an older pwc-kg)
    rows = list(store.query(load_query("internal/base-iri").text, **union_options(store)))
    if not rows:
        return
    prefix = rows[0]["b"].value + "graph/"
    local = set(graphs)
    report.stale = [g for g in on_server if g.startswith(prefix) and g not in local]
    if not prune:
        return
    for g in list(report.stale):
        try:
            if update_endpoint:
                client.update(update_endpoint, f"DROP SILENT GRAPH {_iri(g)}")
            else:
                client.graph_store("DELETE", graph_store, g)
        except RemoteError as e:
            report.notes.append(f"note: could not drop stale graph {g}: {e}")
            continue
        report.stale.remove(g)
        report.dropped.append(g)
