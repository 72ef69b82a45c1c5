"""The site's pages served over a fixture store and read back, for the page tests (the fixtures are in conftest.py).

``served_pages(store)`` renders through ``Pages`` over the server's own ``Site`` (its query workers and
limits), with every query it sends noted; ``render`` gives a page's status, HTML and ``Parsed`` form (its
tables, links, text and chart); ``crafted_archive`` writes a tiny archive whose names are script tags and
SQL injections.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.executor import QueryExecutor
from pwc_kg.serve.pages import Pages
from pwc_kg.serve.site import Site
from pwc_kg.store import StoreDir

BASE = "https://w3id.org/pwc-kg/resource/"


class Parsed(HTMLParser):
    """Tables by id (rows of cell texts and the cells' links), every link, the text, and the SVG's shapes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.table_links: dict[str, list[list[list[str]]]] = {}
        self.links: list[str] = []
        self.h1 = ""
        self.text: list[str] = []
        self.circles: list[dict] = []
        self.paths: list[dict] = []
        self.svg_titles: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._cell_links: list[str] = []
        self._in_h1 = False
        self._in_svg_title = False
        self._svg_title: list[str] = []
        self._thead = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = []
            self.table_links[self._table] = []
        elif tag == "thead":
            self._thead = True
        elif tag == "tbody":
            self._thead = False
        elif tag == "tr" and self._table and not self._thead:
            self.tables[self._table].append([])
            self.table_links[self._table].append([])
        elif tag in ("td",) and self._table and not self._thead:
            self._cell, self._cell_links = [], []
        elif tag == "a" and a.get("href") is not None:
            self.links.append(a["href"])
            if self._cell is not None:
                self._cell_links.append(a["href"])
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "circle":
            self.circles.append(a)
        elif tag == "path":
            self.paths.append(a)
        elif tag == "title" and self.circles is not None and (self.circles or self.paths):
            self._in_svg_title, self._svg_title = True, []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self.table_links[self._table][-1].append(self._cell_links)
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "h1":
            self._in_h1 = False
        elif tag == "title" and self._in_svg_title:
            self.svg_titles.append("".join(self._svg_title))
            self._in_svg_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._in_h1:
            self.h1 += data
        if self._in_svg_title:
            self._svg_title.append(data)


def render(pages: Pages, path: str, **params: str) -> tuple[int, str, Parsed]:
    out = pages.render(path, {k: [v] for k, v in params.items()})
    assert out is not None, path
    status, html = out
    return status, html, Parsed(html)


def page_path(iri: str) -> str:
    assert iri.startswith(BASE), iri
    return "/" + iri[len(BASE):]


SCRIPT = "<script>alert(1)</script>"
SQL = "' OR 1=1 --"


class RecordingSite(Site):
    """The server's own Site (query workers, limits), noting each query the pages send it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queries: list[str] = []

    def select(self, query, bindings=None, **options):
        self.queries.append(query)
        return super().select(query, bindings, **options)


@contextmanager
def served_pages(store: Path, public_base: str | None = None):
    config = ServeConfig(store=str(store), workers=1, base_iri=public_base)
    with QueryExecutor(StoreDir(store), config) as executor:
        pages = Pages(RecordingSite(StoreDir(store), executor, config))
        assert pages.search_index(wait=60) is not None
        yield pages


def crafted_archive(folder: Path) -> Path:
    """A tiny archive whose names are script tags and SQL injections, with a leaderboard to rank."""
    folder.mkdir(parents=True, exist_ok=True)
    title = f"{SCRIPT} Attention{SQL}"
    paper_url = "https://paperswithcode.com/paper/crafted-paper"
    papers = [{"paper_url": paper_url, "arxiv_id": None, "title": title,
               "abstract": f"An abstract with {SCRIPT} and <img src=x onerror=alert(2)> and {SQL}.",
               "url_abs": "https://example.org/abs/1", "url_pdf": "javascript:alert(3)",
               "authors": [SCRIPT, f"Robert{SQL}"], "tasks": [f"{SCRIPT} Detection"], "date": "2020-01-01",
               "methods": []}]
    task = f"{SCRIPT} Detection"
    rows = []
    for model, day, acc, err, extra in [(SCRIPT, "2019-01-01", "70", "30", False), (SQL, "2020-01-01", "80", "20", True),
                                        ("Plain Model", "2020-06-01", "75", "25", False),
                                        ("Later Model", "2021-01-01", "85", "15", False),
                                        ("Undated Model", None, "60", "40", False)]:
        rows.append({"model_name": model, "paper_title": title, "paper_url": paper_url, "paper_date": day,
                     "code_links": [], "model_links": [], "metrics": {"Accuracy": acc, "Error": err},
                     "uses_additional_data": extra})
    tables = [{"task": task, "description": SCRIPT, "categories": [], "source_link": None, "synonyms": [],
               "subtasks": [], "datasets": [{"dataset": SQL, "description": "", "dataset_links": [],
                                             "dataset_citations": [], "subdatasets": [],
                                             "sota": {"metrics": ["Accuracy", "Error"], "rows": rows}}]}]
    datasets = [{"url": "https://paperswithcode.com/dataset/crafted", "name": SQL, "full_name": SCRIPT,
                 "homepage": "javascript:alert(4)", "description": f"{SCRIPT} {SQL}", "paper": None,
                 "introduced_date": None, "modalities": [SCRIPT], "tasks": [{"task": task, "url": None}],
                 "languages": [], "variants": [SQL, SCRIPT], "data_loaders": []}]
    methods = [{"url": "https://paperswithcode.com/method/crafted", "name": f"{SCRIPT}Net", "full_name": SQL,
                "description": SCRIPT, "paper": None, "introduced_year": 2020, "source_url": None,
                "source_title": SCRIPT, "code_snippet_url": None, "collections": [
                    {"collection": SCRIPT, "area_id": "x", "area": SQL}]}]
    for name, data in [("papers-with-abstracts.json", papers), ("evaluation-tables.json", tables),
                       ("datasets.json", datasets), ("methods.json", methods)]:
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return folder
