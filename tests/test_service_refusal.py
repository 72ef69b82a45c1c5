"""SERVICE refusal bypassed (issue 14): SERVICE is decided on the parsed query, on ``/sparql`` and ``/query`` alike.

The hand-written scan ended a ``#`` comment only at a line feed; SPARQL (and pyoxigraph) end it at a
carriage return too, so ``# x\\rSERVICE <http://127.0.0.1:PORT/...>`` ran the SERVICE call. Here a
local HTTP server on loopback records every request made to it; the pwc-kg server runs with its
workers' network isolation off (as where the kernel does not allow it: not root, most containers),
so the refusal before the query runs is the only thing between the query and that server.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse

import pytest

from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.query_text import analyze, parsed_services
from pwc_kg.serve.server import BackgroundServer
from test_serve_sparql import fetch

EMPTY_RESULTS = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'


class Recorder:
    """A SPARQL endpoint on a free loopback port that answers one empty solution and records each call."""

    def __init__(self):
        self.calls: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                recorder.calls.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(EMPTY_RESULTS)))
                self.end_headers()
                self.wfile.write(EMPTY_RESULTS)

            do_GET = do_POST = _answer

            def log_message(self, *args):  # quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "Recorder":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def recorder():
    with Recorder() as r:
        yield r


@pytest.fixture(scope="module")
def server(lamini_store):
    config = ServeConfig(store=str(lamini_store), port=0, workers=1, isolate_network=False, query_timeout=30)
    with BackgroundServer(config) as s:
        yield s


def attacks(target: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ # x\rSERVICE <{target}> {{ ?s ?p ?o }} }}",  # the report's query
        f"SELECT * WHERE {{ # x\r\nSERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) # x\r SERVICE <{target}> {{ ?s ?p ?o }} \n }}",  # rdflib reads one comment
        f"SELECT * WHERE {{ BIND(1 AS ?x) OPTIONAL {{ # \rSERVICE SILENT <{target}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ FILTER EXISTS {{ # \r service <{target}> {{ }} }} }}",
        f"PREFIX e: <{target.rsplit('/', 1)[0]}/> SELECT * WHERE {{ #\rSERVICE e:sparql {{ ?s ?p ?o }} }}",
    ]


def _page_refused(status: int, body: bytes) -> bool:
    return status == 403 and b"SERVICE" in body


def test_service_refusal_bypassed_by_a_carriage_return_in_a_comment(server, recorder):
    """The report's bypass and its kin: refused with 403 on /sparql and on /query; the target is never called."""
    for query in attacks(recorder.url):
        status, _, body = fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": query}))
        assert status == 403 and b"SERVICE" in body and b"disabled" in body, (query, status, body)
        status, _, body = fetch(server.url + "sparql", data=query.encode(), ctype="application/sparql-query")
        assert status == 403, (query, status, body)
        status, _, body = fetch(server.url + "query?" + urllib.parse.urlencode({"query": query}), accept="text/html")
        assert _page_refused(status, body), (query, status, body[:300])
    assert recorder.calls == [], "the SERVICE target was called"


def test_service_refusal_decided_on_the_parsed_query():
    """The decision reads the parsed query: each attack's SERVICE is found, and a SERVICE word in a string,
    an IRI or a comment is not one."""
    for query in attacks("http://127.0.0.1:9/sparql"):
        assert "http://127.0.0.1:9/sparql" in analyze(query).services or None in analyze(query).services, query
    assert parsed_services("SELECT * WHERE { ?s <http://example.org/service> \"SERVICE <http://h/>\" } # SERVICE") == []
    assert analyze("SELECT * WHERE { ?s <http://example.org/service> \"SERVICE <http://h/>\" } # SERVICE").services == []
    assert parsed_services("SELECT * WHERE { { SELECT * WHERE { SERVICE <http://h/s> { } } } }") == ["http://h/s"]
    assert analyze("SELECT * WHERE { SERVICE ?where { } }").services == [None]


def test_a_query_that_names_service_only_in_text_still_runs(server, recorder):
    query = 'SELECT ?x WHERE { BIND("# SERVICE <http://127.0.0.1:1/>" AS ?x) } # SERVICE\r'
    status, _, body = fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 200, body
    assert recorder.calls == []


def test_the_recorder_sees_an_allowed_service_call(lamini_store):
    """The control: with the target on the allowlist the same query reaches the recorder, so a refused
    query that left it uncalled was refused, not merely unlucky."""
    with Recorder() as rec:
        host_port = rec.url.split("//")[1].split("/")[0]
        config = ServeConfig(store=str(lamini_store), port=0, workers=1, service_allowlist=[host_port],
                             query_timeout=30)
        with BackgroundServer(config, pages=False) as fed:
            query = f"SELECT * WHERE {{ SERVICE <{rec.url}> {{ ?s ?p ?o }} }}"
            status, _, body = fetch(fed.url + "sparql?" + urllib.parse.urlencode({"query": query}))
            assert status == 200, body
            assert rec.calls, "the allowed SERVICE was not called"
            # The report's text rdflib cannot parse: it cannot be checked, so it is refused even here.
            rec.calls.clear()
            status, _, body = fetch(fed.url + "sparql?" + urllib.parse.urlencode({"query": attacks(rec.url)[0]}))
            assert status == 403 and rec.calls == [], body
