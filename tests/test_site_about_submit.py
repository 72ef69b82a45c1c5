"""The About page (the build's sources and their sha256, licence, build, counts, how directions are decided)
and the Submit results page (the submit form for any benchmark, posting to the submissions API's form route).

What /about shows is checked against what it is drawn from: the generation's build.json, its provenance
graph, the search index's counts, derive/directions.py. A submission made with the /submit page's own
form lands pending, as one through the API does. Screenshots: ``tests/screenshots/about.png``,
``submit-off.png``, ``submit.png``.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from browsing import needs_browser, screenshot
from served import render, served_pages
from test_serve_sparql import fetch

from pwc_kg.derive import directions
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.pages import Pages
from pwc_kg.serve.pages.home import DIRECTION_SOURCES, KIND_NAMES
from pwc_kg.serve.server import BackgroundServer
from pwc_kg.submissions import SubmissionService, TokenStore

PIQA = "/benchmark/c838af8bd62dfaf8"  # Question Answering on PIQA, the seed paper's benchmark
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Form(HTMLParser):
    """The fields of the page's submit form, in order: (name, type, value)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.fields: list[tuple[str, str, str]] = []
        self.labels: list[str] = []
        self._in_form = self._in_label = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "submit-results" in (a.get("class") or ""):
            self._in_form, self.action = True, a.get("action")
        elif self._in_form and tag == "input":
            self.fields.append((a.get("name") or "", a.get("type") or "text", a.get("value") or ""))
        elif self._in_form and tag in ("label", "legend", "th"):
            self._in_label = True
            self.labels.append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag in ("label", "legend", "th"):
            self._in_label = False

    def handle_data(self, data):
        if self._in_label and self.labels:
            self.labels[-1] += data


@pytest.fixture
def store(lamini_store, tmp_path) -> Path:
    """A copy of the seed paper's store, to submit to."""
    copy = tmp_path / "store"
    shutil.copytree(lamini_store, copy, symlinks=True)
    return copy


@pytest.fixture
def with_tokens(store):
    tokens = TokenStore(store)
    return store, tokens.add("alice"), tokens.add("mo", moderator=True)


# --- /about -------------------------------------------------------------------------------------------

def test_about_shows_the_builds_sources_with_their_sha256(lamini, lamini_store):
    status, html, page = render(lamini, "/about")
    assert status == 200 and page.h1 == "About pwc-kg"
    info = json.loads((lamini_store / "current" / "build.json").read_text(encoding="utf-8"))
    assert len(info["sources"]) >= 5
    assert page.tables["sources"] == [
        [s["name"], s["kind"], f"{s['size']:,}", f"{s['records']:,}", f"{s['triples']:,}", s["sha256"]]
        for s in info["sources"]]
    # the build: its generation, and its provenance (when, by which version of pwc-kg)
    store = ox.Store.read_only(str(lamini_store / "current" / "db"))
    (row,) = list(store.query("SELECT ?t ?v WHERE { ?b a <https://w3id.org/pwc-kg/ontology#Build> ; "
                              "<http://www.w3.org/ns/prov#startedAtTime> ?t ; "
                              "<https://w3id.org/pwc-kg/ontology#toolVersion> ?v }"))
    build = {"Store generation": info["generation"], "Built": row["t"].value, "Built with": f"pwc-kg {row['v'].value}"}
    facts = " ".join(page.text)
    for name, value in build.items():
        assert value in facts, name
    assert f"{info['triples']:,}" in facts
    # licence and attribution
    assert "CC-BY-SA 4.0" in html and 'href="https://creativecommons.org/licenses/by-sa/4.0/"' in html
    assert 'href="https://paperswithcode.com/"' in html and "attribution to Papers With Code" in html
    # links to the ontology, the VoID, the endpoint, and where the dumps would be
    for href in ("/ontology", "/.well-known/void", "/sparql", "/query", "/submit"):
        assert f'href="{href}"' in html, href
    assert "pwc-kg serve --dumps DIR" in html


def test_about_counts_and_directions_are_those_of_the_index_and_the_build(lamini, lamini_store):
    _, html, page = render(lamini, "/about")
    counts = lamini.search_index(wait=60).counts()
    shown = [f"{counts[k]:,} {name}" for k, name in KIND_NAMES.items() if counts.get(k)]
    assert shown and all(s in " ".join(" ".join(page.text).split()) for s in shown)
    pairs = json.loads((lamini_store / "current" / "build.json").read_text(encoding="utf-8"))["derived"]["pairs"]
    total = sum(pairs.values())
    assert page.tables["directions"] == [
        [str(i), f"{DIRECTION_SOURCES[s]} ({s})", f"{pairs.get(s, 0):,}", f"{100 * pairs.get(s, 0) / total:.1f} %"]
        for i, s in enumerate(directions.SOURCES, 1)]
    # how they are decided, as derive/directions.py says it
    assert "<code>ontology/metric-directions.csv</code>" in html and "What the name leaves open" in html


def test_about_lists_the_served_dumps(lamini_store, tmp_path):
    from pwc_kg.serve.executor import QueryExecutor
    from pwc_kg.serve.site import Site
    from pwc_kg.store import StoreDir

    (tmp_path / "pwc-kg.nq.gz").write_bytes(b"")
    config = ServeConfig(store=str(lamini_store), workers=1, dumps=str(tmp_path))
    with QueryExecutor(StoreDir(lamini_store), config) as executor:
        pages = Pages(Site(StoreDir(lamini_store), executor, config))
        status, html = pages.render("/about", {})
    assert status == 200 and 'href="/dumps/pwc-kg.nq.gz"' in html


# --- /submit ------------------------------------------------------------------------------------------

def test_submit_without_tokens_says_how_to_turn_submissions_on(store):
    with BackgroundServer(ServeConfig(store=str(store), port=0, workers=1)) as server:
        status, headers, body = fetch(server.url + "submit", accept=BROWSER)
    html = body.decode("utf-8")
    assert status == 404 and headers["content-type"].startswith("text/html")  # the API is off: 404, as the API's
    assert 'id="off"' in html and "pwc-kg tokens add" in html and "<h1>Submit results</h1>" in html
    assert "submit-results" not in html


def test_submit_renders_the_form_for_any_benchmark(with_tokens):
    store, _, _ = with_tokens
    with served_pages(store) as pages:
        status, html, _ = render(pages, "/submit", benchmark=PIQA)
        assert status == 200
        form = Form(html)
        assert form.action == "/submit"
        assert ("benchmark", "hidden", "https://w3id.org/pwc-kg/resource" + PIQA) in form.fields
        assert ("metric", "hidden", "Accuracy") in form.fields  # the benchmark's metric, named, its value to fill
        labels = [" ".join(label.split()) for label in form.labels]
        for wanted in ("Metric name", "Value", "Benchmark", "Paper", "Your API token"):
            assert wanted in labels, (wanted, labels)
        assert any(label.startswith("Model name") for label in labels)
        assert "Question Answering on PIQA" in html
        # without a benchmark: the task and the dataset to type, with examples
        status, html, _ = render(pages, "/submit")
        names = [name for name, _, _ in Form(html).fields]
        assert status == 200 and names[:3] == ["task", "dataset", "model"] and "e.g. Question Answering" in html
        assert names.count("metric") == names.count("value") == 3
        status, html, page = render(pages, "/submit", benchmark="/benchmark/0123456789abcdef")
        assert status == 404 and page.h1 == "Not found"
        status, html, _ = render(pages, "/submit", benchmark="/paper/lamini-lm-a-diverse-herd-of-distilled-models")
        assert status == 404


def _post(server, fields: list[tuple[str, str]]):
    return fetch(server.url + "submit", data=urllib.parse.urlencode(fields).encode(),
                 ctype="application/x-www-form-urlencoded", accept=BROWSER)


def test_a_submission_through_the_submit_page_lands_pending(with_tokens):
    store, alice, _ = with_tokens
    with served_pages(store) as pages:
        for_piqa = Form(pages.render("/submit", {"benchmark": [PIQA]})[1])
        free = Form(pages.render("/submit", {})[1])
    typed = {"model": "Form Model", "value": "73.1", "paper_date": "2024-04-01", "token": alice}
    with BackgroundServer(ServeConfig(store=str(store), port=0, workers=1)) as server:
        # the benchmark's form: its hidden fields as the page has them, the rest typed in
        fields = [(name, value if kind == "hidden" else typed.get(name, "")) for name, kind, value in for_piqa.fields
                  if name and kind != "checkbox"]
        status, _, body = _post(server, fields)
        assert status == 202 and b"pending review" in body, body[-2000:]
        # the form with no benchmark: task, dataset, metric name and value typed in
        typed_free = {"task": "Question Answering", "dataset": "PIQA", "model": "Free Form Model", "token": alice}
        fields, metrics = [], iter([("Accuracy", "73.2")])
        for name, kind, _ in free.fields:
            if name == "metric":
                pair = next(metrics, ("", ""))
                fields.append(("metric", pair[0]))
            elif name == "value":
                fields.append(("value", pair[1]))
            elif name and kind != "checkbox":
                fields.append((name, typed_free.get(name, "")))
        status, _, body = _post(server, fields)
        assert status == 202, body[-2000:]
        # the same validation as the API: a value that is no number is refused, nothing stored
        bad = [(n, "Yes" if n == "value" and v == "73.1" else v) for n, v in
               [(name, value if kind == "hidden" else typed.get(name, "")) for name, kind, value in for_piqa.fields
                if name and kind != "checkbox"]]
        status, _, body = _post(server, bad)
        assert status == 422 and b"no number in" in body
    pending = SubmissionService(store).list("pending")
    assert sorted(p["submitted_by"] for p in pending) == ["alice", "alice"]
    payloads = [json.loads(SubmissionService(store).show(p["id"])["payload"]) for p in pending]
    rows = sorted((p["rows"][0]["model_name"], p["rows"][0]["metrics"]) for p in payloads)
    assert rows == [("Form Model", {"Accuracy": "73.1"}), ("Free Form Model", {"Accuracy": "73.2"})]


# --- in a real browser ----------------------------------------------------------------------------------

@needs_browser
def test_screenshots_of_about_and_submit(with_tokens, lamini_store, browser, tmp_path):
    from selenium.webdriver.common.by import By

    with BackgroundServer(ServeConfig(store=str(lamini_store), port=0, workers=1)) as server:
        assert server.app.pages.search_index(wait=60) is not None
        browser.get(server.url + "about")
        assert browser.find_element(By.TAG_NAME, "h1").text == "About pwc-kg"
        assert browser.find_element(By.ID, "sources").is_displayed()
        screenshot(browser, "about")
        browser.get(server.url + "submit")  # no token in this store: how to turn submissions on
        assert browser.find_element(By.ID, "off").is_displayed()
        screenshot(browser, "submit-off")
    store, _, _ = with_tokens
    with BackgroundServer(ServeConfig(store=str(store), port=0, workers=1)) as server:
        status, _, _ = fetch(server.url + "submit?benchmark=" + PIQA, accept=BROWSER)
        assert status == 200  # the form is a page; only its POST goes to the submissions API
        browser.get(server.url + "submit?benchmark=" + PIQA)
        assert browser.find_element(By.CSS_SELECTOR, "form.submit-results").is_displayed()
        screenshot(browser, "submit")
