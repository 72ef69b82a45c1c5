"""What a newcomer trips on at the command line (issue 14, section 4), each a regression test:
tables that cut values, named queries' descriptions cut at their first line, a count called
"results" that was not the pages' count, two kinds of rows in Python, and the parser's
"expected CONSTRUCT" for a query typed as ``SELEC``.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

import pwc_kg
from conftest import LAMINI_TITLE
from pwc_kg.queries import list_queries
from pwc_kg.queries.run import PROSE_WIDTH, format_rows
from pwc_kg.stats import format_stats

ROOT = Path(__file__).resolve().parents[1]
PWC_KG = [sys.executable, "-m", "pwc_kg"]
FORM_EXPECTED = "expected one of SELECT, CONSTRUCT, ASK, DESCRIBE, PREFIX or BASE"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*PWC_KG, *args], input=stdin, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "100"})


def table_rows(out: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a table: the columns split where the dashes line has its gaps."""
    lines = out.splitlines()
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[1])]

    def cells(line: str) -> list[str]:
        return [line[a:b if i + 1 < len(spans) else None].strip() for i, (a, b) in enumerate(spans)]

    body = [cells(line) for line in lines[2:] if not line.startswith("(")]
    return cells(lines[0]), body


# --- tables -------------------------------------------------------------------------------------

def test_regression_the_table_cut_a_sha256_and_iris_at_60_characters(lamini_store):
    kg = pwc_kg.open_store(lamini_store)
    result = kg.query("paper-results", paper=LAMINI_TITLE)[0]["result"]
    done = run("provenance", result, "--store", str(lamini_store))
    assert done.returncode == 0, done.stderr
    header, rows = table_rows(done.stdout)
    shown = dict(zip(header, rows[0]))
    (whole,) = kg.provenance(result)
    assert len(whole["sha256"]) == 64 and shown["sha256"] == whole["sha256"]
    assert shown["graph"] == whole["graph"] and shown["build"] == whole["build"] and shown["result"] == result
    done = run("tasks", "Question Answering", "--store", str(lamini_store))
    header, rows = table_rows(done.stdout)
    assert {r[header.index("iri")] for r in rows} == {t["iri"] for t in kg.tasks("Question Answering")}


def test_regression_long_text_in_a_table_is_cut_with_a_mark_and_said_how_to_get_it_whole():
    title = "A title that runs on and on, " * 4
    iri = "https://w3id.org/pwc-kg/resource/graph/source/" + "x" * 80
    out = format_rows(["title", "iri"], [{"title": title, "iri": iri}, {"title": "short", "iri": "a:b"}], "table")
    header, rows = table_rows(out)
    assert rows[0][1] == iri  # an identifier: whole
    assert rows[0][0].endswith("…") and len(rows[0][0]) <= PROSE_WIDTH and title.startswith(rows[0][0][:-1])
    assert rows[1] == ["short", "a:b"]
    count, last = out.splitlines()[-2:]
    assert count == "(2 rows)"  # the row count stays a line of its own
    assert last.startswith("(1 cell cut at 60 characters") and "--format tsv, csv or json" in last
    assert "…" not in format_rows(["title"], [{"title": title}], "tsv")


def test_regression_stats_graph_iris_are_whole_and_their_counts_aligned():
    long = "https://w3id.org/pwc-kg/resource/graph/source/links-between-papers-and-code.json"
    out = format_stats({"triples": 3, "classes": {}, "graphs": {long: 1_234, "urn:g": 5}})
    lines = [line for line in out.splitlines() if line.startswith("  ") and ("urn:g" in line or long in line)]
    assert [line.split()[0] for line in lines] == [long, "urn:g"]
    assert len({len(line) for line in lines}) == 1  # the counts end in one column


# --- named queries --------------------------------------------------------------------------------

def header_description(path: Path) -> str:
    """The query file's description as a person reads it: the header lines before @param or Columns:."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        body = line[1:].strip()
        if not line.startswith("#") or body.startswith(("@param", "Columns:", "(")) or not body:
            break
        out.append(body)
    return " ".join(out).split(":", 1)[1].strip()


@pytest.mark.parametrize("name", ["lineage-edges", "tasks", "task-benchmarks"])
def test_regression_a_named_querys_description_was_cut_at_its_first_line(name):
    (query,) = [q for q in list_queries() if q.name == name]
    whole = header_description(query.path)
    assert query.summary == whole and whole.endswith(".")
    done = run("queries")
    listed = " ".join(done.stdout.split())  # wrapped to the terminal: compared word by word
    assert f"{name} {whole}" in listed


def test_every_named_query_has_its_whole_description_and_parameters():
    for query in list_queries():
        assert query.summary == header_description(query.path), query.name
        assert query.summary.endswith((".", ")")), query.name
        for p in query.params:
            assert p.description and not p.description.endswith(("(", ",")), (query.name, p.name)


def test_regression_the_readme_table_of_named_queries_missed_unranked():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Named queries", 1)[1].split("\n#", 1)[0]
    listed = set(re.findall(r"^\| ([^|]+) \|", section, re.M))
    names = {n for cell in listed for n in re.findall(r"`([\w-]+)`", cell)}
    assert {q.name for q in list_queries()} <= names


# --- "results": one meaning -------------------------------------------------------------------------

def test_regression_query_benchmarks_called_metric_values_results(sota_store):
    """SQuAD2.0 has two metrics: its leaderboard has 202 rows, and 404 results (one per metric value)."""
    kg = pwc_kg.open_store(sota_store)
    rows = {r["dataset"]: r for r in kg.query("benchmarks", task="Question Answering")}
    squad = rows["SQuAD2.0"]
    per_metric = {m: len(kg.leaderboard("Question Answering", "SQuAD2.0", m)) for m in squad["metrics"].split(" | ")}
    assert len(per_metric) == 2
    assert squad["rows"] == max(per_metric.values())  # what the pages count: a leaderboard's rows
    counted = kg.sparql("PREFIX pwc: <https://w3id.org/pwc-kg/ontology#> SELECT (COUNT(DISTINCT ?r) AS ?n) "
                        f"WHERE {{ ?r a pwc:EvaluationResult ; pwc:benchmark <{squad['benchmark']}> }}", terms=False)
    assert squad["results"] == counted[0]["n"] == sum(per_metric.values()) == 2 * squad["rows"]
    one_metric = rows["PIQA"] if "PIQA" in rows else min(rows.values(), key=lambda r: r["metrics"].count("|"))
    if "|" not in one_metric["metrics"]:
        assert one_metric["rows"] == one_metric["results"]


# --- Python: two kinds of rows ----------------------------------------------------------------------

def test_sparql_gives_terms_and_query_plain_values_and_sparql_can_give_plain_values(lamini_store):
    kg = pwc_kg.open_store(lamini_store)
    text = ("PREFIX pwc: <https://w3id.org/pwc-kg/ontology#> SELECT ?result ?value ?nothing WHERE { "
            "?result a pwc:EvaluationResult ; pwc:value ?value . OPTIONAL { ?result pwc:noSuchProperty ?nothing } }")
    terms = kg.sparql(text)
    assert isinstance(terms[0]["value"], ox.Literal) and isinstance(terms[0]["result"], ox.NamedNode)
    assert "nothing" not in terms[0]  # unbound: no key
    plain = kg.sparql(text, terms=False)
    assert plain[0] == {"result": terms[0]["result"].value, "value": plain[0]["value"], "nothing": None}
    assert isinstance(plain[0]["value"], (int, float))
    named = {r["result"]: r["value"] for r in kg.query("paper-results", paper=LAMINI_TITLE)}
    mine = {r["result"]: r["value"] for r in plain}
    assert named and all(mine[k] == v for k, v in named.items())  # the same values as kg.query gives


# --- a malformed query, said in words ---------------------------------------------------------------

def test_regression_selec_got_expected_construct_on_the_command_line(lamini_store):
    done = run("query", "-", "--store", str(lamini_store), stdin="SELEC * WHERE { ?s ?p ?o }\n")
    assert done.returncode == 2
    assert f"line 1, column 1: {FORM_EXPECTED}, not SELEC (did you mean SELECT?)" in done.stderr
    assert "expected CONSTRUCT" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("query, words", [
    ("PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>\nSELECT ?r WHERE {\n  ?r pwc:value ?v\n  FILTR(?v > 3)\n}",
     "line 4, column 3: FILTR is no SPARQL keyword (did you mean FILTER?)"),
    ("SELECT ?v WHERE { ?r pwc:value ?v }", "line 1, column 22: the prefix pwc: is not declared: start the query with "
                                            "PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>"),
    ("SELECT (COUNT(*) ?n) WHERE { ?s ?p ?o }", "an expression in SELECT needs AS before its variable"),
    ("ASK { ?s ?p ?o ", "line 1, column 5: this { is never closed"),
    ('SELECT * WHERE { ?s ?p "abc }', 'line 1, column 24: this string is never closed'),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "INSERT is an update; only queries run here"),
    ("SELECT ?x WHERE { ?x ?y ?z } ORDER ?x", "line 1, column 38: expected BY"),
])
def test_malformed_queries_are_said_where_and_what(lamini_store, query, words):
    done = run("query", "-", "--store", str(lamini_store), stdin=query)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert "[_]" not in done.stderr and "..=" not in done.stderr  # none of the grammar's character classes


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture
def server(sota_server):
    return sota_server


def test_regression_selec_got_expected_construct_on_the_server(server):
    query = urllib.parse.urlencode({"query": "SELEC * WHERE { ?s ?p ?o }"})
    status, body = fetch(server.url + "sparql?" + query)
    assert status == 400 and f"line 1, column 1: {FORM_EXPECTED}" in body, body
    status, body = fetch(server.url + "query?" + query)
    assert status == 400 and f"line 1, column 1: {FORM_EXPECTED}" in html.unescape(body)


def test_the_query_page_shows_each_named_querys_whole_description(server):
    status, body = fetch(server.url + "query")
    assert status == 200
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    for query in list_queries():
        assert query.summary in text, query.name


def test_the_home_page_counts_a_benchmarks_rows_as_query_benchmarks_does(server, sota_store):
    status, body = fetch(server.url)
    assert status == 200
    table = body.split("<h2>Notable benchmarks</h2>", 1)[1].split("</table>", 1)[0]
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert "Rows" in heads and "Results" not in heads
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    kg = pwc_kg.open_store(sota_store)
    rows = {r["benchmark"]: r["rows"] for r in kg.query("benchmarks", task="Question Answering")}
    shown = {re.search(r'href="[^"]*/benchmark/([^"?]+)', c[0])[1]: int(c[heads.index("Rows")]) for c in cells}
    checked = [b for b in rows if b.rsplit("/", 1)[1] in shown]
    assert checked and all(shown[b.rsplit("/", 1)[1]] == rows[b] for b in checked)
