"""The catalogue (pwc_kg.catalogue): the tables computed once per generation equal what the SPARQL
queries they stand for give, are made by every build and every accepted submission, and never show
half a file. The tables of the site's lists are checked in tests/test_site_*.py."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import LAMINI

import pwc_kg
from pwc_kg import catalogue
from pwc_kg import questions as q
from pwc_kg.catalogue.counts import void_counts
from pwc_kg.export.void import distinct_subjects, entities_per_class, store_counts
from pwc_kg.queries import load_query, run_query
from pwc_kg.queries.run import EmbeddedBackend
from pwc_kg.catalogue.search import FILE_NAME as SEARCH_INDEX
from pwc_kg.submissions import SubmissionService


def current(store: Path) -> Path:
    return (Path(store) / "current").resolve()


def test_every_build_writes_the_catalogue_and_the_search_index_into_its_generation(sota_store):
    gen = current(sota_store)
    assert catalogue.usable(gen / catalogue.FILE_NAME)
    assert (gen / SEARCH_INDEX).is_file()
    import json

    seconds = json.loads((gen / "build.json").read_text())["catalogue_seconds"]
    assert {"sota", "void_counts", "search_index"} <= set(seconds)


def test_table_modules_are_found_without_a_list_to_keep():
    names = {t.name for t in catalogue.tables()}
    assert {"sota", "void_counts"} <= names


@pytest.mark.parametrize("extra", [True, False])
def test_the_sota_table_is_sota_all_rq(sota_store, extra):
    kg = pwc_kg.open_store(sota_store)
    _, expected = run_query(kg.backend, load_query("sota-all"), {"extra": "true" if extra else "false"})
    want = {(r["benchmark"], r["metric"], float(r["value"]), r["higher_is_better"], r["result"],
             r["measures"] == "cost") for r in expected}
    got = {(r["benchmark"], r["metric"], r["value"], r["higher_is_better"], r["result"], r["cost"])
           for r in kg.sota_all(extra=extra)}
    assert got == want
    assert len(want) > 200


@pytest.mark.parametrize("extra", [True, False])
def test_sota_all_from_the_catalogue_equals_sota_all_from_sparql(sota_store, extra):
    kg = pwc_kg.open_store(sota_store)
    from_table = q.sota_all(kg.backend, extra=extra, catalogue=kg.catalogue())
    from_sparql = q.sota_all(kg.backend, extra=extra)
    assert from_table == from_sparql and from_table


def test_sota_all_says_which_rows_are_costs_and_how_directions_were_decided(sota_store):
    rows = pwc_kg.open_store(sota_store).sota_all()
    assert {r["direction_source"] for r in rows} >= {"table", "rule"}
    assert all(isinstance(r["cost"], bool) and isinstance(r["higher_is_better"], bool) for r in rows)


def test_void_counts_are_those_the_store_gives(lamini_store):
    gen = current(lamini_store)
    store = ox.Store.read_only(str(gen / "db"))
    kept = void_counts(catalogue.Catalogue(gen / catalogue.FILE_NAME))
    counted = store_counts(store, None, "https://w3id.org/pwc-kg/resource/graph/ontology")
    assert (kept.statements, kept.graphs, kept.predicates, kept.links) == \
           (counted.statements, counted.graphs, counted.predicates, counted.links)
    assert kept.subjects == distinct_subjects(store, None, None, counted)
    assert kept.classes == entities_per_class(store, None)


def test_a_failed_table_leaves_no_catalogue_file(lamini_store, tmp_path, monkeypatch):
    store = ox.Store.read_only(str(current(lamini_store) / "db"))
    target = tmp_path / catalogue.FILE_NAME

    def broken(self, store, db):
        raise RuntimeError("a table that fails")

    monkeypatch.setattr(catalogue.counts.VoidCounts, "fill", broken)
    with pytest.raises(RuntimeError, match="a table that fails"):
        catalogue.build(store, target)
    assert not target.exists() and not list(tmp_path.iterdir())


def test_a_generation_made_before_the_catalogue_gets_one_in_the_background(lamini_store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(lamini_store, copy, symlinks=True)
    gen = current(copy)
    (gen / catalogue.FILE_NAME).unlink()
    assert catalogue.present(gen) is None
    background = catalogue.InBackground(gen, catalogue.open_catalogue, catalogue.present, "catalogue")
    cat = background.get(wait=120)
    assert cat is not None and background.seconds is not None
    assert cat.value("SELECT count(*) FROM sota") > 0


def test_an_old_catalogue_schema_is_not_used(lamini_store, tmp_path):
    path = tmp_path / catalogue.FILE_NAME
    shutil.copyfile(current(lamini_store) / catalogue.FILE_NAME, path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    assert not catalogue.usable(path)


def test_an_accepted_submission_is_in_the_new_generations_catalogue(lamini_store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(lamini_store, copy, symlinks=True)
    import json

    svc = SubmissionService(copy)
    row = {"model_name": "Catalogued Model", "metrics": {"accuracy": "99.5"}, "paper_title": "A catalogued paper",
           "paper_date": "2024-02-01"}
    status, answer = svc.submit(json.dumps({"task": "question answering", "dataset": "piqa", "rows": [row]}).encode(),
                                "application/json", "alice")
    assert status == 202, answer
    before = current(copy)
    svc.accept(answer["id"], moderator="bob")
    after = current(copy)
    assert after != before
    cat = catalogue.present(after)
    assert cat is not None
    assert cat.rows("SELECT model_name, value FROM sota WHERE benchmark_name = 'Question Answering on PIQA' "
                    "AND metric_name = 'Accuracy' AND extra = 1") == [{"model_name": "Catalogued Model", "value": 99.5}]
    # and the search index of the new generation finds the new model
    from pwc_kg.catalogue.search import SearchIndex

    hits, _ = SearchIndex(after / SEARCH_INDEX).search("Catalogued")
    assert any(h.label == "Catalogued Model" for h in hits)


def test_the_catalogue_and_the_index_are_read_not_built_by_a_server_on_a_fresh_build(lamini_store):
    gen = current(lamini_store)
    stamp = (gen / catalogue.FILE_NAME).stat().st_mtime_ns
    background = catalogue.InBackground(gen, catalogue.open_catalogue, catalogue.present, "catalogue")
    assert background.get(wait=60) is not None and background.seconds is None
    assert (gen / catalogue.FILE_NAME).stat().st_mtime_ns == stamp


def test_the_home_pages_notable_benchmarks_from_the_catalogue_equal_the_named_query(sota_store):
    from pwc_kg.serve.pages import home
    from pwc_kg.serve.pages.reads import Reads

    class Site:  # what Reads needs: a select over the store
        def __init__(self, store):
            self.store = store

        def select(self, query, bindings=None, **_):
            from pwc_kg.queries import bind_values

            return list(EmbeddedBackend(self.store).select(bind_values(query, bindings) if bindings else query))

    gen = current(sota_store)
    store = ox.Store.read_only(str(gen / "db"))
    from_query = home.notable_benchmarks(Reads(Site(store)))
    from_table = home.notable_from_catalogue(catalogue.Catalogue(gen / catalogue.FILE_NAME))
    assert from_table == from_query and len(from_query) == 24
