"""What a person sees: the pages driven in a real headless browser (Debian's chromium) against the
real server on a free loopback port: the search (a model's aliases under it), a paged leaderboard
with its chart. Takes the README's screenshot of the benchmark page (``docs/img/benchmark-page.png``)
and one of a search (``tests/screenshots/search-aliases.png``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pwc_kg
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer

from browsing import CHROMEDRIVER, CHROMIUM, screenshot

SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "img" / "benchmark-page.png"

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromedriver (apt-get install chromium "
                                       "chromium-driver; .ci/run installs them)")


@pytest.fixture(scope="module")
def server(sota_store):
    with BackgroundServer(ServeConfig(store=str(sota_store), port=0, workers=2)) as srv:
        assert srv.app.pages is not None and srv.app.pages.search_index(wait=60) is not None
        yield srv


def _squad2(sota_store) -> tuple[str, list[dict]]:
    kg = pwc_kg.open_store(sota_store)
    board = kg.leaderboard("Question Answering", "SQuAD2.0", "EM")
    bench = kg.sota("Question Answering", "SQuAD2.0", "EM")[0]["benchmark"]
    return bench, board


def test_typing_into_the_search_box_shows_results(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url)
    box = browser.find_element(By.ID, "home-search")
    assert box.is_displayed()
    box.send_keys("squad question")
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits")))
    assert "/search?q=squad+question" in browser.current_url
    hits = browser.find_elements(By.CSS_SELECTOR, "li.hit a")
    names = [h.text for h in hits]
    assert "Question Answering on SQuAD2.0" in names and "Question Answering on SQuAD1.1" in names
    # a result is a link that leads to its page
    next(h for h in hits if h.text == "Question Answering on SQuAD2.0").click()
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "leaderboard")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Question Answering on SQuAD2.0"


def test_the_benchmark_page_shows_the_leaderboard_and_its_chart(server, browser, sota_store):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    bench, board = _squad2(sota_store)
    path = bench.split("/resource/", 1)[1]
    browser.get(server.url + path)
    rows = browser.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")
    assert len(rows) == 100 < len(board)  # the first page of the leaderboard
    assert browser.find_element(By.CSS_SELECTOR, "#pager .showing").text == f"Showing 1–100 of {len(board)} results"
    first = rows[0].find_elements(By.TAG_NAME, "td")
    assert first[0].text == "1" and first[2].text == f"{board[0]['value']:g}"
    assert first[1].text.startswith(board[0]["model"])
    # the chart: an inline SVG, visible, with a point per dated result and a step line through the records
    svg = browser.find_element(By.CSS_SELECTOR, "svg.sota-chart")
    assert svg.is_displayed() and svg.size["width"] > 500 and svg.size["height"] > 200
    points = svg.find_elements(By.CSS_SELECTOR, "circle.point")
    records = svg.find_elements(By.CSS_SELECTOR, "circle.record")
    assert 5 < len(records) < len(points) <= 100 + len(records)  # the records and the rows of this page
    assert all(p.is_displayed() for p in records)
    step = svg.find_element(By.CSS_SELECTOR, "path.sota-step")
    assert step.is_displayed() and step.size["width"] > 300
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 1400)  # the chart and the top of the leaderboard
    browser.save_screenshot(str(SCREENSHOT))
    browser.set_window_size(1280, 1000)
    assert SCREENSHOT.stat().st_size < 400_000
    # the next page: a link, the rows after the first 100, in rank order
    browser.find_element(By.CSS_SELECTOR, '#pager a[rel="next"]').click()
    WebDriverWait(browser, 20).until(lambda b: "page=2" in b.current_url)
    ranks = [int(tr.find_elements(By.TAG_NAME, "td")[0].text)
             for tr in browser.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")]
    assert len(ranks) == min(100, len(board) - 100) and ranks == sorted(ranks) and ranks[0] > 1
    browser.back()
    # the metric selector and the extra-training-data filter work without JavaScript: a GET form
    Select(browser.find_element(By.NAME, "metric")).select_by_value("f1")
    browser.find_element(By.CSS_SELECTOR, "form.board-options button").click()
    WebDriverWait(browser, 20).until(lambda b: "metric=f1" in b.current_url)
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#leaderboard thead th")]
    assert header[2] == "F1"
    values = [float(tr.find_elements(By.TAG_NAME, "td")[2].text)
              for tr in browser.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")]
    assert values == sorted(values, reverse=True) and len(values) == 100
    browser.find_element(By.LINK_TEXT, "without extra training data").click()
    WebDriverWait(browser, 20).until(lambda b: "extra=no" in b.current_url)
    assert browser.find_element(By.CSS_SELECTOR, "p.metric-links strong:last-of-type").text == "without extra training data"


def test_a_paper_page_in_the_browser(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server.url + "task/question-answering")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Question Answering"
    links = browser.find_elements(By.CSS_SELECTOR, "#benchmarks a")
    assert any(a.text == "SQuAD2.0" for a in links)


@pytest.fixture(scope="module")
def aliased_server(tmp_path_factory):
    """The seed paper with the Hugging Face model cards: its models have owl:sameAs aliases."""
    from conftest import FIXTURES, LAMINI

    store = tmp_path_factory.mktemp("browser-aliased") / "store"
    lineage = Path(__file__).resolve().parents[1] / "ontology" / "lineage.csv"
    pwc_kg.build([str(LAMINI), str(FIXTURES / "model-cards"), str(lineage)], store)
    with BackgroundServer(ServeConfig(store=str(store), port=0, workers=1)) as srv:
        assert srv.app.pages is not None and srv.app.pages.search_index(wait=60) is not None
        yield srv


def test_searching_lamini_shows_the_paper_first_and_each_model_with_its_aliases(aliased_server, browser):
    from selenium.webdriver.common.by import By

    browser.get(aliased_server.url + "search?q=LaMini")
    hits = browser.find_elements(By.CSS_SELECTOR, "li.hit")
    assert hits[0].find_element(By.CSS_SELECTOR, ".kind").text == "PAPER"
    assert hits[0].find_element(By.TAG_NAME, "a").text.startswith("LaMini-LM")
    models = [h for h in hits if h.find_element(By.CSS_SELECTOR, ".kind").text == "MODEL"]
    names = [h.find_element(By.TAG_NAME, "a").text for h in models]
    assert len(names) == len(set(names)) and "LaMini-GPT 1.5B" in names
    gpt = models[names.index("LaMini-GPT 1.5B")]
    alias = gpt.find_element(By.CSS_SELECTOR, ".aliases")
    assert alias.is_displayed() and "MBZUAI/LaMini-GPT-1.5B" in alias.text
    screenshot(browser, "search-aliases")
