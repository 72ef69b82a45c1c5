"""What a newcomer tripped on in the pages (issue 15), each defect with its regression test, and the
paged lists: the leaderboard of a benchmark page (only the page's rows are read), the results of a
model, the benchmarks of a dataset and of a metric.

Pages are rendered through the server's own ``Site`` (tests/test_serve_pages.py's ``served_pages``)
and what they show is compared with the named or internal query behind them.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pyoxigraph as ox
import pytest
from conftest import LAMINI_TITLE
from served import BASE, Parsed, page_path, render, served_pages

import pwc_kg
from pwc_kg.serve.pages import entities, models
from pwc_kg.serve.pages.home import DIRECTION_SOURCES
from pwc_kg.catalogue.search import normal_words
from pwc_kg.vocab import PWC



# --- stores ------------------------------------------------------------------------------------


def _rows(metric: str, values: list[tuple[str, str | None, bool | None]]) -> list[dict]:
    return [{"model_name": f"M{i:02d}", "paper_title": f"P{i:02d}", "paper_url": "", "paper_date": day,
             "metrics": {metric: value}, **({} if extra is None else {"uses_additional_data": extra})}
            for i, (value, day, extra) in enumerate(values)]


@pytest.fixture(scope="module")
def boards(tmp_path_factory):
    """Three leaderboards: Crate (Accuracy, higher is better: 12 results, ties, one on another scale, two
    with extra training data, one undated), Box (a metric nobody can tell the direction of) and Shelf
    (Accuracy, with a code link)."""
    root = tmp_path_factory.mktemp("fixes-boards")
    crate = [("84.1", "2018-01-01", False), ("85.6", "2019-01-01", False), ("86.0", "2020-01-01", True),
             ("0.853", "2021-01-01", False), ("80.0", "2017-01-01", None), ("80.0", "2017-06-01", False),
             ("79.5", "2016-01-01", False), ("78.0", None, False), ("87.5", "2022-01-01", True),
             ("81.2", "2018-06-01", False), ("82.3", "2019-06-01", None), ("83.3", "2020-06-01", False)]
    box = [("1", "2019-01-01", None), ("3", "2020-01-01", None), ("2", "2021-01-01", None)]
    shelf = [{"model_name": "Coded", "paper_title": "P", "paper_url": "", "paper_date": "2020-01-01",
              "metrics": {"Accuracy": "70"}, "code_links": [{"title": "x/y", "url": "https://github.com/Some/Repo"}]}]
    tables = [{"task": "Mystery", "subtasks": [], "datasets": [
        {"dataset": "Crate", "sota": {"metrics": ["Accuracy"], "rows": _rows("Accuracy", crate)}},
        {"dataset": "Box", "sota": {"metrics": ["Zorp"], "rows": _rows("Zorp", box)}},
        {"dataset": "Shelf", "sota": {"metrics": ["Accuracy"], "rows": shelf}}]}]
    papers = [{"paper_url": f"https://paperswithcode.com/paper/p{i}", "arxiv_id": None, "title": f"Paper {i}",
               "abstract": "", "url_abs": None, "url_pdf": None, "authors": [], "tasks": [],
               "date": f"20{10 + i:02d}-01-01", "methods": [{"name": "Zorpformer"}]} for i in range(25)]
    (root / "evaluation-tables.json").write_text(json.dumps(tables), encoding="utf-8")
    (root / "papers-with-abstracts.json").write_text(json.dumps(papers), encoding="utf-8")
    pwc_kg.build([str(root / "evaluation-tables.json"), str(root / "papers-with-abstracts.json")], root / "store")
    with served_pages(root / "store") as pages:
        yield pages


def _benchmark(pages, dataset: str) -> str:
    rows = pages.site.kg.sparql(f'SELECT ?b WHERE {{ ?b <{PWC.datasetName}> "{dataset}" }}')
    return rows[0]["b"].value


# --- 1. search ---------------------------------------------------------------------------------

def _hits(pages, q: str, **params) -> list[tuple[str, str, list[str]]]:
    """(kind, link, the links of its aliases) of each hit, in order."""
    _, html, _ = render(pages, "/search", q=q, **params)
    out = []
    for item in re.findall(r'<li class="hit">(.*?)</li>', html, re.S):
        kind, href = re.match(r'<span class="kind">(\w+)</span> <a href="([^"]+)">', item).groups()
        aliases = item.split('class="aliases"', 1)[1] if 'class="aliases"' in item else ""
        out.append((kind, href, re.findall(r'href="([^"]+)"', aliases)))
    return out


def test_searching_lamini_lists_the_paper_first_not_seventh_after_the_models(lamini, lineage):
    for pages in (lamini, lineage):
        hits = _hits(pages, "LaMini")
        assert hits[0][:2] == ("Paper", "/paper/lamini-lm-a-diverse-herd-of-distilled-models")
        assert hits[1][0] != "Paper" and len(hits) > 3
    # an exact title first, whatever else matches its words
    assert _hits(lamini, LAMINI_TITLE)[0][1] == "/paper/lamini-lm-a-diverse-herd-of-distilled-models"
    assert _hits(lamini, "t5")[0] == ("Method", "/method/t5", [])  # an exact name before a paper
    assert _hits(lamini, "question answering")[0][:2] == ("Task", "/task/question-answering")


def test_a_name_starting_with_the_words_comes_before_one_merely_containing_them(lineage):
    _, html, _ = render(lineage, "/search", q="LaMini")
    labels = re.findall(r'<li class="hit"><span class="kind">\w+</span> <a href="[^"]+">([^<]+)</a>', html)
    starts = [normal_words(label).startswith("lamini") for label in labels]
    assert "MBZUAI/LaMini-instruction" in labels and starts.count(True) >= 4
    assert starts == sorted(starts, reverse=True)  # every one that starts with the words, then the others


def test_hugging_face_aliases_are_listed_under_their_model_not_as_separate_models(lineage):
    hits = _hits(lineage, "LaMini", kind="Model")
    links = [h[1] for h in hits]
    assert links == sorted(set(links), key=links.index)  # each model once
    assert not any(link.startswith("/model/hf/") for link in links)  # an alias is no hit of its own
    by_model = {h[1]: h[2] for h in hits}
    kg = lineage.site.kg
    for model in ("/model/lamini-gpt-1.5b", "/model/lamini-t5-738m", "/model/lamini-f-t5-783m"):
        same = {page_path(r["model"]) for r in kg.query("same-as", model=BASE + model[1:])} - {model}
        assert same and set(by_model[model]) == same, model  # its aliases: what same-as.rq follows
    assert "MBZUAI/LaMini-GPT-1.5B" in render(lineage, "/search", q="LaMini")[1]  # shown by their names
    # the model is found by its alias's name too, and counted once
    assert _hits(lineage, "MBZUAI/LaMini-GPT-1.5B")[0][:2] == ("Model", "/model/lamini-gpt-1.5b")
    _, html, _ = render(lineage, "/search", q="LaMini")
    assert f"models ({len(hits)})" in html


# --- 2. the result page's code link ------------------------------------------------------------

def test_a_result_code_link_shows_the_github_url_not_the_internal_repository_iri(boards):
    kg = boards.site.kg
    (row,) = kg.sparql(f"SELECT ?r ?repo ?url WHERE {{ ?r <{PWC.repository}> ?repo . ?repo <{PWC.url}> ?url }}")
    status, html, page = render(boards, page_path(row["r"].value))
    assert status == 200
    code = re.search(r"<tr><th>Code</th><td>(.*?)</td></tr>", html).group(1)
    assert row["url"].value == "https://github.com/Some/Repo" and row["repo"].value.startswith(BASE)
    assert f'<a href="{row["url"].value}" rel="nofollow noopener">{row["url"].value}</a>' == code
    assert row["repo"].value not in code and "/repository/" not in code


# --- 3. a benchmark of unknown direction ---------------------------------------------------------

def test_a_benchmark_of_unknown_direction_says_so_and_its_caption_names_no_step_line(boards):
    status, html, page = render(boards, page_path(_benchmark(boards, "Box")))
    assert status == 200
    text = " ".join("".join(page.text).split())
    assert "Zorp: direction unknown: no state of the art." in text
    assert "from the unknown" not in text and "decided by unknown" not in text
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)
    assert "step line" not in caption.replace("no step line is drawn", "")
    assert not [p for p in page.paths if p.get("class") == "sota-step"]  # and none is drawn
    assert len(page.circles) == 3 and not [c for c in page.circles if "record" in c["class"]]
    # the metric's page says the same, in the same words
    _, html, page = render(boards, "/metric/zorp")
    assert re.search(r'id="direction">direction unknown: no state of the art<', html) and "decided by" not in html
    # a leaderboard of known direction still names its step line, and how the direction was decided
    _, html, page = render(boards, page_path(_benchmark(boards, "Crate")))
    assert f"higher is better ({DIRECTION_SOURCES['table']})" in html
    assert "The step line joins the results that set a record" in html


def test_the_home_page_words_every_direction_source_once(sota):
    _, html, _ = render(sota, "/")
    line = " ".join(re.search(r'id="direction-coverage">(.*?)</p>', html, re.S).group(1).split())
    assert "unknown: no state of the art" in line and "(no SOTA)" not in line and "the unknown" not in line
    assert len(set(DIRECTION_SOURCES.values())) == len(DIRECTION_SOURCES)


# --- 4. the paged leaderboard -------------------------------------------------------------------

def _board(page: Parsed) -> list[tuple[str, str, str]]:
    """(rank cell, value, result link) of each leaderboard row."""
    return [(cells[0], cells[2], links[2][0]) for cells, links in
            zip(page.tables["leaderboard"], page.table_links["leaderboard"])]


def _walk(pages, path: str, **params) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Every row over the pages, following the "next" links; and each page's pager text."""
    rows, shown, url = [], [], f"{path}?" + "&".join(f"{k}={v}" for k, v in params.items())
    while url:
        p, _, qs = url.partition("?")
        status, html = pages.render(p, {k: [v] for k, v in (x.split("=", 1) for x in qs.split("&") if x)})
        assert status == 200, url
        parsed = Parsed(html)
        rows += _board(parsed)
        shown.append(" ".join(re.search(r'<span class="showing">(.*?)</span>', html).group(1).split()))
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    return rows, shown


def _question_rows(pages, bench: str, metric: str, extra: bool) -> list[dict]:
    """benchmark-results.rq's rows, as the leaderboard keeps them (without extra data: not those marked so)."""
    kg = pages.site.kg
    rows = kg.query("benchmark-results", benchmark=bench, metric=metric)
    return [r for r in rows if extra or r.get("extra_training_data") is not True]


def test_the_leaderboard_pages_together_equal_the_benchmark_results_query(sota):
    bench = sota.site.kg.sparql(f'SELECT ?b WHERE {{ ?b <{PWC.name}> "Question Answering on SQuAD2.0" }}')[0]["b"].value
    for extra in (True, False):
        params = {"metric": "em", "per_page": "40"} | ({} if extra else {"extra": "no"})
        rows, shown = _walk(sota, page_path(bench), **params)
        expected = _question_rows(sota, bench, "EM", extra)
        assert len(rows) == len(expected) > 100 and len(shown) == -(-len(expected) // 40)
        assert [r[2] for r in rows] == list(dict.fromkeys(r[2] for r in rows))  # no row twice
        assert {r[2] for r in rows} == {page_path(e["result"]) for e in expected}
        rank = "rank" if extra else "rank_without_extra"
        assert [int(r[0]) for r in rows] == sorted(e[rank] for e in expected)  # in rank order, page after page
        assert shown[0] == f"Showing 1–40 of {len(expected)} results" and shown[-1].endswith(f"of {len(expected)} results")


def test_the_leaderboard_page_reads_only_its_rows(sota):
    bench = sota.site.kg.sparql(f'SELECT ?b WHERE {{ ?b <{PWC.name}> "Question Answering on SQuAD2.0" }}')[0]["b"].value
    before = len(sota.site.queries)
    status, html, page = render(sota, page_path(bench), metric="em")
    assert status == 200 and len(page.tables["leaderboard"]) == 100  # the default page size
    sent = sota.site.queries[before:]
    assert not any(q.startswith("# benchmark-results") for q in sent)  # never every row
    assert not any(q.startswith("# leaderboard-page") for q in sent)  # the page's results: the catalogue's ranks
    (rows,) = [q for q in sent if q.startswith("# leaderboard-rows")]
    records = len(page.tables["records"])
    assert len(re.findall(r"<https://w3id.org/pwc-kg/resource/result/", rows)) <= 100 + records
    # page 3 of 100 is past the last (202 results): the query asks for that page alone
    before = len(sota.site.queries)
    status, html, page = render(sota, page_path(bench), metric="em", page="3")
    assert status == 200 and 0 < len(page.tables["leaderboard"]) <= 2
    (rows,) = [q for q in sota.site.queries[before:] if q.startswith("# leaderboard-rows")]
    assert len(re.findall(r"<https://w3id.org/pwc-kg/resource/result/", rows)) <= 2 + records


def test_a_leaderboard_page_from_the_catalogues_ranks_is_the_one_leaderboard_page_rq_gives(sota, sota_store):
    """Every leaderboard of the real files, with and without extra data, paged by 7: the catalogue's ranks (what
    the benchmark page reads when the catalogue is ready) and the SPARQL (when it is not) give the same pages."""
    from pwc_kg.serve.pages.benchmark import leaderboard_page
    from pwc_kg.serve.pages.reads import Paging

    cat = sota.catalogue()
    assert cat is not None
    boards = sota.site.kg.sparql(f"SELECT DISTINCT ?b ?m ?n WHERE {{ ?l <{PWC.onBenchmark}> ?b ; <{PWC.byMetric}> ?m ; "
                                 f"<{PWC.resultCount}> ?n ; <{PWC.higherIsBetter}> ?h }}")
    assert len(boards) > 200
    for row in boards:
        b, m, n = row["b"].value, row["m"].value, int(row["n"].value)
        for extra in (True, False):
            for number in range(1, (n + 6) // 7 + 1):
                paging = Paging.of({"page": [str(number)], "per_page": ["7"]}).check(n)
                assert leaderboard_page(sota.reads, b, m, extra, True, paging, cat) == \
                       leaderboard_page(sota.reads, b, m, extra, True, paging), (b, m, extra, number)


def test_leaderboard_paging_keeps_its_metric_and_filter_and_refuses_bad_pages(boards):
    path = page_path(_benchmark(boards, "Crate"))
    _, html, _ = render(boards, path, metric="accuracy", extra="no", per_page="4")
    assert f'href="{path}?metric=accuracy&amp;extra=no&amp;page=2&amp;per_page=4"' in html  # a stable URL
    for bad in ({"page": "0"}, {"page": "x"}, {"per_page": "501"}, {"per_page": "-1"}, {"page": "1" * 30}):
        status, html, page = render(boards, path, **bad)
        assert status == 400 and page.h1 == "Bad request", bad
        assert "must be a whole number" in html
    status, html, page = render(boards, path, page="99")
    assert status == 404 and "page 99" in html and "<svg" not in html


def test_a_leaderboard_with_ties_extra_data_and_a_value_on_another_scale_pages_as_it_ranks(boards):
    path = page_path(_benchmark(boards, "Crate"))
    bench = _benchmark(boards, "Crate")
    for extra in (True, False):
        params = {"metric": "accuracy", "per_page": "3"} | ({} if extra else {"extra": "no"})
        rows, shown = _walk(boards, path, **params)
        expected = _question_rows(boards, bench, "Accuracy", extra)
        assert len(rows) == len(expected) == (12 if extra else 10)
        rank = "rank" if extra else "rank_without_extra"
        ranked = sorted((e[rank], Decimal(str(e["value"]))) for e in expected if e.get(rank) is not None)
        assert [(int(r[0]), Decimal(r[1])) for r in rows[:-1]] == ranked  # ties share a rank: 80.0, 80.0
        assert rows[-1][0] == "not ranked" and rows[-1][1] == "0.853"  # kept out of ranking: last
        assert len([r for r in ranked if r[1] == Decimal("80.0")]) == 2
        assert shown[-1] == f"Showing 10–{len(expected)} of {len(expected)} results"


def test_a_leaderboard_of_unknown_direction_pages_by_value(boards):
    path = page_path(_benchmark(boards, "Box"))
    rows, shown = _walk(boards, path, per_page="2")
    assert [(r[0], r[1]) for r in rows] == [("–", "3"), ("–", "2"), ("–", "1")]
    assert shown == ["Showing 1–2 of 3 results", "Showing 3–3 of 3 results"]


def test_the_chart_of_a_page_draws_the_records_and_the_rows_of_the_page(sota):
    kg = sota.site.kg
    bench = kg.sparql(f'SELECT ?b WHERE {{ ?b <{PWC.name}> "Question Answering on SQuAD2.0" }}')[0]["b"].value
    history = {page_path(h["result"]) for h in kg.history("Question Answering", "SQuAD2.0", "EM")}
    dated = {page_path(r["result"]) for r in kg.query("benchmark-results", benchmark=bench, metric="EM") if r.get("date")}
    _, html, page = render(sota, page_path(bench), metric="em", page="2")
    shown = {links[2][0] for links in page.table_links["leaderboard"]}
    assert len(page.circles) == len((shown & dated) | history)
    assert len([c for c in page.circles if c["class"] == "point record"]) == len(history)
    assert "the other points are the results on this page" in html


# --- 5. the other long lists --------------------------------------------------------------------

def _view(pages, page) -> tuple[int, str, Parsed]:
    """A view's Page rendered as the router renders it (the router passes no paging to these views yet)."""
    html = pages.env.get_template(page.template).render({
        **page.context, "status": page.status, "path": "/", "links": pages.links(), "generation": "g",
        "submissions_on": False})
    return page.status, html, Parsed(html)


def test_a_model_page_pages_its_results_instead_of_capping_them_silently(lineage):
    entity = lineage.reads.entity(BASE + "model/lamini-gpt-1.5b")
    _, _, whole = _view(lineage, models.model_page(lineage.reads, entity, lineage.site.kg))
    assert len(whole.tables["results"]) == 12
    seen = []
    for n in (1, 2, 3):
        status, html, page = _view(lineage, models.model_page(lineage.reads, entity, lineage.site.kg,
                                                               {"page": [str(n)], "per_page": ["5"]}))
        assert status == 200
        seen += page.tables["results"]
        assert f"Showing {5 * n - 4}–{min(5 * n, 12)} of 12 results" in html
        assert ('rel="next"' in html) == (n < 3) and ('rel="prev"' in html) == (n > 1)
    assert seen == whole.tables["results"]
    status, _, page = _view(lineage, models.model_page(lineage.reads, entity, lineage.site.kg, {"page": ["4"],
                                                                                               "per_page": ["5"]}))
    assert status == 404 and page.h1 == "Not found"
    status, _, page = _view(lineage, models.model_page(lineage.reads, entity, lineage.site.kg, {"per_page": ["0"]}))
    assert status == 400 and page.h1 == "Bad request"


def test_a_metric_page_pages_its_benchmarks_as_metric_benchmarks_lists_them(sota):
    entity = sota.reads.entity(BASE + "metric/accuracy")
    rows = sota.reads.internal("metric-benchmarks", {"metric": ox.NamedNode(entity.iri)})
    assert len(rows) > 4
    seen = []
    for n in range(1, -(-len(rows) // 4) + 1):
        status, html, page = _view(sota, entities.metric_page(sota.reads, entity, {"page": [str(n)], "per_page": ["4"]}))
        assert status == 200 and f"of {len(rows)} benchmarks" in html
        seen += [links[0][0].split("?")[0] for links in page.table_links["benchmarks"]]
    assert seen == [page_path(r["benchmark"].value) for r in rows]


def test_a_dataset_page_pages_its_benchmarks(sota):
    kg = sota.site.kg
    dataset = kg.sparql(f"""SELECT ?d (COUNT(DISTINCT ?b) AS ?n) WHERE {{ ?b <{PWC.dataset}> ?d ; a <{PWC.Benchmark}> }}
                            GROUP BY ?d ORDER BY DESC(?n) ?d LIMIT 1""")[0]
    entity = sota.reads.entity(dataset["d"].value)
    _, _, whole = _view(sota, entities.dataset_page(sota.reads, entity))
    expected = whole.tables["benchmarks"]
    assert len(expected) >= 2
    seen = []
    for n in range(1, len(expected) + 1):
        status, html, page = _view(sota, entities.dataset_page(sota.reads, entity, {"page": [str(n)], "per_page": ["1"]}))
        assert status == 200 and f"Showing {n}–{n} of {len(expected)} benchmarks" in html
        seen += page.tables["benchmarks"]
    assert seen == expected


def test_the_method_page_links_all_its_papers_past_the_most_recent(boards):
    (row,) = boards.site.kg.sparql(f"SELECT ?m WHERE {{ ?p <{PWC.usesMethod}> ?m }} GROUP BY ?m")
    status, html, page = render(boards, page_path(row["m"].value))
    key = row["m"].value.split("/method/", 1)[1]
    assert status == 200 and len(re.findall(r'<li><a href="/paper/', html)) == entities.RECENT_PAPERS < 25
    assert f'Showing {entities.RECENT_PAPERS} of 25: <a href="/papers?method={key}">all 25 papers' in html


def test_search_pages_take_a_page_size_and_keep_it_in_their_links(sota):
    first, second = _hits(sota, "a", per_page="7"), _hits(sota, "a", per_page="7", page="2")
    assert len(first) == len(second) == 7 and {h[1] for h in first}.isdisjoint(h[1] for h in second)
    _, html, _ = render(sota, "/search", q="a", per_page="7", page="2")
    assert 'href="/search?q=a&amp;per_page=7&amp;page=3"' in html and "Showing 8–14 of" in html
    for wild in ("0", "x", "9" * 30):  # a search brings a page size into range, as it does a page number
        status, _, _ = render(sota, "/search", q="a", per_page=wild)
        assert status == 200
    assert len(_hits(sota, "a", per_page="100000")) == 500


def test_a_view_not_given_its_parameters_lists_the_first_500_and_links_no_page_it_cannot_show():
    from pwc_kg.serve.pages.reads import LIST_LIMIT, Paging

    paging = Paging.of(None).check(1234)
    assert (paging.page, paging.per_page, paging.linked) == (1, LIST_LIMIT, False)
    assert (paging.first, paging.last, paging.total) == (1, 500, 1234)
    assert Paging.of({}).linked and Paging.of({}).per_page == 100


def test_a_result_links_its_rank_to_the_leaderboard_page_it_is_on(sota):
    kg = sota.site.kg
    bench = kg.sparql(f'SELECT ?b WHERE {{ ?b <{PWC.name}> "Question Answering on SQuAD2.0" }}')[0]["b"].value
    rows = [r for r in kg.query("benchmark-results", benchmark=bench, metric="EM") if r.get("rank")]
    row = max(rows, key=lambda r: r["rank"])  # past the first page of 100
    _, html, _ = render(sota, page_path(row["result"]))
    link = re.search(r'<a href="([^"]+)">#' + str(row["rank"]) + "</a>", html).group(1).replace("&amp;", "&")
    path, _, query = link.partition("?")
    _, _, page = render(sota, path, **dict(p.split("=") for p in query.split("&")))
    assert "page=" in query and page_path(row["result"]) in {links[2][0] for links in page.table_links["leaderboard"]}


def test_the_model_dataset_and_metric_pages_page_through_the_router_with_stable_urls(lineage, sota):
    status, html, page = render(lineage, "/model/lamini-gpt-1.5b", per_page="5", page="2")
    assert status == 200 and len(page.tables["results"]) == 5 and "Showing 6–10 of 12 results" in html
    assert 'href="/model/lamini-gpt-1.5b?page=3&amp;per_page=5"' in html
    status, html, page = render(sota, "/metric/accuracy", per_page="2")
    assert status == 200 and len(page.tables["benchmarks"]) == 2 and 'href="/metric/accuracy?page=2&amp;per_page=2"' in html
    assert render(sota, "/metric/accuracy", page="0")[0] == 400 and render(sota, "/metric/accuracy", page="9999")[0] == 404


def test_regression_a_page_number_in_superscript_digits_is_a_400_not_a_500():
    # '²'.isdigit() is true and int('²') raises: the benchmark pages' paging took it for a number
    from pwc_kg.serve.pages.reads import BadParam, Paging

    for wild in ("²", "١", "1²"):
        with pytest.raises(BadParam, match="must be a whole number") as refused:
            Paging.of({"page": [wild]})
        assert refused.value.status == 400
