"""/sparql in a browser: YASGUI (the vendored @zazuko/yasgui) over this server's endpoint, and a browser's
query answered with an HTML table of the results, while API clients get the SPARQL formats as ever.

The YASGUI page is driven in headless chromium against a real server on a free loopback port: no
console errors, no request to any other host, the PIQA SOTA example run and its rows shown. Takes the
screenshot ``tests/screenshots/sparql-yasgui.png``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browsing import needs_browser, screenshot
from served import Parsed
from test_serve_sparql import fetch, q

import pwc_kg
from pwc_kg.queries import list_queries
from pwc_kg.serve.pages.query import MAX_PER_PAGE, YASGUI_STYLE_HASHES
from pwc_kg.vocab import PREFIXES

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "src" / "pwc_kg" / "serve" / "static"
YASGUI = STATIC / "yasgui"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
PIQA_SOTA = 72.2  # the seed paper's PIQA state of the art (FLAN-T5-Large 783M), data/sample and tests/fixtures/lamini
# A query whose answers hold IRIs of this server, plain and language-tagged literals and numbers.
LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
SELECT ?s ?label ?n WHERE {
  { ?s rdfs:label ?label FILTER(LANG(?label) = "en") } UNION { ?s pwc:name ?label } UNION { ?s pwc:resultCount ?n }
} ORDER BY ?s ?label ?n"""
# In the browser: what each of YASGUI's tabs says (TABS % "getName"), and every URL the page requested.
TABS = "var y = window.pwcSparql; return y.persistentConfig.getTabs().map(function (t) { return y.getTab(t).%s(); })"
REQUESTED = "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"


@pytest.fixture
def server(lamini_server):
    return lamini_server


# --- the vendored files -----------------------------------------------------------------------------

def test_the_vendored_yasgui_is_what_its_source_note_says():
    note = (YASGUI / "SOURCE.md").read_text(encoding="utf-8")
    assert "@zazuko/yasgui` 4.6.2" in note and "MIT" in (YASGUI / "LICENSE").read_text(encoding="utf-8")
    for name in ("yasgui.min.js", "yasgui.min.css", "yasgui.min.js.map"):
        digest = hashlib.sha256((YASGUI / name).read_bytes()).hexdigest()
        assert f"| {name} | `{digest}` |" in note, name


def test_the_inline_styles_the_page_allows_are_the_bundles_own():
    """The CSP of the YASGUI page allows three inline styles by their hashes: each is a text the bundle writes."""
    bundle = (YASGUI / "yasgui.min.js").read_text(encoding="utf-8")
    start = bundle.index(" .grip-resizable{table-layout:fixed;}")
    grip = bundle[start:bundle.index("display:none;}", start) + len("display:none;}")]
    assert "`*{cursor:`+n.opt.dragCursor+`!important}`" in bundle and "dragCursor:`col-resize`" in bundle
    assert "<strong style='text-decoration:underline'>" in bundle
    texts = [grip, "*{cursor:col-resize!important}", "text-decoration:underline"]
    assert list(YASGUI_STYLE_HASHES.values()) == [
        "sha256-" + base64.b64encode(hashlib.sha256(t.encode("utf-8")).digest()).decode() for t in texts]


# --- GET /sparql: YASGUI for a browser, the service description for the rest --------------------------

def _config(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="sparql-ui-config">(.*?)</script>', html, re.S)
    assert m, "the page carries its configuration"
    return json.loads(m[1])


def test_a_browser_at_the_endpoint_gets_yasgui_with_the_named_queries_and_the_prefixes(server, lamini_store):
    status, headers, body = fetch(server.url + "sparql", accept=BROWSER)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8" and "Accept" in headers["vary"]
    html = body.decode("utf-8")
    for src in ('src="/static/yasgui/yasgui.min.js"', 'src="/static/sparql-ui.js"',
                'href="/static/yasgui/yasgui.min.css"'):
        assert src in html
    # no inline script (the JSON block is data: never run), nothing from elsewhere
    assert not re.search(r"<script(?![^>]*(?:src=\"/static/|type=\"application/json\"))", html)
    assert not re.search(r'<(?:link|img|iframe|script)[^>]+(?:href|src)="(?:https?:)?//', html)
    csp = headers["content-security-policy"]
    assert "connect-src 'self'" in csp and "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    config = _config(html)
    assert config["endpoint"] == "/sparql" and config["prefixes"] == dict(sorted(PREFIXES.items()))
    assert set(config["examples"]) == {nq.name for nq in list_queries()} and config["first"] == "sota"
    page = Parsed(html)
    assert [row[0] for row in page.tables["prefixes"]] == [PREFIXES[k] for k in sorted(PREFIXES)]
    assert all(f"<th>{k}:</th>" in html for k in PREFIXES)
    assert f'href="/query?example=leaderboard"' in html and "<noscript>" in html and 'href="/query"' in html
    # the plain form stays for clients without JavaScript
    assert '<form class="sparql" id="sparql-form" method="get" action="/sparql">' in html
    # API clients: the service description, as before
    status, headers, body = fetch(server.url + "sparql", accept="text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle") and b"sd:endpoint" in body
    assert "unsafe-hashes" not in headers["content-security-policy"]


def test_every_example_runs_and_the_first_is_the_piqa_sota(server, lamini_store):
    config = _config(fetch(server.url + "sparql", accept=BROWSER)[2].decode("utf-8"))
    for name, example in config["examples"].items():
        status, _, body = fetch(server.url + "sparql", data=example["text"].encode("utf-8"),
                                ctype="application/sparql-query", accept="application/sparql-results+json")
        assert status == 200, (name, body[:300])
    first = config["examples"]["sota"]
    assert "VALUES" in first["text"] and "UNDEF" not in first["text"] and "PIQA" in first["title"]
    assert "UNDEF" in config["examples"]["leaderboard"]["text"]  # parameters left for the user to fill
    status, _, body = fetch(q(server.url, first["text"]), accept="application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    expected = pwc_kg.open_store(lamini_store).sota("Question Answering", "PIQA")
    assert [(r["model"]["value"], float(r["value"]["value"])) for r in rows] == \
           [(e["model"], e["value"]) for e in expected] == [("FLAN-T5-Large 783M", PIQA_SOTA)]


# --- a browser's query: an HTML table -----------------------------------------------------------------

def _expected_cells(binding: dict | None) -> tuple[str, str | None]:
    """(the cell's text, its link) that the table shows for a SPARQL JSON binding."""
    if binding is None:
        return "", None
    if binding["type"] == "uri":
        iri = binding["value"]
        base, ontology = "https://w3id.org/pwc-kg/resource/", "https://w3id.org/pwc-kg/ontology#"
        if iri.startswith(ontology):  # a term of the ontology: its entry in /ontology
            return iri, "/ontology#" + iri[len(ontology):]
        return iri, "/" + iri[len(base):] if iri.startswith(base) else iri
    if binding["type"] == "bnode":
        return "_:" + binding["value"], None
    lang = binding.get("xml:lang")
    return binding["value"] + (f" @{lang}" if lang else ""), None


def test_a_browsers_query_gets_a_table_equal_to_the_json_results(server):
    status, headers, body = fetch(q(server.url, LABELS), accept="*/*")
    assert status == 200 and headers["content-type"] == "application/sparql-results+json"
    data = json.loads(body)
    columns, bindings = data["head"]["vars"], data["results"]["bindings"]
    assert len(bindings) > 30 and any("xml:lang" in b.get("label", {}) for b in bindings)
    shown: list[list[str]] = []
    links: list[list[list[str]]] = []
    per_page, page = 20, 1
    while True:
        status, headers, body = fetch(q(server.url, LABELS, per_page=str(per_page), page=str(page)), accept=BROWSER)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8", body[:500]
        assert "Accept" in headers["vary"] and headers["pwc-kg-generation"].startswith("gen-")
        parsed = Parsed(body.decode("utf-8"))
        shown += parsed.tables["sparql-results"]
        links += parsed.table_links["sparql-results"]
        if 'rel="next"' not in body.decode("utf-8"):
            break
        page += 1
    assert page == -(-len(bindings) // per_page) > 1
    expected = [[_expected_cells(b.get(c)) for c in columns] for b in bindings]
    assert shown == [[text for text, _ in row] for row in expected]
    assert links == [[[href] if href else [] for _, href in row] for row in expected]
    html = fetch(q(server.url, LABELS), accept=BROWSER)[2].decode("utf-8")
    assert re.search(r"<th>s</th><th>label</th><th>n</th>", html)
    # the same results to download, in the SPARQL formats
    for fmt, ctype in (("json", "application/sparql-results+json"), ("csv", "text/csv"),
                       ("xml", "application/sparql-results+xml"), ("tsv", "text/tab-separated-values")):
        href = re.search(rf'<a href="(\?[^"]*format={fmt})" download>', html)[1].replace("&amp;", "&")
        status, headers, body = fetch(server.url + "sparql" + href, accept=BROWSER)
        assert status == 200 and headers["content-type"].startswith(ctype), fmt
        if fmt == "json":
            assert json.loads(body)["results"]["bindings"] == bindings


def test_ask_construct_escaping_and_bad_paging_for_a_browser(server):
    status, _, body = fetch(q(server.url, "ASK { ?s ?p ?o }"), accept=BROWSER)
    assert status == 200 and b'id="boolean"' in body and b"yes (true)" in body
    construct = ("CONSTRUCT { ?s <http://example.org/says> ?o } "
                 "WHERE { ?s <https://w3id.org/pwc-kg/ontology#name> ?o } LIMIT 5")
    status, _, body = fetch(q(server.url, construct), accept=BROWSER)
    table = Parsed(body.decode("utf-8")).tables["sparql-results"]
    assert status == 200 and len(table) == 5 and all(row[1] == "http://example.org/says" for row in table)
    assert b"format=turtle" in body and b"format=jsonld" in body and b"format=csv" not in body
    evil = 'SELECT ?x WHERE { BIND("</textarea><script>alert(1)</script>" AS ?x) }'
    status, _, body = fetch(q(server.url, evil), accept=BROWSER)
    assert status == 200 and b"<script>alert" not in body and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    for params, wanted in (({"per_page": "0"}, 400), ({"per_page": str(MAX_PER_PAGE + 1)}, 400), ({"page": "x"}, 400),
                           ({"page": "99"}, 404)):
        status, headers, body = fetch(q(server.url, "SELECT * WHERE { ?s ?p ?o } LIMIT 3", **params), accept=BROWSER)
        assert status == wanted and headers["content-type"].startswith("text/html") and b'id="error"' in body, params
    status, headers, body = fetch(q(server.url, "SELECT * WHERE {"), accept=BROWSER)
    assert status == 400 and headers["content-type"].startswith("text/html") and b"malformed query" in body


@pytest.mark.parametrize("accept", [None, "*/*", "application/sparql-results+json", "application/json",
                                    "application/sparql-results+json,*/*;q=0.9", "text/html, */*",
                                    "application/sparql-results+xml, text/html;q=0.9"])
def test_api_clients_still_get_the_sparql_formats(server, accept):
    status, headers, _ = fetch(q(server.url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"), accept=accept)
    assert status == 200 and not headers["content-type"].startswith("text/html"), accept


def test_a_named_format_wins_over_a_browsers_accept(server):
    for fmt, ctype in (("json", "application/sparql-results+json"), ("csv", "text/csv")):
        status, headers, _ = fetch(q(server.url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", format=fmt), accept=BROWSER)
        assert status == 200 and headers["content-type"].startswith(ctype)


# --- in a real browser ------------------------------------------------------------------------------

@needs_browser
def test_yasgui_runs_the_piqa_example_with_no_console_error_and_nothing_from_elsewhere(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")  # what earlier tests left
    browser.get(server.url + "sparql")
    wait = WebDriverWait(browser, 30)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasgui .CodeMirror")))
    assert not browser.find_element(By.ID, "sparql-form").is_displayed()  # YASGUI took over from the plain form
    assert "PREFIX pwc:" in browser.execute_script("return window.pwcSparql.getTab().getYasqe().getValue()")
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasr table.dataTable tbody tr td")))
    text = browser.find_element(By.CSS_SELECTOR, ".yasr table.dataTable").text
    assert "FLAN-T5-Large 783M" in text and f"{PIQA_SOTA}" in text and "PIQA" in text
    # an entity of this server links to its page here, not to the w3id.org IRI
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable a")]
    assert any(h.startswith(server.url + "paper/lamini-lm") for h in hrefs), hrefs
    screenshot(browser, "sparql-yasgui")
    # an example opens in a tab of its own
    browser.find_element(By.CSS_SELECTOR, 'a[data-example="leaderboard"]').click()
    names = browser.execute_script(TABS % "getName")
    assert "leaderboard" in names
    assert browser.execute_script("return window.pwcSparql.getTab().getName()") == "leaderboard"
    # nothing but this server was asked for anything, and the console holds no error (the site has no
    # favicon.ico yet: chromium asks for it on every page, and its 404 is left out here)
    origin = urlsplit(server.url).netloc
    requested = browser.execute_script(REQUESTED)
    assert requested and all(urlsplit(u).netloc == origin for u in requested), requested
    assert any(u.endswith("/sparql") for u in requested)  # the query went to this endpoint
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert errors == []


# --- the wheel ----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_wheel_carries_yasgui_and_the_pages(tmp_path):
    pytest.importorskip("build", reason="the test extra installs build (pip install -e '.[test]')")
    from test_wheel import _copy_tree

    tree = tmp_path / "tree"
    tree.mkdir()
    _copy_tree(tree)
    # the sdist, then the wheel from it: as `python -m build` and `pip install .` make them
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"),
                           str(tree)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    files = [p for p in YASGUI.iterdir()] + [STATIC / "sparql-ui.js"] + [
        REPO / "src" / "pwc_kg" / "serve" / "templates" / name for name in ("sparql_ui.html", "sparql_results.html")]
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for f in files:
            inside = "pwc_kg/" + f.relative_to(REPO / "src" / "pwc_kg").as_posix()
            assert inside in names, inside
            assert z.read(inside) == f.read_bytes(), inside


@needs_browser
def test_tabs_kept_from_another_address_query_this_server(server, browser):
    """YASGUI keeps its tabs in the browser's storage, endpoint included: a tab kept while the server had
    another address would query that address (refused by the page's connect-src 'self')."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url + "sparql")
    wait = WebDriverWait(browser, 30)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasgui .CodeMirror")))
    browser.execute_script("window.pwcSparql.getTab().setEndpoint('http://127.0.0.1:1/sparql')")
    browser.refresh()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasgui .CodeMirror")))
    endpoints = browser.execute_script(TABS % "getEndpoint")
    assert endpoints and set(endpoints) == {server.url + "sparql"}


@needs_browser
def test_the_editor_completes_the_ontologys_prefixes_classes_and_properties(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from pwc_kg.serve.pages.query import ontology_terms

    terms = ontology_terms()
    assert "https://w3id.org/pwc-kg/ontology#Paper" in terms["classes"]
    assert "https://w3id.org/pwc-kg/ontology#title" in terms["properties"]
    browser.get(server.url + "sparql")
    wait = WebDriverWait(browser, 30)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasgui .CodeMirror")))
    head = "PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>\nSELECT * WHERE { ?x "
    for text, wanted in ((head + "a pwc:Pa", "pwc:Paper"), (head + "pwc:tit", "pwc:title"),
                         ("PREFIX pw", "pwc: <https://w3id.org/pwc-kg/ontology#>")):
        browser.execute_script("var y = window.pwcSparql.getTab().getYasqe(); y.setValue(arguments[0]); y.focus();"
                               "y.getDoc().setCursor(y.getDoc().lastLine(), 1000); y.autocomplete();", text)
        wait.until(lambda b: wanted in [e.text for e in b.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")])
    requested = browser.execute_script(REQUESTED)
    assert all(urlsplit(u).netloc == urlsplit(server.url).netloc for u in requested), requested


@needs_browser
def test_send_to_sparql_from_the_query_page_shows_a_table(server, browser):
    """The plain query page's "Send to /sparql" button, in a browser: a table of the results, not SPARQL XML."""
    from selenium.webdriver.common.by import By

    browser.get_log("browser")
    browser.get(server.url + "query")
    browser.find_element(By.CSS_SELECTOR, "form.sparql textarea").clear()
    browser.find_element(By.CSS_SELECTOR, "form.sparql textarea").send_keys(LABELS)
    browser.find_element(By.CSS_SELECTOR, 'button[formaction="/sparql"]').click()
    # The click starts a navigation: wait for the results page to be there before reading it (reading at once
    # found the query page still, now and then).
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(expected_conditions.presence_of_element_located((By.ID, "sparql-results")))
    rows = browser.find_elements(By.CSS_SELECTOR, "#sparql-results tbody tr")
    assert browser.find_element(By.TAG_NAME, "h1").text == "SPARQL results" and len(rows) == 100  # a page of them
    assert urlsplit(browser.current_url).path == "/sparql"
    screenshot(browser, "sparql-results")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert errors == []
