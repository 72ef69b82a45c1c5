"""Lineage questions: transitive both ways, with the relation at each step; aliases; compare with the base."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, LAMINI

import pwc_kg

LINEAGE_FILE = Path(__file__).resolve().parents[1] / "ontology" / "lineage.csv"


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    store = tmp_path_factory.mktemp("lineage") / "store"
    pwc_kg.build([str(LAMINI), str(FIXTURES / "model-cards"), str(LINEAGE_FILE)], store)
    return pwc_kg.open_store(store)


def edges(rows, direction):
    return {(r["model"], r["relation"], r["parent"], r["depth"]) for r in rows if r["direction"] == direction}


def test_a_chain_of_three_cards_is_transitive_both_ways(kg):
    down = edges(kg.lineage("meta-llama/Llama-2-7b-hf", ancestors=False), "descendant")
    assert ("org/llama-2-7b-chat-ft", "fine-tuned", "meta-llama/Llama-2-7b-hf", 1) in down
    assert ("org/llama-2-7b-chat-ft-GGUF", "quantized", "org/llama-2-7b-chat-ft", 2) in down
    up = edges(kg.lineage("org/llama-2-7b-chat-ft-GGUF", descendants=False), "ancestor")
    assert up == {("org/llama-2-7b-chat-ft-GGUF", "quantized", "org/llama-2-7b-chat-ft", 1),
                  ("org/llama-2-7b-chat-ft", "fine-tuned", "meta-llama/Llama-2-7b-hf", 2)}


def test_a_merge_has_several_parents(kg):
    up = edges(kg.lineage("org/llama-2-7b-slerp-merge", descendants=False), "ancestor")
    merged = {p for m, rel, p, d in up if rel == "merged" and d == 1}
    assert merged == {"meta-llama/Llama-2-7b-chat-hf", "org/llama-2-7b-chat-ft"}
    assert ("org/llama-2-7b-chat-ft", "fine-tuned", "meta-llama/Llama-2-7b-hf", 2) in up


def test_a_model_named_by_the_leaderboard_and_by_the_hub_is_one_model(kg):
    by_name = edges(kg.lineage("LaMini-GPT 1.5B"), "ancestor")
    by_hub_id = edges(kg.lineage("MBZUAI/LaMini-GPT-1.5B"), "ancestor")
    assert by_name == by_hub_id == {("LaMini-GPT 1.5B", "distilled", "openai/gpt-3.5-turbo", 1),
                                    ("LaMini-GPT 1.5B", "fine-tuned", "GPT-2-XL 1.5B", 1)}


def test_compare_with_the_base_from_the_lineage(kg):
    rows = kg.compare("MBZUAI/LaMini-GPT-1.5B")
    assert {r["base"] for r in rows} == {"GPT-2-XL 1.5B"}
    piqa = [r for r in rows if r["dataset"] == "PIQA"]
    assert [(r["value"], r["base_value"], r["better"]) for r in piqa] == [(71.3, 70.5, True)]
    assert len(rows) == 8


def test_model_sota_follows_aliases(kg):
    rows = kg.model_sota("google/flan-t5-large")
    assert {(r["dataset"], r["status"]) for r in rows} >= {("PIQA", "leads"), ("WinoGrande", "leads")}


def test_cli_lineage_columns(kg):
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "pwc_kg", "lineage", "org/llama-2-7b-chat-ft-GGUF", "--ancestors",
                          "--store", str(kg.dir.path), "--format", "json"], capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout)
    assert rows and {"model", "relation", "parent", "depth"} <= set(rows[0])
