"""Shared fixtures: stores built once per session from the bundled test data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import settings

import pwc_kg

# No wall-clock bound on a hypothesis example (its default is 200 ms): on a loaded machine an example
# is slow for no fault of the code. Tests that want fewer examples set their own settings.
settings.register_profile("pwc-kg", deadline=None)
settings.load_profile("pwc-kg")

FIXTURES = Path(__file__).parent / "fixtures"
LAMINI = FIXTURES / "lamini"
SOTA = FIXTURES / "sota-extractor"
QUIRKS = FIXTURES / "quirks"
BAD = FIXTURES / "bad"
LAMINI_TITLE = "LaMini-LM: A Diverse Herd of Distilled Models from Large-Scale Instructions"
SOTA_FILES = sorted(SOTA.glob("*.json"))
LINEAGE_FILE = Path(__file__).resolve().parents[1] / "ontology" / "lineage.csv"


def build_store(tmp_path_factory, name: str, sources: list) -> Path:
    store = tmp_path_factory.mktemp(name) / "store"
    pwc_kg.build([str(s) for s in sources], store)
    return store


@pytest.fixture(scope="session")
def lamini_store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory, "lamini", [LAMINI])


@pytest.fixture(scope="session")
def sota_store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory, "sota", SOTA_FILES)


@pytest.fixture(scope="session")
def quirks_store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory, "quirks", [QUIRKS])


def rejects_of(store: Path) -> list[dict]:
    path = Path(store) / "current" / "rejects.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless chromium (tests/browsing.py); the module using it marks itself ``needs_browser``."""
    from browsing import open_browser

    driver = open_browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


# --- the site's pages over the fixture stores, shared by the page tests (tests/served.py) ----------

def _pages(store: Path):
    from served import served_pages

    with served_pages(store) as pages:
        assert pages.catalogue(wait=120) is not None
        yield pages


@pytest.fixture(scope="session")
def lamini(lamini_store):
    """The pages over the seed paper's store, its catalogue made."""
    yield from _pages(lamini_store)


@pytest.fixture(scope="session")
def sota(sota_store):
    """The pages over the real leaderboards' store, its catalogue made."""
    yield from _pages(sota_store)


@pytest.fixture(scope="session")
def lineage(tmp_path_factory):
    """The pages over the seed paper with the Hugging Face model cards and the lineage file: its models
    have owl:sameAs aliases and bases."""
    store = build_store(tmp_path_factory, "pages-lineage",
                        [LAMINI, FIXTURES / "model-cards", LINEAGE_FILE])
    yield from _pages(store)


@pytest.fixture(scope="session")
def crafted(tmp_path_factory):
    """The pages over a tiny archive whose names are script tags and SQL injections."""
    from served import crafted_archive

    root = tmp_path_factory.mktemp("pages-crafted")
    store = build_store(tmp_path_factory, "pages-crafted-store", [crafted_archive(root / "archive")])
    yield from _pages(store)


# --- the server over the fixture stores, shared by the tests that speak HTTP to it ---------------------

def _served(store: Path):
    from pwc_kg.serve.config import ServeConfig
    from pwc_kg.serve.server import BackgroundServer

    with BackgroundServer(ServeConfig(store=str(store), port=0, workers=1)) as srv:
        assert srv.app.pages is not None and srv.app.pages.catalogue(wait=120) is not None
        assert srv.app.pages.search_index(wait=60) is not None
        yield srv


@pytest.fixture(scope="session")
def lamini_server(lamini_store):
    """The server (default limits, one query worker) over the seed paper's store, its catalogue and index made."""
    yield from _served(lamini_store)


@pytest.fixture(scope="session")
def sota_server(sota_store):
    """The server (default limits, one query worker) over the real leaderboards' store, its catalogue and index made."""
    yield from _served(sota_store)

