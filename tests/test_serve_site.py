"""``Site``, what the pages get from the server: queries through the workers with the same limits,
the questions of a KnowledgeGraph, IRIs mapped to server paths, and caches kept per generation."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import pwc_kg
from conftest import LAMINI_TITLE
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.executor import MalformedQuery, QueryExecutor, QueryLimitError, QueryRefused, TooManyRows
from pwc_kg.serve.site import Site
from pwc_kg.store import StoreDir
from pwc_kg.vocab import PWC

BASE = "https://w3id.org/pwc-kg/resource/"


@pytest.fixture(scope="module")
def site(lamini_store):
    config = ServeConfig(store=str(lamini_store), port=8123, max_rows=100, query_timeout=5)
    store_dir = StoreDir(lamini_store)
    with QueryExecutor(store_dir, config) as executor:
        yield Site(store_dir, executor, config)


def test_questions_match_the_knowledge_graph(site, lamini_store):
    kg = pwc_kg.open_store(lamini_store)
    assert site.kg.sota("Question Answering", "PIQA") == kg.sota("Question Answering", "PIQA")
    assert site.kg.compare("LaMini-GPT 1.5B", base="GPT-2-XL 1.5B") == kg.compare("LaMini-GPT 1.5B", base="GPT-2-XL 1.5B")
    rows = site.kg.query("paper-results", paper=LAMINI_TITLE)
    assert rows == kg.query("paper-results", paper=LAMINI_TITLE) and len(rows) == 44
    with pytest.raises(pwc_kg.EntityNotFound):
        site.kg.sota("No Such Task")


def test_select_binds_values_and_keeps_the_limits(site):
    title = ox.Literal('"; DROP ALL; <script> \\')  # bound as a term: never part of the query text
    assert site.select(f"SELECT ?p WHERE {{ ?p <{PWC.title}> ?t }}", {"t": title}) == []
    rows = site.select(f"SELECT ?p WHERE {{ ?p <{PWC.title}> ?t }}", {"t": ox.Literal(LAMINI_TITLE)})
    assert len(rows) == 1 and isinstance(rows[0]["p"], ox.NamedNode)
    assert site.ask("ASK { ?s ?p ?o }") is True
    assert len(site.construct("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3")) == 3
    with pytest.raises(TooManyRows) as e:
        site.select("SELECT * WHERE { ?s ?p ?o }")
    assert isinstance(e.value, QueryLimitError) and e.value.status == 422
    assert len(site.select("SELECT * WHERE { ?s ?p ?o }", max_rows=100_000)) > 100  # a page may ask for more
    with pytest.raises(MalformedQuery):
        site.select("SELECT ?x WHERE {")
    with pytest.raises(QueryRefused):
        site.select("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")


def test_paths_iris_and_urls(site, lamini_store):
    assert site.public_base == "http://127.0.0.1:8123/"
    assert site.base_iri == BASE
    assert site.generation == StoreDir(lamini_store).current().name
    assert site.local_path(BASE + "paper/x") == "/paper/x"
    assert site.local_path(BASE + "model/hf/org/name") == "/model/hf/org/name"
    assert site.local_path("http://127.0.0.1:8123/task/y") == "/task/y"
    assert site.local_path("https://arxiv.org/abs/1") is None
    assert site.local_path(BASE + "nothing-minted/x") is None
    assert site.iri_for("/paper/x") == BASE + "paper/x"
    assert site.url("/paper/x") == "http://127.0.0.1:8123/paper/x"
    assert site.page_for("https://github.com/x") == "https://github.com/x"
    assert site.build_info["base_iri"] == BASE


def test_per_generation_cache(site):
    calls = []
    assert site.per_generation("k", lambda: calls.append(1) or "v") == "v"
    assert site.per_generation("k", lambda: calls.append(1) or "w") == "v"
    assert len(calls) == 1
    site._cache_generation = "an older generation"  # as after a new build was published
    assert site.per_generation("k", lambda: calls.append(1) or "w") == "w"
