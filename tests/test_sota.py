"""SOTA questions: directions, leaderboards, history, on the seed table and the real leaderboards."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import pwc_kg
from pwc_kg import questions as q
from pwc_kg.derive.directions import decide


@pytest.fixture(scope="module")
def seed(lamini_store):
    return pwc_kg.open_store(lamini_store).backend


@pytest.fixture(scope="module")
def real(sota_store):
    return pwc_kg.open_store(sota_store).backend


def cli(*args: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "pwc_kg", *args, "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_sota_on_piqa_among_the_seed_rows_is_flan_t5_large(lamini_store):
    (row,) = cli("sota", "--task", "Question Answering", "--dataset", "PIQA", "--store", str(lamini_store))
    assert (row["model"], row["value"], row["metric"], row["higher_is_better"]) == ("FLAN-T5-Large 783M", 72.2,
                                                                                     "Accuracy", True)
    assert {"task", "dataset", "metric", "model", "value", "paper_title", "date", "higher_is_better"} <= set(row)
    assert row["paper_title"].startswith("LaMini-LM") and row["date"] == "2023-04-27"


def test_leaderboard_is_ranked_in_the_metric_direction_with_shared_ranks_for_ties(lamini_store):
    rows = cli("leaderboard", "--task", "common sense reasoning", "--dataset", "winogrande", "--metric", "accuracy",
               "--store", str(lamini_store))
    assert [(r["rank"], r["model"], r["value"]) for r in rows] == [
        (1, "FLAN-T5-Large 783M", 59.9), (2, "GPT-2-XL 1.5B", 58.3), (3, "LaMini-F-T5 783M", 56),
        (3, "LaMini-GPT 1.5B", 56), (5, "T5-Large 738M", 55.2), (6, "LaMini-T5 738M", 54.9)]
    assert set(rows[0]) >= {"rank", "model", "value", "paper_title", "date", "extra_training_data"}


def test_compare_lamini_gpt_with_gpt2_xl_gives_the_eight_deltas_of_the_seed_table(seed):
    rows = q.compare(seed, "LaMini-GPT 1.5B", "GPT-2-XL 1.5B")
    got = {(r["dataset"], r["metric"]): (r["value"], r["base_value"], round(r["delta"], 6), r["better"]) for r in rows}
    assert got == {
        ("PIQA", "Accuracy"): (71.3, 70.5, 0.8, True),
        ("OpenBookQA", "Accuracy"): (39.8, 32, 7.8, True),
        ("WinoGrande", "Accuracy"): (56, 58.3, -2.3, False),
        ("Words in Context", "Accuracy"): (52.4, 49.8, 2.6, True),
        ("MultiNLI", "Matched"): (67.5, 36.5, 31, True),
        ("MultiNLI", "Mismatched"): (69.3, 37, 32.3, True),
        ("Winograd Schema Challenge", "Accuracy"): (69.6, 73.3, -3.7, False),
        ("HellaSwag", "Accuracy"): (48.3, 50.9, -2.6, False),
    }


def test_a_lower_is_better_metric_gives_the_minimum(real):
    rows = q.sota(real, "Word Level Models", "Penn Treebank", "Test perplexity")
    assert rows and all(r["higher_is_better"] is False for r in rows)
    board = q.leaderboard(real, "Word Level Models", "Penn Treebank", "Test perplexity")
    values = [r["value"] for r in board]
    assert rows[0]["value"] == min(values) and values == sorted(values)


def test_history_on_a_dated_real_benchmark_only_ever_improves(real):
    rows = q.history(real, "Question Answering", "SQuAD1.1", "EM")
    assert len(rows) >= 5
    dates = [r["date"] for r in rows]
    values = [r["value"] for r in rows]
    assert dates == sorted(dates) and values == sorted(values) and len(set(values)) == len(values)
    assert rows[0]["previous_value"] is None
    for before, after in zip(rows, rows[1:]):
        assert after["previous_value"] == before["value"]
        assert after["improvement"] == pytest.approx(after["value"] - before["value"])


def test_sota_at_a_date_is_the_last_record_on_or_before_it(real):
    history = q.history(real, "Question Answering", "SQuAD1.1", "EM")
    mid = history[len(history) // 2]
    (at,) = q.sota(real, "Question Answering", "SQuAD1.1", "EM", at=mid["date"])
    assert (at["model"], at["value"]) == (mid["model"], mid["value"])
    (now,) = q.sota(real, "Question Answering", "SQuAD1.1", "EM")
    assert now["value"] >= history[-1]["value"]


def test_without_extra_training_data_sota_never_used_any(real):
    rows = q.sota(real, "Question Answering", "SQuAD2.0", extra=False)
    assert rows and all(r["extra_training_data"] is False for r in rows if r["model"] is not None)


def test_sota_of_a_task_without_dataset_covers_its_subtasks(real):
    rows = q.sota(real, "Dialogue")
    assert {r["dataset"] for r in rows} >= {"Switchboard corpus"}  # a benchmark of the subtask


def test_unknown_direction_is_said_and_can_be_named(tmp_path):
    (tmp_path / "evaluation-tables.json").write_text(json.dumps([{
        "task": "Mystery", "datasets": [{"dataset": "Box", "sota": {"metrics": ["Zorp"], "rows": [
            {"model_name": "A", "paper_title": "P1", "paper_url": "", "paper_date": "2020-01-01", "metrics": {"Zorp": "1"}},
            {"model_name": "B", "paper_title": "P2", "paper_url": "", "paper_date": "2021-01-01", "metrics": {"Zorp": "2"}},
        ]}}], "subtasks": []}]))
    pwc_kg.build([str(tmp_path / "evaluation-tables.json")], tmp_path / "s")
    b = pwc_kg.open_store(tmp_path / "s").backend
    (row,) = q.sota(b, "Mystery", "Box")
    assert row["higher_is_better"] is None and row["model"] is None
    (low,) = q.sota(b, "Mystery", "Box", higher_is_better=False)
    assert (low["model"], low["value"]) == ("A", 1)
    assert [r["model"] for r in q.leaderboard(b, "Mystery", "Box", "Zorp", higher_is_better=True)] == ["B", "A"]
    assert [r["model"] for r in q.history(b, "Mystery", "Box", "Zorp", higher_is_better=True)] == ["A", "B"]


@pytest.mark.parametrize(("names", "expected"), [
    (["Accuracy"], (True, "table")), (["TOP-1 ACCURACY"], (True, "table")), (["WER"], (False, "table")),
    (["FID"], (False, "table")), (["Bits per Character"], (False, "table")), (["Val. error (%)"], (False, "rule")),
    (["Macro Recall"], (True, "rule")), (["Top-1 Error"], (False, "rule")), (["Zorp"], (None, "unknown")),
])
def test_metric_directions(names, expected):
    assert decide(names) == expected


def test_stats_report_how_metric_directions_were_decided(sota_store):
    out = subprocess.run([sys.executable, "-m", "pwc_kg", "stats", "--store", str(sota_store), "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)["metric_directions"]
    assert d["table"] > 0 and d["rule"] > 0 and d["unknown"] > 0
    assert sum(d.values()) == json.loads(out)["classes"]["Metric"]


def test_metric_spellings_are_one_metric_with_every_spelling_kept(tmp_path):
    rows = [{"model_name": f"M{i}", "paper_title": f"P{i}", "paper_url": "", "metrics": {name: str(70 + i)}}
            for i, name in enumerate(["Top 1 Accuracy", "Top-1 Accuracy", "TOP-1 ACCURACY", "Top-1 Accuracy"])]
    (tmp_path / "evaluation-tables.json").write_text(json.dumps([{"task": "Image Classification", "datasets": [
        {"dataset": "ImageNet", "sota": {"metrics": ["Top-1 Accuracy"], "rows": rows}}], "subtasks": []}]))
    pwc_kg.build([str(tmp_path)], tmp_path / "s")
    kg = pwc_kg.open_store(tmp_path / "s")
    metrics = kg.sparql("""PREFIX pwc: <https://w3id.org/pwc-kg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?m ?alt ?pref WHERE { ?m a pwc:Metric ; skos:altLabel ?alt ; skos:prefLabel ?pref }""")
    assert len({r["m"].value for r in metrics}) == 1
    assert {r["alt"].value for r in metrics} == {"Top 1 Accuracy", "Top-1 Accuracy", "TOP-1 ACCURACY"}
    assert {r["pref"].value for r in metrics} == {"Top-1 Accuracy"}  # the most used spelling
    (row,) = q.sota(kg.backend, "image classification", "imagenet", "top 1 accuracy")
    assert row["value"] == 73


@pytest.mark.parametrize("hostile", ['x" } ; DROP ALL ; #', "a > b <c>", "line\nbreak", "'; --"])
@pytest.mark.parametrize("command", ["sota", "leaderboard", "history", "model-sota", "lineage", "compare", "tasks",
                                     "methods", "provenance"])
def test_every_question_binds_hostile_names_safely(lamini_store, command, hostile):
    args = {"sota": ["--task", hostile], "leaderboard": ["--task", hostile, "--dataset", hostile, "--metric", hostile],
            "history": ["--task", hostile, "--dataset", hostile, "--metric", hostile], "compare": [hostile, "--base", hostile]
            }.get(command, [hostile])
    out = subprocess.run([sys.executable, "-m", "pwc_kg", command, *args, "--store", str(lamini_store)],
                         capture_output=True, text=True)
    assert out.returncode in (0, 2), out.stderr
    assert "malformed" not in out.stderr and "Traceback" not in out.stderr
    if out.returncode == 2:
        assert "is named" in out.stderr or "no " in out.stderr


def test_regression_variants_of_one_dataset_are_separate_benchmarks(tmp_path):
    """SQuAD1.1 and SQuAD2.0 are variants of SQuAD in datasets.json: their leaderboards stayed one benchmark."""
    (tmp_path / "datasets.json").write_text(json.dumps([{"url": "https://paperswithcode.com/dataset/squad",
                                                         "name": "SQuAD", "variants": ["SQuAD", "SQuAD1.1", "SQuAD2.0"]}]))
    rows = lambda v: [{"model_name": "M", "paper_title": "P", "paper_url": "", "metrics": {"EM": v}}]  # noqa: E731
    (tmp_path / "evaluation-tables.json").write_text(json.dumps([{"task": "Question Answering", "subtasks": [],
        "datasets": [{"dataset": "SQuAD1.1", "sota": {"metrics": ["EM"], "rows": rows("80")}},
                     {"dataset": "SQuAD2.0", "sota": {"metrics": ["EM"], "rows": rows("70")}}]}]))
    pwc_kg.build([str(tmp_path / "datasets.json"), str(tmp_path / "evaluation-tables.json")], tmp_path / "s")
    kg = pwc_kg.open_store(tmp_path / "s")
    assert [r["value"] for r in kg.sota("Question Answering", "SQuAD1.1")] == [80]
    assert [r["value"] for r in kg.sota("Question Answering", "SQuAD2.0")] == [70]
    family = kg.sparql("""PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
        SELECT DISTINCT ?v WHERE { ?v pwc:variantOf <https://w3id.org/pwc-kg/resource/dataset/squad> }""")
    assert len(family) == 2
    assert kg.validate().conforms


@pytest.mark.parametrize("extra", [True, False])
def test_sota_asked_per_dataset_with_its_benchmarks_bound_gives_what_one_query_gives(sota_store, extra):
    """Regression: on a full-scale store `pwc-kg sota --task T` took seconds (Oxigraph started sota.rq from every
    leaderboard of the extra-data flag); questions.sota now binds the task's benchmarks first, per dataset."""
    import pyoxigraph as ox

    kg = pwc_kg.open_store(sota_store)
    b = kg.backend
    pairs = kg.sparql("SELECT DISTINCT ?t ?d WHERE { ?b <https://w3id.org/pwc-kg/ontology#task> ?t ; "
                      "<https://w3id.org/pwc-kg/ontology#dataset> ?d }")
    asked = [(r["t"], None) for r in pairs] + [(r["t"], r["d"]) for r in pairs]
    for task, dataset in asked:
        for name in ("sota", "unranked"):
            one = q._run(b, name, task=task, dataset=dataset, extra=q._flag(extra))
            split = q._by_dataset(b, name, task, dataset, None, extra)
            assert sorted(map(repr, one)) == sorted(map(repr, split)), (name, task, dataset)
            keys = [(r["task"], r["dataset"], r["metric"]) for r in split]
            assert keys == sorted(keys)  # in the query's own order
    assert len(asked) > 100
