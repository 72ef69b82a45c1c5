"""(being written) The lists: /datasets, /methods, /papers, and a paper's related papers."""

from __future__ import annotations

ROUTES: dict = {}


def related_papers(pages, paper_iri: str) -> list[dict]:
    return []
