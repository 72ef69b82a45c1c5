"""The site's pages, rendered on the fixture stores: what they show, how they sort, what they escape.

Pages are rendered through ``Pages.render`` over the server's own ``Site`` (its query workers and
limits) on each store, and a few over HTTP through the real server; the HTML is parsed and the
tables, links and the chart's SVG are checked against the questions' own answers.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import LAMINI, LAMINI_TITLE

import pwc_kg
from pwc_kg.serve.pages import Pages
from pwc_kg.catalogue.search import FILE_NAME, open_index, words_query
from served import BASE, SCRIPT, SQL, Parsed, page_path, render, served_pages

def crafted_benchmark(pages: Pages) -> str:
    rows = pages.site.kg.sparql(
        "SELECT DISTINCT ?b WHERE { ?b a <%s> }" % pwc_kg.vocab.PWC.Benchmark)
    assert len(rows) == 1
    return rows[0]["b"].value


# --- the seed paper ----------------------------------------------------------------------------

def test_the_seed_paper_page_shows_its_44_rows_as_the_seed_page_does(lamini):
    with (LAMINI / "expected-results.tsv").open(encoding="utf-8") as f:
        expected = [(r["task"], r["dataset"], r["metric"], Decimal(r["value"]), r["model"])
                    for r in csv.DictReader(f, delimiter="\t")]
    assert len(expected) == 44
    status, html, page = render(lamini, "/paper/lamini-lm-a-diverse-herd-of-distilled-models")
    assert status == 200
    rows = page.tables["results"]
    shown = [(task, dataset, metric, Decimal(value), model) for task, dataset, metric, value, model, _ in rows]
    assert shown == expected  # the same rows, values and order as the Papers With Code page
    assert page.h1 == LAMINI_TITLE
    text = " ".join("".join(page.text).split())
    assert "Minghao Wu, Abdul Waheed, Chiyu Zhang, Muhammad Abdul-Mageed, Alham Fikri Aji" in text
    assert "2023-04-27" in text and "we fine-tune a diverse herd of models" in text
    assert "https://arxiv.org/abs/2304.14402v3" in page.links and "https://arxiv.org/pdf/2304.14402v3.pdf" in page.links
    assert re.search(r'href="https://github.com/mbzuai-nlp/LaMini-LM"[^>]*>Code \(official\)', html)
    for task in ("Question Answering", "Coreference Resolution", "Word Sense Disambiguation", "Language Modelling"):
        assert f">{task}</a>" in html
    # every row links to its task, its benchmark, its result and its model, on this server
    for links in page.table_links["results"]:
        assert links[0][0].startswith("/task/") and links[1][0].startswith("/benchmark/")
        assert links[3][0].startswith("/result/") and links[4][0].startswith("/model/")


# --- every kind of page ------------------------------------------------------------------------

def _first(pages: Pages, kind: str) -> str:
    rows = pages.site.kg.sparql(f"SELECT ?x WHERE {{ ?x a <{pwc_kg.vocab.PWC[kind]}> }} ORDER BY ?x LIMIT 1")
    return rows[0]["x"].value


@pytest.mark.parametrize("path, heading", [
    ("/", "Papers With Code, as a knowledge graph"),
    ("/search", "Search"),
    ("/query", "SPARQL query"),
    ("/paper/lamini-lm-a-diverse-herd-of-distilled-models", LAMINI_TITLE),
    ("/task/question-answering", "Question Answering"),
    ("/dataset/piqa", "PIQA"),
    ("/method/t5", "T5"),
    ("/metric/accuracy", "Accuracy"),
    ("/model/lamini-gpt-1.5b", "LaMini-GPT 1.5B"),
    ("/author/minghao-wu", "Minghao Wu"),
    ("/repository/github.com/mbzuai-nlp/lamini-lm", "https://w3id.org/pwc-kg/resource/repository/github.com/mbzuai-nlp/lamini-lm"),
    ("/area/natural-language-processing", "Natural Language Processing"),
])
def test_every_kind_of_page_renders(lamini, path, heading):
    status, html, page = render(lamini, path)
    assert status == 200
    assert page.h1.strip() == heading
    assert html.startswith("<!doctype html>") and "/static/style.css" in html


def test_benchmark_and_result_pages_render(lamini):
    bench = page_path(_first(lamini, "Benchmark"))
    status, _, page = render(lamini, bench)
    assert status == 200 and " on " in page.h1
    result = page_path(_first(lamini, "EvaluationResult"))
    status, _, page = render(lamini, result)
    assert status == 200 and ":" in page.h1


def test_unknown_pages_are_404_and_other_paths_are_not_pages(lamini):
    for path in ("/paper/no-such-paper", "/model/nobody", "/benchmark/0000", "/author/nobody", "/paper/", "/task"):
        status, _, page = render(lamini, path)
        assert status == 404, path
        assert page.h1 == "Not found"
    for path in ("/sparql", "/.well-known/void", "/ontology", "/static/none.css", "/nothing/here"):
        assert lamini.render(path, {}) is None, path


def test_the_stylesheet_is_served_and_nothing_is_fetched_from_outside(lamini):
    body, ctype = lamini.static["/static/style.css"]
    assert ctype.startswith("text/css") and b"sota-step" in body
    assert b"@import" not in body and b"url(" not in body
    for path in ("/", "/query", "/paper/lamini-lm-a-diverse-herd-of-distilled-models"):
        html = lamini.render(path, {})[1]
        assert "<script" not in html  # no JavaScript at all
        assert not re.search(r'<(?:link|img|iframe)[^>]+(?:href|src)="(?:https?:)?//', html)  # nothing from outside


# --- benchmarks --------------------------------------------------------------------------------

def _leaderboard(page: Parsed) -> list[tuple[int | None, str, Decimal, bool]]:
    return [(int(rank) if rank.isdigit() else None, model.removesuffix(" record").strip(), Decimal(value), extra == "yes")
            for rank, model, value, _paper, _date, extra in page.tables["leaderboard"]]


def _squad(sota) -> tuple[str, str]:
    rows = sota.site.kg.sparql(f"SELECT ?b WHERE {{ ?b <{pwc_kg.vocab.PWC.name}> \"Question Answering on SQuAD2.0\" }}")
    return rows[0]["b"].value, "/" + rows[0]["b"].value[len(BASE):]


def _every_page(pages: Pages, path: str, **params: str) -> list[tuple[int | None, str, Decimal, bool]]:
    """The leaderboard's rows over all its pages, following each page's "next" link."""
    rows, number = [], 1
    while True:
        status, html, page = render(pages, path, **params, page=str(number))
        assert status == 200, (path, number)
        rows += _leaderboard(page)
        if 'rel="next"' not in html:
            return rows
        number += 1


def test_the_leaderboard_is_sorted_in_the_metric_direction_and_matches_the_question(sota):
    iri, path = _squad(sota)
    for metric in ("em", "f1"):
        board = _every_page(sota, path, metric=metric)  # paged: 100 rows a page
        expected = sota.site.kg.leaderboard("Question Answering", "SQuAD2.0", metric)
        assert len(board) == len(expected) > 100
        values = [v for _, _, v, _ in board]
        assert values == sorted(values, reverse=True)  # higher is better
        assert [r for r, *_ in board] == [e["rank"] for e in expected]
        assert board[0][2] == Decimal(str(expected[0]["value"]))


def test_a_lower_is_better_metric_sorts_ascending(crafted):
    path = page_path(crafted_benchmark(crafted))
    status, html, page = render(crafted, path, metric="error")
    assert status == 200
    board = _leaderboard(page)
    assert [v for _, _, v, _ in board] == [Decimal(x) for x in ("15", "20", "25", "30", "40")]
    assert [r for r, *_ in board] == [1, 2, 3, 4, 5]
    assert "lower is better" in html


def test_the_extra_training_data_filter(crafted):
    path = page_path(crafted_benchmark(crafted))
    _, _, every = render(crafted, path, metric="accuracy")
    _, html, clean = render(crafted, path, metric="accuracy", extra="no")
    assert any(extra for *_, extra in _leaderboard(every))
    assert not any(extra for *_, extra in _leaderboard(clean))
    assert len(_leaderboard(clean)) == len(_leaderboard(every)) - 1
    assert [r for r, *_ in _leaderboard(clean)] == [1, 2, 3, 4]  # ranks without extra data
    # the filter and the metric selector are plain GET links and a GET form
    assert re.search(r'<form class="board-options" method="get"', html)
    assert f"{path}?metric=error&amp;extra=no" in html
    assert f"{path}?metric=accuracy\"" in html or f"{path}?metric=accuracy&" in html


def test_the_metric_selector_and_an_unknown_metric(sota):
    iri, path = _squad(sota)
    _, html, page = render(sota, path)
    assert '<option value="em" selected>' in html and '<option value="f1">' in html
    _, html, _ = render(sota, path, metric="F1")  # by name, any case
    assert '<option value="f1" selected>' in html and '<th class="num">F1</th>' in html
    status, _, _ = render(sota, path, metric="no-such-metric")
    assert status == 404


def _path_vertices(d: str) -> list[tuple[float, float]]:
    """The corners of an SVG path made of M, H and V commands."""
    x = y = 0.0
    out = []
    for cmd, a, b in re.findall(r"([MHV])(-?[\d.]+)(?:,(-?[\d.]+))?", d):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "H":
            x = float(a)
        else:
            y = float(a)
        out.append((x, y))
    return out


def test_the_chart_draws_every_dated_result_and_a_step_line_through_the_records(sota):
    iri, path = _squad(sota)
    _, html, page = render(sota, path, metric="em")
    history = sota.site.kg.history("Question Answering", "SQuAD2.0", "EM")
    board = sota.site.kg.leaderboard("Question Answering", "SQuAD2.0", "EM")
    records = [c for c in page.circles if c["class"] == "point record"]
    assert len(records) == len(history) > 5
    # the points: the records and the dated rows of this page (the first 100 of the leaderboard)
    dated = {page_path(r["result"]) for r in board if r.get("date")}
    shown = {links[2][0] for links in page.table_links["leaderboard"]}
    assert len(shown) == 100 < len(board)
    assert len(page.circles) == len((shown & dated) | {page_path(h["result"]) for h in history})
    steps = [p for p in page.paths if p.get("class") == "sota-step"]
    assert len(steps) == 1
    vertices = _path_vertices(steps[0]["d"])
    for c in records:  # the step line passes through every record
        assert (float(c["cx"]), float(c["cy"])) in vertices
    # records rise over time (higher is better): each is drawn higher (smaller y) than the one before
    ys = [float(c["cy"]) for c in sorted(records, key=lambda c: float(c["cx"]))]
    assert all(b <= a for a, b in zip(ys, ys[1:]))
    # tooltips name the model and value; record points say so
    first = history[0]
    assert any(t.startswith(f"{first['model']}: {first['value']:g} ({first['date']})") and "record" in t
               for t in page.svg_titles)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="sota-chart"' in html


def test_undated_results_are_listed_but_not_drawn(crafted):
    path = page_path(crafted_benchmark(crafted))
    _, html, page = render(crafted, path, metric="accuracy")
    assert len(page.tables["leaderboard"]) == 5 and len(page.circles) == 4
    assert "1 undated result cannot be drawn" in " ".join(html.split())
    # with extra data the records are 70 (2019), 80 (2020), 85 (2021); without, 70, 75, 85
    assert [row[2] for row in page.tables["records"]] == ["70", "80", "85"]
    _, _, clean = render(crafted, path, metric="accuracy", extra="no")
    assert [row[2] for row in clean.tables["records"]] == ["70", "75", "85"]


# --- escaping ----------------------------------------------------------------------------------

def test_names_with_script_tags_and_sql_are_escaped_on_every_page(crafted):
    kg = crafted.site.kg
    P = pwc_kg.vocab.PWC
    paths = ["/", "/query"]
    for kind in ("Paper", "Task", "Dataset", "Method", "Model", "Benchmark", "Metric", "EvaluationResult", "Author",
                 "MethodCollection", "Area"):
        for row in kg.sparql(f"SELECT DISTINCT ?x WHERE {{ ?x a <{P[kind]}> }}"):
            paths.append(page_path(row["x"].value))
    bench = page_path(crafted_benchmark(crafted))
    seen_escaped = 0
    for path in paths + [f"{bench}?metric=error&extra=no"]:
        p, _, qs = path.partition("?")
        status, html = crafted.render(p, {k: v for k, v in parse_qs(qs).items()})
        assert status == 200, path
        assert SCRIPT not in html and "<img src=x" not in html, path
        assert SQL not in html, path  # the quote is always written as &#39;
        assert "javascript:" not in html, path  # no such URL becomes a link
        seen_escaped += html.count("&lt;script&gt;alert(1)&lt;/script&gt;") + html.count("&#39; OR 1=1 --")
    assert seen_escaped > 20
    # search results and the query page escape what they echo, too
    for params in ({"q": [SCRIPT]}, {"q": [SQL]}, {"q": ["alert"]}):
        status, html = crafted.render("/search", params)
        assert status == 200 and SCRIPT not in html and SQL not in html
    status, html = crafted.render("/query", {"query": [f"SELECT ?x WHERE {{ ?x ?p \"</textarea>{SCRIPT}\" }}"]})
    assert SCRIPT not in html and "</textarea><script" not in html


def test_the_chart_escapes_model_names(crafted):
    path = page_path(crafted_benchmark(crafted))
    _, html, page = render(crafted, path, metric="accuracy")
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: 70" in svg
    assert any(t.startswith(SCRIPT) for t in page.svg_titles)  # what the browser shows as the tooltip


# --- search ------------------------------------------------------------------------------------

def _hits(pages: Pages, q: str, **params: str) -> list[tuple[str, str]]:
    _, html, page = render(pages, "/search", q=q, **params)
    return re.findall(r'<li class="hit"><span class="kind">(\w+)</span> <a href="([^"]+)">', html)


def test_search_finds_papers_tasks_datasets_methods_and_models_by_words(lamini):
    hits = _hits(lamini, "diverse herd")
    assert ("Paper", "/paper/lamini-lm-a-diverse-herd-of-distilled-models") in hits
    assert _hits(lamini, "question answering")[0] == ("Task", "/task/question-answering")
    assert ("Dataset", "/dataset/piqa") in _hits(lamini, "physical interaction")  # by its full name
    assert ("Method", "/method/t5") in _hits(lamini, "t5")
    models = _hits(lamini, "lamini", kind="Model")
    assert {h[1] for h in models} == {"/model/lamini-gpt-1.5b", "/model/lamini-t5-738m", "/model/lamini-f-t5-783m"}
    assert ("Model", "/model/lamini-gpt-1.5b") in _hits(lamini, "LAMINI-gpt")  # any case, by prefix
    assert _hits(lamini, "zzzz nothing") == []


def test_search_counts_each_kind_and_pages(lamini):
    _, html, _ = render(lamini, "/search", q="accuracy")
    assert "metrics (1)" in html

def test_search_results_come_in_pages(sota):
    first, second = _hits(sota, "a"), _hits(sota, "a", page="2")
    assert len(first) == 50 and second and set(first).isdisjoint(second)
    _, html, _ = render(sota, "/search", q="a", page="2")
    assert 'start="51"' in html and "page=1" in html and "page=3" in html


def test_the_search_index_is_built_once_per_generation_in_its_folder(lamini_store):
    kg = pwc_kg.open_store(lamini_store)
    path = kg.generation / FILE_NAME
    assert path.is_file()  # built when the pages were made
    index, seconds = open_index(kg.store, kg.generation)
    assert seconds is None and index.path == path  # reused, not rebuilt
    counts = index.counts()
    assert counts["Paper"] == kg.stats()["classes"]["Paper"] and counts["EvaluationResult"] == 44


def test_search_words_never_reach_the_fts_syntax():
    assert words_query('title:"x" OR NEAR(a b) *') == '"title"* "x"* "OR"* "NEAR"* "a"* "b"*'
    assert words_query("!!! ---") == ""


# --- tasks, models, results, query -------------------------------------------------------------

def test_the_task_page_lists_benchmarks_with_their_sota_and_the_task_tree(sota):
    status, html, page = render(sota, "/task/question-answering")
    assert status == 200
    rows = page.tables["benchmarks"]
    sota_rows = sota.site.kg.sota("Question Answering")
    own = [s for s in sota_rows if s["task"] == "Question Answering" and s["value"] is not None]
    shown = {(r[-4], Decimal(r[-2])) for r in rows if r[-2]}  # (metric, SOTA value); the dataset cell spans its metrics
    assert own and all((s["metric"], Decimal(str(s["value"]))) in shown for s in own)
    status, html, page = render(sota, "/task/dialogue")
    tree = sota.site.kg.tasks("Dialogue")
    subtasks = {t["task"] for t in tree if t["relation"] == "subtask"}
    assert subtasks and all(f">{t}</a>" in html for t in subtasks)


def test_a_subtask_page_names_its_parent(sota):
    tree = sota.site.kg.tasks("Dialogue")
    sub = next(t for t in tree if t["relation"] == "subtask")
    status, html, page = render(sota, page_path(sub["iri"]))
    assert status == 200 and '>Dialogue</a>' in html.split("<h2>Parent tasks</h2>")[1].split("</section>")[0]


def test_the_model_page_shows_results_lineage_and_the_comparison_with_its_base(lineage):
    status, html, page = render(lineage, "/model/lamini-gpt-1.5b")
    assert status == 200
    ancestors = html.split('id="ancestors"')[1].split("</section>")[0]
    assert "fine-tuned from" in ancestors and ">GPT-2-XL 1.5B</a>" in ancestors
    assert "distilled from" in ancestors and "openai/gpt-3.5-turbo" in ancestors
    compare = page.tables["compare"]
    expected = lineage.site.kg.compare("LaMini-GPT 1.5B")
    assert len(compare) == len(expected) == 8
    assert {(r[5], r[4], r[6]) for r in compare} == {
        (f"{e['base_value']:g}", f"{e['value']:g}", f"{e['delta']:+g}") for e in expected}
    # its 8 results in the paper and the 4 of its Hugging Face card (an owl:sameAs alias)
    assert len(page.tables["results"]) == 12
    assert 'href="/model/hf/MBZUAI/LaMini-GPT-1.5B">MBZUAI/LaMini-GPT-1.5B</a>' in html  # its alias, a page too
    status, _, alias = render(lineage, "/model/hf/MBZUAI/LaMini-GPT-1.5B")
    assert status == 200 and len(alias.tables["results"]) == 12  # the same results through owl:sameAs
    status, html, page = render(lineage, "/model/gpt-2-xl-1.5b")
    descendants = html.split('id="descendants"')[1].split("</section>")[0]
    assert ">LaMini-GPT 1.5B</a>" in descendants and "(fine-tuned)" in descendants


def test_the_model_page_lists_the_benchmarks_it_leads_and_led_as_model_sota_does(sota):
    kg = sota.site.kg
    # leads one leaderboard and led another once (GCN led only by its number of parameters: a cost, no SOTA)
    model = "TransformerConv"
    iri = kg.query("same-as", model=model)[0]["model"]
    expected = {(r["status"], r["dataset"], r["metric"], Decimal(str(r["value"]))) for r in kg.model_sota(model)}
    assert {e[0] for e in expected} == {"leads", "led"}
    _, html, page = render(sota, page_path(iri))
    section = html.split("<h2>State of the art</h2>")[1].split("</ul>")[0]
    shown = set()
    for status, dataset, metric, value in re.findall(
            r"<li>(Leads|Set a record on) .*? on (.*?) \((.*?): <a [^>]*>(.*?)</a>", section):
        shown.add(("leads" if status == "Leads" else "led", dataset, metric, Decimal(value)))
    assert shown == expected and shown


def test_a_lineage_tree_nests_two_levels(lineage):
    up = lineage.site.kg.lineage("org/llama-2-7b-chat-ft-GGUF", descendants=False)
    path = page_path(next(e["model_iri"] for e in up if e["depth"] == 1))
    status, html, _ = render(lineage, path)
    ancestors = html.split('id="ancestors"')[1].split("</section>")[0]
    assert re.search(r"quantized from</span> <a[^>]*>org/llama-2-7b-chat-ft</a><ul>\s*<li><span class=\"relation\">"
                     r"fine-tuned from</span> <a[^>]*>meta-llama/Llama-2-7b-hf</a>", ancestors)


def test_the_result_page_shows_its_provenance(lamini):
    kg = lamini.site.kg
    result = kg.query("paper-results", paper=LAMINI_TITLE)[0]["result"]
    prov = kg.provenance(result)[0]
    status, html, page = render(lamini, page_path(result))
    assert status == 200
    row = page.tables["provenance"][0]
    assert row[0] == "evaluation-tables.json" and row[1] == prov["record"] and row[3] == prov["sha256"]


def test_the_query_page_runs_a_select_through_the_site_with_its_limits(lamini):
    site = lamini.site
    before = len(site.queries)
    q = f"SELECT ?title WHERE {{ ?p <{pwc_kg.vocab.PWC.title}> ?title FILTER(CONTAINS(?title, \"LaMini\")) }}"
    status, html, page = render(lamini, "/query", query=q)
    assert status == 200
    assert any(q in text for text in site.queries[before:])  # through site.select, never around it
    assert page.tables["query-results"] == [[LAMINI_TITLE]]
    assert 'formaction="/sparql"' in html  # or straight to the endpoint


def test_the_query_page_lists_the_named_queries_and_binds_their_parameters(lamini):
    status, html, page = render(lamini, "/query")
    for name in ("paper-results", "sota", "benchmark-results", "notable-benchmarks"):
        assert f'href="/query?example={name}"' in html
    status, html, page = render(lamini, "/query", example="paper-results")
    assert "SELECT ?task ?dataset" in html and 'name="paper"' in html
    status, html, page = render(lamini, "/query", example="paper-results", run="1", paper=LAMINI_TITLE)
    assert status == 200 and len(page.tables["query-results"]) == 44
    assert re.search(r"VALUES \(?\?paper\)? \{ \(?&lt;https://w3id.org/pwc-kg/resource/paper/lamini-lm", html)  # bound as a term
    status, html, _ = render(lamini, "/query", example="paper-results", run="1", paper="No such paper")
    assert status == 400 and "no Paper is named" in html
    status, html, _ = render(lamini, "/query", query="SELECT WHERE {")
    assert status == 400 and 'class="error"' in html
    status, _, _ = render(lamini, "/query", example="no-such-query")
    assert status == 404


def test_links_use_the_server_paths_under_its_public_base(lamini_store):
    with served_pages(lamini_store, "http://example.test:9000/kg/") as pages:
        status, html = pages.render("/paper/lamini-lm-a-diverse-herd-of-distilled-models", {})
    assert status == 200
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert "/kg/static/style.css" in hrefs and "/kg/task/question-answering" in hrefs
    assert not any(h.startswith(BASE) for h in hrefs)  # entity IRIs become this server's pages
    assert all(h.startswith(("/kg/", "https://", "http://")) or h == "data:," for h in hrefs)  # data:, no favicon
    assert urlsplit("/kg/search").path in re.findall(r'action="([^"]+)"', html)


# --- over HTTP, through the real server ---------------------------------------------------------

def http_get(url: str, accept: str = "text/html") -> tuple[int, dict, str]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8")


def test_over_http_the_seed_paper_page_shows_its_44_rows(lamini_server):
    status, headers, html = http_get(lamini_server.url + "paper/lamini-lm-a-diverse-herd-of-distilled-models")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert len(Parsed(html).tables["results"]) == 44
    # the server's Content-Security-Policy allows no inline script or style: the pages use none
    assert "default-src 'none'" in headers.get("Content-Security-Policy", "")
    assert "<script" not in html and " style=" not in html and "<style" not in html


def test_over_http_every_page_kind_and_the_stylesheet(lamini_server):
    kg = pwc_kg.open_store(lamini_server.config.store)
    bench = kg.sota("Question Answering", "PIQA")[0]["benchmark"]
    result = kg.query("paper-results", paper=LAMINI_TITLE)[0]["result"]
    for path in ("", "search?q=lamini+gpt", "query", "task/question-answering", "dataset/piqa", "method/t5",
                 "metric/accuracy", "model/lamini-gpt-1.5b", bench[len(BASE):] + "?metric=accuracy&extra=no",
                 result[len(BASE):], "author/minghao-wu",
                 "query?query=" + "SELECT%20%3Ft%20WHERE%20%7B%20%3Fp%20a%20%3Fc%20%7D%20LIMIT%202"):
        status, headers, html = http_get(lamini_server.url + path)
        assert status == 200, path
        assert headers["Content-Type"].startswith("text/html") and "<h1>" in html, path
    status, _, html = http_get(lamini_server.url + "search?q=lamini+gpt")
    assert 'href="/model/lamini-gpt-1.5b"' in html
    status, headers, css = http_get(lamini_server.url + "static/style.css", accept="text/css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and ".sota-step" in css


def test_over_http_an_unknown_page_is_a_404_page(lamini_server):
    for path in ("paper/no-such-paper", "benchmark/0123456789abcdef", "model/nobody"):
        status, headers, html = http_get(lamini_server.url + path)
        assert status == 404 and headers["Content-Type"].startswith("text/html"), path
        assert "<h1>Not found</h1>" in html
