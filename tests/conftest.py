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
