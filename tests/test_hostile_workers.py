"""No memory limit on query workers (issue 14, section 3): a query that grows a worker past its memory bound
gets a clear error, its worker is replaced and the server answers the next query. A real server on loopback
over a store built from tests/fixtures/lamini."""

from __future__ import annotations

import time
import urllib.parse

import pytest
from test_serve_sparql import fetch

from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer

HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"  # 4 GB in 6 s without a bound


def sparql(server, query: str):
    return fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": query}),
                 accept="application/sparql-results+json")


def worker_limit(pid: int) -> str:
    with open(f"/proc/{pid}/limits") as f:
        return next(line for line in f if line.startswith("Max data size"))


@pytest.fixture(scope="module")
def server(lamini_store):
    config = ServeConfig(store=str(lamini_store), port=0, workers=1, page_workers=0, worker_memory=400, query_timeout=120,
                         queue_timeout=120)
    with BackgroundServer(config) as s:
        yield s


def test_no_memory_limit_on_query_workers_a_hungry_query_gets_507_and_the_server_stays_up(server):
    executor = server.app.executor
    [w] = executor._idle
    assert str(400 << 20) in worker_limit(w.process.pid)
    before = executor.replaced
    status, _, body = sparql(server, HUNGRY)
    assert status == 507, body[:500]
    assert b"400 MiB of memory a query worker may use on this server" in body
    assert executor.replaced == before + 1
    assert not w.process.is_alive()
    status, _, body = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # waits for the new worker
    assert status == 200, body[:300]
    status, _, _ = sparql(server, HUNGRY)  # again: the same answer, and the server is still up
    assert status == 507
    assert sparql(server, "ASK { ?s ?p ?o }")[0] == 200


def test_no_memory_limit_on_query_workers_the_bound_is_an_option(lamini_store):
    with BackgroundServer(ServeConfig(store=str(lamini_store), port=0, workers=1, page_workers=0, worker_memory=0)) as s:
        [w] = s.app.executor._idle
        assert "unlimited" in worker_limit(w.process.pid)
    assert ServeConfig().worker_memory == 2048
