"""The same named queries and questions on the embedded store, Oxigraph server and Virtuoso.

Each fixture store is pushed (by ``pwc-kg push``'s code) to an ``oxigraph serve`` started without
``--union-default-graph`` (so the backend must send the named graphs as the dataset), to one
started with it, and to Virtuoso 7 (whose default graph is the union; the sota store's server
keeps Debian's 10,000-row cap). Every answer must equal the embedded store's.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from conftest import FIXTURES, LAMINI, LAMINI_TITLE
from servers import DEBIAN_MAX_ROWS, VIRTUOSO_PASSWORD, VIRTUOSO_USER, servers  # noqa: F401 (a fixture)

import pwc_kg
from pwc_kg import questions as q
from pwc_kg.queries import list_queries, load_query, resolve, run_query
from pwc_kg.queries.binding import bind_values
from pwc_kg.queries.run import EmbeddedBackend
from pwc_kg.remote import RemoteError, RowCapExceeded, SparqlEndpointBackend, push_store
from pwc_kg.remote.endpoint import UNION_GRAPH
from pwc_kg.store import StoreDir
from pwc_kg.vocab import PWC

LINEAGE_FILE = FIXTURES.parent.parent / "ontology" / "lineage.csv"
SERVER_KINDS = ("oxigraph", "oxigraph-union", "virtuoso")
# slow: external servers (Oxigraph server, Virtuoso) started and loaded; pytest -m 'not slow' leaves it out
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lineage_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("remote-lineage") / "store"
    pwc_kg.build([str(LAMINI), str(FIXTURES / "model-cards"), str(LINEAGE_FILE)], store)
    return store


_PUSHED: dict[tuple, SparqlEndpointBackend] = {}


def remote(servers, kind: str, name: str, store) -> SparqlEndpointBackend:  # noqa: F811
    """A backend on a server of ``kind`` holding ``store`` (pushed once per process)."""
    key = (kind, name)
    if key not in _PUSHED:
        if kind == "virtuoso":
            # Debian's stock 10,000-row cap on the sota store's server: the questions must live with it.
            server = servers.virtuoso(f"q-{name}", DEBIAN_MAX_ROWS if name == "sota" else 1_000_000)
            report = push_store(StoreDir(store).open(), server.query_url, graph_store=server.graph_store_url,
                                update_endpoint=server.update_url, **server.auth)
        else:
            server = servers.oxigraph(f"q-{name}", union_default_graph=kind == "oxigraph-union")
            report = push_store(StoreDir(store).open(), server.query_url, graph_store=server.graph_store_url)
        assert report.ok, report.text()
        _PUSHED[key] = SparqlEndpointBackend(server.query_url)
    return _PUSHED[key]


@pytest.fixture(scope="module")
def stores(lamini_store, sota_store, lineage_store):
    return {"lamini": lamini_store, "sota": sota_store, "lineage": lineage_store}


def backends(servers, stores, name):  # noqa: F811
    out = {"embedded": EmbeddedBackend(StoreDir(stores[name]).open())}
    for kind in SERVER_KINDS:
        out[kind] = remote(servers, kind, name, stores[name])
    return out


def same_everywhere(rows_by_backend: dict, ordered: bool = False):
    """Every backend's rows equal the embedded store's (as a multiset unless ``ordered``); returns them."""
    expected = rows_by_backend["embedded"]
    for kind, rows in rows_by_backend.items():
        if ordered:
            assert rows == expected, kind
        else:
            key = lambda r: json.dumps(r, sort_keys=True, default=str)  # noqa: E731
            assert sorted(rows, key=key) == sorted(expected, key=key), kind
    return expected


# Parameter values by store and kind: real entities of each fixture, so answers are not empty.
SAMPLES = {
    "lamini": {"paper": LAMINI_TITLE, "task": "Question Answering", "dataset": "PIQA", "metric": "Accuracy",
               "model": "LaMini-GPT 1.5B", "base": "GPT-2-XL 1.5B", "method": "Knowledge Distillation",
               "extra": "true", "at": "2023-06-01"},
    "sota": {"task": "Question Answering", "dataset": "SQuAD1.1", "metric": "EM", "extra": "false",
             "at": "2018-06-01"},
    "lineage": {"paper": LAMINI_TITLE, "task": "Common Sense Reasoning", "dataset": "WinoGrande",
                "metric": "Accuracy", "model": "MBZUAI/LaMini-GPT-1.5B", "base": "GPT-2-XL 1.5B", "extra": "true",
                "at": "2024-01-01"},
}


def _sample(embedded, name: str, param) -> str | None:
    values = SAMPLES[name]
    if param.name in values:
        return values[param.name]
    # Entities named by IRI only: the benchmark of the sample task and dataset, and a result of it.
    if param.kind in ("EvaluationResult", "Benchmark"):
        task, dataset = resolve(embedded, "Task", values["task"]), resolve(embedded, "Dataset", values["dataset"])
        rows = embedded.select(bind_values(
            f"SELECT ?b ?r WHERE {{ ?b <{PWC.task}> ?t ; <{PWC.dataset}> ?d . ?r <{PWC.benchmark}> ?b }} "
            "ORDER BY ?r LIMIT 1", {"t": task, "d": dataset}))
        return rows[0]["b" if param.kind == "Benchmark" else "r"].value if rows else None
    return None


def _query_cases():
    return [(name, query.name) for name in SAMPLES for query in list_queries()]


@pytest.mark.parametrize("name,query_name", _query_cases())
def test_every_named_query_gives_the_same_rows_on_every_server(servers, stores, name, query_name):  # noqa: F811
    query = load_query(query_name)
    all_backends = backends(servers, stores, name)
    params = {}
    for p in query.params:
        value = _sample(all_backends["embedded"], name, p)
        if value is None and not p.optional:
            pytest.skip(f"no sample {p.kind} for parameter {p.name} in the {name} store")
        if value is not None:
            params[p.name] = value
    results = {}
    for kind, b in all_backends.items():
        try:
            results[kind] = run_query(b, query, params)
        except pwc_kg.EntityNotFound:
            results[kind] = "not found"
    expected = results["embedded"]
    for kind, got in results.items():
        if expected == "not found" or got == "not found":
            assert got == expected, kind
            continue
        assert got[0] == expected[0], f"{kind}: columns"
        key = lambda r: json.dumps(r, sort_keys=True, default=str)  # noqa: E731
        got_rows, expected_rows = (sorted(map(_concatenations_as_sets, rows), key=key)
                                   for rows in (got[1], expected[1]))
        assert got_rows == expected_rows, kind


def _concatenations_as_sets(row: dict) -> dict:
    """SPARQL leaves the order of GROUP_CONCAT unspecified (servers differ): compare its parts as a set."""
    return {k: " | ".join(sorted(v.split(" | "))) if isinstance(v, str) and " | " in v else v
            for k, v in row.items()}


def test_the_named_queries_are_not_empty_on_the_samples(servers, stores):  # noqa: F811
    """The comparison above means something: most named queries answer with rows on the samples."""
    b = backends(servers, stores, "lamini")["virtuoso"]
    answered = 0
    for query in list_queries():
        params = {p.name: _sample(b, "lamini", p) for p in query.params}
        if all(v is not None for v in params.values()):
            answered += bool(run_query(b, query, {k: v for k, v in params.items()})[1])
    assert answered >= 12


def questions_of(b, name: str) -> dict:
    if name == "lamini":
        board = q.leaderboard(b, "Common Sense Reasoning", "WinoGrande", "Accuracy")
        return {
            "sota": q.sota(b, "Question Answering", "PIQA"),
            "sota-subtasks": q.sota(b, "Question Answering"),
            "sota-at": q.sota(b, "Question Answering", "PIQA", at="2023-06-01"),
            "leaderboard": board,
            "leaderboard-clean": q.leaderboard(b, "Common Sense Reasoning", "WinoGrande", "Accuracy", extra=False),
            "history": q.history(b, "Common Sense Reasoning", "WinoGrande", "Accuracy"),
            "model-sota": q.model_sota(b, "FLAN-T5-Large 783M"),
            "compare": q.compare(b, "LaMini-GPT 1.5B", "GPT-2-XL 1.5B"),
            "tasks": q.tasks(b, "Question Answering"),
            "methods": q.methods(b, "Knowledge Distillation"),
            "provenance": q.provenance(b, board[0]["result"]),
        }
    if name == "sota":
        history = q.history(b, "Question Answering", "SQuAD1.1", "EM")
        return {
            "sota": q.sota(b, "Question Answering", "SQuAD1.1", "EM"),
            "sota-clean": q.sota(b, "Question Answering", "SQuAD2.0", extra=False),
            "sota-at": q.sota(b, "Question Answering", "SQuAD1.1", "EM", at=history[len(history) // 2]["date"]),
            "sota-lower": q.sota(b, "Word Level Models", "Penn Treebank", "Test perplexity"),
            "sota-dialogue": q.sota(b, "Dialogue"),
            "leaderboard": q.leaderboard(b, "Word Level Models", "Penn Treebank", "Test perplexity"),
            "history": history,
            "tasks": q.tasks(b, "Question Answering"),
            "provenance": q.provenance(b, history[-1]["result"]),
        }
    return {
        "lineage": q.lineage(b, "LaMini-GPT 1.5B"),
        "lineage-chain": q.lineage(b, "meta-llama/Llama-2-7b-hf"),
        "lineage-merge": q.lineage(b, "org/llama-2-7b-slerp-merge", descendants=False),
        "compare-base-from-lineage": q.compare(b, "MBZUAI/LaMini-GPT-1.5B"),
        "model-sota-aliases": q.model_sota(b, "google/flan-t5-large"),
    }


@pytest.mark.parametrize("name", ["lamini", "sota", "lineage"])
def test_the_questions_give_the_same_answers_on_every_server(servers, stores, name):  # noqa: F811
    answers = {kind: questions_of(b, name) for kind, b in backends(servers, stores, name).items()}
    expected = answers["embedded"]
    assert all(expected.values()), {k: len(v) for k, v in expected.items()}  # every question answers something
    for question in expected:
        ordered = question in ("leaderboard", "history", "leaderboard-clean")
        same_everywhere({kind: a[question] for kind, a in answers.items()}, ordered=ordered)
    if name == "lamini":  # and the answers are the known ones, not merely equal
        (piqa,) = answers["virtuoso"]["sota"]
        assert (piqa["model"], piqa["value"], piqa["date"], piqa["higher_is_better"]) == (
            "FLAN-T5-Large 783M", 72.2, "2023-04-27", True)
        deltas = {(r["dataset"], r["metric"]): (r["value"], r["base_value"], r["better"])
                  for r in answers["oxigraph"]["compare"]}
        assert deltas[("WinoGrande", "Accuracy")] == (56, 58.3, False) and len(deltas) == 8
    if name == "lineage":
        edges = {(r["model"], r["relation"], r["parent"], r["depth"]) for r in answers["virtuoso"]["lineage"]
                 if r["direction"] == "ancestor"}
        assert edges == {("LaMini-GPT 1.5B", "distilled", "openai/gpt-3.5-turbo", 1),
                         ("LaMini-GPT 1.5B", "fine-tuned", "GPT-2-XL 1.5B", 1)}


@pytest.mark.parametrize("kind", SERVER_KINDS)
def test_every_term_comes_back_exactly(servers, stores, kind):  # noqa: F811
    """Each graph read back from the server is the store's, term for term: datatypes, language tags, lexical forms."""
    embedded = EmbeddedBackend(StoreDir(stores["lamini"]).open())
    b = remote(servers, kind, "lamini", stores["lamini"])
    seen = set()
    for g in embedded.store.named_graphs():
        query = bind_values("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": g})
        local = collections.Counter((r["s"], r["p"], r["o"]) for r in embedded.select(query))
        got = collections.Counter((r["s"], r["p"], r["o"]) for r in b.select(query))
        assert got == local, g
        seen |= {(type(o).__name__, getattr(o, "datatype", None) and o.datatype.value.rsplit("#")[-1],
                  getattr(o, "language", None)) for _, _, o in local}
    # The graph has what an exact conversion must get right.
    assert {("Literal", "decimal", None), ("Literal", "date", None), ("Literal", "boolean", None),
            ("Literal", "integer", None), ("Literal", "langString", "en"), ("Literal", "dateTime", None)} <= seen


@pytest.mark.parametrize("kind", SERVER_KINDS)
def test_construct_and_ask_results_are_parsed(servers, stores, kind):  # noqa: F811
    embedded = EmbeddedBackend(StoreDir(stores["lamini"]).open())
    b = remote(servers, kind, "lamini", stores["lamini"])
    text = (f"CONSTRUCT {{ ?r <{PWC.value}> ?v ; <{PWC.modelName}> ?m }} "
            f"WHERE {{ ?r a <{PWC.EvaluationResult}> ; <{PWC.value}> ?v ; <{PWC.modelName}> ?m }}")
    local = set(embedded.store.query(text, use_default_graph_as_union=True))
    assert set(b.construct(text)) == local and len(local) == 88
    columns, rows = b.run(text)  # pwc-kg query prints a CONSTRUCT as subject, predicate, object rows
    assert columns == ["subject", "predicate", "object"] and len(rows) == 88
    assert b.ask(f"ASK {{ ?r a <{PWC.EvaluationResult}> }}") is True
    assert b.ask(f"ASK {{ ?r a <{PWC.Build}> ; <{PWC.value}> ?v }}") is False


def test_how_each_server_gets_the_union_of_the_named_graphs(servers, stores):  # noqa: F811
    # Each server gets the pushed default graph (the set) as the default graph, the rest as named graphs.
    named = sorted(g.value for g in StoreDir(stores["lamini"]).open().named_graphs())
    for kind in SERVER_KINDS:
        b = remote(servers, kind, "lamini", stores["lamini"])
        assert b.default_graph == "set" and b.dataset() == ([UNION_GRAPH], named), kind
    plain = remote(servers, "oxigraph", "lamini", stores["lamini"])
    # Told to use the server's default graph, plain Oxigraph sees nothing: why the dataset is sent.
    raw = SparqlEndpointBackend(plain.url, default_graph="union")
    assert raw.select(f"SELECT ?r WHERE {{ ?r a <{PWC.EvaluationResult}> }}") == []


def test_virtuosos_silent_row_cap_is_detected(servers, stores):  # noqa: F811
    b = remote(servers, "virtuoso", "sota", stores["sota"])
    every_triple = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    with pytest.raises(RowCapExceeded, match="cut the result at 10,000 rows.*ResultSetMaxRows"):
        b.select(every_triple)
    # Below the cap, or ended by the query's own LIMIT, the rows are whole.
    assert len(b.select(every_triple + " LIMIT 9999")) == 9999
    assert len(b.select(every_triple + " LIMIT 10000")) == 10000
    # The embedded store has more than the cap: the error is no false alarm.
    assert len(EmbeddedBackend(StoreDir(stores["sota"]).open()).select(every_triple)) > DEBIAN_MAX_ROWS


def test_bad_credentials_and_unreachable_servers_are_clear_errors(servers, stores):  # noqa: F811
    remote(servers, "virtuoso", "lamini", stores["lamini"])
    server = servers.virtuoso("q-lamini")
    auth_url = server.base + "/sparql-auth"
    ok = SparqlEndpointBackend(auth_url, VIRTUOSO_USER, VIRTUOSO_PASSWORD, "digest")
    assert q.sota(ok, "Question Answering", "PIQA")[0]["model"] == "FLAN-T5-Large 783M"
    wrong = SparqlEndpointBackend(auth_url, VIRTUOSO_USER, "not-the-password", "digest")
    with pytest.raises(RemoteError, match=f"401 Unauthorized: the server refused the credentials \\(user '{VIRTUOSO_USER}'"):
        wrong.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(RemoteError, match="wants credentials: a user and a password"):
        SparqlEndpointBackend(auth_url).select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(RemoteError, match="HTTP 400 .*syntax error"):
        SparqlEndpointBackend(server.query_url).select("SELECT * WHERE { ?s ?p ?o ")
    with pytest.raises(RemoteError, match="cannot reach"):  # port 9 (discard): nothing listens on loopback
        SparqlEndpointBackend("http://127.0.0.1:9/query").select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(RemoteError, match="holds no pwc-kg graph"):
        SparqlEndpointBackend(servers.oxigraph("q-empty").query_url).select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(ValueError, match="needs a password"):
        SparqlEndpointBackend(auth_url, VIRTUOSO_USER)


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """pwc-kg in a subprocess; ``env`` adds variables (None removes one)."""
    environ = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "pwc_kg", *args], capture_output=True, text=True,
                          env={k: v for k, v in environ.items() if v is not None})


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_the_cli_answers_from_an_endpoint_as_from_the_store(servers, stores, kind):  # noqa: F811
    store = str(stores["lineage"])
    b = remote(servers, kind, "lineage", stores["lineage"])
    # Virtuoso through its digest-protected endpoint, the password from the environment.
    if kind == "virtuoso":
        url = b.url.replace("/sparql", "/sparql-auth")
        auth, env = ["--user", VIRTUOSO_USER, "--auth", "digest"], {"PWC_KG_PASSWORD": VIRTUOSO_PASSWORD}
    else:
        url, auth, env = b.url, [], {}
    commands = [
        ["sota", "--task", "Question Answering", "--dataset", "PIQA"],
        ["leaderboard", "--task", "common sense reasoning", "--dataset", "winogrande", "--metric", "accuracy"],
        ["history", "--task", "Common Sense Reasoning", "--dataset", "WinoGrande", "--metric", "Accuracy"],
        ["model-sota", "google/flan-t5-large"],
        ["lineage", "LaMini-GPT 1.5B"],
        ["compare", "LaMini-GPT 1.5B"],
        ["tasks", "Question Answering"],
        ["methods", "Knowledge Distillation"],
        ["query", "paper-results", "--param", f"paper={LAMINI_TITLE}"],
    ]
    for command in commands:
        local = cli(*command, "--store", store, "--format", "json")
        there = cli(*command, "--endpoint", url, *auth, "--format", "json", env=env)
        assert local.returncode == 0 and there.returncode == 0, (command, there.stderr)
        assert json.loads(there.stdout) == json.loads(local.stdout), command
        assert json.loads(local.stdout), command
    provenance = json.loads(cli("sota", "--task", "Question Answering", "--dataset", "PIQA", "--store", store,
                                "--format", "json").stdout)[0]["result"]
    local = cli("provenance", provenance, "--store", store, "--format", "json")
    there = cli("provenance", provenance, "--endpoint", url, *auth, "--format", "json", env=env)
    assert json.loads(there.stdout) == json.loads(local.stdout) != []
    local = json.loads(cli("stats", "--store", store, "--format", "json").stdout)
    there = json.loads(cli("stats", "--endpoint", url, *auth, "--format", "json", env=env).stdout)
    assert there == {k: v for k, v in local.items() if k != "build"}
    table = cli("sota", "--task", "Question Answering", "--dataset", "PIQA", "--endpoint", url, *auth, env=env)
    assert "FLAN-T5-Large 783M" in table.stdout and "(1 row)" in table.stdout


def test_the_cli_reports_a_wrong_password_and_a_dead_endpoint(servers, stores):  # noqa: F811
    remote(servers, "virtuoso", "lineage", stores["lineage"])
    url = servers.virtuoso("q-lineage").base + "/sparql-auth"
    out = cli("sota", "--task", "Question Answering", "--endpoint", url, "--user", VIRTUOSO_USER, "--auth", "digest",
              env={"PWC_KG_PASSWORD": "wrong"})
    assert out.returncode == 2
    assert f"pwc-kg sota: error: {url}: HTTP 401 Unauthorized: the server refused the credentials" in out.stderr
    out = cli("sota", "--task", "Question Answering", "--endpoint", url, "--user", VIRTUOSO_USER,
              env={"PWC_KG_PASSWORD": None})
    assert out.returncode == 2 and "needs a password" in out.stderr
    out = cli("query", "paper-results", "--param", "paper=x", "--endpoint", "http://127.0.0.1:9/sparql")
    assert out.returncode == 2 and "cannot reach http://127.0.0.1:9/sparql" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_hostile_parameter_is_bound_on_the_server_too(servers, stores):  # noqa: F811
    b = remote(servers, "virtuoso", "lamini", stores["lamini"])
    for hostile in ('x" } ; DROP ALL ; #', "a > b <c>", "line\nbreak", "'; --", "\\"):
        with pytest.raises(pwc_kg.EntityNotFound, match="no Paper is named"):
            run_query(b, load_query("paper-results"), {"paper": hostile})
    assert run_query(b, load_query("paper-results"), {"paper": LAMINI_TITLE})[1]
    # A literal with quotes, newlines and braces reaches the server's query intact.
    echo = bind_values("SELECT ?text WHERE { }", {"text": ox.Literal('He said "hi" > you\nand left } #')})
    assert b.select(echo)[0]["text"].value == 'He said "hi" > you\nand left } #'
