"""The site's pages served over a fixture store, for the page tests (the fixtures are in conftest.py).

``served_pages(store)`` renders through ``Pages`` over the server's own ``Site`` (its query workers and
limits), with every query it sends noted; ``crafted_archive`` writes a tiny archive whose names are
script tags and SQL injections.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.executor import QueryExecutor
from pwc_kg.serve.pages import Pages
from pwc_kg.serve.site import Site
from pwc_kg.store import StoreDir

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
