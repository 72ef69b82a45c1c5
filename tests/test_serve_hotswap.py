"""Hot swap: while the server runs, new builds are published into its store folder.

Requests keep coming the whole time (SPARQL, linked data, a page); none may fail, each sees
one generation or the next (never the old one again once it has seen the new), and soon after
each build is published the answers are the new store's. The third build removes the first
generation from disk (a store keeps only the current and the previous one) while a worker may
still hold it open.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse

import pytest

import pwc_kg
from conftest import LAMINI, SOTA_FILES
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer
from pwc_kg.store import StoreDir
from pwc_kg.vocab import PWC
from test_serve_sparql import fetch

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
BASE = "https://w3id.org/pwc-kg/resource/"


def store_count(store) -> int:
    return int(next(iter(StoreDir(store).open().query(COUNT)))["n"].value)


def tasks(store) -> set[str]:
    rows = StoreDir(store).open().query(f"SELECT DISTINCT ?t WHERE {{ ?t a <{PWC.Task}> }}", use_default_graph_as_union=True)
    return {r["t"].value for r in rows}


class Load:
    """Requests in a loop on a thread: (time, kind, status, answer) for each."""

    def __init__(self, url: str, paths: list[str]):
        self.url = url
        self.paths = paths
        self.seen: list[tuple[float, str, int, object]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            status, headers, body = fetch(self.url + "sparql?" + urllib.parse.urlencode({"query": COUNT}))
            n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) if status == 200 else body
            self.seen.append((time.monotonic(), "count", status, (n, headers.get("pwc-kg-generation"))))
            for path in self.paths:
                status, _, body = fetch(self.url + path, accept="text/turtle" if path else "text/html")
                self.seen.append((time.monotonic(), path, status, body[:200] if status != 200 else None))

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(60)


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "store"
    pwc_kg.build([str(LAMINI)], path, validate=False)
    return path


def wait_for(load: Load, count: int, timeout: float = 300) -> None:
    """Until the server answers with the new store's count (the deadline only ends a wait that never ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(kind == "count" and status == 200 and answer[0] == count for _, kind, status, answer in load.seen[-3:]):
            return
        time.sleep(0.1)
    raise AssertionError(f"the server never answered with the new store's {count} triples: {load.seen[-3:]}")


def wait_rounds(load: Load, rounds: int, timeout: float = 300) -> None:
    """Until the load has made ``rounds`` more rounds of requests: requests seen, not time passed."""
    target = sum(1 for s in load.seen if s[1] == "count") + rounds
    deadline = time.monotonic() + timeout
    while sum(1 for s in load.seen if s[1] == "count") < target:
        assert load.thread.is_alive() and time.monotonic() < deadline, "the load stopped making requests"
        time.sleep(0.05)


def test_new_builds_are_picked_up_without_a_failed_request(store, sota_store):
    first = store_count(store)
    new_task = sorted(tasks(sota_store) - tasks(store))[0]  # a task only the next build has
    with BackgroundServer(ServeConfig(store=str(store), port=0, workers=2)) as server:
        status, _, _ = fetch(server.url + new_task[len(BASE):], accept="text/turtle")
        assert status == 404
        load = Load(server.url, ["paper/lamini-lm-a-diverse-herd-of-distilled-models", ""])
        try:
            wait_rounds(load, 3)  # requests answered by the first generation
            pwc_kg.build([str(LAMINI), *map(str, SOTA_FILES)], store, validate=False)
            second = store_count(store)
            wait_for(load, second)
            status, _, body = fetch(server.url + new_task[len(BASE):], accept="text/turtle")
            assert status == 200 and new_task.encode() in body
            pwc_kg.build([str(LAMINI), *map(str, SOTA_FILES[:2])], store, validate=False)  # removes the first generation
            third = store_count(store)
            wait_for(load, third)
            wait_rounds(load, 3)  # and by the third, after the first was removed from disk
        finally:
            load.finish()
    assert len({first, second, third}) == 3
    failed = [s for s in load.seen if s[2] != 200]
    assert not failed, failed[:5]
    counts = [answer[0] for _, kind, _, answer in load.seen if kind == "count"]
    order = [n for i, n in enumerate(counts) if i == 0 or n != counts[i - 1]]
    assert order == [first, second, third], order  # never back to an older generation
    generations = [answer[1] for _, kind, _, answer in load.seen if kind == "count"]
    assert len(set(generations)) == 3
    assert sum(1 for s in load.seen if s[1] == "") > 3  # the home page was served all along
