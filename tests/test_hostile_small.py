"""Smaller hostile inputs (issue 14, section 3): a page number past any, a long query on /query, and
``submissions accept --as`` naming anyone. A real server on loopback, over a store built from tests/fixtures/lamini.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
from pathlib import Path

import pytest
from conftest import LAMINI
from test_serve_sparql import fetch

import pwc_kg
from pwc_kg.cli import main
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer
from pwc_kg.submissions import SubmissionService, TokenStore


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("hostile-small") / "store"
    pwc_kg.build([str(LAMINI)], store)
    return store


@pytest.fixture(scope="module")
def server(built):
    with BackgroundServer(ServeConfig(store=str(built), port=0, workers=1, max_query_length=200)) as s:
        yield s


def test_search_page_number_past_any_is_clamped_not_a_500(server):
    for page in ("99999999999999999999", "9" * 5000, "-3", "x"):
        status, _, body = fetch(server.url + "search?q=piqa&page=" + page, accept="text/html")
        assert status == 200, (page, body[:300])


def test_query_page_ignores_max_query_length(server):
    long = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 " + "#" * 300
    status, _, body = fetch(server.url + "query?" + urllib.parse.urlencode({"query": long}), accept="text/html")
    assert status == 413
    assert "this server takes queries of at most 200 characters" in body.decode()
    short = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    status, _, _ = fetch(server.url + "query?" + urllib.parse.urlencode({"query": short}), accept="text/html")
    assert status == 200


def rows(model: str) -> bytes:
    row = {"model_name": model, "metrics": {"accuracy": "71.0"}, "paper_title": f"{model}: a paper",
           "paper_date": "2024-01-05"}
    return json.dumps({"task": "question answering", "dataset": "piqa", "rows": [row]}).encode()


def test_accept_as_records_anyone_as_the_moderator(built, tmp_path, capsys):
    store = tmp_path / "store"
    shutil.copytree(built, store, symlinks=True)
    tokens = TokenStore(store)
    tokens.add("sam")  # a submitter
    tokens.add("mo", moderator=True)
    tokens.add("gone", moderator=True)
    tokens.revoke("gone")
    svc = SubmissionService(store)
    status, answer = svc.submit(rows("As Model"), "application/json", "sam")
    assert status == 202
    sid = answer["id"]
    for who in ("sam", "nobody", "gone"):
        assert main(["submissions", "accept", sid, "--as", who, "--store", str(store)]) == 2
        assert "moderator token" in capsys.readouterr().err
        assert main(["submissions", "reject", sid, "--as", who, "--reason", "x", "--store", str(store)]) == 2
        assert svc.show(sid)["status"] == "pending"
    assert main(["submissions", "accept", sid, "--as", "mo", "--store", str(store)]) == 0
    assert svc.show(sid)["accepted_by"] == "mo"
