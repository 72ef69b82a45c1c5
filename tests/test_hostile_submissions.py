"""Hostile submissions (issue 14, section 3): one request may not end the server, nor take its CPU.

A real ``pwc-kg serve`` in a process of its own (a segfault would end pytest otherwise), on loopback,
over a store built from tests/fixtures/lamini.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LAMINI
from test_serve_sparql import fetch

import pwc_kg
from pwc_kg.submissions import SubmissionService, TokenStore
from pwc_kg.submissions.bounds import _deepest, check_depth, check_size
from pwc_kg.submissions.errors import TooLarge
from pwc_kg.submissions.payload import MAX_DEPTH, PayloadError


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("hostile-base") / "store"
    pwc_kg.build([str(LAMINI)], store)
    return store


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """(url, submitter token, store, process) of a pwc-kg serve of its own."""
    store = tmp_path_factory.mktemp("hostile-served") / "store"
    shutil.copytree(built, store, symlinks=True)
    sub = TokenStore(store).add("mallory")
    log = store.parent / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pwc_kg", "serve", "--store", str(store), "--port", "0",
                                 "--workers", "1", "--max-submission-values", "2000"],
                                stdout=subprocess.PIPE, stderr=out)
    line = proc.stdout.readline().decode()
    assert "listening on" in line, log.read_text()
    url = line.split("listening on ")[1].split(" ")[0]
    yield url, sub, store, proc
    proc.terminate()
    proc.wait(30)


def post(url: str, body: bytes, token: str, ctype: str):
    return fetch(url + "api/submissions", data=body, ctype=ctype, headers={"Authorization": f"Bearer {token}"})


def folders(store: Path) -> list[str]:
    root = store / "submissions"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


DEEP_BODIES = [
    ("application/ld+json", b'{"@context": {"p": "http://x/p"}, "@id": "http://x/a", "p": ' + b"[" * 20_000 + b"\x01"),
    ("application/ld+json", b'{"http://x/p": ' * 20_000 + b"\x01"),
    ("application/json", b'{"rows": ' + b"[" * 20_000 + b"\x01"),
    ("application/yaml", b"rows: " + b"[" * 20_000),
    ("application/yaml", b"rows: [a 'b, " + b'[ "]", ' * 5_000),
    ("text/turtle", b"@prefix : <http://x/> . :a :b " + b"[ :p " * 20_000 + b"\x01"),
    ("text/turtle", b"@prefix : <http://x/> . :a :b " + b"( " * 20_000 + b"\x01"),
]


def test_one_request_kills_the_server_deep_payloads_are_refused_before_any_parser(server):
    url, sub, store, proc = server
    before = folders(store)
    for ctype, body in DEEP_BODIES:
        status, _, answer = post(url, body, sub, ctype)
        assert status == 422, (ctype, answer[:300])
        assert f"more than the {MAX_DEPTH}" in answer.decode() or f"{2 * MAX_DEPTH} allowed" in answer.decode()
        assert proc.poll() is None  # the server is still there
    assert folders(store) == before  # nothing left behind
    status, _, _ = fetch(url + "sparql?query=ASK%7B%7D", accept="application/sparql-results+json")
    assert status == 200


def test_one_request_kills_the_server_the_depth_scan_is_not_fooled_by_strings():
    # brackets in strings do not count; closers in strings cannot hide openers
    assert _deepest(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', "json") == 1
    assert _deepest(b'[ "]" ' * 100, "json") == 100
    assert _deepest(b'[ "\\"]" ' * 100, "json") == 100
    assert _deepest(b':a :b "((((((((" , """ ) ) " ))))""" , <http://x/((((> . # ((((((\n', "turtle") == 0
    assert _deepest(b":a :b " + b"[ :p '''(''' " * 50, "turtle") == 50
    assert _deepest(b":a\\# :b ( ( ( ) ) ) .", "turtle") == 3
    assert _deepest(b"x: [a 'b, " + b"[ ']', " * 50, "yaml") >= 50
    assert _deepest(b"x: ['[[[[', \"[[[[\", it's]", "yaml") == 1
    with pytest.raises(PayloadError):
        check_depth(b"[" * (MAX_DEPTH + 1), "application/json; charset=utf-8")
    check_depth(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, "application/json")


def many_metrics(n: int) -> bytes:
    row = {"model_name": "M", "metrics": {f"m{i}": "1" for i in range(n)}, "paper_title": "P",
           "paper_date": "2024-01-05"}
    return json.dumps({"task": "question answering", "dataset": "piqa", "rows": [row]}).encode()


def many_rows(n: int) -> bytes:
    rows = [{"model_name": f"M{i}", "metrics": {"accuracy": "1.0"}} for i in range(n)]
    return json.dumps({"task": "question answering", "dataset": "piqa", "rows": rows}).encode()


def test_submissions_without_bounds_of_work_get_413_naming_the_limit(server):
    url, sub, store, proc = server
    before = folders(store)
    status, _, answer = post(url, many_metrics(60_000), sub, "application/json")
    assert status == 413, answer[:300]
    assert "metrics per row" in json.loads(answer)["error"]
    status, _, answer = post(url, many_rows(5_000), sub, "application/json")
    assert status == 413
    assert "rows per submission" in json.loads(answer)["error"]
    many = {"task": "question answering", "dataset": "piqa",
            "rows": [{"model_name": f"M{i}", "metrics": {f"m{j}": "1" for j in range(150)}} for i in range(20)]}
    status, _, answer = post(url, json.dumps(many).encode(), sub, "application/json")
    assert status == 413
    assert "values per submission" in json.loads(answer)["error"]
    assert folders(store) == before  # none stored
    assert proc.poll() is None


def test_submissions_without_bounds_of_work_the_limit_is_an_option(built, tmp_path):
    with pytest.raises(TooLarge):
        check_size("rows", json.loads(many_rows(50)), max_values=100)
    check_size("rows", json.loads(many_rows(50)), max_values=1000)
    store = tmp_path / "store"
    shutil.copytree(built, store, symlinks=True)
    status, answer = SubmissionService(store, max_values=20).submit(many_rows(10), "application/json", "alice")
    assert status == 413 and not folders(store)


def test_submissions_without_bounds_of_work_the_mapping_time_is_bounded(built, tmp_path, monkeypatch):
    """What the bounds on size let through is bounded in time too: past MAX_MAPPING_SECONDS of look-ups, 413
    naming the bound, and nothing stored (the bound is set to nothing here, so the first look-up is past it)."""
    from pwc_kg.submissions import service

    store = tmp_path / "store"
    shutil.copytree(built, store, symlinks=True)
    monkeypatch.setattr(service, "MAX_MAPPING_SECONDS", 0.0)
    status, answer = SubmissionService(store).submit(many_rows(3), "application/json", "alice")
    assert status == 413 and "mapping the submission took more than 0 s" in answer["error"] and not folders(store)
    monkeypatch.setattr(service, "MAX_MAPPING_SECONDS", 30.0)
    status, _ = SubmissionService(store).submit(many_rows(3), "application/json", "alice")
    assert status in (202, 422) and status != 413  # the same payload, mapped within the bound
