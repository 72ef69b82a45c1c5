"""The command line: build, stats, query (named, file, stdin, bound parameters), validate."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import LAMINI, LAMINI_TITLE

from pwc_kg.cli import main


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pwc_kg", *args], input=stdin, capture_output=True, text=True)


def test_build_prints_counts_and_stats_json_has_triples_classes_graphs(tmp_path):
    store = str(tmp_path / "s")
    out = run("build", str(LAMINI), "--store", store)
    assert out.returncode == 0, out.stderr
    assert "44" not in out.stderr and "validation: conforms" in out.stdout and "reject lines" in out.stdout
    stats = json.loads(run("stats", "--store", store, "--format", "json").stdout)
    assert stats["classes"]["EvaluationResult"] == 44
    assert stats["classes"]["Paper"] >= 1 and stats["classes"]["Dataset"] == 7
    assert stats["quads"] == sum(stats["graphs"].values()) > stats["triples"]  # triples: distinct ones
    assert any(g.endswith("/graph/source/evaluation-tables.json") for g in stats["graphs"])
    assert any(g.endswith("/graph/ontology") for g in stats["graphs"])
    assert any(g.endswith("/graph/provenance") for g in stats["graphs"])


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv"])
def test_query_formats(lamini_store, fmt):
    out = run("query", "paper-results", "--store", str(lamini_store), "--param", f"paper={LAMINI_TITLE}",
              "--format", fmt)
    assert out.returncode == 0, out.stderr
    if fmt == "json":
        assert len(json.loads(out.stdout)) == 44
    elif fmt in ("csv", "tsv"):
        lines = out.stdout.strip().splitlines()
        assert len(lines) == 45 and lines[0].split("," if fmt == "csv" else "\t")[:5] == [
            "task", "dataset", "metric", "value", "model"]
    else:
        assert "(44 rows)" in out.stdout


def test_query_from_a_file_and_from_stdin(lamini_store, tmp_path):
    text = ("PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>\n"
            "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a pwc:EvaluationResult }\n")
    f = tmp_path / "count.rq"
    f.write_text(text)
    for args, stdin in (([str(f)], None), (["-"], text)):
        out = run("query", *args, "--store", str(lamini_store), "--format", "json", stdin=stdin)
        assert json.loads(out.stdout) == [{"n": 44}]


@pytest.mark.parametrize("hostile", ['x" } ; DROP ALL ; #', "a > b <c>", "line\nbreak", "'; --", "\\"])
def test_parameters_are_bound_never_pasted(lamini_store, hostile):
    out = run("query", "paper-results", "--store", str(lamini_store), "--param", f"paper={hostile}")
    assert out.returncode == 2
    assert "no Paper is named" in out.stderr and "malformed" not in out.stderr


def test_a_literal_parameter_with_quotes_and_newlines_reaches_the_query_intact(lamini_store, tmp_path):
    f = tmp_path / "echo.rq"
    f.write_text("# echo: returns its parameter\n# @param text string  anything\nSELECT ?text WHERE { }\n")
    hostile = 'He said "hi" > you\nand left } #'
    out = run("query", str(f), "--store", str(lamini_store), "--param", f"text={hostile}", "--format", "json")
    assert json.loads(out.stdout) == [{"text": hostile}]


def test_errors_are_clear(lamini_store):
    out = run("query", "paper-results", "--store", str(lamini_store))
    assert out.returncode == 2 and "--param: query paper-results needs its parameter paper" in out.stderr
    out = run("query", "no-such-query", "--store", str(lamini_store))
    assert out.returncode == 2 and "paper-results" in out.stderr
    out = run("query", "-", "--store", str(lamini_store), stdin="SELECT WHERE {")
    assert out.returncode == 2 and "malformed SPARQL" in out.stderr
    out = run("stats", "--store", str(lamini_store) + "-missing")
    assert out.returncode == 2 and "no pwc-kg store" in out.stderr


def test_an_error_about_a_setting_is_printed_after_its_flag(lamini_store, capsys):
    # The library names the Python parameter (chunk_triples, url); the command line prints the flag in front,
    # its own name where the two differ (cli.FLAG_OF).
    assert main(["push", "--store", str(lamini_store), "--endpoint", "http://127.0.0.1:9/sparql",
                 "--graph-store", "http://127.0.0.1:9/store", "--chunk-triples", "0"]) == 2
    assert "pwc-kg push: error: --chunk-triples: a chunk holds one triple or more, not 0" in capsys.readouterr().err
    assert main(["stats", "--endpoint", "ftp://example.org/sparql"]) == 2
    assert ("pwc-kg stats: error: --endpoint: a SPARQL endpoint is an http(s) URL, not 'ftp://example.org/sparql'"
            in capsys.readouterr().err)


def test_validate_exit_codes(lamini_store, capsys):
    assert main(["validate", "--store", str(lamini_store)]) == 0
    assert "Conforms" in capsys.readouterr().out
    assert main(["validate", "--store", str(lamini_store), "--engine", "pyshacl"]) == 0


def test_queries_lists_the_named_queries(capsys):
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    assert "paper-results" in out and "--param paper=<Paper>" in out and "benchmarks" in out
