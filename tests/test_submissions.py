"""Submissions (issue 8): results sent through the API, validated before they land, accepted by a moderator.

Stores are built from tests/fixtures/lamini (see its SOURCE.md); the server is a real one on
loopback, started by the tests. PIQA's Accuracy leaderboard holds LaMini's results: the SOTA is
FLAN-T5-Large 783M at 72.2 (2023-04-27).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import stat
import threading
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import LAMINI
from derive_oracle import derive
from test_serve_sparql import fetch

import pwc_kg
from pwc_kg.cli import main
from pwc_kg.iri import Minter
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer
from pwc_kg.store import StoreDir
from pwc_kg.submissions import SubmissionError, SubmissionService, TokenStore
from pwc_kg.submissions.service import derivation_graphs
from pwc_kg.vocab import PWC, RDF

BASE = "https://w3id.org/pwc-kg/resource/"
PIQA = BASE + "benchmark/c838af8bd62dfaf8"
TASK, DATASET, METRIC = "Question Answering", "PIQA", "Accuracy"


def rows(model: str, value: str = "73.0", day: str = "2024-01-05", **extra) -> bytes:
    row = {"model_name": model, "metrics": {"accuracy": value}, "paper_title": f"{model}: a paper", "paper_date": day,
           **extra}
    return json.dumps({"task": "question answering", "dataset": "piqa", "rows": [row]}).encode()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("submissions-base") / "store"
    pwc_kg.build([str(LAMINI)], store)
    return store


@pytest.fixture
def store(built, tmp_path) -> Path:
    """A fresh copy of the built store, to change."""
    copy = tmp_path / "store"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def leaderboard(store: Path) -> list[dict]:
    return pwc_kg.open_store(store).leaderboard(TASK, DATASET, METRIC)


def models(store: Path) -> set[str]:
    return {r["model"] for r in leaderboard(store)}


def submit(svc: SubmissionService, body: bytes, ctype: str = "application/json", who: str = "alice"):
    return svc.submit(body, ctype, who)


# ---------------------------------------------------------------------------------------------- payloads

def test_a_passing_submission_lands_pending_with_its_payload_and_nothing_in_the_store(store):
    svc = SubmissionService(store)
    body = rows("Pending Model")
    status, answer = submit(svc, body)
    assert status == 202, answer
    assert answer["iri"] == BASE + "submission/" + answer["id"] and answer["conforms"]
    folder = store / "submissions" / answer["id"]
    assert (folder / "payload").read_bytes() == body  # exactly as received
    meta = json.loads((folder / "meta.json").read_text())
    assert (meta["status"], meta["submitted_by"], meta["content_type"]) == ("pending", "alice", "application/json")
    assert meta["touched"] == [{"benchmark": PIQA, "name": "Question Answering on PIQA", "metrics": ["Accuracy"]}]
    assert "graph/submission/" + answer["id"] in (folder / "mapped.nq").read_text()
    assert "Pending Model" not in models(store)  # pending: not in the store


@pytest.mark.parametrize("payload, pointer, field", [
    ({"task": TASK, "dataset": DATASET, "rows": [{"model_name": "M", "metrics": {"Accuracy": "Yes"}}]},
     "/rows/0/metrics/Accuracy", "metrics"),
    ({"task": TASK, "dataset": DATASET, "rows": [{"metrics": {"Accuracy": "70"}}]}, "/rows/0", "model_name"),
    ({"task": TASK, "dataset": DATASET, "rows": [{"model_name": "M", "metrics": {"Accuracy": "70"},
                                                  "uses_additional_data": "maybe"}]},
     "/rows/0/uses_additional_data", "uses_additional_data"),
    ({"task": TASK, "dataset": DATASET, "rows": [{"model_name": "M", "metrics": {"Accuracy": "70"},
                                                  "paper_date": "2024-13-45"}]}, "/rows/0/paper_date", "paper_date"),
    ({"dataset": DATASET, "rows": [{"model_name": "M", "metrics": {"Accuracy": "70"}}]}, "/task", "task"),
    ({"benchmark": "https://w3id.org/pwc-kg/resource/benchmark/nope", "rows": []}, "/benchmark", "benchmark"),
])
def test_bad_rows_get_a_report_naming_the_field(store, payload, pointer, field):
    status, answer = submit(SubmissionService(store), json.dumps(payload).encode())
    assert status == 422 and not answer["conforms"]
    assert any(v["pointer"] == pointer and v["field"] == field for v in answer["violations"]), answer["violations"]
    assert not (store / "submissions").exists() or not any((store / "submissions").iterdir())


def test_bad_model_index_blocks_get_a_report_naming_the_field(store):
    block = {"id": "org/my-model", "model-index": [{"name": "my-model", "results": [
        {"task": {"type": "question-answering"}, "dataset": {"name": "PIQA"},
         "metrics": [{"type": "accuracy", "value": "high"}]},
        {"task": {"type": "question-answering"}, "metrics": [{"type": "accuracy", "value": 70}]}]}]}
    status, answer = submit(SubmissionService(store), json.dumps(block).encode())
    assert status == 422
    found = {(v["pointer"], v["field"]) for v in answer["violations"]}
    assert ("/model-index/0/results/0/metrics/0", "metrics") in found
    assert ("/model-index/0/results/1", "dataset") in found
    status, answer = submit(SubmissionService(store), json.dumps({**block, "id": "not an id"}).encode())
    assert status == 422 and any(v["field"] == "id" for v in answer["violations"])


def test_a_model_index_block_in_yaml_joins_the_archive_benchmark(store):
    text = ("id: org/yaml-model\nmodel-index:\n- name: yaml-model\n  results:\n  - task: {type: question-answering, "
            "name: question answering}\n    dataset: {name: piqa, type: piqa}\n    metrics:\n"
            "    - {type: accuracy, value: 70.5}\n").encode()
    status, answer = submit(SubmissionService(store), text, "application/yaml")
    assert status == 202, answer
    assert answer["touched"][0]["benchmark"] == PIQA


TURTLE_OK = f"""@prefix pwc: <https://w3id.org/pwc-kg/ontology#> .
<{BASE}result/ttl-1> a pwc:EvaluationResult ; pwc:benchmark <{PIQA}> ; pwc:metric <{BASE}metric/accuracy> ;
    pwc:model <{BASE}model/turtle-model> ; pwc:modelName "Turtle Model" ; pwc:value 71.0 ; pwc:rawValue "71.0" ;
    pwc:usesExtraTrainingData false .
<{BASE}model/turtle-model> a pwc:Model ; pwc:name "Turtle Model" .
"""


def test_turtle_in_the_ontology_passes_and_bad_turtle_names_the_property(store):
    svc = SubmissionService(store)
    status, answer = submit(svc, TURTLE_OK.encode(), "text/turtle")
    assert status == 202, answer
    bad = TURTLE_OK.replace(" pwc:value 71.0 ;", "").replace('pwc:name "Turtle Model"', 'pwc:name "Turtle Model" ; '
                                                                                          "pwc:rank 1")
    status, answer = submit(svc, bad.encode(), "text/turtle")
    assert status == 422
    paths = {v.get("path") for v in answer["violations"]}
    assert PWC.value in paths and PWC.rank in paths  # the missing value (SHACL) and the derived term
    # nothing new said of an existing entity; blank nodes are not subjects outside the base
    rewrite = f'<{PIQA}> <{PWC.name}> "Renamed" .'
    status, answer = submit(svc, rewrite.encode(), "text/turtle")
    assert status == 422 and "existing entity" in answer["violations"][0]["message"]
    status, answer = submit(svc, b"<http://elsewhere.org/x> <https://w3id.org/pwc-kg/ontology#name> \"x\" .",
                            "text/turtle")
    assert status == 422 and answer["violations"][0]["kind"] == "restriction"
    status, answer = submit(svc, b"this is not turtle", "text/turtle")
    assert status == 422 and answer["violations"][0]["field"] == "turtle"


def test_json_ld_in_the_ontology_passes(store):
    doc = {"@context": {"pwc": "https://w3id.org/pwc-kg/ontology#"}, "@graph": [
        {"@id": BASE + "result/jsonld-1", "@type": "pwc:EvaluationResult", "pwc:benchmark": {"@id": PIQA},
         "pwc:metric": {"@id": BASE + "metric/accuracy"}, "pwc:model": {"@id": BASE + "model/turtle-model"},
         "pwc:modelName": "Turtle Model", "pwc:value": {"@value": "71.5", "@type": "http://www.w3.org/2001/XMLSchema#decimal"},
         "pwc:rawValue": "71.5", "pwc:usesExtraTrainingData": False},
        {"@id": BASE + "model/turtle-model", "@type": "pwc:Model", "pwc:name": "Turtle Model"}]}
    status, answer = submit(SubmissionService(store), json.dumps(doc).encode(), "application/ld+json")
    assert status == 202, answer


def test_a_result_already_in_the_graph_is_refused(store):
    again = {"task": TASK, "dataset": DATASET, "rows": [{"model_name": "FLAN-T5-Large 783M", "metrics": {"Accuracy": "72.2"},
             "paper_title": "LaMini-LM: A Diverse Herd of Distilled Models from Large-Scale Instructions",
             "paper_date": "2023-04-27"}]}
    status, answer = submit(SubmissionService(store), json.dumps(again).encode())
    assert status == 422 and [v["message"].split(":")[0] for v in answer["violations"]] == [
        "this result is already in the graph"]


# ---------------------------------------------------------------------------------------------- moderation

def test_an_accepted_submission_counts_in_leaderboard_sota_and_history_and_a_rejected_one_never(store):
    svc = SubmissionService(store)
    _, good = submit(svc, rows("Accepted Model", "74.0", "2024-01-05"))
    _, bad = submit(svc, rows("Rejected Model", "75.0", "2024-02-05"))
    _, waiting = submit(svc, rows("Pending Model", "76.0", "2024-03-05"))
    meta = svc.accept(good["id"], "mo")
    assert meta["status"] == "accepted" and meta["generation"] == StoreDir(store).current().name
    rejected = svc.reject(bad["id"], "mo", "values from the dev set")
    assert rejected["reason"] == "values from the dev set"
    with pytest.raises(SubmissionError) as e:
        svc.accept(bad["id"], "mo")
    assert e.value.status == 409  # a rejected one stays rejected, on record with its reason
    assert svc.show(bad["id"])["reason"] == "values from the dev set"
    kg = pwc_kg.open_store(store)
    board = kg.leaderboard(TASK, DATASET, METRIC)
    assert (board[0]["model"], board[0]["rank"]) == ("Accepted Model", 1)
    assert {"Rejected Model", "Pending Model"}.isdisjoint(r["model"] for r in board)
    assert kg.sota(TASK, DATASET, METRIC)[0]["model"] == "Accepted Model"
    history = kg.history(TASK, DATASET, METRIC)
    assert history[-1]["model"] == "Accepted Model" and float(history[-1]["previous_value"]) == 72.2
    assert {"Rejected Model", "Pending Model"}.isdisjoint(r["model"] for r in history)
    # PROV-O of the submission, in its own named graph
    graph = ox.NamedNode(BASE + "graph/submission/" + good["id"])
    sub = ox.NamedNode(good["iri"])
    said = {(q.predicate.value, q.object.value) for q in kg.store.quads_for_pattern(sub, None, None, graph)}
    assert (RDF.type, PWC.Submission) in said and (PWC.submittedBy, BASE + "agent/contributor/alice") in said
    assert any(p == PWC.submittedAt for p, _ in said) and any(p == PWC.payloadSha256 for p, _ in said)


def test_the_command_line_lists_shows_accepts_and_rejects(store, capsys):
    assert main(["tokens", "add", "carol", "--store", str(store)]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("pwckg_")
    data = json.loads((store / "tokens.json").read_text())
    assert token not in (store / "tokens.json").read_text() and len(data["tokens"][0]["sha256"]) == 64
    assert stat.S_IMODE(os.stat(store / "tokens.json").st_mode) == 0o600
    svc = SubmissionService(store)
    _, a = submit(svc, rows("CLI Model", "99.0"))  # far past the SOTA: flagged
    _, b = submit(svc, rows("CLI Rejected", "70.0"))
    assert main(["submissions", "list", "--store", str(store)]) == 0
    listed = capsys.readouterr().out
    assert a["id"] in listed and "sota-margin" in listed
    assert main(["submissions", "show", a["id"], "--store", str(store)]) == 0
    assert "CLI Model" in capsys.readouterr().out
    TokenStore(store).add("mo", moderator=True)  # --as names a moderator token
    assert main(["submissions", "accept", a["id"], "--as", "mo", "--store", str(store)]) == 0
    assert main(["submissions", "reject", b["id"], "--reason", "no paper", "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["leaderboard", "--task", TASK, "--dataset", DATASET, "--metric", METRIC, "--store", str(store),
                 "--format", "json"]) == 0
    board = json.loads(capsys.readouterr().out)
    assert board[0]["model"] == "CLI Model" and "CLI Rejected" not in {r["model"] for r in board}
    assert main(["submissions", "accept", "20990101T000000Z-00000000", "--store", str(store)]) == 2
    assert main(["tokens", "revoke", "carol", "--store", str(store)]) == 0
    assert TokenStore(store).authenticate(token) is None


def test_accept_waits_for_a_running_build_then_says_so(store):
    svc = SubmissionService(store)
    _, a = submit(svc, rows("Late Model"))
    with StoreDir(store).lock():
        with pytest.raises(SubmissionError) as e:
            svc.accept(a["id"], "mo", wait=0.3)
    assert e.value.status == 503 and "build is running" in str(e.value)
    assert svc.show(a["id"])["status"] == "pending"


def test_an_accept_that_no_longer_validates_stays_pending_with_its_report(store):
    svc = SubmissionService(store)
    _, a = submit(svc, rows("Twice Model", "73.3"))
    _, b = submit(svc, rows("Twice Model", "73.3"))  # the same result: passes alone, not after the first
    svc.accept(a["id"], "mo")
    with pytest.raises(SubmissionError) as e:
        svc.accept(b["id"], "mo")
    assert e.value.status == 422 and any("already in the graph" in v["message"] for v in e.value.report["violations"])
    assert svc.show(b["id"])["status"] == "pending"


# ---------------------------------------------------------------------------------------------- flags

def test_flags_for_a_sota_past_the_margin_and_a_value_out_of_range(store):
    svc = SubmissionService(store, sota_margin=5.0)
    _, small = submit(svc, rows("Small Step", "73.0"))  # 1.1% better than 72.2
    _, big = submit(svc, rows("Big Leap", "80.0"))  # 10.8% better
    _, odd = submit(svc, rows("Odd Value", "140"))
    assert small["flags"] == []
    assert [f["kind"] for f in big["flags"]] == ["sota-margin"]
    assert {f["kind"] for f in odd["flags"]} == {"sota-margin", "range"}
    assert "above 100" in next(f for f in odd["flags"] if f["kind"] == "range")["message"]
    loose = SubmissionService(store, sota_margin=20.0)
    assert submit(loose, rows("Big Leap 2", "80.0"))[1]["flags"] == []
    negative = {"task": "Language Modelling", "dataset": "WikiText-103",
                "rows": [{"model_name": "Neg", "metrics": {"Test perplexity": "-3"}}]}
    status, answer = submit(svc, json.dumps(negative).encode())
    assert status == 202 and [f["kind"] for f in answer["flags"]] == ["range"]
    svc.accept(big["id"], "mo")  # a flagged submission can still be accepted
    assert models(store) >= {"Big Leap"}


# ---------------------------------------------------------------------------------------------- graphs

def derived_triples(store: Path) -> tuple[set[str], set[str]]:
    """(the store's derived graph, a full derivation of the same store), as N-Triples lines."""
    kg = pwc_kg.open_store(store)
    mint = Minter(BASE)
    got = {str(ox.Triple(q.subject, q.predicate, q.object))
           for q in kg.store.quads_for_pattern(None, None, None, ox.NamedNode(mint.graph("derived")))}

    class Out:
        text: list[str] = []

        def write(self, s: str) -> None:
            self.text.append(s)

    out = Out()
    out.text = []
    derive(kg.store, mint, out, graphs=derivation_graphs(kg.store, mint))
    want = {str(t) for t in ox.parse(input="".join(out.text), format=ox.RdfFormat.N_TRIPLES)}
    return got, want


def test_the_partial_update_of_the_derived_graph_equals_a_full_derivation(store):
    svc = SubmissionService(store)
    payloads = [rows("Partial A", "74.0", "2023-06-01"),
                rows("Partial B", "60.0", "2022-01-01", uses_additional_data=True),
                json.dumps({"task": "Question Answering", "dataset": "A brand new dataset",
                            "rows": [{"model_name": "Partial C", "metrics": {"New Metric Score": "3.5", "Accuracy": "50"},
                                      "paper_date": "2024-01-01"}]}).encode()]
    for body in payloads:
        status, answer = submit(svc, body)
        assert status == 202, answer
        svc.accept(answer["id"], "mo")
        got, want = derived_triples(store)
        assert sorted(got - want)[:5] == [] and sorted(want - got)[:5] == []
        kg = pwc_kg.open_store(store)  # the provenance graph's count, kept by difference, is still the count
        mint = Minter(BASE)
        [count] = kg.store.quads_for_pattern(ox.NamedNode(mint.graph("derived")), ox.NamedNode(PWC.tripleCount),
                                             None, ox.NamedNode(mint.graph("provenance")))
        assert int(count.object.value) == len(got)
        del kg
    gen = StoreDir(store).current()
    assert not (gen / "derived.nt").exists()  # an accept does not dump the whole derived graph
    pwc_kg.build([str(LAMINI)], store)  # incremental: it makes the file from the store
    gen = StoreDir(store).current()
    on_disk = {str(t) for t in ox.parse(path=str(gen / "derived.nt"), format=ox.RdfFormat.N_TRIPLES)}
    assert on_disk == derived_triples(store)[0]  # what the next incremental build compares with


def quads(store_dir: Path) -> set[str]:
    from test_incremental import quads as without_activities

    return without_activities(store_dir)


def test_after_an_accept_an_incremental_build_and_a_full_build_give_the_same_triples(store):
    svc = SubmissionService(store)
    _, a = submit(svc, rows("Kept Model", "74.0"))
    svc.accept(a["id"], "mo")
    accepted = quads(store)
    incremental = pwc_kg.build([str(LAMINI)], store)
    assert incremental.mode == "incremental" and incremental.derived_kept
    assert quads(store) == accepted
    full = pwc_kg.build([str(LAMINI)], store, full=True)
    assert full.mode == "full" and full.submissions["kept"] == [a["id"]]
    assert quads(store) == accepted
    assert incremental.derived == full.derived and incremental.triples == full.triples
    assert "Kept Model" in models(store)


def test_a_rebuild_under_another_base_iri_keeps_the_accepted_submissions(store):
    svc = SubmissionService(store)
    _, a = submit(svc, rows("Moved Model", "74.0"))
    svc.accept(a["id"], "mo")
    report = pwc_kg.build([str(LAMINI)], store, base_iri="https://kg.example.org/")
    assert report.submissions["kept"] == [a["id"]]
    kg = pwc_kg.open_store(store)
    assert "Moved Model" in {r["model"] for r in kg.leaderboard(TASK, DATASET, METRIC)}
    assert ox.NamedNode("https://kg.example.org/graph/submission/" + a["id"]) in set(kg.store.named_graphs())


def test_a_rebuild_keeps_an_accepted_result_that_the_derived_graph_already_ranks(store):
    """Regression: the derived graph's ranks made the accepted result look 'already in the graph' to the
    rebuild, which then dropped it."""
    svc = SubmissionService(store)
    _, a = submit(svc, rows("Ranked Model", "74.0"))
    svc.accept(a["id"], "mo")
    os.utime(LAMINI / "methods.json")  # a changed source: the derived graph is computed again
    report = pwc_kg.build([str(LAMINI)], store)
    assert report.submissions["kept"] == [a["id"]] and not report.submissions["dropped"]


def test_an_accepted_submission_that_no_longer_maps_goes_to_the_rejects_report(store, tmp_path):
    svc = SubmissionService(store)
    body = json.dumps({"benchmark": PIQA, "rows": [{"model_name": "Orphan", "metrics": {"Accuracy": "74"}}]}).encode()
    _, a = submit(svc, body)
    svc.accept(a["id"], "mo")
    other = tmp_path / "tables-only"
    other.mkdir()
    (other / "evaluation-tables.json").write_text("[]")
    report = pwc_kg.build([str(other)], store)  # PIQA's benchmark is gone
    assert report.submissions["kept"] == [] and report.submissions["dropped"][0]["id"] == a["id"]
    lines = [json.loads(line) for line in (store / "current" / "rejects.jsonl").read_text().splitlines()]
    assert any(line["source"] == "submission/" + a["id"] and line["field"] == "benchmark" for line in lines)
    assert svc.show(a["id"])["status"] == "accepted"  # nothing lost: the next build tries it again


# ---------------------------------------------------------------------------------------------- over HTTP

@pytest.fixture
def served(store):
    tokens = TokenStore(store)
    sub, mod = tokens.add("alice"), tokens.add("mo", moderator=True)
    config = ServeConfig(store=str(store), port=0, workers=1, max_concurrent=8, queue_timeout=10)
    with BackgroundServer(config) as server:
        yield server, sub, mod, store


def post(url: str, body: bytes, token: str | None, ctype: str = "application/json"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return fetch(url, data=body, ctype=ctype, headers=headers)


def test_the_api_is_off_without_tokens(store):
    with BackgroundServer(ServeConfig(store=str(store), port=0, workers=1)) as server:
        status, _, body = post(server.url + "api/submissions", rows("X"), "pwckg_whatever")
        assert status == 404 and b"off" in body
        status, _, body = fetch(server.url + "benchmark/c838af8bd62dfaf8", accept="text/html")
        assert status == 200 and b"Submit a result" not in body


def test_no_wrong_or_revoked_token_gets_401_and_a_submitter_cannot_moderate(served):
    server, sub, mod, store = served
    url = server.url + "api/submissions"
    assert post(url, rows("A"), None)[0] == 401
    status, headers, _ = post(url, rows("A"), "pwckg_" + "x" * 43)
    assert status == 401 and headers["www-authenticate"].startswith("Bearer")
    status, headers, body = post(url, rows("Via API"), sub)
    assert status == 202 and headers["location"].endswith(json.loads(body)["id"])
    sid = json.loads(body)["id"]
    assert fetch(url, headers={"Authorization": f"Bearer {sub}"})[0] == 403
    assert post(f"{url}/{sid}/accept", b"", sub)[0] == 403
    assert fetch(f"{url}/{sid}", headers={"Authorization": f"Bearer {sub}"})[0] == 200  # its own
    TokenStore(store).revoke("alice")
    assert post(url, rows("B"), sub)[0] == 401  # at once, in the running server
    status, _, body = fetch(url + "?status=pending", headers={"Authorization": f"Bearer {mod}"})
    assert status == 200 and [s["id"] for s in json.loads(body)["submissions"]] == [sid]


def test_a_bad_payload_over_http_gets_422_naming_each_field(served):
    server, sub, _, _ = served
    body = json.dumps({"task": TASK, "dataset": DATASET, "rows": [
        {"model_name": "M", "metrics": {"Accuracy": "Yes"}}, {"metrics": {"Accuracy": "1"}}]}).encode()
    status, _, answer = post(server.url + "api/submissions", body, sub)
    report = json.loads(answer)
    assert status == 422 and {v["field"] for v in report["violations"]} >= {"metrics", "model_name"}
    status, _, answer = post(server.url + "api/submissions", b"{not json", sub)
    assert status == 422 and json.loads(answer)["violations"][0]["field"] == "body"


def test_accept_and_reject_over_http_and_the_result_in_sparql(served):
    server, sub, mod, store = served
    url = server.url + "api/submissions"
    good = json.loads(post(url, rows("HTTP Model", "74.0"), sub)[2])["id"]
    bad = json.loads(post(url, rows("HTTP Rejected", "75.0"), sub)[2])["id"]
    status, _, body = post(f"{url}/{good}/accept", b"", mod)
    assert status == 200 and json.loads(body)["status"] == "accepted"
    status, _, body = post(f"{url}/{bad}/reject", json.dumps({"reason": "duplicate"}).encode(), mod)
    assert status == 200 and json.loads(body)["reason"] == "duplicate"
    assert post(f"{url}/{bad}/accept", b"", mod)[0] == 409
    q = (f"SELECT ?name WHERE {{ ?board <{PWC.onBenchmark}> <{PIQA}> ; <{PWC.stateOfTheArt}> ?r . "
         f"?r <{PWC.modelName}> ?name }}")
    status, _, body = fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": q}),
                            accept="application/sparql-results+json")
    names = {b["name"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert status == 200 and "HTTP Model" in names
    q = f'ASK {{ ?r <{PWC.modelName}> "HTTP Rejected" }}'
    status, _, body = fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": q}),
                            accept="application/sparql-results+json")
    assert json.loads(body)["boolean"] is False


def test_concurrent_submissions_and_accepts_to_one_benchmark_lose_nothing(served):
    server, sub, mod, store = served
    url = server.url + "api/submissions"
    answers: list = []

    def send(i: int) -> None:
        answers.append(post(url, rows(f"Concurrent {i}", f"{60 + i}.5"), sub))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(a[0] for a in answers) == [202] * 8
    ids = {json.loads(a[2])["id"] for a in answers}
    assert len(ids) == 8 and ids == {m["id"] for m in SubmissionService(store).list("pending")}
    accepted: list = []

    def accept(sid: str) -> None:
        accepted.append(post(f"{url}/{sid}/accept", b"", mod)[0])

    threads = [threading.Thread(target=accept, args=(sid,)) for sid in sorted(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert accepted == [200] * 8
    assert {f"Concurrent {i}" for i in range(8)} <= models(store)
    got, want = derived_triples(store)
    assert got == want


def test_the_moderation_page_needs_a_moderator_and_checks_its_forms(served):
    server, sub, mod, store = served
    sid = json.loads(post(server.url + "api/submissions", rows("Page Model", "99"), sub)[2])["id"]
    status, headers, _ = fetch(server.url + "submissions", accept="text/html")
    assert status == 401 and headers["www-authenticate"].startswith("Basic")
    basic = {"Authorization": "Basic " + base64.b64encode(f"x:{sub}".encode()).decode()}
    assert fetch(server.url + "submissions", headers=basic, accept="text/html")[0] == 403
    basic = {"Authorization": "Basic " + base64.b64encode(f"x:{mod}".encode()).decode()}
    status, headers, body = fetch(server.url + "submissions", headers=basic, accept="text/html")
    assert status == 200 and sid.encode() in body and b"sota-margin" in body
    assert "script-src 'self'" in headers["content-security-policy"] and b"<script" not in body
    status, _, body = fetch(server.url + f"submissions/{sid}", headers=basic, accept="text/html")
    csrf = re.search(rb'action="[^"]*/reject"[^>]*>\s*<input type="hidden" name="csrf" value="([0-9a-f]+)"', body)[1]
    form = "application/x-www-form-urlencoded"
    assert fetch(server.url + f"submissions/{sid}/reject", data=b"csrf=0&reason=x", ctype=form, headers=basic)[0] == 403
    status, _, body = fetch(server.url + f"submissions/{sid}/reject", ctype=form, headers=basic,
                            data=urllib.parse.urlencode({"csrf": csrf.decode(), "reason": "too good"}).encode())
    assert status == 200 and b"rejected" in body
    assert SubmissionService(store).show(sid)["reason"] == "too good"


def test_the_form_on_the_benchmark_page_produces_a_submission(served):
    server, sub, mod, store = served
    status, _, page = fetch(server.url + "benchmark/c838af8bd62dfaf8", accept="text/html")
    assert status == 200 and b'action="/submit"' in page and PIQA.encode() in page
    fields = dict(re.findall(rb'<input type="hidden" name="(benchmark|metric)" value="([^"]+)"', page))
    form = {"benchmark": fields[b"benchmark"].decode(), "metric": fields[b"metric"].decode(), "value": "73.1",
            "model": "Form Model", "paper_date": "2024-04-01", "token": sub}
    status, _, body = fetch(server.url + "submit", data=urllib.parse.urlencode(form).encode(),
                            ctype="application/x-www-form-urlencoded", accept="text/html")
    assert status == 202 and b"pending review" in body
    pending = SubmissionService(store).list("pending")
    assert len(pending) == 1 and pending[0]["submitted_by"] == "alice"
    sent = json.loads(SubmissionService(store).show(pending[0]["id"])["payload"])
    assert sent["rows"][0]["metrics"] == {"Accuracy": "73.1"}  # the same payload the API takes
    form["value"] = "Yes"
    status, _, body = fetch(server.url + "submit", data=urllib.parse.urlencode(form).encode(),
                            ctype="application/x-www-form-urlencoded", accept="text/html")
    assert status == 422 and b"no number in" in body
    form["token"] = "wrong"
    assert fetch(server.url + "submit", data=urllib.parse.urlencode(form).encode(),
                 ctype="application/x-www-form-urlencoded")[0] == 401
    status, _, page = fetch(server.url + "paper/lamini-lm-a-diverse-herd-of-distilled-models", accept="text/html")
    assert status == 200 and b'action="/submit"' in page and b'name="task"' in page  # the paper's form: any benchmark


# ---------------------------------------------------------------------------------------------- regressions

def test_regression_history_rows_not_repeated_after_accept(store):
    """An accepted submission restated the benchmark's triples (its task, its dataset) in its own graph, so
    the history query (over the union of the graphs) gave every record once per graph stating them."""
    svc = SubmissionService(store)
    for model, value, day in (("Once A", "74.0", "2024-01-05"), ("Once B", "75.0", "2024-02-05")):
        _, answer = submit(svc, rows(model, value, day))
        svc.accept(answer["id"], "mo")
    history = pwc_kg.open_store(store).history(TASK, DATASET, METRIC)
    assert [r["model"] for r in history] == ["FLAN-T5-Large 783M", "Once A", "Once B"]
    kg = pwc_kg.open_store(store)
    graph = ox.NamedNode(BASE + "graph/submission/" + answer["id"])
    mine = [q for q in kg.store.quads_for_pattern(None, None, None, graph) if "/agent/" not in q.subject.value]
    elsewhere = [q for q in mine if any(o.graph_name not in (graph, ox.DefaultGraph())  # the default graph: their union
                                        for o in kg.store.quads_for_pattern(q.subject, q.predicate, q.object))]
    assert elsewhere == []  # what it adds, nothing the graph already says (but the PROV-O agents, in each)


def test_regression_rebuild_keeps_the_order_of_accepts_within_one_second(store, monkeypatch):
    """Builds took the accepted submissions by (accepted_at, id): two accepted within one second came back in
    id order, not in the order they were accepted, and the new model both name moved to the other's graph."""
    from pwc_kg.submissions import records, service

    svc = SubmissionService(store)
    ids = []
    for value in ("74.0", "74.5"):
        body = json.dumps({"task": TASK, "dataset": DATASET, "rows": [
            {"model_name": "Shared New Model", "metrics": {"Accuracy": value}}]}).encode()
        ids.append(submit(svc, body)[1]["id"])
    monkeypatch.setattr(service, "now", lambda: "2026-01-02T10:15:00Z")  # both in one second
    for sid in sorted(ids, reverse=True):  # the later id first
        svc.accept(sid, "mo")
    assert [m["id"] for m in records.Submissions(store).accepted()] == sorted(ids, reverse=True)
    accepted = quads(store)
    pwc_kg.build([str(LAMINI)], store, full=True)
    assert quads(store) == accepted


def test_regression_deeply_nested_json_ld_does_not_crash_the_process(store):
    """JSON-LD nested some thousands of levels deep overflowed pyoxigraph's stack: the server process died of
    a segmentation fault (any submitter could stop it). Run in a process of its own: that is what it killed."""
    import subprocess
    import sys

    script = f"""
import json, sys
from pwc_kg.submissions import SubmissionService
n, p = 20000, "https://w3id.org/pwc-kg/ontology#name"
body = '{{"@id": "{BASE}model/deep", "' + p + '": ' + ('{{"' + p + '": ') * n + '1' + '}}' * n + '}}'
status, answer = SubmissionService(sys.argv[1]).submit(body.encode(), "application/ld+json", "alice")
print(json.dumps([status, answer["violations"]]))
"""
    done = subprocess.run([sys.executable, "-c", script, str(store)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    status, violations = json.loads(done.stdout)
    assert status == 422 and violations[0]["field"] == "body" and "nested" in violations[0]["message"]


@pytest.mark.parametrize("body, ctype", [
    ("[" * 100000 + "]" * 100000, "application/json"),
    (json.dumps({"task": TASK, "dataset": DATASET, "rows": [{"model_name": "Deep", "metrics": {"Accuracy": "70"}}]})[:-3]
     + ', "x": ' + "[" * 900 + "]" * 900 + "}]}", "application/json"),
    ("task: a\ndataset: b\nrows:\n- model_name: m\n  metrics: {Accuracy: '1'}\n  x: " + "[" * 900 + "]" * 900 + "\n",
     "application/yaml"),
])
def test_regression_deeply_nested_json_and_yaml_get_422_not_500(store, body, ctype):
    """Deep nesting raised RecursionError (in json.loads, the YAML constructor or the mapping's deepcopy): 500."""
    status, answer = submit(SubmissionService(store), body.encode(), ctype)
    assert status == 422 and answer["violations"][0]["field"] == "body" and "nested" in answer["violations"][0]["message"]


def test_regression_yaml_aliases_cannot_multiply_a_payload(store):
    """Anchors and aliases made 400 bytes of model-index YAML into 27,000 results to map (5 s; a megabyte: days).
    It is refused for its aliases, before any result is mapped (no bound on the time: a loaded machine is slow)."""
    n = 30
    body = ("id: org/bomb\nm: &m {type: accuracy, value: 70.5}\n"
            "r: &r {task: {type: question-answering}, dataset: {name: PIQA}, metrics: [" + ",".join(["*m"] * n) + "]}\n"
            "e: &e {name: bomb, results: [" + ",".join(["*r"] * n) + "]}\n"
            "model-index: [" + ",".join(["*e"] * n) + "]\n")
    status, answer = submit(SubmissionService(store), body.encode(), "application/yaml")
    assert status == 422 and "aliases" in answer["violations"][0]["message"]
    assert len(answer["violations"]) == 1  # refused as a whole, not 27,000 results mapped and each refused
    benign = ("task: Question Answering\ndataset: PIQA\nrows:\n- model_name: Alias Model\n  metrics: &m {Accuracy: '70.1'}\n"
              "- model_name: Alias Model 2\n  metrics: *m\n")
    assert submit(SubmissionService(store), benign.encode(), "application/yaml")[0] == 202  # an alias that multiplies little


def test_regression_yaml_keys_that_are_not_strings_name_the_field(store):
    """A YAML key that is no string (a number, null, true) reached the archive's mapper, which has only ever
    seen JSON: AttributeError, 500."""
    body = "task: Question Answering\ndataset: PIQA\nrows:\n- model_name: M\n  metrics: {1: '70.4'}\n"
    status, answer = submit(SubmissionService(store), body.encode(), "application/yaml")
    assert status == 422 and (answer["violations"][0]["pointer"], answer["violations"][0]["field"]) == (
        "/rows/0/metrics/1", "metrics")


def test_regression_search_finds_an_accepted_model(store):
    """An accept hard-linked the previous generation's search index into the new one: the server found it
    there and reused it, so the accepted model (and paper) could not be found, and the home page's counts
    stayed the old ones."""
    from pwc_kg.catalogue.search import open_index

    gen = StoreDir(store).current()
    open_index(ox.Store.read_only(str(gen / "db")), gen)  # a server has indexed the current generation
    svc = SubmissionService(store)
    _, answer = submit(svc, rows("Findable Model", "73.5"))
    svc.accept(answer["id"], "mo")
    gen = StoreDir(store).current()
    index, _ = open_index(ox.Store.read_only(str(gen / "db")), gen)
    hits, _ = index.search("Findable")
    assert sorted((h.kind, h.label) for h in hits) == [("Model", "Findable Model"), ("Paper", "Findable Model: a paper")]
    assert index.counts()["EvaluationResult"] == len(list(pwc_kg.open_store(store).store.query(
        f"SELECT DISTINCT ?r WHERE {{ ?r a <{PWC.EvaluationResult}> }}", use_default_graph_as_union=True)))


def test_regression_a_csrf_field_that_is_not_ascii_gets_403_not_500(served):
    """hmac.compare_digest refuses str with non-ASCII characters: a moderation form with such a csrf field
    raised TypeError, 500."""
    server, sub, mod, store = served
    sid = json.loads(post(server.url + "api/submissions", rows("Csrf Model", "70.9"), sub)[2])["id"]
    basic = {"Authorization": "Basic " + base64.b64encode(f"x:{mod}".encode()).decode()}
    status, _, body = fetch(server.url + f"submissions/{sid}/accept", data=urllib.parse.urlencode({"csrf": "é"}).encode(),
                            ctype="application/x-www-form-urlencoded", headers=basic)
    assert status == 403 and b"CSRF" in body
    assert SubmissionService(store).show(sid)["status"] == "pending"


def test_regression_references_in_rows_point_into_the_payload_as_sent(store):
    """A model, paper or metric named by an IRI the graph does not have was reported at the pointer of the
    archive record the rows are wrapped in (/0/datasets/0/sota/rows/0/model), not at /rows/0/model."""
    payload = {"task": TASK, "dataset": DATASET, "rows": [
        {"model": BASE + "model/nope", "metrics": {"Accuracy": "70.9"}},
        {"model_name": "M", "paper": BASE + "paper/nope", "metrics": {BASE + "metric/nope": "70.9"}}]}
    status, answer = submit(SubmissionService(store), json.dumps(payload).encode())
    assert status == 422
    found = {(v["pointer"], v["field"]) for v in answer["violations"] if v["kind"] == "reference"}
    assert found == {("/rows/0/model", "model"), ("/rows/1/paper", "paper"),
                     ("/rows/1/metrics/" + BASE.replace("/", "~1") + "metric~1nope", "metrics")}


@pytest.mark.parametrize("body, ctype, pointer, field", [
    (json.dumps({"id": "org/no-results", "model-index": {"name": "no-results"}}), "application/json", "/model-index",
     "model-index"),
    (json.dumps({"id": "org/no-results", "model-index": [{"name": "no-results"}]}), "application/json", "/model-index",
     "model-index"),
    (json.dumps([{"task": "A Task Nobody Had", "datasets": []}]), "application/json", "", "rows"),
    (f'<{BASE}model/only-a-model> a <{PWC.Model}> ; <{PWC.name}> "Only A Model" .', "text/turtle", "", "turtle"),
])
def test_regression_a_submission_without_a_result_is_refused(store, body, ctype, pointer, field):
    """The check for "no result" looked for no triples: a model-index block whose model-index was no list (or
    had no results), a task record without datasets, Turtle describing only a model all passed (202) and,
    accepted, added entities and no result."""
    status, answer = submit(SubmissionService(store), body.encode(), ctype)
    assert status == 422 and [(v["pointer"], v["field"]) for v in answer["violations"]] == [(pointer, field)]
    assert "no result" in answer["violations"][0]["message"]


def _accept_killed_at_publishing(store: Path, sid: str, published: bool) -> None:
    """Accept in a process of its own that dies (os._exit) just before or just after publishing."""
    import subprocess
    import sys

    script = f"""
import os, sys
from pwc_kg.store import StoreDir
from pwc_kg.submissions import SubmissionService
publish = StoreDir.publish
def dies(self, gen):
    if {published!r}:
        publish(self, gen)
    os._exit(9)
StoreDir.publish = dies
SubmissionService(sys.argv[1]).accept(sys.argv[2], "mo")
"""
    done = subprocess.run([sys.executable, "-c", script, str(store), sid], capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr[-2000:]


def test_regression_an_accept_killed_after_publishing_is_recorded(store):
    """An accept published its generation and only then wrote the submission's status: killed in between,
    the result was in the store while the submission stayed pending; accepting it again said "already in
    the graph" (422), and the next build took the pending submission's result out of the store."""
    svc = SubmissionService(store)
    _, answer = submit(svc, rows("Interrupted Model", "73.7"))
    _accept_killed_at_publishing(store, answer["id"], published=True)
    assert svc.show(answer["id"])["status"] == "accepted" and "Interrupted Model" in models(store)
    with pytest.raises(SubmissionError) as e:
        svc.accept(answer["id"], "mo")
    assert e.value.status == 409
    pwc_kg.build([str(LAMINI)], store, full=True)
    assert "Interrupted Model" in models(store)


def test_regression_an_accept_killed_before_publishing_can_be_done_again(store):
    """The other side of recording before publishing: killed in between, the submission is accepted but not in
    the store; accepting it again finishes the job."""
    svc = SubmissionService(store)
    _, answer = submit(svc, rows("Interrupted Model", "73.7"))
    _accept_killed_at_publishing(store, answer["id"], published=False)
    assert "Interrupted Model" not in models(store)
    assert svc.accept(answer["id"], "mo")["status"] == "accepted" and "Interrupted Model" in models(store)
    with pytest.raises(SubmissionError) as e:
        svc.accept(answer["id"], "mo")
    assert e.value.status == 409


def test_regression_api_errors_are_json(served):
    """The API answered 409, 422 and 503 as JSON but 401, 403, 404 and 405 as plain text: a client reading the
    body of an error as JSON failed on those."""
    server, sub, mod, store = served
    url = server.url + "api/submissions"
    answers = [post(url, rows("A"), None), fetch(url, headers={"Authorization": f"Bearer {sub}"}),
               fetch(url + "/20990101T000000Z-00000000", headers={"Authorization": f"Bearer {mod}"}),
               fetch(url + "/20990101T000000Z-00000000/accept", headers={"Authorization": f"Bearer {mod}"}),
               post(url + "/20990101T000000Z-00000000/reject", b"{nope", mod)]
    assert [a[0] for a in answers] == [401, 403, 404, 405, 404]
    for status, headers, body in answers:
        assert headers["content-type"].startswith("application/json") and json.loads(body)["error"]
    assert answers[0][1]["www-authenticate"].startswith("Bearer") and answers[3][1]["allow"] == "POST"


def test_regression_the_form_keeps_every_metric_of_the_benchmark():
    """The form's payload kept the first 8 metric/value pairs and dropped the rest without a word, while the
    benchmark page shows a field for each of the benchmark's metrics (and one more)."""
    from pwc_kg.submissions.api import form_payload

    names = [f"R@{i}" for i in range(1, 12)]
    fields = {"benchmark": [PIQA], "model": ["Form Model"], "metric": names, "value": [str(i) for i in range(1, 12)],
              "token": ["pwckg_x"]}
    assert form_payload(fields)["rows"][0]["metrics"] == {n: str(i) for i, n in enumerate(names, 1)}


def test_regression_the_csrf_secret_is_made_once_under_concurrency(tmp_path):
    """The first moderation pages, loaded at once, each wrote the secret through the same temporary file:
    some failed (FileNotFoundError, 500) and some signed their forms with a secret the server then
    forgot (403 on submitting them)."""
    from types import SimpleNamespace

    from pwc_kg.submissions.api import Submissions

    for trial in range(10):
        store = tmp_path / str(trial)
        store.mkdir()
        shared = Submissions(SimpleNamespace(store=str(store), sota_margin=5.0))
        routes = [shared] * 8 + [Submissions(SimpleNamespace(store=str(store), sota_margin=5.0)) for _ in range(8)]
        barrier, secrets = threading.Barrier(len(routes)), []

        def read(route) -> None:
            barrier.wait()
            try:
                secrets.append(route.secret())
            except OSError as e:
                secrets.append(e)

        threads = [threading.Thread(target=read, args=(r,)) for r in routes]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(secrets) == len(routes) and {len(s) for s in secrets} == {32} and len(set(secrets)) == 1, secrets
        assert [p.name for p in store.iterdir()] == [".submissions-secret"]


def test_regression_an_accept_after_a_base_change_records_the_iris_it_minted(store):
    """A submission pending while the store was rebuilt under another base IRI was accepted under the new
    base, but its record kept the IRI and graph of the old one (the answer named IRIs the store lacks)."""
    svc = SubmissionService(store)
    _, answer = submit(svc, rows("Rebased Model", "73.2"))
    pwc_kg.build([str(LAMINI)], store, base_iri="https://kg.example.org/")
    meta = svc.accept(answer["id"], "mo")
    assert meta["iri"] == "https://kg.example.org/submission/" + answer["id"]
    assert meta["base_iri"] == "https://kg.example.org/"
    assert ox.NamedNode(meta["graph"]) in set(pwc_kg.open_store(store).store.named_graphs())


def test_regression_revoking_the_last_token_gives_401_not_404(store):
    """The API was on only while an active token existed: once the last one was revoked, that revoked token got
    404 ("off") instead of the 401 the issue asks of a revoked token. Now it stays on once a token was made."""
    tokens = TokenStore(store)
    token = tokens.add("solo")
    tokens.revoke("solo")
    with BackgroundServer(ServeConfig(store=str(store), port=0, workers=1)) as server:
        status, _, body = post(server.url + "api/submissions", rows("After revoke"), token)
        assert status == 401, body
        status, _, body = fetch(server.url + "benchmark/c838af8bd62dfaf8", accept="text/html")
        assert status == 200 and b"Submit a result" not in body  # nobody can submit: no form


def test_a_pending_submission_is_its_own_named_graph_with_its_prov(store):
    """Pending, the submission is kept as N-Quads in its own graph, with who submitted it, when, and the
    payload's hash; who accepted it and when come with the accept."""
    svc = SubmissionService(store)
    body = rows("Prov Model", "71.0")
    status, answer = submit(svc, body)
    assert status == 202, answer
    sid = answer["id"]
    quads = list(ox.parse(path=str(Path(store) / "submissions" / sid / "mapped.nq"), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {BASE + f"graph/submission/{sid}"}
    sub = ox.NamedNode(BASE + f"submission/{sid}")
    said = {q.predicate.value: q.object for q in quads if q.subject == sub}
    assert said[RDF.type] == ox.NamedNode(PWC.Submission)
    assert said[PWC.submittedBy] == ox.NamedNode(BASE + "agent/contributor/alice")
    assert said[PWC.payloadSha256].value == hashlib.sha256(body).hexdigest()
    assert PWC.submittedAt in said and PWC.acceptedBy not in said


def test_regression_a_submitted_boolean_written_1_is_true(store):
    """xsd:boolean's lexical space is true, false, 1 and 0: a Turtle payload's "1" for extra training data is
    read as true, as the build reads its taps (the submission's results were read as "true" only)."""
    from pwc_kg.submissions.service import check_payload

    one = TURTLE_OK.replace("pwc:usesExtraTrainingData false",
                            'pwc:usesExtraTrainingData "1"^^<http://www.w3.org/2001/XMLSchema#boolean>')
    checked = check_payload(one.encode(), "text/turtle", StoreDir(store).open(), Minter(), "s-bool")
    (result,) = checked.mapped.results()
    assert result.extra is True
