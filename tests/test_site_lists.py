"""The lists (/datasets, /methods, /papers) and a paper's related papers.

The catalogue's tables (catalogue/datasets.py, methods.py, papers.py) are checked against SPARQL
written here for what each column means; the pages against the tables (and, for filters, against
SPARQL again); paging, bad parameters, escaping; the related papers' order against the ranking
computed here from SPARQL answers; and each page in headless Chromium (tests/browsing.py).
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox
import pytest
from browsing import needs_browser, screenshot
from conftest import LAMINI_TITLE
from served import SCRIPT, SQL, render, served_pages

import pwc_kg
from pwc_kg import catalogue
from pwc_kg.catalogue import Catalogue
from pwc_kg.catalogue import key
from pwc_kg.queries.binding import bind_values
from pwc_kg.serve.pages import listing

LISTS = ("datasets", "methods", "papers", "task_keys")
PWC = "PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>\n"
BASE = "https://w3id.org/pwc-kg/resource/"
LAMINI_PAPER = BASE + "paper/lamini-lm-a-diverse-herd-of-distilled-models"


def select(store: Path, query: str, **bindings) -> list[dict]:
    """The rows of a SELECT on the store (values bound with VALUES), as dicts of lexical forms."""
    s = ox.Store.read_only(str(Path(store) / "current" / "db"))
    results = s.query(bind_values(PWC + query, bindings))
    names = [v.value for v in results.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in results]


def pairs(store: Path, query: str, a: str, b: str) -> set[tuple[str, str]]:
    return {(r[a], r[b]) for r in select(store, query)}


def built(store: Path, tmp_path: Path) -> Catalogue:
    path = tmp_path / "c.sqlite"
    catalogue.build(ox.Store.read_only(str(Path(store) / "current" / "db")), path, only=LISTS)
    return Catalogue(path)


# --- a small archive whose papers share tasks, methods and datasets ------------------------------

def paper(slug: str, title: str, date: str | None, tasks: list[str], methods: list[str] = ()) -> dict:
    return {"paper_url": f"https://paperswithcode.com/paper/{slug}", "arxiv_id": None, "title": title,
            "abstract": "", "url_abs": None, "url_pdf": None, "authors": [], "tasks": tasks, "date": date,
            "methods": [{"name": m, "full_name": m, "main_collection": None} for m in methods]}


CRAFTED_TITLE = f"{SCRIPT} Shared B{SQL}"
# P0 is the paper whose related papers are asked; tasks A and B, methods M1 and M2, and (through its
# result) the task A and dataset D1, which P4 introduced.
PAPERS = [paper("p0", "P0 focus", "2021-01-01", ["Task A", "Task B"], ["M1", "M2"]),
          paper("p1", "P1 shares A and M1", "2020-01-01", ["Task A"], ["M1"]),
          paper("p2", "P2 shares A and B", "2019-01-01", ["Task A", "Task B"]),
          paper("p3", CRAFTED_TITLE, "2022-01-01", ["Task B"]),
          paper("p4", "P4 introduced D1", "2018-01-01", ["Task C"]),
          paper("p5", "P5 shares A", "2023-01-01", ["Task A"]),
          paper("p6", "P6 shares B", "2024-01-01", ["Task B"])]
# Seven papers; A and B have four each, M1 and D1 two: w(A) = w(B) = log(7/4), w(M1) = w(D1) = log(7/2).
RELATED_ORDER = ["P1 shares A and M1", "P4 introduced D1", "P2 shares A and B", "P6 shares B", "P5 shares A",
                 CRAFTED_TITLE]


ATTENTION = {"collection": "Attention", "area_id": "nlp", "area": "Natural Language Processing"}


def lists_archive(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"model_name": "Model Zero", "paper_title": "P0 focus", "paper_url": "https://paperswithcode.com/paper/p0",
             "paper_date": "2021-01-01", "code_links": [], "model_links": [], "metrics": {"Accuracy": "70"},
             "uses_additional_data": False}]
    tables = [{"task": "Task A", "description": "", "categories": [], "source_link": None, "synonyms": [],
               "subtasks": [], "datasets": [{"dataset": "D1", "description": "", "dataset_links": [],
                                             "dataset_citations": [], "subdatasets": [],
                                             "sota": {"metrics": ["Accuracy"], "rows": rows}}]}]

    def dataset(slug, name, modalities, languages, tasks, introduced=None, papers=None):
        return {"url": f"https://paperswithcode.com/dataset/{slug}", "name": name, "full_name": name, "homepage": None,
                "description": "", "paper": introduced, "introduced_date": None, "modalities": modalities,
                "tasks": [{"task": t, "url": None} for t in tasks], "languages": languages, "variants": [],
                "data_loaders": [], "num_papers": papers}

    datasets = [dataset("d1", "D1", ["Images", SCRIPT], ["English"], ["Task A"],
                        {"title": "P4 introduced D1", "url": "https://paperswithcode.com/paper/p4"}, 12),
                dataset("d2", "D2", ["Texts"], ["English", "French"], ["Task A", "Task B"], papers=40),
                dataset("d3", f"d3 {SCRIPT}", ["Texts"], [], ["Task C"]),
                dataset("d4", "D4", ["Images"], ["French"], [], papers=3)]
    methods = [{"url": f"https://paperswithcode.com/method/{slug}", "name": name, "full_name": name, "description": "",
                "paper": None, "introduced_year": 2020, "source_url": None, "source_title": None,
                "code_snippet_url": None, "num_papers": n, "collections": collections}
               for slug, name, n, collections in [
                   ("m1", "M1", 5, [{"collection": "Optimizers", "area_id": "general", "area": "General"}]),
                   ("m2", "M2", None, [ATTENTION, {"collection": SCRIPT, "area_id": "general", "area": "General"}]),
                   ("m3", "M3", 9, [ATTENTION]),
                   ("m4", "M4", None, [])]]
    code = [{"paper_url": "https://paperswithcode.com/paper/p1", "paper_title": "P1 shares A and M1",
             "paper_arxiv_id": None, "paper_url_abs": None, "paper_url_pdf": None,
             "repo_url": f"https://github.com/x/{name}", "is_official": False, "mentioned_in_paper": False,
             "mentioned_in_github": False, "framework": "none"} for name in ("one", "two")]
    for name, data in [("papers-with-abstracts.json", PAPERS), ("evaluation-tables.json", tables),
                       ("datasets.json", datasets), ("methods.json", methods),
                       ("links-between-papers-and-code.json", code)]:
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def lists_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lists")
    store = root / "store"
    pwc_kg.build([str(lists_archive(root / "archive"))], store)
    return store


@pytest.fixture(scope="module", params=["lists_store", "lamini_store", "sota_store", "quirks_store"])
def any_store(request) -> Path:
    return request.getfixturevalue(request.param)


# --- the tables equal their SPARQL -----------------------------------------------------------------

def test_the_papers_table_equals_its_sparql(any_store, tmp_path):
    cat = built(any_store, tmp_path)
    table = {r["iri"]: r for r in cat.rows("SELECT * FROM papers")}
    expected = {r["paper"]: (r.get("title"), r.get("date")) for r in select(any_store, """
        SELECT ?paper (MIN(?t) AS ?title) (MIN(STR(?d)) AS ?date) WHERE {
          ?paper a pwc:Paper . OPTIONAL { ?paper pwc:title ?t } OPTIONAL { ?paper pwc:publicationDate ?d } }
        GROUP BY ?paper""")}
    assert expected and {iri: (r["title"], r["date"]) for iri, r in table.items()} == expected
    code = {r["paper"]: int(r["n"]) for r in select(any_store, """
        SELECT ?paper (COUNT(DISTINCT ?repo) AS ?n) WHERE { ?paper pwc:codeLink/pwc:repository ?repo }
        GROUP BY ?paper""")}
    results = {r["paper"]: int(r["n"]) for r in select(any_store, """
        SELECT ?paper (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a pwc:EvaluationResult ; pwc:reportedIn ?paper }
        GROUP BY ?paper""")}
    assert {iri: r["code_count"] for iri, r in table.items()} == {iri: code.get(iri, 0) for iri in table}
    assert {iri: r["result_count"] for iri, r in table.items()} == {iri: results.get(iri, 0) for iri in table}
    assert len(set(r["id"] for r in table.values())) == len(table)


LINK_ORACLES = {
    "paper_task": ("task", """SELECT DISTINCT ?paper ?x WHERE {
        { ?paper pwc:hasTask ?x } UNION { ?r pwc:reportedIn ?paper ; pwc:benchmark/pwc:task ?x } }"""),
    "paper_method": ("method", "SELECT DISTINCT ?paper ?x WHERE { ?paper pwc:usesMethod ?x }"),
    "paper_dataset": ("dataset", """SELECT DISTINCT ?paper ?x WHERE {
        { ?r pwc:reportedIn ?paper ; pwc:benchmark/pwc:dataset ?x }
        UNION { ?x a pwc:Dataset ; pwc:introducedIn ?paper } }"""),
}


@pytest.mark.parametrize("table", sorted(LINK_ORACLES))
def test_each_link_table_equals_its_sparql(any_store, tmp_path, table):
    cat = built(any_store, tmp_path)
    kind, query = LINK_ORACLES[table]
    rows = cat.rows(f"SELECT l.{kind} AS k, l.day, p.iri, p.date FROM {table} l JOIN papers p ON p.id = l.paper")
    assert {(r["iri"], r["k"]) for r in rows} == {(p, key(x, kind)) for p, x in pairs(any_store, query, "paper", "x")}
    assert all(r["day"] == (int(r["date"].replace("-", "")) if r["date"] else 0) for r in rows)
    if any_store.parent.name.startswith("lamini") and table != "paper_method":
        assert rows  # the seed paper has tasks and datasets


def test_the_datasets_tables_equal_their_sparql(any_store, tmp_path):
    cat = built(any_store, tmp_path)
    table = {r["iri"]: r for r in cat.rows("SELECT * FROM datasets")}
    expected = {r["d"]: (r.get("name"), int(r["c"]) if "c" in r else None) for r in select(any_store, """
        SELECT ?d (MIN(?n) AS ?name) (MAX(?count) AS ?c) WHERE {
          ?d a pwc:Dataset OPTIONAL { ?d pwc:name ?n } OPTIONAL { ?d pwc:paperCount ?count } } GROUP BY ?d""")}
    assert {iri: (r["name"], r["paper_count"]) for iri, r in table.items()} == expected
    benchmarks = Counter(d for _, d in pairs(any_store, "SELECT ?b ?d WHERE { ?b a pwc:Benchmark ; pwc:dataset ?d }",
                                             "b", "d"))
    papers = Counter(d for _, d in pairs(any_store, LINK_ORACLES["paper_dataset"][1], "paper", "x"))
    assert {iri: r["benchmarks"] for iri, r in table.items()} == {iri: benchmarks[iri] for iri in table}
    assert {iri: r["papers"] for iri, r in table.items()} == {iri: papers[iri] for iri in table}
    assert all(r["key"] == key(iri, "dataset") for iri, r in table.items())
    facets = {(r["iri"], r["facet"], r["value"]) for r in cat.rows(
        "SELECT d.iri, f.facet, f.value FROM dataset_facet f JOIN datasets d ON d.id = f.dataset")}
    wanted = set()
    for facet, prop in (("modality", "modality"), ("language", "language"), ("task", "forTask")):
        for d, v in pairs(any_store, f"SELECT ?d ?v WHERE {{ ?d a pwc:Dataset ; pwc:{prop} ?v }}", "d", "v"):
            wanted.add((d, facet, key(v, "task") if facet == "task" else v))
    assert facets == wanted


def test_the_methods_tables_equal_their_sparql(any_store, tmp_path):
    cat = built(any_store, tmp_path)
    table = {r["iri"]: r for r in cat.rows("SELECT * FROM methods")}
    expected = {r["m"]: (r.get("name"), int(r["c"]) if "c" in r else None) for r in select(any_store, """
        SELECT ?m (MIN(?n) AS ?name) (MAX(?count) AS ?c) WHERE {
          ?m a pwc:Method OPTIONAL { ?m pwc:name ?n } OPTIONAL { ?m pwc:paperCount ?count } } GROUP BY ?m""")}
    assert {iri: (r["name"], r["paper_count"]) for iri, r in table.items()} == expected
    uses = Counter(m for _, m in pairs(any_store, "SELECT ?p ?m WHERE { ?p pwc:usesMethod ?m }", "p", "m"))
    assert {iri: r["papers"] for iri, r in table.items()} == {iri: uses[iri] for iri in table}
    groups = {(r["iri"], r["collection"], r["area"]) for r in cat.rows(
        "SELECT m.iri, c.collection, c.area FROM method_collection c JOIN methods m ON m.id = c.method")}
    wanted = {(r["m"], key(r["c"], "collection"), key(r["a"], "area") if "a" in r else None)
              for r in select(any_store, "SELECT ?m ?c ?a WHERE { ?m a pwc:Method ; pwc:inCollection ?c "
                                         "OPTIONAL { ?c pwc:inArea ?a } }")}
    assert groups == wanted


def test_task_keys_name_every_task(any_store, tmp_path):
    cat = built(any_store, tmp_path)
    names = {r["iri"]: r["name"] for r in cat.rows("SELECT iri, name FROM task_keys")}
    assert names == {r["t"]: r["n"] for r in select(
        any_store, "SELECT ?t (MIN(?x) AS ?n) WHERE { ?t a pwc:Task ; pwc:name ?x } GROUP BY ?t")}


# --- the pages -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lists(lists_store):
    with served_pages(lists_store) as pages:
        assert pages.catalogue(wait=120) is not None
        yield pages


def names_in(page, table: str) -> list[str]:
    return [row[0] for row in page.tables.get(table, [])]


def test_the_datasets_page_shows_its_table(lists):
    cat = lists.catalogue()
    status, html, page = render(lists, "/datasets")
    assert status == 200
    rows = cat.rows("SELECT name, full_name, paper_count, papers, benchmarks FROM datasets "
                    "ORDER BY name COLLATE NOCASE, id")
    assert [r[0] for r in page.tables["datasets"]] == [r["name"] for r in rows]  # full names equal the names here
    assert [r[4:] for r in page.tables["datasets"]] == [
        [str(r["paper_count"]) if r["paper_count"] is not None else "–", str(r["papers"]), str(r["benchmarks"])]
        for r in rows]
    d1 = page.tables["datasets"][[r["name"] for r in rows].index("D1")]
    assert d1[1:4] == [f"{SCRIPT} Images", "Task A", "English"]
    status, _, page = render(lists, "/datasets", sort="papers")
    assert status == 200 and names_in(page, "datasets") == ["D2", "D1", "D4", f"d3 {SCRIPT}"]  # 40, 12, 3, none


@pytest.mark.parametrize("params, expected", [
    ({"modality": "Images"}, ["D1", "D4"]),
    ({"modality": "Texts", "language": "French"}, ["D2"]),
    ({"language": "English"}, ["D1", "D2"]),
    ({"task": "task-b"}, ["D2"]),
    ({"task": "Task A"}, ["D1", "D2"]),  # by name, as the form sends it
    ({"task": "task-c", "modality": "Images"}, []),
    ({"modality": SCRIPT}, ["D1"]),
])
def test_the_datasets_page_filters(lists, lists_store, params, expected):
    status, html, page = render(lists, "/datasets", **params)
    assert status == 200
    assert names_in(page, "datasets") == expected
    # The same as the graph says.
    props = {"modality": "pwc:modality ?v", "language": "pwc:language ?v", "task": "pwc:forTask/pwc:name ?v"}
    by_graph = None
    for name, value in params.items():
        value = {"task-b": "Task B", "task-c": "Task C"}.get(value, value)
        query = f"SELECT ?n WHERE {{ ?d a pwc:Dataset ; pwc:name ?n ; {props[name]} }}"
        found = {r["n"] for r in select(lists_store, query, v=ox.Literal(value))}
        by_graph = found if by_graph is None else by_graph & found
    assert sorted(by_graph, key=str.casefold) == expected


def test_the_methods_page_shows_its_table_and_filters(lists):
    cat = lists.catalogue()
    status, html, page = render(lists, "/methods")
    assert status == 200
    rows = cat.rows("SELECT name, paper_count, papers FROM methods ORDER BY name COLLATE NOCASE, id")
    assert [[r[0], r[3], r[4]] for r in page.tables["methods"]] == [
        [r["name"], str(r["paper_count"]) if r["paper_count"] is not None else "–", str(r["papers"])] for r in rows]
    m2 = page.tables["methods"][[r["name"] for r in rows].index("M2")]
    assert m2[1:3] == [f"{SCRIPT} Attention", "General Natural Language Processing"]
    assert names_in(render(lists, "/methods", area="general")[2], "methods") == ["M1", "M2"]
    assert names_in(render(lists, "/methods", area="Natural Language Processing")[2], "methods") == ["M2", "M3"]
    assert names_in(render(lists, "/methods", collection="attention")[2], "methods") == ["M2", "M3"]
    assert names_in(render(lists, "/methods", area="general", collection="attention")[2], "methods") == ["M2"]
    assert names_in(render(lists, "/methods", sort="papers")[2], "methods") == ["M3", "M1", "M2", "M4"]
    status, html, page = render(lists, "/methods", area="natural-language-processing")
    assert status == 200 and "Optimizers" not in html  # the collections offered are the area's


def test_the_papers_page_is_newest_first_with_counts(lists, lists_store):
    status, html, page = render(lists, "/papers")
    assert status == 200
    shown = page.tables["papers"]
    graph = select(lists_store, "SELECT ?t ?d WHERE { ?p a pwc:Paper ; pwc:title ?t "
                                "OPTIONAL { ?p pwc:publicationDate ?d } }")
    dated = sorted((r for r in graph if "d" in r), key=lambda r: r["d"], reverse=True)
    assert [r[1] for r in shown[:len(dated)]] == [r["t"] for r in dated]
    assert [r[0] for r in shown[:len(dated)]] == [r["d"] for r in dated]
    assert all(r[0] == "" for r in shown[len(dated):])  # the papers of no date last
    by_title = {r[1]: r for r in shown}
    assert by_title["P1 shares A and M1"][3:] == ["2", "0"]  # two repositories, no results
    assert by_title["P0 focus"][3:] == ["0", "1"]
    assert by_title["P0 focus"][2] == "Task A Task B"


@pytest.mark.parametrize("params", [{"task": "task-a"}, {"method": "m1"}, {"dataset": "d1"},
                                    {"task": "task-a", "method": "m1"}, {"task": "Task B", "dataset": "D1"},
                                    {"task": "task-b", "method": "m2", "dataset": "d1"}])
def test_the_papers_page_filters(lists, lists_store, params):
    status, html, page = render(lists, "/papers", **params)
    assert status == 200, html
    wanted = None
    for name, value in params.items():
        kind, query = LINK_ORACLES[f"paper_{name}"]
        named = {r["x"] for r in select(lists_store, "SELECT ?x WHERE { ?x pwc:name ?n }", n=ox.Literal(value))}
        ids = {p for p, x in pairs(lists_store, query, "paper", "x") if key(x, kind) == value or x in named}
        wanted = ids if wanted is None else wanted & ids
    titles = {r["t"]: r.get("d", "") for r in select(
        lists_store, "SELECT ?t ?d WHERE { ?p pwc:title ?t OPTIONAL { ?p pwc:publicationDate ?d } }",
        p=[ox.NamedNode(p) for p in wanted])} if wanted else {}
    assert [r[1] for r in page.tables.get("papers", [])] == sorted(titles, key=lambda t: titles[t], reverse=True)


def test_paging_keeps_the_filters_and_the_order(lists):
    _, _, whole = render(lists, "/papers")
    everything = [r[1] for r in whole.tables["papers"]]
    got = []
    for n in (1, 2, 3, 4):
        status, html, page = render(lists, "/papers", page=str(n), per_page="2")
        assert status == 200
        got += [r[1] for r in page.tables["papers"]]
        if n < 4:
            assert f"page={n + 1}" in " ".join(page.links)
    assert got == everything and len(everything) == 7
    status, _, page = render(lists, "/datasets", per_page="1", page="2", modality="Images")
    assert status == 200 and names_in(page, "datasets") == ["D4"]
    assert "/datasets?modality=Images&per_page=1" in page.links  # the previous page: the first, filter and size kept
    status, _, page = render(lists, "/papers", task="task-a", per_page="2", page="2")
    assert status == 200 and [r[1] for r in page.tables["papers"]] == ["P1 shares A and M1", "P2 shares A and B"]


def test_two_filters_count_up_to_a_bound_and_page_on(lists, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_BOUND", 1)
    both = {"task": "task-b", "dataset": "d1"}  # P0 alone has both
    status, html, page = render(lists, "/papers", task="task-a", method="m1", per_page="1")
    assert status == 200 and "of more than 1" in " ".join("".join(page.text).split())
    assert [r[1] for r in page.tables["papers"]] == ["P0 focus"]
    status, html, page = render(lists, "/papers", task="task-a", method="m1", per_page="1", page="2")
    assert status == 200 and [r[1] for r in page.tables["papers"]] == ["P1 shares A and M1"]
    assert render(lists, "/papers", task="task-a", method="m1", per_page="1", page="3")[0] == 404
    status, html, page = render(lists, "/papers", per_page="1", **both)
    assert status == 200 and [r[1] for r in page.tables["papers"]] == ["P0 focus"] and "more than" not in html


@pytest.mark.parametrize("path, params, status", [
    ("/datasets", {"page": "0"}, 400), ("/datasets", {"page": "x"}, 400), ("/datasets", {"page": "9" * 30}, 400),
    ("/datasets", {"per_page": "501"}, 400), ("/datasets", {"per_page": "-1"}, 400), ("/datasets", {"sort": "id"}, 400),
    ("/datasets", {"page": "3"}, 404), ("/datasets", {"task": "no-such-task"}, 404),
    ("/datasets", {"modality": "x" * 600}, 400), ("/datasets", {"modality": "Smells"}, 404),
    ("/datasets", {"language": "Klingon", "modality": "Texts"}, 404),
    ("/methods", {"area": "nowhere"}, 404), ("/methods", {"collection": SQL}, 404), ("/methods", {"page": "2"}, 404),
    ("/methods", {"sort": SCRIPT}, 400),
    ("/papers", {"task": SQL}, 404), ("/papers", {"method": SCRIPT}, 404), ("/papers", {"dataset": "nope"}, 404),
    ("/papers", {"page": "100000"}, 404), ("/papers", {"per_page": "0"}, 400), ("/papers", {"page": "1.5"}, 400),
    ("/papers", {"page": "²"}, 400), ("/papers", {"page": "١"}, 400), ("/papers", {"task": "\ud800"}, 400),
    ("/papers", {"task": "task-a", "method": "m1", "page": "9"}, 404),
])
def test_bad_parameters_get_a_clear_answer(lists, path, params, status):
    got, html, page = render(lists, path, **params)
    assert got == status
    assert SCRIPT not in html
    if status != 200:
        assert 'class="error"' in html


def test_the_lists_answer_503_while_the_catalogue_is_built(lists, monkeypatch):
    monkeypatch.setattr(lists, "catalogue", lambda wait=0.0: None)
    for path in ("/datasets", "/methods", "/papers"):
        status, html, _ = render(lists, path)
        assert status == 503 and "being prepared" in html
    assert listing.related_papers(lists, BASE + "paper/p0") == []


def test_a_paper_page_without_its_catalogue_shows_the_paper(lists, monkeypatch):
    def failed(wait=0.0):
        raise RuntimeError("the catalogue of gen-x could not be built: disk full")

    monkeypatch.setattr(lists, "catalogue", failed)
    status, html, page = render(lists, "/paper/p0")
    assert status == 200 and page.h1 == "P0 focus" and 'id="related"' not in html


def test_names_and_titles_are_escaped(lists):
    for path in ("/datasets", "/methods", "/papers", "/paper/p0"):
        status, html, page = render(lists, path)
        assert status == 200
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    _, html, _ = render(lists, "/datasets", modality=SCRIPT)
    assert "<script>alert" not in html and "modality=%3Cscript%3E" in html


def test_every_list_query_reads_an_index(lists, monkeypatch, tmp_path):
    """No page of the lists scans a table without an index (what keeps them fast on the whole archive).

    The plans are asked of a copy of the catalogue without its statistics: on these tiny tables SQLite
    rightly prefers a scan, as it would not on the whole archive's."""
    plans = []
    rows, value = Catalogue.rows, Catalogue.value
    bare = tmp_path / "bare.sqlite"
    shutil.copyfile(lists.catalogue().path, bare)
    with sqlite3.connect(bare) as db:
        db.execute("DELETE FROM sqlite_stat1")

    def explain(sql, params):
        with closing(sqlite3.connect(bare)) as db:
            plans.append((sql, [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)]))

    monkeypatch.setattr(Catalogue, "rows", lambda self, sql, params=(): explain(sql, params) or rows(self, sql, params))
    monkeypatch.setattr(Catalogue, "value",
                        lambda self, sql, params=(): explain(sql, params) or value(self, sql, params))
    for path, params in [("/datasets", {}), ("/datasets", {"sort": "papers", "modality": "Images", "task": "Task A"}),
                         ("/methods", {"area": "General", "collection": "attention", "sort": "papers"}),
                         ("/papers", {}), ("/papers", {"task": "task-a", "method": "M1", "dataset": "d1"}),
                         ("/paper/p0", {})]:
        assert render(lists, path, **params)[0] == 200
    assert len(plans) > 20
    for sql, plan in plans:
        for step in plan:
            table_scan = step.startswith("SCAN") and not step.startswith(("SCAN (subquery", "SCAN CONSTANT"))
            assert not (table_scan and "INDEX" not in step), (sql, plan)


# --- related papers --------------------------------------------------------------------------------

def expected_related(store: Path, paper_iri: str) -> list[tuple[str, list[str]]]:
    """The ranking computed from SPARQL answers: (title, what is shared, by weight) of the top ten."""
    papers = {r["p"]: (r.get("t"), r.get("d", "")) for r in select(store, """
        SELECT ?p (MIN(?x) AS ?t) (MIN(STR(?y)) AS ?d) WHERE { ?p a pwc:Paper OPTIONAL { ?p pwc:title ?x }
        OPTIONAL { ?p pwc:publicationDate ?y } } GROUP BY ?p""")}
    total = len(papers)
    names = {r["x"]: r["n"] for r in select(store, "SELECT ?x (MIN(?y) AS ?n) WHERE { ?x pwc:name ?y } GROUP BY ?x")}
    score: dict[str, float] = defaultdict(float)
    why: dict[str, list] = defaultdict(list)
    for table, (kind, query) in LINK_ORACLES.items():
        links = pairs(store, query, "paper", "x")
        having = defaultdict(set)
        for p, x in links:
            having[x].add(p)
        for x in {x for p, x in links if p == paper_iri}:
            weight = math.log(total / len(having[x]))
            for other in having[x] - {paper_iri}:
                score[other] += weight
                why[other].append((-weight, kind, names.get(x, x)))
    best = sorted(score, key=lambda p: (-round(score[p], 6), -int((papers[p][1] or "0").replace("-", "")), p))[:10]
    return [(papers[p][0], [f"{k} {n}" for _, k, n in sorted(why[p])]) for p in best]


def related_on_page(pages, path: str) -> list[tuple[str, list[str]]]:
    from html.parser import HTMLParser

    class Items(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.items, self.depth, self.part = [], 0, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "ol" and a.get("id") == "related":
                self.depth = 1
            elif self.depth and tag == "li":
                self.items.append({"title": "", "why": ""})
                self.part = "title"
            elif self.depth and tag == "span" and "why" in (a.get("class") or ""):
                self.part = "why"
            elif self.depth and tag == "span":
                self.part = None

        def handle_endtag(self, tag):
            if tag == "ol":
                self.depth = 0
            elif tag == "a" and self.part == "title":
                self.part = None

        def handle_data(self, data):
            if self.depth and self.part and self.items:
                self.items[-1][self.part] += data

    status, html, _ = render(pages, path)
    assert status == 200
    parsed = Items()
    parsed.feed(html)
    return [(i["title"].strip(), [w.strip() for w in " ".join(i["why"].split()).removeprefix("shared ").split(", ")])
            for i in parsed.items]


def test_related_papers_are_those_sharing_the_most_in_the_stated_order(lists, lists_store):
    shown = related_on_page(lists, "/paper/p0")
    assert [title for title, _ in shown] == RELATED_ORDER  # P4 is unrelated but for D1; none shares only M2
    assert dict(shown)["P1 shares A and M1"] == ["method M1", "task Task A"]  # the rarer first
    assert dict(shown)["P4 introduced D1"] == ["dataset D1"]
    assert dict(shown)["P2 shares A and B"] == ["task Task A", "task Task B"]
    assert dict(shown)[CRAFTED_TITLE] == ["task Task B"]
    assert shown == expected_related(lists_store, BASE + "paper/p0")


def test_the_related_papers_of_the_seed_paper(lamini, lamini_store):
    expected = expected_related(lamini_store, LAMINI_PAPER)
    shown = related_on_page(lamini, "/paper/lamini-lm-a-diverse-herd-of-distilled-models")
    assert len(shown) == len(expected) >= 5
    assert shown == expected
    # They are the papers that introduced the datasets the seed paper reports results on.
    assert all(w[0].startswith("dataset ") for _, w in shown)
    assert LAMINI_TITLE not in [t for t, _ in shown]


def test_a_paper_the_catalogue_does_not_know_has_no_related_papers(lists):
    assert listing.related_papers(lists, BASE + "paper/not-there") == []


# --- in the browser ------------------------------------------------------------------------------

@needs_browser
@pytest.mark.parametrize("path, name, table", [
    ("/datasets?sort=papers", "datasets", "datasets"), ("/methods", "methods", "methods"),
    ("/papers", "papers", "papers"),
    ("/paper/lamini-lm-a-diverse-herd-of-distilled-models", "paper-related", "related")])
def test_the_lists_in_the_browser(lamini_server, browser, path, name, table):
    from selenium.webdriver.common.by import By

    browser.get(lamini_server.url.rstrip("/") + path)
    element = browser.find_element(By.ID, table)
    assert element.is_displayed()
    if name == "paper-related":
        browser.execute_script("arguments[0].scrollIntoView()", element)
        assert "shared dataset" in element.text
    else:
        assert len(element.find_elements(By.CSS_SELECTOR, "tbody tr")) >= 3
    screenshot(browser, f"lists-{name}")
