"""Whether a result used extra training data, when the source does not say (issue 13, part 3).

The defect: rows without ``uses_additional_data`` (all 64 rows of the real snli.json) got
``pwc:usesExtraTrainingData false``: "not stated" was stored as "no". Now such a result has no flag
(unknown); "without extra training data" leaves out only the results marked true, keeps the unknown
ones, and says how many it kept (``extra_unknown_kept`` in the answers, a note line in the CLI and
on the benchmark page).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, LAMINI, build_store, rejects_of

import pwc_kg
from pwc_kg.vocab import PWC

READABLE = FIXTURES / "readable"
TASK, DATASET, METRIC = "Natural Language Inference", "SNLI", "Accuracy"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory, "extra-unknown", [READABLE])


@pytest.fixture(scope="module")
def kg(store):
    return pwc_kg.open_store(store)


def flags(kg, where: str = "") -> dict[str, str | None]:
    """Each result's flag ('true', 'false' or None), by result IRI."""
    rows = kg.sparql(f"""SELECT ?r ?x WHERE {{ ?r a <{PWC.EvaluationResult}> {where}
                         OPTIONAL {{ ?r <{PWC.usesExtraTrainingData}> ?x }} }}""")
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r["r"].value, []).append(r["x"].value if "x" in r else None)
    assert all(len(v) == 1 for v in out.values()), "a result with two flags"
    return {k: v[0] for k, v in out.items()}


def test_rows_without_uses_additional_data_were_stored_as_false_and_now_have_no_flag(sota_store):
    """Real data: snli.json's 64 rows have no uses_additional_data; every other file's rows say false."""
    kg = pwc_kg.open_store(sota_store)
    snli = flags(kg, f"; <{PWC.sourceRecord}> ?src . GRAPH ?g {{ ?r <{PWC.sourceRecord}> ?src }} "
                     'FILTER(STRENDS(STR(?g), "/snli.json"))')
    assert len(snli) > 100 and set(snli.values()) == {None}
    squad = flags(kg, '. GRAPH ?g { ?r a ?c } FILTER(STRENDS(STR(?g), "/squad.json"))')
    assert squad and set(squad.values()) == {"false"}
    assert kg.validate().conforms


def test_a_flag_of_the_wrong_type_is_rejected_and_taken_as_not_stated(store, kg):
    (line,) = [r for r in rejects_of(store) if r["field"] == "uses_additional_data"]
    assert line["value"] == "yes" and "taken as not stated" in line["reason"]
    typed = [r for r in kg.leaderboard(TASK, DATASET, METRIC) if r["model"] == "Typed Model"]
    assert typed and typed[0]["extra_training_data"] is None


def _two_rows(folder: Path, first_flagged: bool) -> Path:
    row = {"model_name": "M", "metrics": {"Accuracy": "70.1"}, "paper_title": "P", "paper_date": "2020-01-01"}
    flagged = {**row, "uses_additional_data": False}
    rows = [flagged, row] if first_flagged else [row, flagged]
    folder.mkdir(parents=True)
    (folder / "evaluation-tables.json").write_text(json.dumps([{"task": "T", "datasets": [
        {"dataset": "D", "sota": {"metrics": ["Accuracy"], "rows": rows}}]}]), encoding="utf-8")
    return folder


def test_a_row_that_says_false_and_one_that_says_nothing_are_one_result_that_is_false_in_either_order(tmp_path):
    found = []
    for first_flagged in (True, False):
        store = tmp_path / f"s{first_flagged}"
        pwc_kg.build([str(_two_rows(tmp_path / f"a{first_flagged}", first_flagged))], store)
        kg = pwc_kg.open_store(store)
        found.append(flags(kg))
        assert kg.validate().conforms
    assert found[0] == found[1] and list(found[0].values()) == ["false"]


def test_without_extra_data_only_results_marked_true_are_left_out(kg):
    every = kg.leaderboard(TASK, DATASET, METRIC)
    clean = kg.leaderboard(TASK, DATASET, METRIC, extra=False)
    marked = {r["result"] for r in every if r["extra_training_data"] is True}
    assert marked and {r["result"] for r in clean} == {r["result"] for r in every} - marked
    unknown = [r for r in clean if r["extra_training_data"] is None]
    assert len(unknown) == 2
    # ranked on the board without extra data, like the results that say false
    assert [r["rank"] for r in clean] == list(range(1, len(clean) + 1))


def test_sota_and_history_without_extra_data_say_how_many_unknown_results_they_kept(kg):
    (best,) = kg.sota(TASK, DATASET, METRIC, extra=False)
    assert best["extra_training_data"] is None and best["extra_unknown_kept"] == 2
    (with_extra,) = kg.sota(TASK, DATASET, METRIC)
    assert with_extra["extra_training_data"] is True and "extra_unknown_kept" not in with_extra
    history = kg.history(TASK, DATASET, METRIC, extra=False)
    assert history and {h["extra_unknown_kept"] for h in history} == {2}
    at = kg.sota(TASK, DATASET, METRIC, extra=False, at="2030-01-01")
    assert [a["result"] for a in at] == [best["result"]] and at[0]["extra_unknown_kept"] == 2


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pwc_kg", *args], capture_output=True, text=True, check=True)


@pytest.mark.parametrize("command", ["sota", "leaderboard", "history"])
def test_the_cli_says_how_many_unknown_results_it_kept(store, command):
    args = [command, "--store", str(store), "--task", TASK, "--dataset", DATASET, "--metric", METRIC]
    out = _cli(*args, "--no-extra-data")
    assert "kept 2 results whose source does not say whether extra training data was used" in out.stderr
    assert "not stated" in out.stdout or command == "history"
    assert "kept" not in _cli(*args).stderr  # with every result, nothing is left out, nothing to say
    rows = json.loads(_cli(*args, "--no-extra-data", "--format", "json").stdout)
    assert rows and all(r.get("model") is None or isinstance(r["model"], str) for r in rows)


def test_the_benchmark_page_says_how_many_unknown_results_it_kept(store, kg):
    from served import page_path, render, served_pages

    (bench,) = [r["b"].value for r in kg.sparql(f'SELECT ?b WHERE {{ ?b <{PWC.name}> "{TASK} on {DATASET}" }}')]
    with served_pages(store) as pages:
        _, html, page = render(pages, page_path(bench), metric="accuracy", extra="no")
        assert 'id="extra-unknown"' in html and "2 of them do not say" in html
        assert [row[-1] for row in page.tables["leaderboard"]].count("not stated") == 2
        assert "yes" not in [row[-1] for row in page.tables["leaderboard"]]
        _, html, _ = render(pages, page_path(bench), metric="accuracy")
        assert 'id="extra-unknown"' not in html


def test_a_submitted_row_without_the_flag_or_a_model_name_follows_the_same_rules(tmp_path_factory):
    from pwc_kg.submissions import SubmissionService

    store = tmp_path_factory.mktemp("extra-submission") / "store"
    pwc_kg.build([str(LAMINI)], store)
    svc = SubmissionService(store)
    body = json.dumps({"task": "Question Answering", "dataset": "PIQA", "rows": [
        {"model_name": "", "metrics": {"Accuracy": "71.9"}, "paper_title": "A Submitted Paper Without A Model Name",
         "paper_date": "2024-02-01"}]}).encode()
    status, answer = svc.submit(body, "application/json", "alice")
    assert status == 202, answer
    mapped = (store / "submissions" / answer["id"] / "mapped.nq").read_text()
    assert PWC.reportedIn in mapped and PWC.model not in mapped.replace(PWC.modelLink, "")
    assert PWC.usesExtraTrainingData not in mapped
    status, answer = svc.submit(json.dumps({"task": "Question Answering", "dataset": "PIQA", "rows": [
        {"model_name": "", "metrics": {"Accuracy": "71.9"}}]}).encode(), "application/json", "alice")
    assert status == 422 and any(v["field"] == "model_name" for v in answer["violations"])

