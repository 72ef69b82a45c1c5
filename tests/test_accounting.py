"""Nothing lost: every value cell of the real leaderboards is in the graph or in the rejects report."""

from __future__ import annotations

import json

from conftest import SOTA_FILES, rejects_of

import pwc_kg
from pwc_kg.pointers import pointer


def cells(node, ptr=""):
    """JSON Pointers of every metric value cell in an evaluation-tables structure."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from cells(item, ptr + pointer(i))
    elif isinstance(node, dict):
        if "model_name" in node and isinstance(node.get("metrics"), dict):
            for name in node["metrics"]:
                yield ptr + pointer("metrics", name)
            return
        for key in ("datasets", "subdatasets", "subtasks"):
            if isinstance(node.get(key), list):
                yield from cells(node[key], ptr + pointer(key))
        sota = node.get("sota")
        if isinstance(sota, dict) and isinstance(sota.get("rows"), list):
            yield from cells(sota["rows"], ptr + pointer("sota", "rows"))


def test_graph_plus_rejects_equals_input_for_every_real_leaderboard_file(sota_store):
    kg = pwc_kg.open_store(sota_store)
    rejected = {(r["source"], r["record"]) for r in rejects_of(sota_store)}
    total_in = total_graph = total_rejected = 0
    for path in SOTA_FILES:
        expected = set(cells(json.loads(path.read_text(encoding="utf-8"))))
        graph = f"https://w3id.org/pwc-kg/resource/graph/source/{path.name}"
        in_graph = {r["rec"].value for r in kg.sparql(f"""PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
            SELECT DISTINCT ?rec WHERE {{ GRAPH <{graph}> {{ ?r a pwc:EvaluationResult ; pwc:sourceRecord ?rec }} }}""")}
        in_rejects = {rec for src, rec in rejected if src == path.name and rec in expected}
        assert not in_graph & in_rejects, f"{path.name}: a cell is both mapped and rejected"
        assert in_graph | in_rejects == expected, f"{path.name}: cells lost: {sorted(expected - in_graph - in_rejects)[:5]}"
        total_in += len(expected)
        total_graph += len(in_graph)
        total_rejected += len(in_rejects)
    assert total_in == 3523  # the six files' value cells (tests/fixtures/sota-extractor/SOURCE.md)
    assert total_graph > 3000


def test_every_reject_names_source_record_field_value_and_reason(sota_store):
    rejects = rejects_of(sota_store)
    assert rejects
    for r in rejects:
        assert set(r) == {"source", "record", "field", "value", "reason"}
        assert r["source"] and r["record"].startswith("/") and r["field"] and r["reason"]


def test_build_report_counts_records_and_rejects(tmp_path):
    report = pwc_kg.build([str(p) for p in SOTA_FILES], tmp_path / "s", rejects=tmp_path / "rejects.jsonl")
    assert report.records == 37  # top-level tasks of the six files
    assert report.rejects == len((tmp_path / "rejects.jsonl").read_text().splitlines())
    assert report.violations == 0
    assert report.triples > 40000
