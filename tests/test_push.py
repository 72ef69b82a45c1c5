"""``pwc-kg push``: graph by graph, in chunks, replacing, counted, retried, and honest about failures.

The servers are real (``oxigraph serve`` and Virtuoso 7, see servers.py); failures come from a
small HTTP proxy put in front of them that fails or swallows chosen requests.
"""

from __future__ import annotations

import http.client
import http.server
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections import Counter

import pyoxigraph as ox
import pytest
from conftest import FIXTURES, LAMINI
from servers import VIRTUOSO_PASSWORD, VIRTUOSO_USER, servers  # noqa: F401 (a fixture)

import pwc_kg
from pwc_kg import questions as q
from pwc_kg.queries.run import EmbeddedBackend
from pwc_kg.remote import SparqlEndpointBackend, push_store
from pwc_kg.remote.endpoint import PUSH_TEMP_PREFIX, UNION_GRAPH
from pwc_kg.remote.transport import Credentials
from pwc_kg.stats import graph_counts
from pwc_kg.store import StoreDir

LINEAGE_FILE = FIXTURES.parent.parent / "ontology" / "lineage.csv"
EVALUATIONS = "https://w3id.org/pwc-kg/resource/graph/source/evaluation-tables.json"
# slow: external servers (Oxigraph server, Virtuoso) started and loaded; pytest -m 'not slow' leaves it out
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lineage_store(tmp_path_factory):
    """The LaMini tables with lineage: the same graphs as lamini_store, holding more."""
    store = tmp_path_factory.mktemp("push-lineage") / "store"
    pwc_kg.build([str(LAMINI), str(FIXTURES / "model-cards"), str(LINEAGE_FILE)], store)
    return store


def local_counts(store) -> dict[str, int]:
    return graph_counts(StoreDir(store).open())


def pushed_counts(store) -> dict[str, int]:
    """What a push leaves on the server: the named graphs, and the default graph (the distinct triples) in UNION_GRAPH."""
    return {**local_counts(store), UNION_GRAPH: pwc_kg.open_store(store).stats()["triples"]}


def server_counts(query_url: str) -> dict[str, int]:
    """Triples per named graph on the server, asked independently of push's own check."""
    b = SparqlEndpointBackend(query_url, default_graph="union")
    rows = b.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    ours = ("https://w3id.org/pwc-kg/", "https://example.org/", PUSH_TEMP_PREFIX, UNION_GRAPH)  # not Virtuoso's own
    return {r["g"].value: int(r["n"].value) for r in rows if r["g"].value.startswith(ours)}


def methods(server) -> dict[str, dict]:
    """The ways to push to a server: update only (INSERT DATA + MOVE), graph store only (PUT + POST), both."""
    out = {"update": {"update_endpoint": server.update_url}, "graph-store": {"graph_store": server.graph_store_url},
           "both": {"update_endpoint": server.update_url, "graph_store": server.graph_store_url}}
    return {k: {**v, **server.auth} for k, v in out.items()}


def start(servers, kind: str):  # noqa: F811
    """The push tests' server of a kind, emptied of every graph a test may have left."""
    server = servers.oxigraph("push") if kind == "oxigraph" else servers.virtuoso("push")
    opener = Credentials(**server.auth).opener(server.update_url)
    headers = {"Content-Type": "application/sparql-update", **Credentials(**server.auth).headers()}
    for graph in server_counts(server.query_url):
        update = f"DROP SILENT GRAPH {ox.NamedNode(graph)}".encode()
        opener.open(urllib.request.Request(server.update_url, data=update, headers=headers), timeout=60).read()
    assert server_counts(server.query_url) == {}
    return server


@pytest.mark.parametrize("kind,method", [("oxigraph", "graph-store"), ("oxigraph", "update"), ("oxigraph", "both"),
                                         ("virtuoso", "update"), ("virtuoso", "graph-store"), ("virtuoso", "both")])
def test_push_loads_every_graph_with_the_stores_triple_count(servers, lamini_store, kind, method):  # noqa: F811
    server = start(servers, kind)
    report = push_store(StoreDir(lamini_store).open(), server.query_url, chunk_triples=150, backoff=0.01,
                        **methods(server)[method])
    assert report.ok, report.text()
    expected = pushed_counts(lamini_store)
    assert server_counts(server.query_url) == expected  # every graph, no temporary graph left behind
    assert {g.graph: g.server_triples for g in report.graphs} == expected
    evaluations = next(g for g in report.graphs if g.graph == EVALUATIONS)
    assert evaluations.chunks == evaluations.chunks_total == -(-expected[EVALUATIONS] // 150) > 1
    text = report.text()
    assert f"{len(expected)} of {len(expected)} graphs replaced" in text and "FAILED" not in text
    # and the graph answers as the store does
    there = q.sota(SparqlEndpointBackend(server.query_url), "Question Answering", "PIQA")
    assert there == q.sota(EmbeddedBackend(StoreDir(lamini_store).open()), "Question Answering", "PIQA") != []


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_a_push_replaces_each_graph_and_can_prune_the_rest(servers, lamini_store, sota_store, kind):  # noqa: F811
    server = start(servers, kind)
    how = methods(server)["both"]
    assert push_store(StoreDir(sota_store).open(), server.query_url, **how).ok
    second = push_store(StoreDir(lamini_store).open(), server.query_url, **how)
    assert second.ok
    counts = server_counts(server.query_url)
    # The graphs both stores have hold the second store's triples, not both stores'.
    for graph, n in local_counts(lamini_store).items():
        assert counts[graph] == n, graph
    stale = set(local_counts(sota_store)) - set(local_counts(lamini_store))
    assert stale and stale <= set(counts)
    assert set(second.stale) == stale and f"stale: {sorted(stale)[0]} is on the server" in second.text()
    # With --prune they go. (Virtuoso lists no graphs cheaply: a push finds them in the provenance
    # of the push before it, which it is about to replace.)
    assert push_store(StoreDir(sota_store).open(), server.query_url, **how).ok
    again = push_store(StoreDir(lamini_store).open(), server.query_url, prune=True, **how)
    assert again.ok and set(again.dropped) == stale and not again.stale
    assert server_counts(server.query_url) == pushed_counts(lamini_store)
    assert f"dropped: {sorted(stale)[0]}" in again.text()


class FlakyProxy:
    """An HTTP proxy in front of a server that can fail (an HTTP status) or swallow (answer 204,
    forward nothing) the requests a rule picks. ``rule(method, path_and_query, body)``."""

    def __init__(self, upstream: str, rule):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.rule = rule
        self.seen: Counter = Counter()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                verdict = proxy.rule(self.command, self.path, body)
                if verdict == "swallow":
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if isinstance(verdict, int):
                    message = b"injected failure"
                    self.send_response(verdict)
                    self.send_header("Content-Length", str(len(message)))
                    self.end_headers()
                    self.wfile.write(message)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status, answer.reason)
                for k, v in answer.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, server_url: str) -> str:
        """``server_url`` (on the upstream server) through the proxy."""
        return self.base + urllib.parse.urlsplit(server_url)._replace(scheme="", netloc="").geturl()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def chunk_to(graph_fragment: str):
    """Picks the requests that carry a chunk (INSERT DATA or a Graph Store body) for one graph."""
    from pwc_kg.remote.push import temp_graph

    def is_chunk(method: str, path: str, body: bytes) -> bool:
        targets = (graph_fragment, temp_graph(graph_fragment))
        if method in ("PUT", "POST") and "graph=" in path:
            return any(urllib.parse.quote(t, safe="") in path for t in targets)
        return method == "POST" and body.startswith(b"INSERT DATA") and any(t.encode() in body[:200] for t in targets)
    return is_chunk


@pytest.mark.parametrize("kind,method", [("oxigraph", "update"), ("virtuoso", "both"), ("oxigraph", "graph-store")])
def test_a_failing_chunk_is_retried_and_a_push_that_fails_says_so(servers, lamini_store, lineage_store, kind,
                                                                  method):  # noqa: F811
    server = start(servers, kind)
    how = methods(server)[method]
    assert push_store(StoreDir(lamini_store).open(), server.query_url, **how).ok
    before = server_counts(server.query_url)
    is_chunk = chunk_to(EVALUATIONS)

    # 1. Each chunk of one graph fails once (HTTP 503), then passes: retried, and nothing is duplicated.
    failed_once = set()

    def transient(method_, path, body):
        key = (method_, path, body)
        if is_chunk(method_, path, body) and key not in failed_once:
            failed_once.add(key)
            return 503
        return None

    proxy = FlakyProxy(server.base, transient)
    try:
        via = {k: proxy.url(v) if k in ("update_endpoint", "graph_store") else v for k, v in how.items()}
        report = push_store(StoreDir(lineage_store).open(), server.query_url, chunk_triples=200, backoff=0.01, **via)
    finally:
        proxy.close()
    assert report.ok, report.text()
    evaluations = next(g for g in report.graphs if g.graph == EVALUATIONS)
    assert evaluations.retries == evaluations.chunks_total == len(failed_once) > 1
    assert f"({evaluations.retries} retries)" in report.text()
    assert server_counts(server.query_url) == pushed_counts(lineage_store)

    # 2. The second chunk of that graph keeps failing: reported, and the graph is as it was (or, with
    #    a graph store only, half replaced and said so); the other graphs are replaced.
    assert push_store(StoreDir(lamini_store).open(), server.query_url, **how).ok
    chunks = Counter()

    def permanent(method_, path, body):
        if is_chunk(method_, path, body):
            chunks[body] += 1
            if list(chunks).index(body) == 1:
                return 500
        return None

    proxy = FlakyProxy(server.base, permanent)
    try:
        via = {k: proxy.url(v) if k in ("update_endpoint", "graph_store") else v for k, v in how.items()}
        report = push_store(StoreDir(lineage_store).open(), server.query_url, chunk_triples=200, retries=2,
                            backoff=0.01, **via)
    finally:
        proxy.close()
    assert not report.ok
    (bad,) = [g for g in report.graphs if not g.ok]
    assert bad.graph == EVALUATIONS and bad.retries == 2 and bad.chunks == 1
    assert "chunk 2 of" in bad.error and "HTTP 500" in bad.error and "after 3 attempts" in bad.error
    counts = server_counts(server.query_url)
    if method == "graph-store":
        assert bad.status == "failed (half replaced)" and "push again to replace it whole" in bad.error
        assert counts[EVALUATIONS] == 200
    else:
        assert bad.status == "failed (unchanged)" and "as it was" in bad.error
        assert counts[EVALUATIONS] == before[EVALUATIONS]
    others = {g: n for g, n in local_counts(lineage_store).items() if g != EVALUATIONS}
    assert {g: counts[g] for g in others} == others
    assert "1 FAILED" in report.text()

    # 3. Pushed again, it is whole: nothing of the failed attempt is duplicated or left behind.
    assert push_store(StoreDir(lineage_store).open(), server.query_url, chunk_triples=200, **how).ok
    assert server_counts(server.query_url) == pushed_counts(lineage_store)


@pytest.mark.parametrize("method", ["update", "graph-store"])
def test_a_server_that_loses_a_chunk_is_caught_by_the_count(servers, lamini_store, method):  # noqa: F811
    server = start(servers, "oxigraph")
    how = methods(server)[method]
    is_chunk = chunk_to(EVALUATIONS)
    swallowed = []

    def lose_the_last(method_, path, body):
        if is_chunk(method_, path, body) and b"pwc-kg/ontology#value" in body and not swallowed:
            swallowed.append(body)
            return "swallow"
        return None

    proxy = FlakyProxy(server.base, lose_the_last)
    try:
        via = {k: proxy.url(v) for k, v in how.items()}
        report = push_store(StoreDir(lamini_store).open(), server.query_url, chunk_triples=300, **via)
    finally:
        proxy.close()
    (bad,) = [g for g in report.graphs if not g.ok]
    assert swallowed and bad.graph == EVALUATIONS
    if method == "update":  # caught in the temporary graph, before the MOVE
        assert bad.status == "failed (unchanged)" and f"the store {bad.triples:,}" in bad.error
        assert EVALUATIONS not in server_counts(server.query_url)
    else:
        assert bad.status == "failed (count differs)" and bad.server_triples < bad.triples


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pwc_kg", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def test_the_push_command(servers, lamini_store):  # noqa: F811
    server = start(servers, "virtuoso")
    out = cli("push", "--store", str(lamini_store), "--endpoint", server.query_url, "--update-endpoint",
              server.update_url, "--graph-store", server.graph_store_url, "--user", VIRTUOSO_USER, "--auth", "digest",
              "--chunk-triples", "500", env={"PWC_KG_PASSWORD": VIRTUOSO_PASSWORD})
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["graph", "triples", "chunks", "on", "server", "status"]
    expected = local_counts(lamini_store)
    row = next(line for line in lines if line.startswith(EVALUATIONS)).split()
    n, chunks = expected[EVALUATIONS], -(-expected[EVALUATIONS] // 500)
    assert row[1:] == [f"{n:,}", f"{chunks}/{chunks}", f"{n:,}", "replaced"] and chunks > 1
    distinct = pushed_counts(lamini_store)[UNION_GRAPH]  # and the default graph, the distinct triples
    assert f"9 of 9 graphs replaced, {sum(expected.values()):,} triples ({distinct:,} distinct" in lines[-1]
    assert server_counts(server.query_url) == pushed_counts(lamini_store)
    # The questions then run against it.
    sota = cli("sota", "--task", "Question Answering", "--dataset", "PIQA", "--endpoint", server.query_url)
    assert sota.returncode == 0 and "FLAN-T5-Large 783M" in sota.stdout

    # A wrong password: every graph fails (the first refused, the others not sent), exit 1.
    out = cli("push", "--store", str(lamini_store), "--endpoint", server.query_url, "--update-endpoint",
              server.update_url, "--user", VIRTUOSO_USER, "--auth", "digest", env={"PWC_KG_PASSWORD": "wrong"})
    assert out.returncode == 1
    assert "HTTP 401 Unauthorized: the server refused the credentials (user 'pwckg' with digest auth)" in out.stdout
    assert out.stdout.count("failed (not attempted)") == 8 and "9 FAILED" in out.stdout
    assert "pwc-kg push: error: 9 graphs were not replaced" in out.stderr
    assert server_counts(server.query_url) == pushed_counts(lamini_store)  # untouched

    # Anonymous updates on Virtuoso's /sparql are refused too, and the message says what to do.
    out = cli("push", "--store", str(lamini_store), "--endpoint", server.query_url, "--update-endpoint",
              server.query_url, "--retries", "0")
    assert out.returncode == 1 and "failed (unchanged)" in out.stdout and "SECURITY" in out.stdout, out.stdout

    out = cli("push", "--store", str(lamini_store), "--endpoint", server.query_url)
    assert out.returncode == 2
    assert "--graph-store: a push needs a Graph Store Protocol endpoint or an update endpoint" in out.stderr


def test_blank_nodes_travel_in_one_chunk(servers, tmp_path):  # noqa: F811
    """A blank node's label means nothing across requests: its triples go together, and stay one node."""
    store = ox.Store(str(tmp_path / "db"))
    g = ox.NamedNode("https://example.org/graph/with-blanks")
    b = ox.BlankNode()
    p = [ox.NamedNode(f"https://example.org/p{i}") for i in range(5)]
    for i in range(5):
        store.add(ox.Quad(b, p[i], ox.Literal(str(i)), g))
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), p[0], ox.Literal(str(i)), g))
    server = start(servers, "oxigraph")
    report = push_store(store, server.query_url, graph_store=server.graph_store_url, chunk_triples=2)
    assert report.ok, report.text()
    (pushed,) = report.graphs
    assert pushed.chunks_total == 4  # 5 plain triples in 3 chunks, the 5 with the blank node in one
    rows = SparqlEndpointBackend(server.query_url, default_graph="union").select(
        "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { GRAPH ?g { ?b ?p ?o FILTER(isBlank(?b)) } }")
    assert int(rows[0]["n"].value) == 1
