"""The search index's ranking and counts (catalogue/search.py), after the regression of 2026-12-07: on the full
archive a broad query read every match several times (a count per kind, a ranking expression per match) and
took 0.1-1.2 s; the index now keeps each kind in one range of row ids and a table of names."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pwc_kg.catalogue import search
from pwc_kg.catalogue.search import FILE_NAME, SearchIndex, words_query

QUERIES = ["lamini", "LaMini-LM", "flan", "t5", "a", "language model", "instruction", "gpt 2", "nothing-like-this"]


@pytest.fixture(scope="module")
def index(lamini_store) -> SearchIndex:
    return SearchIndex((Path(lamini_store) / "current").resolve() / FILE_NAME)


def _all(index: SearchIndex, q: str, kind=None, per_page: int = 7) -> list:
    out, page = [], 0
    while True:
        hits, _ = index.search(q, kind, limit=per_page, offset=page * per_page)
        if not hits:
            return out
        out += hits
        page += 1


@pytest.mark.parametrize("q", QUERIES)
def test_counts_per_kind_are_the_matches_of_each_kind(index, q):
    _, counts = index.search(q)
    with sqlite3.connect(f"file:{index.path}?mode=ro", uri=True) as db:
        expected = dict(db.execute("SELECT kind, count(*) FROM entries WHERE entries MATCH ? GROUP BY kind",
                                   (words_query(q),)).fetchall()) if words_query(q) else {}
    assert counts == expected


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("kind", [None, "Model", "Paper"])
def test_pages_walked_one_by_one_give_every_hit_once(index, q, kind):
    walked = _all(index, q, kind)
    _, counts = index.search(q, kind)
    assert len({h.iri for h in walked}) == len(walked)
    assert len(walked) == (counts.get(kind, 0) if kind else sum(counts.values()))
    assert all(h.kind == kind for h in walked) if kind else True


def test_a_name_that_is_the_words_comes_first_then_names_starting_with_them_papers_first(index):
    hits, _ = index.search("LaMini")
    assert hits[0].kind == "Paper" and hits[0].label.startswith("LaMini-LM")
    starting = [h for h in hits if search.normal_words(h.label).startswith("lamini")]
    assert hits[:len(starting)] == starting  # every name starting with the words before any other hit


def test_past_bm25_max_the_rest_comes_in_the_indexs_own_order(index, monkeypatch):
    ranked = _all(index, "model")
    monkeypatch.setattr(search, "BM25_MAX", 0)
    ordered = _all(index, "model")
    assert {h.iri for h in ordered} == {h.iri for h in ranked}  # the same hits, only in another order
    ids = {}
    with sqlite3.connect(f"file:{index.path}?mode=ro", uri=True) as db:
        for rowid, iri in db.execute("SELECT rowid, iri FROM entries"):
            ids[iri] = rowid
    tail = [ids[h.iri] for h in ordered if not search.normal_words(h.label).startswith("model")]
    assert tail == sorted(tail)


def test_papers_are_kept_newest_first_in_the_index(index):
    with sqlite3.connect(f"file:{index.path}?mode=ro", uri=True) as db:
        years = [d for (d,) in db.execute("SELECT detail FROM entries WHERE kind = 'Paper' ORDER BY rowid")]
    numbers = [int(y) for y in years if y.isdigit()]
    assert numbers == sorted(numbers, reverse=True) and numbers
