"""Browse state of the art: the catalogue's task, area and benchmark tables against the SPARQL they stand for,
and the pages that read them (/sota, an area's page, the task pages, All SotA and its downloads, Notable
benchmarks) against the named queries: what they list, how they sort, filter and page, what they refuse,
what they escape; and screenshots of them in headless Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from browsing import needs_browser, screenshot
from served import SCRIPT, Parsed

import pwc_kg
from pwc_kg import catalogue
from pwc_kg.serve.pages import browse, sota_all

BASE = "https://w3id.org/pwc-kg/resource/"
NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
PREFIX = "PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


# --- fixtures ----------------------------------------------------------------------------------

def fresh_catalogue(store: Path, path: Path) -> sqlite3.Connection:
    """The catalogue's browse tables, built anew from the store, as a connection."""
    catalogue.build(ox.Store.read_only(str(Path(store) / "current" / "db")), path, only=["sota", "tasks", "benchmarks"])
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    return db


@pytest.fixture(scope="module")
def sota_db(sota_store, tmp_path_factory):
    return fresh_catalogue(sota_store, tmp_path_factory.mktemp("browse-cat") / "c.sqlite")


@pytest.fixture(scope="module")
def lamini_db(lamini_store, tmp_path_factory):
    return fresh_catalogue(lamini_store, tmp_path_factory.mktemp("browse-cat") / "c.sqlite")


def kg_of(store: Path):
    return pwc_kg.open_store(store)


def respond(pages, path: str, **params):
    out = pages.respond(path, {k: (v if isinstance(v, list) else [str(v)]) for k, v in params.items()})
    assert out is not None, path
    status, body, ctype, headers = out
    return status, body, ctype, headers


def html_of(pages, path: str, **params) -> tuple[int, str, Parsed]:
    status, body, ctype, _ = respond(pages, path, **params)
    assert ctype.startswith("text/html"), (path, ctype)
    html = body.decode("utf-8")
    return status, html, Parsed(html)


def rows_of(db, sql: str, params=()) -> list[dict]:
    return [dict(r) for r in db.execute(sql, params).fetchall()]


def values(rows, *keys) -> set[tuple]:
    return {tuple(r[k] for k in keys) for r in rows}


def iri_of(href: str) -> str:
    return BASE + urlsplit(href).path.lstrip("/")


# --- the tables equal their SPARQL -------------------------------------------------------------

def _sparql(store: Path, text: str) -> list[dict]:
    return kg_of(store).sparql(PREFIX + text, terms=False)


@pytest.mark.parametrize("which", ["sota", "lamini"])
def test_the_tasks_table_equals_the_task_tree_and_counts_of_sparql(which, request):
    store, db = request.getfixturevalue(f"{which}_store"), request.getfixturevalue(f"{which}_db")
    kg = kg_of(store)
    tasks = {r["task"]: r for r in rows_of(db, "SELECT * FROM tasks")}
    every = _sparql(store, "SELECT DISTINCT ?t WHERE { ?t a pwc:Task }")
    assert set(tasks) == {r["t"] for r in every} and tasks
    subtree = {}
    for r in rows_of(db, "SELECT task, member FROM task_subtree"):
        subtree.setdefault(r["task"], set()).add(r["member"])
    for iri, row in tasks.items():
        assert row["slug"] == iri.rsplit("/task/", 1)[1]
        tree = kg.query("tasks", task=iri)  # the public query of a task's place in the tree
        own = next(t for t in tree if t["relation"] == "self")
        assert (row["name"], row["papers"], row["benchmarks"]) == (own["task"], own["papers"], own["benchmarks"])
        assert subtree[iri] == {iri} | {t["iri"] for t in tree if t["relation"] == "subtask"}
        ancestors = {t["iri"] for t in tree if t["relation"] == "parent"}
        up = rows_of(db, "WITH RECURSIVE up(t) AS (SELECT parent FROM task_parents WHERE task = ? UNION "
                         "SELECT p.parent FROM task_parents p JOIN up ON p.task = up.t) SELECT t FROM up", (iri,))
        assert {r["t"] for r in up} == ancestors
        # with subtasks: each paper and benchmark of the task or a task under it, once
        counted = _sparql(store, f"""SELECT (COUNT(DISTINCT ?p) AS ?papers) (COUNT(DISTINCT ?b) AS ?benchmarks) WHERE {{
            ?m pwc:subtaskOf* <{iri}> . {{ ?p pwc:hasTask ?m }} UNION {{ ?b pwc:task ?m }} }}""")[0]
        assert (row["papers_all"], row["benchmarks_all"]) == (counted["papers"], counted["benchmarks"]), iri
    parents = _sparql(store, "SELECT ?t ?p WHERE { ?t pwc:subtaskOf ?p }")
    assert values(rows_of(db, "SELECT * FROM task_parents"), "task", "parent") == values(parents, "t", "p")
    if which == "sota":
        assert parents and any(len(s) > 2 for s in subtree.values())  # the tree is not flat


@pytest.mark.parametrize("which", ["sota", "lamini"])
def test_areas_and_task_areas_equal_sparql_a_subtask_taking_its_parents_area(which, request):
    store, db = request.getfixturevalue(f"{which}_store"), request.getfixturevalue(f"{which}_db")
    own = _sparql(store, "SELECT ?t ?a WHERE { ?t a pwc:Task ; pwc:inArea ?a }")
    links = _sparql(store, "SELECT ?t ?p WHERE { ?t pwc:subtaskOf ?p }")
    expected = {(r["t"], r["a"], 0) for r in own}
    with_own = {r["t"] for r in own}
    parents = {}
    for r in links:
        parents.setdefault(r["t"], set()).add(r["p"])
    for task in {r["t"] for r in links} - with_own:  # no area of its own: those of every task above it
        seen, todo = set(), list(parents[task])
        while todo:
            up = todo.pop()
            if up not in seen:
                seen.add(up)
                todo += parents.get(up, ())
        expected |= {(task, r["a"], 1) for r in own if r["t"] in seen}
    assert values(rows_of(db, "SELECT * FROM task_areas"), "task", "area", "inherited") == expected
    areas = rows_of(db, "SELECT * FROM areas")
    every = _sparql(store, "SELECT ?a (MIN(?n) AS ?name) WHERE { ?a a pwc:Area OPTIONAL { ?a pwc:name ?n } } GROUP BY ?a")
    assert values(areas, "area", "name") == values(every, "a", "name")
    for a in areas:
        members = {t for t, area, _ in expected if area == a["area"]}
        assert a["tasks"] == len(members) and a["slug"] == a["area"].rsplit("/area/", 1)[1]
        if members:
            block = " ".join(f"<{m}>" for m in members)
            counted = _sparql(store, f"""SELECT (COUNT(DISTINCT ?p) AS ?papers) (COUNT(DISTINCT ?b) AS ?benchmarks) WHERE {{
                VALUES ?t {{ {block} }} {{ ?p pwc:hasTask ?t }} UNION {{ ?b pwc:task ?t }} }}""")[0]
            assert (a["papers"], a["benchmarks"]) == (counted["papers"], counted["benchmarks"])
        else:
            assert (a["papers"], a["benchmarks"]) == (0, 0)
    if which == "lamini":
        assert any(a["tasks"] for a in areas)


@pytest.mark.parametrize("which", ["sota", "lamini"])
def test_benchmarks_boards_and_records_equal_the_named_queries(which, request):
    store, db = request.getfixturevalue(f"{which}_store"), request.getfixturevalue(f"{which}_db")
    kg = kg_of(store)
    benchmarks = {r["benchmark"]: r for r in rows_of(db, "SELECT * FROM benchmarks")}
    boards = rows_of(db, "SELECT * FROM boards")
    for task in rows_of(db, "SELECT task FROM tasks"):
        listed = kg.query("benchmarks", task=task["task"])  # benchmarks.rq: a task's benchmarks, rows = most results
        mine = [b for b in benchmarks.values() if b["task"] == task["task"]]
        assert values(mine, "benchmark", "dataset_name", "results") == values(listed, "benchmark", "dataset", "rows")
        shown = kg.query("task-benchmarks", task=task["task"])  # every metric of each, with its SOTA
        board_of = {(b["benchmark"], b["metric"]): b for b in boards if b["benchmark"] in {m["benchmark"] for m in mine}}
        assert set(board_of) == {(r["benchmark"], r["metric_iri"]) for r in shown}
        for r in shown:
            b = board_of[(r["benchmark"], r["metric_iri"])]
            higher = None if b["higher_is_better"] is None else bool(b["higher_is_better"])
            assert (b["metric_name"], b["result_count"], higher, bool(b["cost"])) == \
                   (r["metric"], r["results"], r["higher_is_better"], r["measures"] == "cost")
    notable = kg.query("notable-benchmarks")
    top = rows_of(db, "SELECT * FROM benchmarks WHERE metrics > 0 ORDER BY results DESC, benchmark LIMIT 24")
    assert values(top, "benchmark", "name", "results", "metrics") == values(notable, "benchmark", "name", "results", "metrics")
    # the record history of each leaderboard: history.rq's, in order
    records = {}
    for r in rows_of(db, "SELECT * FROM records ORDER BY board, idx"):
        records.setdefault(r["board"], []).append((r["date"], r["value"]))
    checked = 0
    for b in boards:
        if b["higher_is_better"] is None:
            assert b["board"] not in records
            continue
        bench = benchmarks[b["benchmark"]]
        history = kg.query("history", task=bench["task"], dataset=bench["dataset"], metric=b["metric"], extra="true")
        assert records.get(b["board"], []) == [(str(h["date"]), float(h["value"])) for h in history]
        checked += bool(history)
    assert checked


@pytest.mark.parametrize("which", ["sota", "lamini"])
def test_the_sota_table_equals_sota_all_with_the_task_names(which, request):
    store, db = request.getfixturevalue(f"{which}_store"), request.getfixturevalue(f"{which}_db")
    kg = kg_of(store)
    names = {r["t"]: r["n"] for r in _sparql(store, "SELECT ?t (MIN(?x) AS ?n) WHERE { ?t a pwc:Task ; pwc:name ?x } GROUP BY ?t")}
    for extra in (True, False):
        rows = rows_of(db, "SELECT * FROM sota WHERE extra = ?", (int(extra),))
        expected = kg.query("sota-all", extra="true" if extra else "false")
        assert {(r["benchmark"], r["metric_name"], float(r["value"]), r["result"], bool(r["cost"])) for r in rows} == \
               {(r["benchmark"], r["metric"], float(r["value"]), r["result"], r["measures"] == "cost") for r in expected}
        assert all(r["task_name"] == names[r["task"]] for r in rows)


# --- All SotA ----------------------------------------------------------------------------------

def _expected_sota(kg, store, extra: bool = True, cost: bool = False) -> set[tuple]:
    """sota-all.rq joined with the names a table of it shows: (task, dataset, metric, value, result)."""
    names = {r["b"]: (r["tn"], r["dn"]) for r in _sparql(store, """SELECT ?b (MIN(?t) AS ?tn) (MIN(?d) AS ?dn) WHERE {
        ?b pwc:task ?task ; pwc:datasetName ?d . ?task pwc:name ?t } GROUP BY ?b""")}
    return {(*names[r["benchmark"]], r["metric"], Decimal(str(r["value"])), r["result"])
            for r in kg.query("sota-all", extra="true" if extra else "false") if cost or r["measures"] != "cost"}


def _shown(pages, **params) -> list[tuple]:
    """Every row of All SotA with these parameters, page after page: (task, dataset, metric, value, result,
    model, date, paper)."""
    out, page = [], 1
    while True:
        status, html, parsed = html_of(pages, "/sota/all", page=page, per_page=100, **params)
        assert status == 200, html
        for cells, links in zip(parsed.tables.get("all-sota", []), parsed.table_links.get("all-sota", [])):
            out.append((cells[0], cells[1], cells[2].removesuffix(" cost"), Decimal(cells[4]), iri_of(links[4][0]),
                        cells[3], cells[5], cells[6]))
        if 'rel="next"' not in html:
            return out
        page += 1


def test_all_sota_shows_every_state_of_the_art_of_sota_all(sota, sota_store):
    kg = kg_of(sota_store)
    shown = _shown(sota)
    assert len(shown) == len({r[4] + r[2] for r in shown})  # no row twice across pages
    assert {r[:5] for r in shown} == _expected_sota(kg, sota_store)
    assert len(shown) > 100  # more than one page
    without = _shown(sota, extra="false")
    assert {r[:5] for r in without} == _expected_sota(kg, sota_store, extra=False)
    with_cost = _shown(sota, cost="true")
    assert {r[:5] for r in with_cost} == _expected_sota(kg, sota_store, cost=True)
    assert len(with_cost) > len(shown)
    # the model, date and paper each row shows are its result's
    details = {r["result"]: r for r in kg.sparql(PREFIX + """SELECT ?result ?model ?date ?title WHERE {
        ?board pwc:stateOfTheArt ?result . OPTIONAL { ?result pwc:modelName ?model }
        OPTIONAL { ?result pwc:resultDate ?date } OPTIONAL { ?result pwc:paperTitle ?title } }""", terms=False)}
    for _, _, _, _, result, model, day, paper in shown:
        d = details[result]
        assert (model, day, paper) == (d["model"] or "no model named", str(d["date"] or ""), d["title"] or ("paper" if paper == "paper" else ""))


def test_all_sota_marks_cost_metrics_when_shown_and_says_what_it_does(sota):
    _, html, parsed = html_of(sota, "/sota/all", cost="true", per_page=500)
    costs = [r for r in parsed.tables["all-sota"] if r[2].endswith(" cost")]
    assert costs and 'class="cost"' in html and "Cost metrics (size, compute, time: pwc:CostMetric) are shown" in html
    _, html, parsed = html_of(sota, "/sota/all", per_page=500)
    assert not [r for r in parsed.tables["all-sota"] if r[2].endswith(" cost")]
    assert "Cost metrics (size, compute, time) are left out" in html and "show cost metrics" in html


@pytest.mark.parametrize("key, column", [("task", 0), ("dataset", 1), ("metric", 2), ("model", 3), ("value", 4),
                                         ("date", 5), ("paper", 6)])
def test_all_sota_sorts_by_each_column_both_ways(sota, key, column):
    everything = None
    for order in ("asc", "desc"):
        _, html, parsed = html_of(sota, "/sota/all", sort=key, order=order, per_page=500)
        rows = parsed.tables["all-sota"]
        if key == "value":
            got = [Decimal(r[4]) for r in rows]
        else:
            # SQLite's NOCASE folds ASCII letters only; a row with no name (or a paper of no title) is left out
            got = [r[column].translate(NOCASE) for r in rows if r[column] not in ("", "no model named", "paper")]
        assert got == sorted(got, reverse=(order == "desc")), (key, order)
        assert f'aria-sort="{"ascending" if order == "asc" else "descending"}"' in html
        keyset = sorted(map(tuple, rows))
        assert everything is None or keyset == everything  # the same rows either way
        everything = keyset


def test_all_sota_filters_by_task_with_its_subtasks_and_by_area(sota, sota_store, lamini, lamini_store):
    kg = kg_of(sota_store)
    tree = kg.tasks("Dialogue")
    names = {t["task"] for t in tree if t["relation"] in ("self", "subtask")}
    assert len(names) > 1
    shown = _shown(sota, task="dialogue")
    assert shown and {r[:5] for r in shown} == {r for r in _expected_sota(kg, sota_store) if r[0] in names}
    expected_results = {r["result"] for r in kg.sota("Dialogue") if r.get("value") is not None}
    assert {r[4] for r in shown} <= expected_results
    # by area, on the seed paper's store (its tasks have areas)
    lkg = kg_of(lamini_store)
    in_area = {r["t"] for r in _sparql(lamini_store, "SELECT ?t WHERE { ?t pwc:inArea <%sarea/natural-language-processing> }" % BASE)}
    names = {r["n"] for r in _sparql(lamini_store, "SELECT ?t ?n WHERE { ?t pwc:name ?n }") if r["t"] in in_area}
    shown = _shown(lamini, area="natural-language-processing")
    assert shown and {r[:5] for r in shown} == {r for r in _expected_sota(lkg, lamini_store) if r[0] in names}
    status, html, _ = html_of(lamini, "/sota/all", area="natural-language-processing", task="question-answering")
    assert status == 200 and "Question Answering" in html


def test_all_sota_downloads_parse_and_match_the_page(sota):
    shown = _shown(sota, task="dialogue", extra="false")
    status, body, ctype, headers = respond(sota, "/sota/all.csv", task="dialogue", extra="false")
    assert status == 200 and ctype.startswith("text/csv")
    assert ("Content-Disposition", 'attachment; filename="sota-task-dialogue-without-extra-data.csv"') in headers
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert [(r["task"], r["dataset"], r["metric"], Decimal(r["value"]), r["result"]) for r in rows] == [s[:5] for s in shown]
    assert all(r["extra"] == "false" and r["cost"] == "false" for r in rows)
    status, body, ctype, _ = respond(sota, "/sota/all.json", task="dialogue", extra="false", sort="value", order="desc")
    assert status == 200 and ctype == "application/json"
    data = json.loads(body)
    assert data["count"] == len(data["rows"]) == len(rows) and data["task"] == "dialogue"
    assert data["extra_training_data"] is False and data["cost_metrics"] is False
    got = [(r["task"], r["dataset"], r["metric"], Decimal(str(r["value"])), r["result"]) for r in data["rows"]]
    assert sorted(got) == sorted(s[:5] for s in shown)
    assert [g[3] for g in got] == sorted((g[3] for g in got), reverse=True)
    # every row, not a page: the whole table
    _, body, _, _ = respond(sota, "/sota/all.json", cost="true", per_page=5)
    assert json.loads(body)["count"] == len(_shown(sota, cost="true"))


@pytest.mark.parametrize("path, params, status", [
    ("/sota/all", {"page": "0"}, 400), ("/sota/all", {"page": "x"}, 400), ("/sota/all", {"page": "-1"}, 400),
    ("/sota/all", {"page": "9" * 30}, 400), ("/sota/all", {"per_page": "501"}, 400), ("/sota/all", {"per_page": "0"}, 400),
    ("/sota/all", {"sort": "rowid; DROP TABLE sota"}, 400), ("/sota/all", {"order": "up"}, 400),
    ("/sota/all", {"extra": "maybe"}, 400), ("/sota/all", {"cost": "yes"}, 400), ("/sota/all", {"page": ["1", "2"]}, 400),
    ("/sota/all", {"task": "no-such-task"}, 404), ("/sota/all", {"area": "' OR 1=1 --"}, 404),
    ("/sota/all", {"page": "50"}, 404), ("/sota/all.csv", {"sort": "x"}, 400), ("/sota/all.json", {"task": "nope"}, 404),
    ("/sota/no-such-area", {}, 404), ("/sota/no-area", {"page": "99"}, 404), ("/sota/no-area", {"per_page": "x"}, 400),
    ("/benchmarks", {"page": "abc"}, 400), ("/benchmarks", {"page": "1000"}, 404), ("/benchmarks", {"per_page": "1000"}, 400),
    # digits that are not ASCII ('²'.isdigit() is true, int('²') fails) and text that is not text: once a 500
    ("/sota/all", {"page": "²"}, 400), ("/benchmarks", {"per_page": "١"}, 400), ("/sota/all", {"area": "\ud800"}, 400),
    ("/sota/all", {"task": "x" * 600}, 400),
])
def test_bad_parameters_are_a_400_or_404_page_never_a_500(sota, path, params, status):
    got, body, ctype, _ = respond(sota, path, **params)
    assert got == status, body[-600:]
    assert ctype.startswith("text/html")
    if status == 400:
        assert 'id="error"' in body.decode()


def test_pages_answer_503_while_the_catalogue_is_being_built_and_the_task_page_falls_back(sota, monkeypatch):
    monkeypatch.setattr(sota, "catalogue", lambda wait=0.0: None)
    for path in ("/sota", "/sota/all", "/sota/all.csv", "/benchmarks", "/sota/no-area"):
        status, body, _, _ = respond(sota, path)
        assert status == 503 and b'id="not-ready"' in body, path
    status, html, parsed = html_of(sota, "/task/question-answering")
    assert status == 200 and parsed.tables["benchmarks"] and "appear when this store generation" in html


# --- /sota and the area pages ------------------------------------------------------------------

def test_sota_lists_each_area_with_its_biggest_tasks_and_their_counts(lamini, lamini_db, sota, sota_db):
    _, html, parsed = html_of(lamini, "/sota")
    for area in rows_of(lamini_db, "SELECT * FROM areas WHERE tasks > 0"):
        section = html.split(f'id="area-{area["slug"]}"')[1].split("</section>")[0]
        assert f'{area["tasks"]:,} tasks · {area["benchmarks"]:,} benchmarks · {area["papers"]:,} papers' in section
        tops = rows_of(lamini_db, "SELECT t.* FROM task_areas a JOIN tasks t ON t.task = a.task WHERE a.area = ?", (area["area"],))
        for t in tops:
            assert re.search(rf'href="/task/{re.escape(t["slug"])}">{re.escape(t["name"])}</a>\s*<span class="counts">'
                             rf'{t["benchmarks_all"]:,} benchmarks · {t["papers_all"]:,} papers', section)
    assert "General" not in html  # an area of method collections only: no tasks to browse
    # the sota store's tasks have no area: listed as such, the biggest first, with their subtasks
    _, html, parsed = html_of(sota, "/sota")
    section = html.split('id="area-no-area"')[1].split("</section>")[0]
    shown = re.findall(r'<a class="task" href="/task/([^"]+)">', section)
    tops = rows_of(sota_db, "SELECT * FROM tasks WHERE task NOT IN (SELECT task FROM task_parents) "
                            "ORDER BY benchmarks_all DESC, papers_all DESC, name COLLATE NOCASE LIMIT ?", (browse.AREA_PREVIEW,))
    assert shown == [t["slug"] for t in tops]
    assert '<a href="/task/dialogue-state-tracking">Dialogue State Tracking</a>' in section
    assert 'href="/sota/no-area">All ' in section


def test_an_area_page_lists_every_task_once_nested_under_its_parent_and_pages(sota, sota_db):
    tasks = rows_of(sota_db, "SELECT * FROM tasks")
    _, html, _ = html_of(sota, "/sota/no-area", per_page=500)
    listed = re.findall(r'<a class="task" href="/task/([^"]+)">', html)
    assert sorted(listed) == sorted(t["slug"] for t in tasks)  # no task twice: no task has two parents here
    tree = html.split('id="tasks"')[1]
    children = rows_of(sota_db, "SELECT t.slug FROM task_parents p JOIN tasks t ON t.task = p.task "
                                "WHERE p.parent = ?", (BASE + "task/dialogue",))
    block = tree.split('href="/task/dialogue">')[1].split("</ul>")[0]
    assert children and all(f'href="/task/{c["slug"]}"' in block for c in children)
    # paged over the top-level tasks: the pages hold them all, once, in the order of the whole list
    tops = rows_of(sota_db, "SELECT slug FROM tasks WHERE task NOT IN (SELECT task FROM task_parents) "
                            "ORDER BY benchmarks_all DESC, papers_all DESC, name COLLATE NOCASE")
    paged, page = [], 1
    while True:
        _, html, _ = html_of(sota, "/sota/no-area", per_page=10, page=page)
        paged += re.findall(r'<li class="top"><a class="task" href="/task/([^"]+)">', html)
        if 'rel="next"' not in html:
            break
        assert f'rel="next" href="/sota/no-area?page={page + 1}&amp;per_page=10"' in html
        page += 1
    assert page > 1 and paged == [t["slug"] for t in tops]


# --- Notable benchmarks ------------------------------------------------------------------------

def test_notable_benchmarks_lists_the_named_querys_first_and_every_benchmark_paged(sota, sota_store, sota_db):
    notable = kg_of(sota_store).query("notable-benchmarks")
    _, html, parsed = html_of(sota, "/benchmarks", per_page=24)
    rows = parsed.tables["notable"]
    links = parsed.table_links["notable"]
    got = {(iri_of(l[1][0]), r[1], r[2], r[3], int(r[4].replace(",", "")), int(r[5])) for r, l in zip(rows, links)}
    assert got == {(n["benchmark"], n["name"], n["task"], n["dataset"], n["results"], n["metrics"]) for n in notable}
    counts = [int(r[4].replace(",", "")) for r in rows]
    assert counts == sorted(counts, reverse=True) and [r[0] for r in rows] == [str(i) for i in range(1, 25)]
    everything = []
    page = 1
    while True:
        status, html, parsed = html_of(sota, "/benchmarks", page=page)
        assert status == 200
        everything += [iri_of(l[1][0]) for l in parsed.table_links["notable"]]
        if 'rel="next"' not in html:
            break
        page += 1
    assert page > 1 and len(everything) == len(set(everything)) == sota_db.execute(
        "SELECT COUNT(*) FROM benchmarks WHERE metrics > 0").fetchone()[0]


# --- the task page -----------------------------------------------------------------------------

def test_the_task_page_lists_exactly_the_benchmarks_of_the_task_and_its_subtasks(sota, sota_store, sota_db):
    kg = kg_of(sota_store)
    for slug in ("question-answering", "dialogue", "visual-question-answering"):
        iri = BASE + "task/" + slug
        status, html, parsed = html_of(sota, f"/task/{slug}")
        assert status == 200
        expected = {r["b"] for r in _sparql(sota_store, f"SELECT ?b WHERE {{ ?t pwc:subtaskOf* <{iri}> . ?b pwc:task ?t }}")}
        rows, links = parsed.tables["benchmarks"], parsed.table_links["benchmarks"]
        firsts = [iri_of(l[0][0]) for r, l in zip(rows, links) if len(r) == 6]  # a benchmark's first row has its cell
        assert sorted(firsts) == sorted(expected) and len(firsts) == len(set(firsts))
        # every state of the art of the task and its subtasks: sota.rq's (metric, value), on the page
        shown = {(r[-4], Decimal(r[-2])) for r in rows if r[-2]}
        sota_rows = [s for s in kg.sota(iri) if s["value"] is not None]
        assert sota_rows and {(s["metric"], Decimal(str(s["value"]))) for s in sota_rows} <= shown
        assert f'href="/sota/all?task={slug}"' in html
    # a metric of unknown direction is listed, with no state of the art
    _, html, parsed = html_of(sota, "/task/common-sense")
    shown, dataset = {}, None
    for r in parsed.tables["benchmarks"]:
        dataset = r[0] if len(r) == 6 else dataset  # the dataset's cell spans its metrics' rows
        shown[(dataset, r[-4])] = (r[-3], r[-2])
    unknown = rows_of(sota_db, "SELECT b.dataset_name, bo.metric_name FROM boards bo JOIN benchmarks b "
                               "ON b.benchmark = bo.benchmark WHERE b.task = ? AND bo.higher_is_better IS NULL",
                      (BASE + "task/common-sense",))
    assert unknown and all(shown[(u["dataset_name"], u["metric_name"])] == ("direction unknown", "") for u in unknown)
    # a subtask's benchmark names its task
    _, html, _ = html_of(sota, "/task/dialogue")
    assert 'class="detail"><a href="/task/dialogue-state-tracking">Dialogue State Tracking</a>' in html


def test_the_task_page_trend_draws_the_record_history_of_the_main_metric(sota, sota_store, sota_db):
    kg = kg_of(sota_store)
    _, html, parsed = html_of(sota, "/task/question-answering")
    svg = re.search(r'<td rowspan="\d+"><a href="/benchmark/([^"]+)">SQuAD2.0</a>.*?<svg class="spark"(.*?)</svg>', html, re.S)
    assert svg, "no sparkline for SQuAD2.0"
    board = rows_of(sota_db, "SELECT * FROM boards WHERE benchmark = ? AND higher_is_better IS NOT NULL AND cost = 0 "
                             "ORDER BY result_count DESC, metric_name LIMIT 1", (BASE + "benchmark/" + svg.group(1),))[0]
    history = kg.history("Question Answering", "SQuAD2.0", board["metric_name"])
    assert len(history) > 3
    path = re.search(r'<path class="spark-line" d="([^"]+)"', svg.group(2)).group(1)
    assert path.count("H") == len(history) - 1  # a step per record after the first
    ys = [float(y) for y in re.findall(r"V([\d.]+)", path)]
    assert ys == sorted(ys, reverse=True)  # higher is better: each record above the one before
    title = re.search(r"<title>(.*?)</title>", svg.group(2)).group(1)
    assert title.startswith(f"{board['metric_name']}: {len(history)} records from {history[0]['date']} to {history[-1]['date']}")


def test_the_task_page_keeps_the_tree_areas_and_papers(lamini):
    status, html, parsed = html_of(lamini, "/task/question-answering")
    assert status == 200 and parsed.h1 == "Question Answering"
    assert 'area <a href="/sota/natural-language-processing">Natural Language Processing</a>' in html
    assert "<h2>Papers</h2>" in html and "LaMini-LM" in html


# --- escaping ----------------------------------------------------------------------------------

def test_crafted_names_are_escaped_on_every_browse_page(crafted):
    task_iri = crafted.site.kg.sparql(PREFIX + "SELECT ?t WHERE { ?t a pwc:Task }")[0]["t"].value
    task_path = "/" + task_iri[len(BASE):]
    for path, params in (("/sota", {}), ("/sota/all", {}), ("/sota/all", {"cost": "true", "sort": "model"}),
                         ("/benchmarks", {}), (task_path, {}), ("/sota/no-area", {})):
        status, html, parsed = html_of(crafted, path, **params)
        assert status == 200, path
        assert SCRIPT not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path
    _, body, _, _ = respond(crafted, "/sota/all.json")
    assert any(r["task"].startswith(SCRIPT) for r in json.loads(body)["rows"])  # the data itself, as it is


# --- in a browser ------------------------------------------------------------------------------

@needs_browser
def test_browse_pages_in_headless_chromium(sota_server, browser):
    server = sota_server
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1280, 1000)
    browser.get(server.url + "sota")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Browse state of the art"
    assert browser.find_element(By.CSS_SELECTOR, "#area-no-area a.task").is_displayed()
    screenshot(browser, "browse-sota")
    browser.find_element(By.LINK_TEXT, "Question Answering").click()
    WebDriverWait(browser, 20).until(lambda b: "/task/question-answering" in b.current_url)
    spark = browser.find_element(By.CSS_SELECTOR, "#benchmarks svg.spark")
    assert spark.is_displayed() and spark.size["width"] >= 100
    screenshot(browser, "browse-task")
    browser.find_element(By.LINK_TEXT, "All SotA of this task").click()
    WebDriverWait(browser, 20).until(lambda b: "task=question-answering" in b.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "#all-sota tbody tr")
    assert rows and all(r.find_elements(By.TAG_NAME, "td")[0].text in ("Question Answering", "Open-Domain Question Answering")
                        for r in rows)
    browser.get(server.url + "sota/all")
    browser.find_element(By.LINK_TEXT, "Value").click()
    WebDriverWait(browser, 20).until(lambda b: "sort=value" in b.current_url)
    header = browser.find_element(By.CSS_SELECTOR, "#all-sota th[aria-sort]")
    assert header.text.startswith("Value") and "ascending" == header.get_attribute("aria-sort")
    screenshot(browser, "browse-all-sota")
    browser.get(server.url + "benchmarks")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#notable tbody tr")) == 50
    screenshot(browser, "browse-benchmarks")


def test_the_task_pages_benchmarks_are_paged_with_the_params_the_router_passes(sota, sota_db):
    iri = BASE + "task/dialogue"
    entity = sota.reads.entity(iri)
    total = sota_db.execute("SELECT COUNT(*) FROM task_subtree s JOIN benchmarks b ON b.task = s.member "
                            "WHERE s.task = ?", (iri,)).fetchone()[0]
    assert total > 4
    seen = []
    for page in range(1, -(-total // 4) + 1):
        out = browse.task_page(sota, entity, {"page": [str(page)], "per_page": ["4"]})
        assert out.status == 200 and out.context["paging"].page == page
        seen += [b["iri"] for b in out.context["benchmarks"]]
    assert len(seen) == len(set(seen)) == total
    assert browse.task_page(sota, entity, {"page": ["x"]}).status == 400
    assert browse.task_page(sota, entity, {"page": [str(total)]}).status == 404


@pytest.mark.parametrize("cost", ["false", "true"])
def test_reading_in_the_sort_index_order_and_in_chunks_gives_the_same_rows(sota, monkeypatch, cost):
    """A full-scale store reads All SotA in its sort index's order and downloads in chunks: forced here on
    the small store, every sort gives the rows it gives sorted the other way, and the downloads the same bytes."""
    def everything():
        pages = {key: [html_of(sota, "/sota/all", sort=key, order=order, cost=cost, per_page=500)[1]
                       for order in ("asc", "desc")] for key in sota_all.SORTS}
        return pages, {fmt: respond(sota, f"/sota/all.{fmt}", task="dialogue", cost=cost)[1] for fmt in ("csv", "json")}
    plain = everything()
    monkeypatch.setattr(sota_all, "ORDERED_SCAN_FROM", 0)
    monkeypatch.setattr(sota_all, "DOWNLOAD_CHUNK", 7)
    assert everything() == plain


def test_the_browse_lists_read_only_the_catalogue_never_the_store(sota):
    """All SotA's first byte must not wait for the store: these pages send no SPARQL query at all."""
    before = len(sota.site.queries)
    for path, params in (("/sota", {}), ("/sota/no-area", {}), ("/sota/all", {"sort": "date", "order": "desc"}),
                         ("/sota/all", {"task": "dialogue", "extra": "false"}), ("/sota/all.csv", {}),
                         ("/sota/all.json", {"cost": "true"}), ("/benchmarks", {"page": "2"})):
        assert respond(sota, path, **params)[0] == 200, path
    assert sota.site.queries[before:] == []
