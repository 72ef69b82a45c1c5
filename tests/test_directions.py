"""Directions on real leaderboards: a direction for (almost) every one, never a wrong one, and said how.

The six real sota-extractor files (tests/fixtures/sota-extractor/) are the measure: the issue's goal is
at least 95% of benchmark+metric pairs with two or more results ranked, 0 wrong. Every decision not taken
from the curated table is checked against direction-truth.csv (checked by a person, leaderboard by
leaderboard). Crafted archives plant what the real files do not hold: dated results of a name no rule
knows, cost metrics, scale slips, a name of no direction.
"""

from __future__ import annotations

import csv
import html as html_module
import json
from pathlib import Path

import pytest

import pwc_kg
from pwc_kg import questions as q
from pwc_kg.derive import directions, inference
from pwc_kg.derive.stored import from_store
from pwc_kg.derive.slips import scale_slips

FIXTURES = Path(__file__).parent / "fixtures" / "sota-extractor"
PAIRS = """PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label ?how ?higher ?dataset WHERE {
  ?board a pwc:Leaderboard ; pwc:includesExtraTrainingData true ; pwc:resultCount ?n ; pwc:byMetric ?m ;
         pwc:directionSource ?how ; pwc:onBenchmark ?b .
  ?m skos:prefLabel ?label . ?b pwc:datasetName ?dataset .
  OPTIONAL { ?board pwc:higherIsBetter ?higher }
  FILTER(?n >= 2)
}"""


def truth() -> dict[tuple[str, str], bool]:
    with open(FIXTURES / "direction-truth.csv", encoding="utf-8") as f:
        return {(r["metric"], r["dataset"]): r["higher_is_better"] == "true"
                for r in csv.DictReader(line for line in f if not line.startswith("#"))}


def test_at_least_95_percent_of_real_leaderboards_get_a_direction_and_none_is_wrong(sota_store):
    rows = pwc_kg.open_store(sota_store).sparql(PAIRS)
    ranked = [r for r in rows if r["how"].value not in (directions.UNKNOWN, directions.NONE)]
    assert len(ranked) >= 0.95 * len(rows)
    checked = truth()
    for r in ranked:
        if r["how"].value in (directions.TABLE, directions.OVERRIDE):
            continue
        label, dataset = r["label"].value, r["dataset"].value
        key = (label, dataset) if (label, dataset) in checked else (label, "")
        assert key in checked, f"{label} on {dataset} was decided ({r['how'].value}) but no person checked it"
        assert (r["higher"].value == "true") == checked[key], f"{label} on {dataset}: {r['how'].value} is wrong"


@pytest.mark.parametrize("name", ["LAS", "UAS", "Smatch", "F0.5", "GLEU", "Shen F-1", "R_100@1", "NUM RADS BELOW CURVE"])
def test_regression_real_metric_names_without_a_direction_now_have_one(name):
    higher, how = directions.decide([name])
    assert higher is True and how in (directions.TABLE, directions.RULE)


def test_regression_variation_of_information_is_lower_is_better_beside_higher_columns():
    assert directions.decide(["VI"]) == (False, directions.TABLE)


@pytest.mark.parametrize(("name", "kind", "higher"), [
    ("# Params (M)", directions.COST, False), ("GFLOPs", directions.COST, False), ("Latency (ms)", directions.COST, False),
    ("Training time (hours)", directions.COST, False), ("FPS", directions.COST, True), ("Top-1 Accuracy", "quality", True),
])
def test_cost_metrics_are_told_apart_from_quality(name, kind, higher):
    verdict = directions.judge([name])
    assert (verdict.kind, verdict.higher) == (kind, higher)


def test_a_metric_with_no_better_direction_is_never_ranked(sota_store):
    rows = [r for r in pwc_kg.open_store(sota_store).sparql(PAIRS) if r["label"].value == "Bias (F/M)"]
    assert rows and all(r["how"].value == directions.NONE and r.get("higher") is None for r in rows)


def test_regression_dev_and_test_are_decided_per_benchmark(sota_store):
    """Event2Mind's Dev and Test are cross-entropies (its description says so); elsewhere they are accuracies."""
    rows = pwc_kg.open_store(sota_store).sparql(PAIRS)
    event2mind = {r["label"].value: (r["how"].value, r["higher"].value) for r in rows if r["dataset"].value == "Event2Mind"}
    assert event2mind == {"Dev": ("description", "false"), "Test": ("description", "false")}


def test_description_rule_reads_lists_of_metrics_one_by_one():
    assert inference.description_direction("Models are evaluated based on average cross-entropy.") is False
    assert inference.description_direction("The metric is F1, Hits@1 and ppl.") is None
    assert inference.description_direction("Results are reported as accuracy.") is True
    assert inference.description_direction("A large corpus of news.") is None


def _archive(tmp_path: Path, datasets: list[dict], task: str = "Mystery") -> Path:
    (tmp_path / "evaluation-tables.json").write_text(json.dumps(
        [{"task": task, "datasets": datasets, "subtasks": []}]), encoding="utf-8")
    pwc_kg.build([str(tmp_path / "evaluation-tables.json")], tmp_path / "s")
    return tmp_path / "s"


def _rows(metric: str, values: list[tuple[str, str]]) -> list[dict]:
    return [{"model_name": f"M{i}", "paper_title": f"P{i}", "paper_url": "", "paper_date": day,
             "metrics": {metric: value}} for i, (value, day) in enumerate(values)]


def test_a_direction_is_inferred_from_dated_results_with_its_evidence(tmp_path):
    years = [(str(v), f"{2010 + i}-01-01") for i, v in enumerate([3.0, 2.5, 2.6, 2.0, 1.5, 1.2, 1.0])]
    store = _archive(tmp_path, [{"dataset": "Box", "sota": {"metrics": ["Zorp"], "rows": _rows("Zorp", years)}}])
    kg = pwc_kg.open_store(store)
    (row,) = kg.sota("Mystery", "Box")
    assert (row["higher_is_better"], row["value"]) == (False, 1.0)
    (m,) = kg.sparql("""PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
        SELECT ?how ?n ?pairs ?c WHERE { ?m a pwc:Metric ; pwc:directionSource ?how ; pwc:directionResults ?n ;
        pwc:directionPairs ?pairs ; pwc:directionConcordance ?c }""")
    assert (m["how"].value, int(m["n"].value), int(m["pairs"].value)) == ("inferred", 7, 21)
    assert float(m["c"].value) < -inference.MIN_CONCORDANCE


def test_too_little_dated_evidence_infers_nothing(tmp_path):
    store = _archive(tmp_path, [{"dataset": "Box", "sota": {"metrics": ["Zorp"], "rows": _rows(
        "Zorp", [("1", "2019-01-01"), ("2", "2020-01-01"), ("3", "2021-01-01")])}}])
    (row,) = pwc_kg.open_store(store).sota("Mystery", "Box")
    assert row["higher_is_better"] is None and row["model"] is None


def test_a_column_named_after_a_domain_takes_the_direction_of_its_siblings(tmp_path):
    rows = [{"model_name": f"M{i}", "paper_title": f"P{i}", "paper_url": "",
             "metrics": {"Average": str(80 + i), "Kitchen": str(70 + i)}} for i in range(3)]
    store = _archive(tmp_path, [{"dataset": "Reviews", "sota": {"metrics": ["Average", "Kitchen"], "rows": rows}}])
    kitchen = [r for r in pwc_kg.open_store(store).sota("Mystery", "Reviews") if r["metric"] == "Kitchen"]
    assert [(r["higher_is_better"], r["value"]) for r in kitchen] == [(True, 72)]


def test_a_measure_like_name_never_takes_its_siblings_direction(tmp_path):
    rows = [{"model_name": f"M{i}", "paper_title": f"P{i}", "paper_url": "",
             "metrics": {"Accuracy": str(80 + i), "Hallucination rate": str(10 + i)}} for i in range(3)]
    store = _archive(tmp_path, [{"dataset": "Box", "sota": {"metrics": ["Accuracy", "Hallucination rate"],
                                                            "rows": rows}}])
    rate = [r for r in pwc_kg.open_store(store).sota("Mystery", "Box") if r["metric"] == "Hallucination rate"]
    assert [r["higher_is_better"] for r in rate] == [None]


def test_planted_scale_slip_is_flagged_kept_shown_and_never_sota(tmp_path):
    values = [("84.1", "2018-01-01"), ("85.6", "2019-01-01"), ("86.0", "2020-01-01"), ("0.853", "2021-01-01")]
    store = _archive(tmp_path, [{"dataset": "Box", "sota": {"metrics": ["Accuracy"], "rows": _rows("Accuracy", values)}}])
    kg = pwc_kg.open_store(store)
    (sota,) = kg.sota("Mystery", "Box")
    assert sota["value"] == 86.0
    board = kg.leaderboard("Mystery", "Box", "Accuracy")
    assert sorted(r["value"] for r in board) == [0.853, 84.1, 85.6, 86.0]
    assert [r["rank"] for r in board if r["value"] == 0.853] == [None]
    assert [r["value"] for r in kg.history("Mystery", "Box", "Accuracy")] == [84.1, 85.6, 86.0]
    (why,) = kg.sparql("PREFIX pwc: <https://w3id.org/pwc-kg/ontology#> SELECT ?why WHERE { ?r pwc:excludedFromRanking ?why }")
    assert "0.853 looks like a fraction" in why["why"].value


def test_a_lower_is_better_slip_would_have_been_sota_and_is_not(tmp_path):
    values = [("5.2", "2018-01-01"), ("4.8", "2019-01-01"), ("6.1", "2020-01-01"), ("0.049", "2021-01-01")]
    store = _archive(tmp_path, [{"dataset": "Box", "sota": {"metrics": ["Error rate"], "rows": _rows("Error rate", values)}}])
    (sota,) = pwc_kg.open_store(store).sota("Mystery", "Box")
    assert (sota["higher_is_better"], sota["value"]) == (False, 4.8)


def test_values_on_one_wide_scale_are_no_slips():
    from decimal import Decimal
    from pwc_kg.derive.inputs import Row
    rows = [Row(f"r{i}", Decimal(v), None, None) for i, v in enumerate(["0.068", "4.83", "40.4", "59.3", "90.9"])]
    assert scale_slips(rows) == {}
    rows = [Row(f"r{i}", Decimal(v), None, None) for i, v in enumerate(["0.84", "0.856", "0.86", "85.3"])]
    assert list(scale_slips(rows)) == ["r3"]


def test_the_real_files_hold_no_scale_slip_by_this_rule(sota_store):
    inputs = from_store(pwc_kg.open_store(sota_store).store)
    assert sum(len(scale_slips(rows)) for rows in inputs.results.values()) == 0


def test_stats_report_direction_coverage_by_source(sota_store):
    stats = pwc_kg.open_store(sota_store).stats()
    coverage = stats["direction_coverage"]
    assert set(coverage) <= set(directions.SOURCES)
    assert coverage["table"] > coverage.get("inferred", 0) > 0 and coverage["unknown"] > 0


def test_the_home_page_reports_direction_coverage_as_stats_does(sota_store):
    from served import render, served_pages

    from pwc_kg.serve.pages.home import DIRECTION_SOURCES

    coverage = pwc_kg.open_store(sota_store).stats()["direction_coverage"]
    with served_pages(sota_store) as pages:
        status, html, _ = render(pages, "/")
    assert status == 200 and 'id="direction-coverage"' in html
    shown = " ".join(html_module.unescape(html).split())
    for how, n in coverage.items():
        assert (f"{DIRECTION_SOURCES[how]} {n:,} (" in shown) == (n > 0), how


def test_regression_a_model_that_leads_only_by_its_parameter_count_leads_nothing(sota_store):
    """GCN has the fewest parameters on three OGB leaderboards: a cost, not a state of the art."""
    kg = pwc_kg.open_store(sota_store)
    assert {r["status"] for r in kg.model_sota("GCN")} == {"led"}
    rows = kg.sota("Node Property Prediction", "ogbn-proteins")
    assert rows and not any(r["metric"] == "Number of params" for r in rows)
    named = kg.sota("Node Property Prediction", "ogbn-proteins", "Number of params")  # named: asked for, answered
    assert named and {(r["metric"], r["higher_is_better"]) for r in named} == {("Number of params", False)}


def test_cost_metrics_are_marked_on_the_task_page(sota_store):
    from served import render, served_pages

    with served_pages(sota_store) as pages:
        status, html, _ = render(pages, "/task/node-property-prediction")
    assert status == 200 and "(a cost: the best value, not a state of the art)" in html


def test_the_benchmark_page_says_how_its_direction_was_decided_and_shows_a_slip_unranked(tmp_path):
    from served import render, served_pages

    years = [(str(v), f"{2010 + i}-01-01") for i, v in enumerate([3.0, 2.5, 2.6, 2.0, 1.5, 1.2, 1.0])]
    slips = [("84.1", "2018-01-01"), ("85.6", "2019-01-01"), ("86.0", "2020-01-01"), ("0.853", "2021-01-01")]
    store = _archive(tmp_path, [{"dataset": "Box", "sota": {"metrics": ["Zorp"], "rows": _rows("Zorp", years)}},
                                {"dataset": "Crate", "sota": {"metrics": ["Accuracy"], "rows": _rows("Accuracy", slips)}}])
    with served_pages(store) as pages:
        _, html, _ = render(pages, "/benchmark/" + _benchmark_slug(store, "Box"))
        assert "lower is better (inferred from 7 dated results (concordance -0.9" in html_module.unescape(html)
        _, html, page = render(pages, "/benchmark/" + _benchmark_slug(store, "Crate"))
    assert "from the curated table of metrics" in html and "Not ranked: 0.853 looks like a fraction" in html
    assert [row[0] for row in page.tables["leaderboard"]] == ["1", "2", "3", "not ranked"]


def _benchmark_slug(store, dataset: str) -> str:
    rows = pwc_kg.open_store(store).sparql(
        "PREFIX pwc: <https://w3id.org/pwc-kg/ontology#> SELECT ?b ?d WHERE { ?b pwc:datasetName ?d }")
    (iri,) = [r["b"].value for r in rows if r["d"].value == dataset]
    return iri.rsplit("/benchmark/", 1)[1]
