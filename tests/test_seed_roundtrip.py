"""The seed page (LaMini-LM on Papers With Code) round-trips through the archive format and the graph."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import Decimal

from conftest import LAMINI, LAMINI_TITLE

import pwc_kg


def expected_rows() -> list[tuple]:
    with open(LAMINI / "expected-results.tsv", encoding="utf-8") as f:
        return sorted((r["task"], r["dataset"], r["metric"], Decimal(r["value"]), r["model"])
                      for r in csv.DictReader(f, delimiter="\t"))


def as_tuples(rows: list[dict]) -> list[tuple]:
    return sorted((r["task"], r["dataset"], r["metric"], Decimal(str(r["value"])), r["model"]) for r in rows)


def test_cli_paper_results_gives_the_44_rows_of_the_seed_page(lamini_store):
    out = subprocess.run(
        [sys.executable, "-m", "pwc_kg", "query", "paper-results", "--store", str(lamini_store),
         "--param", f"paper={LAMINI_TITLE}", "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    rows = json.loads(out)
    assert len(rows) == 44
    assert as_tuples(rows) == expected_rows()
    assert all(isinstance(r["value"], (int, float)) for r in rows), "values are JSON numbers"


def test_paper_named_by_slug_iri_or_any_case_title_gives_the_same_rows(lamini_store):
    kg = pwc_kg.open_store(lamini_store)
    by_title = as_tuples(kg.query("paper-results", paper=LAMINI_TITLE))
    for name in (LAMINI_TITLE.upper(), "lamini-lm-a-diverse-herd-of-distilled-models",
                 "https://w3id.org/pwc-kg/resource/paper/lamini-lm-a-diverse-herd-of-distilled-models"):
        assert as_tuples(kg.query("paper-results", paper=name)) == by_title


def test_benchmarks_of_a_task(lamini_store):
    kg = pwc_kg.open_store(lamini_store)
    rows = kg.query("benchmarks", task="question answering")
    assert sorted(r["dataset"] for r in rows) == ["OpenBookQA", "PIQA"]
    assert {r["results"] for r in rows} == {6}


def test_every_value_is_a_typed_decimal_with_its_raw_string(lamini_store):
    kg = pwc_kg.open_store(lamini_store)
    rows = kg.sparql("""PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
        SELECT ?v ?raw WHERE { ?r a pwc:EvaluationResult ; pwc:value ?v ; pwc:rawValue ?raw }""")
    assert len(rows) == 44
    assert {r["v"].datatype.value for r in rows} == {"http://www.w3.org/2001/XMLSchema#decimal"}
    assert all(Decimal(r["v"].value) == Decimal(r["raw"].value) for r in rows)
