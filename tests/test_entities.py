"""The table of entity kinds (pwc_kg.entities) agrees with the ontology, the minter and its readers."""

from __future__ import annotations

import inspect

import pytest

from pwc_kg.entities import KIND_OF_CLASS, KINDS, NAME_PROPERTIES, SEGMENTS
from pwc_kg.iri import Minter
from pwc_kg.queries.named import ENTITY_KINDS
from pwc_kg.vocab import PWC


def test_each_kind_has_one_segment_and_its_class_is_in_the_ontology():
    assert len(SEGMENTS) == len(KINDS)
    assert all(k.cls is None or k.cls in PWC for k in KINDS)
    assert len(KIND_OF_CLASS) == len([k for k in KINDS if k.cls])
    assert all(p.startswith("http") for p in NAME_PROPERTIES)


def test_every_iri_the_minter_mints_is_of_a_kind_of_the_table_and_every_kind_is_minted_by_it():
    mint = Minter("https://example.org/")
    minted = set()
    for name, method in inspect.getmembers(mint, inspect.ismethod):
        if name.startswith("_"):
            continue
        args = ["https://example.org/x" for p in inspect.signature(method).parameters.values()
                if p.default is inspect.Parameter.empty]  # one for *fields too
        iri = method(*args)
        minted.add(iri.removeprefix(mint.base).split("/", 1)[0])
    minted.discard("x")  # subdataset: under its dataset's IRI
    assert minted == SEGMENTS


def test_the_minter_refuses_a_kind_not_in_the_table():
    with pytest.raises(ValueError, match="no kind"):
        Minter()._("papers", "x")


def test_the_readers_derive_their_kinds_from_the_table():
    from pwc_kg.serve.pages.router import GENERIC, VIEWS
    from pwc_kg.submissions.statements import SUBJECT_KINDS

    assert ENTITY_KINDS == {"Paper", "Task", "Dataset", "Metric", "Model", "Method", "Benchmark", "EvaluationResult"}
    assert VIEWS == {"paper": "Paper", "task": "Task", "dataset": "Dataset", "method": "Method", "metric": "Metric",
                     "model": "Model", "benchmark": "Benchmark", "result": "EvaluationResult"}
    assert set(VIEWS) | GENERIC == SEGMENTS and not set(VIEWS) & GENERIC
    assert SUBJECT_KINDS == {"paper", "author", "task", "area", "dataset", "method", "collection", "proceeding",
                             "repository", "code-link", "model", "metric", "benchmark", "result", "data-loader"}
