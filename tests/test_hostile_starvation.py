"""Starvation (issue 14, section 3): idle and slow connections time out, pages answer while /sparql is
saturated, and one client cannot take all capacity. A real server on loopback over a store built from
tests/fixtures/lamini; the attacker connects from 127.0.0.2, the well-behaved client from 127.0.0.1.
Bounded in count (at most 100 connections) and in time (each wait ends at a generous deadline)."""

from __future__ import annotations

import concurrent.futures
import socket
import time
import urllib.parse

import pytest
from test_serve_sparql import SLOW, fetch, wait_until

from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer

ATTACKER = "127.0.0.2"


def connect(server, source: str = ATTACKER) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.server.effective_port), timeout=30, source_address=(source, 0))
    return s


def closed_by_server(s: socket.socket) -> bool:
    """Whether the server has closed the connection (a read gives end of file or a reset)."""
    s.settimeout(0.05)
    try:
        return s.recv(1024) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


@pytest.fixture
def server(lamini_store):
    config = ServeConfig(store=str(lamini_store), port=0, workers=2, threads=6, query_timeout=600, queue_timeout=60,
                         idle_timeout=2, request_timeout=3, connection_limit=120, max_client_connections=10,
                         max_client_requests=3)
    with BackgroundServer(config) as s:
        yield s


def test_starvation_slowloris_connections_are_closed_and_others_answered(server):
    attackers = []
    for _ in range(100):
        try:
            attackers.append(connect(server))
        except OSError:
            pass
    # One address may have 10 connections open: the others are closed as soon as they are accepted.
    wait_until(lambda: sum(not closed_by_server(s) for s in attackers) <= 10, "the attacker's extra connections closed")
    open_ones = [s for s in attackers if not closed_by_server(s)]
    for s in open_ones:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a request that never ends
    status, _, _ = fetch(server.url, accept="text/html")  # another client is answered meanwhile
    assert status == 200

    def trickle_until_closed() -> bool:  # a byte a while keeps a connection from being idle, not from timing out
        alive = [s for s in open_ones if not closed_by_server(s)]
        for s in alive:
            try:
                s.sendall(b"X")
            except OSError:
                pass
        time.sleep(0.2)
        return not alive

    wait_until(trickle_until_closed, "every slowloris connection closed by the server")
    idle = connect(server, "127.0.0.1")  # silent after connecting: closed too
    wait_until(lambda: closed_by_server(idle), "an idle connection closed")
    for s in attackers + [idle]:
        s.close()
    assert fetch(server.url, accept="text/html")[0] == 200


def sparql(server, query: str, source: str | None = None):
    url = server.url + "sparql?" + urllib.parse.urlencode({"query": query})
    if source is None:
        return fetch(url, accept="application/sparql-results+json")
    s = socket.create_connection(("127.0.0.1", server.server.effective_port), timeout=600, source_address=(source, 0))
    s.sendall(f"GET /sparql?{urllib.parse.urlencode({'query': query})} HTTP/1.1\r\nHost: x\r\n"
              "Accept: application/sparql-results+json\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    return int(data.split(b" ", 2)[1]), {}, data


def test_starvation_pages_answer_while_sparql_is_saturated(server):
    executor = server.app.executor
    pool = concurrent.futures.ThreadPoolExecutor(4)
    try:
        heavy = [pool.submit(sparql, server, SLOW, ATTACKER) for _ in range(2)]
        wait_until(lambda: executor._sparql_held == 2, "two heavy queries hold every /sparql worker")
        # the pages have a worker of their own: answered while /sparql is full
        for path in ("", "benchmark/c838af8bd62dfaf8", "search?q=piqa"):
            status, _, body = fetch(server.url + path, accept="text/html")
            assert status == 200, (path, body[:300])
        assert executor._sparql_held == 2 and not any(f.done() for f in heavy)  # still saturated
        # the attacker's third request in progress is its last (max_client_requests=3); the fourth is refused
        third = pool.submit(sparql, server, "ASK {}", ATTACKER)
        wait_until(lambda: server.server.pwc_fair._by_client.get(ATTACKER, 0) == 3 or third.done(),
                   "a third request from the attacker in progress")
        status, _, body = sparql(server, "ASK {}", ATTACKER)
        assert status == 503 and b"requests in progress" in body, body[:400]
    finally:
        executor.close()  # ends the heavy queries (the server is stopped after this test)
        pool.shutdown(wait=True)
    assert all(f.result()[0] >= 500 for f in heavy)
