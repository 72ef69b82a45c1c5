"""``pwc-kg serve`` as a user runs it: a process that says where it listens, answers, and stops on SIGTERM (as on Ctrl-C)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from test_serve_sparql import fetch

PWC_KG = [str(Path(sys.executable).with_name("pwc-kg"))]


def test_serve_prints_its_url_answers_and_stops(lamini_store):
    proc = subprocess.Popen(PWC_KG + ["serve", "--store", str(lamini_store), "--port", "0", "--workers", "1",
                                      "--max-rows", "5", "--query-timeout", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
        url = m[1]
        assert f"IRIs under {url}" in line and "SPARQL at" in line
        status, _, body = fetch(url + "sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}))
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5
        status, _, body = fetch(url + "sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}))
        assert status == 422 and b"5 rows" in body  # --max-rows reached the server
        workers = children(proc.pid)
        assert len(workers) >= 1  # the query worker (and the process counting the VoID, perhaps)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(120)  # a deadline for an event (the server exits), generous for a loaded machine
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0
    deadline = time.monotonic() + 120  # until the workers are gone; the deadline only ends a wait that never ends
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "worker processes outlived the server"


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


@pytest.mark.parametrize("args, words", [
    (["--store", "/nonexistent/store"], "no pwc-kg store"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--query-timeout", "0"], "must be positive"),
    (["--base-iri", "not a url"], "--base-iri must be an absolute http(s) URL"),
])
def test_serve_refuses_bad_options_clearly(lamini_store, args, words):
    full = ["serve", "--store", str(lamini_store), "--port", "0"] + args
    done = subprocess.run(PWC_KG + full, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and words in done.stderr, done.stderr
