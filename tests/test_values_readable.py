"""Values and rows a person can read (issue 13, part 3).

- A value written with markup or an annotation ("**70.3**", "60.7+", "70.14 (measured by Ge et al., 2018)")
  is its number, with the rest as a ``pwc:valueNote``; the raw string is kept as ``pwc:rawValue``.
- A leaderboard row with no model name but a paper is a result of that paper with no model; a row with
  neither is a reject with its reason.

On the real values of the sota-extractor fixtures, and on ``tests/fixtures/readable`` (real rows and
crafted ones, see its SOURCE.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from conftest import FIXTURES, SOTA_FILES, build_store, rejects_of

import pwc_kg
from pwc_kg.values import ValueRejected, parse_value
from pwc_kg.vocab import PWC

READABLE = FIXTURES / "readable"
TABLES = READABLE / "evaluation-tables.json"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory, "readable", [READABLE])


@pytest.fixture(scope="module")
def kg(store):
    return pwc_kg.open_store(store)


def results_with_raw(kg, raw: str) -> list[dict]:
    rows = kg.sparql(f"""SELECT ?r ?raw ?v ?note WHERE {{ ?r <{PWC.rawValue}> ?raw ; <{PWC.value}> ?v
                         OPTIONAL {{ ?r <{PWC.valueNote}> ?note }} }}""")
    return [{"result": r["r"].value, "value": Decimal(r["v"].value), "note": r["note"].value if "note" in r else None}
            for r in rows if r["raw"].value == raw]


def ask(kg, where: str) -> bool:
    return bool(kg.sparql(f"SELECT * WHERE {{ {where} }} LIMIT 1"))


# --- the defect: annotated values were rejected -------------------------------------------------

@pytest.mark.parametrize(("raw", "number", "note"), [
    ("**70.3**", "70.3", "bold"),
    ("60.7+", "60.7", 'marked "+"'),
    ("39.9+", "39.9", 'marked "+"'),
    ("70.14 (measured by Ge et al., 2018)", "70.14", "measured by Ge et al., 2018"),
])
def test_annotated_values_were_rejected_and_are_numbers_with_a_note(raw, number, note):
    v = parse_value(raw)
    assert (v.number, v.note, v.raw) == (number, note, raw)


@pytest.mark.parametrize(("raw", "number", "note_has"), [
    ("__70.3__", "70.3", ["bold"]),
    ("<b>77.1%</b>", "77.1", ["bold"]),
    ("<strong>77.1</strong>", "77.1", ["bold"]),
    ("*70.3*", "70.3", ["italic"]),
    ("<em>70.3</em>", "70.3", ["italic"]),
    ("63.7*", "63.7", ['marked "*"']),          # real (nlp-progress.json): a footnote mark
    ("71.2†", "71.2", ['marked "†"']),
    ("†71.2", "71.2", ['marked "†"']),
    ("85.3‡§", "85.3", ['marked "‡§"']),
    ("85.3<sup>1</sup>", "85.3", ['marked "1"']),
    ("1.5B+", "1500000000", ['marked "+"']),
    ("−2.5*", "-2.5", ['marked "*"']),
    ("12.5 %*", "12.5", ['marked "*"']),
    ("0.8428 ± 0.0014*", "0.8428", ['marked "*"']),
    ("17.1(16.1 with basic dynamic evaluation)", "17.1", ["16.1 with basic dynamic evaluation"]),  # real
    ("**70.3** (test set)", "70.3", ["bold", "test set"]),
    ("91.6/91.1*", "91.6", ['marked "*"', "first of 2"]),  # real: a pair stays "the first, said so"
    ("**78.9**/78.6", "78.9", ["bold", "first of 2"]),
    ("~257M", "257000000", ["approximate"]),   # real
])
def test_markup_marks_and_words_around_a_number_become_its_note(raw, number, note_has):
    v = parse_value(raw)
    assert v.number == number and v.raw == raw
    assert all(part in v.note for part in note_has), v.note


def test_a_bracketed_plus_minus_is_an_uncertainty_not_a_note():
    v = parse_value("85.1 (±0.3)")
    assert (v.number, v.uncertainty, v.note) == ("85.1", "0.3", None)


@pytest.mark.parametrize(("raw", "reason"), [
    ("17.1 (16.1)", "not one number"),        # two numbers, which is the value is not said
    ("71.2 [12]", "not one number"),          # a citation mark, not words
    ("3.2 (x10^-3)", "scale"),                # words that change the scale are no note
    ("4.1 (millions)", "scale"),
    ("43B?", "uncertain"),                    # real (nlp-progress.json): the source doubts it
    ("**", "no number"),
    ("****", "no number"),
    ("<b></b>", "no number"),
    ("* *", "no number"),
    ("(measured by Ge et al., 2018)", "not one number"),
    ("Elsner", "no number"),                  # real
    ("--*", "no number"),                     # real
    ("#1", "not one number"),                 # a rank, not a marked number
    ("x" * 300, "longer than"),
])
def test_a_non_number_is_never_made_a_number_by_peeling(raw, reason):
    with pytest.raises(ValueRejected) as err:
        parse_value(raw)
    assert reason in str(err.value)


_PLAIN = re.compile(r"^\s*[-+]?(\d+(,\d{3})*(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*[kKmMbB]?\s*%?\s*"
                    r"((±|\+/-|\+-)\s*\d*\.?\d+\s*)?$")


def _real_values():
    out = []

    def walk(node):
        if isinstance(node, dict):
            rows = (node.get("sota") or {}).get("rows") if isinstance(node.get("sota"), dict) else None
            for row in rows or []:
                for raw in (row.get("metrics") or {}).values():
                    out.append(raw)
            for v in node.values():
                if isinstance(v, (list, dict)):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in SOTA_FILES:
        walk(json.loads(path.read_text(encoding="utf-8")))
    return out


def test_every_real_value_is_a_number_with_what_else_it_says_or_a_reject():
    """On every value of the six real sota-extractor files: a value that is more than a number (and its %,
    magnitude or ±) gets a note, the raw string is kept, and nothing without a digit becomes a number."""
    values = _real_values()
    assert len(values) > 3000
    annotated = 0
    for raw in values:
        try:
            v = parse_value(raw)
        except ValueRejected as e:
            assert str(e)
            continue
        assert v.raw == str(raw)
        text = str(raw).replace("\ufeff", "").replace("\u2212", "-")
        assert re.search(r"\d", text), raw
        if not _PLAIN.match(text):
            assert v.note, f"{raw!r} was read as {v.number} without a note"
            annotated += 1
    assert annotated >= 20  # "60.7+", "63.7*", "78.9/78.6", "~257M", "70.14 (measured by ...)", ...


# --- in the graph -------------------------------------------------------------------------------

def test_the_store_of_annotated_values_and_modelless_rows_conforms(kg):
    assert kg.validate().conforms


@pytest.mark.parametrize(("raw", "number", "note"), [
    ("60.7+", "60.7", 'marked "+"'),
    ("39.9+", "39.9", 'marked "+"'),
    ("70.14 (measured by Ge et al., 2018)", "70.14", "measured by Ge et al., 2018"),
    ("17.1(16.1 with basic dynamic evaluation)", "17.1", "16.1 with basic dynamic evaluation"),
    ("**70.3**", "70.3", "bold"),
])
def test_annotated_real_values_are_results_with_the_raw_value_and_a_note(kg, raw, number, note):
    found = results_with_raw(kg, raw)
    assert found and all(f["value"] == Decimal(number) and f["note"] == note for f in found)


def test_what_stays_a_reject_says_why(store):
    rejects = rejects_of(store)
    by_value = {r["value"]: r["reason"] for r in rejects if r["field"] == "metrics"}
    assert "uncertain" in by_value["43B?"] and "no number" in by_value["-"]


# --- the defect: a row without a model name was dropped, though it named its paper ---------------

def test_a_row_without_a_model_name_but_a_paper_was_dropped_and_is_a_result_of_its_paper(kg):
    rows = kg.sparql(f"""SELECT ?r ?paper ?v WHERE {{ ?r a <{PWC.EvaluationResult}> ; <{PWC.reportedIn}> ?paper ;
                         <{PWC.value}> ?v FILTER NOT EXISTS {{ ?r <{PWC.model}> ?m }} }}""")
    assert sorted(Decimal(r["v"].value) for r in rows) == [Decimal("85.5"), Decimal("88.0")]
    for r in rows:  # no model made up for it: no pwc:model, no model name
        assert not ask(kg, f"<{r['r'].value}> <{PWC.modelName}> ?n")
    assert ask(kg, f"""?r <{PWC.reportedIn}> ?p . ?p <{PWC.title}> "A Paper Whose Row Names No Model" .
                       FILTER NOT EXISTS {{ ?r <{PWC.model}> ?m }}""")
    # and no Model node for an empty name exists
    assert not ask(kg, f"?m a <{PWC.Model}> ; <{PWC.name}> ?n FILTER(STRLEN(STR(?n)) = 0)")


def test_a_row_with_neither_model_nor_paper_stays_a_reject_with_its_reason(store):
    rejects = rejects_of(store)
    row = [r for r in rejects if r["record"] == "/3/datasets/0/sota/rows/3"]
    assert row and "model name or a paper" in row[0]["reason"]
    cell = [r for r in rejects if r["record"] == "/3/datasets/0/sota/rows/3/metrics/Accuracy"]
    assert cell and "neither a model nor a paper" in cell[0]["reason"]


def test_the_real_rows_with_neither_model_nor_paper_are_rejects(sota_store):
    """squad.json has 65 rows with an empty model name, title and URL: each cell a reject, none a result."""
    rejects = [r for r in rejects_of(sota_store) if r["source"] == "squad.json" and r["field"] == "model_name"]
    rows = {r["record"] for r in rejects if "/metrics/" not in r["record"]}
    cells = {r["record"] for r in rejects if "/metrics/" in r["record"]}
    assert len(rows) == 65 and len(cells) == 130


def test_leaderboard_sota_and_history_show_the_paper_where_the_model_is_missing(kg):
    board = kg.leaderboard("Natural Language Inference", "SNLI", "Accuracy", extra=False)
    top = board[0]
    assert top["model"] is None and top["paper_title"] == "A Paper Whose Row Names No Model" and top["paper"]
    (best,) = kg.sota("Natural Language Inference", "SNLI", "Accuracy", extra=False)
    assert best["model"] is None and best["paper_title"] == "A Paper Whose Row Names No Model"
    assert best["result"] == top["result"]
    history = kg.history("Natural Language Inference", "SNLI", "Accuracy", extra=False)
    assert history[-1]["result"] == top["result"] and history[-1]["paper"] == top["paper"]
    results = kg.query("paper-results", paper="A Paper Whose Row Names No Model")
    assert [r["model"] for r in results] == [None]


def test_the_cli_table_shows_the_paper_in_the_model_column(store):
    out = subprocess.run([sys.executable, "-m", "pwc_kg", "leaderboard", "--store", str(store), "--task",
                          "Natural Language Inference", "--dataset", "SNLI", "--metric", "Accuracy"],
                         capture_output=True, text=True, check=True).stdout
    assert "(no model; paper: A Paper Whose Row Names No Model)" in out


def test_the_pages_show_the_paper_where_the_model_is_missing(store, kg):
    from served import page_path, render, served_pages

    (bench,) = [r["b"].value for r in kg.sparql(f'SELECT ?b WHERE {{ ?b <{PWC.name}> "Natural Language Inference on SNLI" }}')]
    (paper,) = [r["p"].value for r in kg.sparql(
        f'SELECT ?p WHERE {{ ?p <{PWC.title}> "A Paper Whose Row Names No Model" }}')]
    with served_pages(store) as pages:
        status, html, page = render(pages, page_path(bench), metric="accuracy")
        assert status == 200
        cell = "A Paper Whose Row Names No Model (no model named)"
        models = [row[1].removesuffix(" record") for row in page.tables["leaderboard"]]
        assert cell in models, models
        links = page.table_links["leaderboard"][models.index(cell)]
        assert page_path(paper) in links[1]
        status, _, records = render(pages, page_path(bench), metric="accuracy", extra="no")
        assert any(row[1] == cell for row in records.tables["records"])
        status, html, _ = render(pages, page_path(paper))
        assert status == 200 and "no model named" in html
        (task,) = [r["t"].value for r in kg.sparql(f'SELECT ?t WHERE {{ <{bench}> <{PWC.task}> ?t }}')]
        status, html, _ = render(pages, page_path(task))
        assert status == 200 and "Big Model" in html  # the SOTA with extra data has a model
        (result,) = [r["r"].value for r in kg.sparql(
            f'SELECT ?r WHERE {{ ?r <{PWC.reportedIn}> <{paper}> }}')]
        status, html, page = render(pages, page_path(result))
        assert status == 200 and page.h1.startswith("A Paper Whose Row Names No Model")
        assert "the leaderboard row names only its paper" in html
