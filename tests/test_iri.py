"""IRIs: deterministic, valid for any input, never collapsing distinct things."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given
from hypothesis import strategies as st

from pwc_kg.iri import Minter, is_generic_model_name, safe_url, slug

mint = Minter()


@given(st.text())
def test_every_minted_iri_is_valid_and_ascii(name):
    for iri in (mint.task(name), mint.dataset(name), mint.model(name, "p"), mint.metric(name),
                mint.author(name), mint.result(name, name), mint.subdataset(mint.dataset("d"), name)):
        ox.NamedNode(iri)  # raises on an invalid IRI
        assert iri.isascii()


@given(st.text())
def test_safe_url_gives_a_valid_iri_or_none(text):
    url = safe_url(text)
    if url is not None:
        ox.NamedNode(url)


@given(st.text(min_size=1), st.text(min_size=1))
def test_different_names_get_different_slugs_unless_they_differ_only_in_case_and_separators(a, b):
    from pwc_kg.iri import name_key
    import re

    same = re.sub(r"[\s_\-]+", "-", name_key(a)) == re.sub(r"[\s_\-]+", "-", name_key(b))
    if not same:
        assert slug(a) != slug(b)


def test_slugs_are_readable_where_they_can_be():
    assert slug("Question Answering") == "question-answering"
    assert slug("Top-1 Accuracy") == slug("TOP 1 accuracy") == "top-1-accuracy"
    assert slug("LaMini-GPT 1.5B") == "lamini-gpt-1.5b"
    assert slug("C++").startswith("c-") and slug("C") == "c"
    assert slug("") .startswith("h-")


def test_metric_spellings_are_one_metric():
    assert mint.metric("Top 1 Accuracy") == mint.metric("Top-1 Accuracy") == mint.metric("TOP-1 ACCURACY")
    assert mint.metric("Top-1 Accuracy") != mint.metric("Top-5 Accuracy")


def test_generic_model_names_are_scoped_to_their_paper_others_are_shared():
    assert is_generic_model_name("Baseline") and is_generic_model_name("Ours") and is_generic_model_name("Single model")
    assert mint.model("Baseline", "paper-a") != mint.model("Baseline", "paper-b")
    assert mint.model("BERT-Large", "paper-a") == mint.model("BERT-Large", "paper-b")


def test_results_differ_in_any_field():
    base = ("bench", "metric", "model", "paper", "72.2", "2023-04-27", "")
    iris = {mint.result(*base)}
    for i in range(len(base)):
        changed = list(base)
        changed[i] += "x"
        iris.add(mint.result(*changed))
    assert len(iris) == len(base) + 1
    assert mint.result(*base) == mint.result(*base)


def test_base_iri_is_configurable_and_checked():
    assert Minter("http://localhost:8000/").task("Question Answering") == "http://localhost:8000/task/question-answering"
    import pytest

    for bad in ("no-scheme/", "http://example.org/no-slash", "ftp://x/"):
        with pytest.raises(ValueError):
            Minter(bad)


@given(st.text(alphabet=st.sampled_from("htps:/.-_~%?#=&aZ09@:!$'()*+,;[] <>\"\\^`{|}éÀ\x00\t"), max_size=40).map(
    lambda s: ("http://" if len(s) % 2 else "https://example.org/") + s))
def test_the_fast_path_of_safe_url_agrees_with_the_slow_one(url):
    from pwc_kg import iri

    fast = iri.safe_url(url)
    saved = iri._CLEAN_URL
    try:
        iri._CLEAN_URL = __import__("re").compile(r"(?!)")  # never matches: always the slow path
        slow = iri.safe_url(url)
    finally:
        iri._CLEAN_URL = saved
    assert fast == slow
