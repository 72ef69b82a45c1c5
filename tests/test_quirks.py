"""The archive's real quirks, crafted into tests/fixtures/quirks (see its EXPECTED.md)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import QUIRKS, rejects_of

import pwc_kg

PWC = "https://w3id.org/pwc-kg/ontology#"
R = "https://w3id.org/pwc-kg/resource/"


@pytest.fixture(scope="module")
def kg(quirks_store):
    return pwc_kg.open_store(quirks_store)


@pytest.fixture(scope="module")
def rejects(quirks_store):
    return rejects_of(quirks_store)


def values(kg, query: str) -> list[str]:
    return sorted({str(next(iter(r.values())).value) for r in kg.sparql(f"PREFIX pwc: <{PWC}> {query}")})


def reject_at(rejects, source: str, record: str) -> list[dict]:
    return [r for r in rejects if r["source"] == source and r["record"] == record]


def test_the_store_conforms_and_every_literal_parses_strictly(kg, quirks_store):
    assert kg.validate().conforms
    dump = kg.store.dump(format=ox.RdfFormat.N_QUADS)
    assert len(list(ox.parse(dump, format=ox.RdfFormat.N_QUADS))) > 500  # strict parser: no error


@pytest.mark.parametrize(("record", "field"), [("/4", "authors"), ("/4", "tasks"), ("/5", "abstract"),
                                               ("/7", "title"), ("/8", "date"), ("/9", "date")])
def test_paper_fields_of_the_wrong_type_or_out_of_range_are_rejected_alone(rejects, record, field):
    assert any(r["field"] == field for r in reject_at(rejects, "papers-with-abstracts.json", record))


def test_a_paper_dated_2222_keeps_its_title_but_not_its_date(kg, rejects):
    (line,) = [r for r in reject_at(rejects, "papers-with-abstracts.json", "/8") if r["field"] == "date"]
    assert line["value"] == "2222-01-01" and "out of range" in line["reason"]
    assert not values(kg, 'SELECT ?d WHERE { ?p pwc:publicationDate ?d FILTER(YEAR(?d) > 2100) }')


def test_same_title_in_other_case_and_punctuation_is_another_paper(kg):
    titles = values(kg, 'SELECT ?t WHERE { ?p a pwc:Paper ; pwc:title ?t FILTER(CONTAINS(LCASE(?t), "attention is all")) }')
    assert titles == ["Attention Is All You Need", "Attention is all you need."]


def test_arxiv_urls_in_every_form_join_rows_to_one_paper(kg):
    papers = values(kg, """SELECT DISTINCT ?p WHERE { ?r pwc:modelName ?m ; pwc:reportedIn ?p
                           FILTER(STRSTARTS(?m, "BERT")) }""")
    assert len(papers) == 1
    assert values(kg, f"SELECT ?a WHERE {{ <{papers[0]}> pwc:arxivId ?a }}") == ["1810.04805"]


def test_arxiv_id_is_read_from_the_urls_when_the_field_is_null(kg):
    assert "1512.03385" in values(kg, "SELECT ?a WHERE { ?p pwc:arxivId ?a }")


def test_two_rows_of_one_paper_and_model_are_two_results_and_a_duplicate_row_is_one(kg):
    rows = kg.sparql(f"""PREFIX pwc: <{PWC}> SELECT ?r (COUNT(?src) AS ?n) WHERE {{
        ?r pwc:modelName ?m ; pwc:sourceRecord ?src FILTER(?m IN ("BERT-Large", "BiDAF (single model)")) }} GROUP BY ?r""")
    by_count = sorted(int(r["n"].value) for r in rows)
    # BERT-Large: 2 rows + 1 subdataset row, x (EM, F1) = 6 results; BiDAF: one row read twice = 2 results
    # with 2 source records each
    assert by_count == [1] * 6 + [2, 2]


def test_generic_model_names_are_scoped_to_their_paper(kg):
    models = values(kg, 'SELECT DISTINCT ?model WHERE { ?r pwc:modelName "Baseline" ; pwc:model ?model }')
    assert len(models) == 2


def test_the_same_model_name_in_two_papers_is_one_model(kg):
    models = values(kg, 'SELECT DISTINCT ?model WHERE { ?r pwc:modelName "BERT-Large" ; pwc:model ?model }')
    assert models == [R + "model/bert-large"]


def test_metric_values_as_the_archive_writes_them(kg, rejects):
    got = {r["raw"].value: (r["v"].value, r.get("pct"), r.get("unc")) for r in kg.sparql(f"""PREFIX pwc: <{PWC}>
        SELECT ?raw ?v ?pct ?unc WHERE {{ ?r pwc:rawValue ?raw ; pwc:value ?v
        OPTIONAL {{ ?r pwc:isPercentage ?pct }} OPTIONAL {{ ?r pwc:uncertainty ?unc }} }}""")}
    assert got["90.871"][0] == "90.871"
    assert got["77.1%"][0] == "77.1" and got["77.1%"][1].value == "true"
    assert got[".3412"][0] == "0.3412"
    assert got["0.8428 ± 0.0014"][0] == "0.8428" and got["0.8428 ± 0.0014"][2].value == "0.0014"
    assert got["33M"][0] == "33000000"
    assert got["1.5B"][0] == "1500000000"
    assert got["\u22122.5"][0] == "-2.5"
    assert got["42"][0] == "42" and got["0.5"][0] == "0.5"
    assert got["78.9/78.6"][0] == "78.9"  # documented: the first number, the raw keeps both
    refused = {r["value"] for r in rejects if r["source"] == "evaluation-tables.json" and r["field"] == "metrics"}
    assert {"-", "\u2212", "--*", "", "Yes"} <= refused


def test_a_task_named_empty_is_rejected_with_its_whole_subtree(rejects):
    lines = [r for r in rejects if r["source"] == "evaluation-tables.json" and r["record"].startswith("/2")]
    assert any(r["record"] == "/2" and r["field"] == "task" for r in lines)
    assert any(r["record"].startswith("/2/datasets/0/sota/rows/0/metrics/") for r in lines)


def test_a_task_that_is_its_own_subtask_makes_no_cycle_and_a_repeated_task_is_one_node(kg, rejects):
    assert any(r["record"] == "/0/subtasks/0" and "own ancestor" in r["reason"] for r in rejects)
    assert not values(kg, "SELECT ?t WHERE { ?t pwc:subtaskOf ?t }")
    odqa = values(kg, 'SELECT DISTINCT ?t WHERE { ?t a pwc:Task ; pwc:name "Open-Domain Question Answering" }')
    assert len(odqa) == 1
    assert values(kg, f"SELECT ?p WHERE {{ <{odqa[0]}> pwc:subtaskOf ?p }}") == [R + "task/question-answering"]


def test_junk_names_are_kept_verbatim_under_valid_iris(kg):
    sqli = "01/01/1967' AND 2*3*8=6*8 AND 'AncJ'='AncJ"
    found = kg.sparql(f"PREFIX pwc: <{PWC}> SELECT ?d WHERE {{ ?d a pwc:Dataset ; pwc:name ?n FILTER(?n = ?want) }}"
                      .replace("?want", str(ox.Literal(sqli))))
    assert len(found) == 1
    assert found[0]["d"].value.isascii() and " " not in found[0]["d"].value


def test_a_code_link_whose_repository_url_is_not_an_iri_is_percent_encoded(kg):
    urls = values(kg, "SELECT ?u WHERE { ?r a pwc:Repository ; pwc:url ?u }")
    assert any("%3C" in u and " " not in u for u in urls)


@pytest.mark.parametrize(("source", "record", "field"), [
    ("methods.json", "/4", "collections"), ("methods.json", "/6", "name"), ("methods.json", "/7", "full_name"),
    ("datasets.json", "/3", "languages"), ("datasets.json", "/3", "variants"), ("datasets.json", "/7", "name"),
    ("links-between-papers-and-code.json", "/6", "repo_url"), ("links-between-papers-and-code.json", "/8", "is_official"),
])
def test_other_files_reject_what_does_not_fit(rejects, source, record, field):
    assert any(r["field"] == field for r in reject_at(rejects, source, record))


def test_build_in_another_order_gives_the_same_graph(tmp_path):
    files = sorted(p for p in QUIRKS.glob("*.json") if p.name != "EXPECTED.json")
    a = pwc_kg.build([str(p) for p in files], tmp_path / "a")
    b = pwc_kg.build([str(p) for p in reversed(files)], tmp_path / "b")
    assert a.triples == b.triples
