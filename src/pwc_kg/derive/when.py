"""When a result was reported, for inferring directions from dated results.

A result's own date (the row's ``paper_date``) is best; many real rows have none (NLP-progress
gives no dates at all), so a result falls back on its paper: the papers file's date, else the
month of its arXiv identifier, else the year of the ACL Anthology identifier in its page's URL. A "when" is an
ISO date cut to what is known: ``2018-10-05``, ``2018-10`` or ``2018``. Two of them are ordered
only where both are known: ``2018-10`` and ``2018`` are not.

>>> when_of({PWC.arxivId: "1810.04805"}), when_of({PWC.abstractPage: "https://www.aclweb.org/anthology/P19-1207"})
('2018-10', '2019')
>>> when_of({PWC.abstractPage: "https://aclanthology.org/2020.acl-main.12.pdf"}), when_of({PWC.arxivId: "hep-th/9901001"})
('2020', '1999-01')
>>> order("2018-10", "2019"), order("2018-10", "2018"), order("2019-01-02", "2019-01-01")
(-1, None, 1)
"""

from __future__ import annotations

import re

from ..vocab import PWC

_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{2})(\d{2})\.\d{4,5}(?:v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"[a-z-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}")
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#\s]+)")
_ACL_OLD = re.compile(r"anthology[^\s]*/([A-Z])(\d{2})-\d{4}")  # P19-1207: ACL 2019
_ACL_NEW = re.compile(r"anthology[^\s]*/((?:19|20)\d{2})\.[a-z]")  # 2020.acl-main.12


def _arxiv(identifier: str) -> str | None:
    m = _ARXIV_NEW.match(identifier)
    if m and 1 <= int(m.group(2)) <= 12 and int(m.group(1)) >= 7:
        return f"20{m.group(1)}-{m.group(2)}"
    m = _ARXIV_OLD.match(identifier)
    if m and 1 <= int(m.group(2)) <= 12:
        year = int(m.group(1))
        return f"{1900 + year if year >= 91 else 2000 + year}-{m.group(2)}"
    return None


def _from_url(url: str) -> str | None:
    m = _ARXIV_URL.search(url)
    if m:
        return _arxiv(m.group(1))
    m = _ACL_OLD.search(url)
    if m:
        year = int(m.group(2))
        return str(1900 + year if year >= 50 else 2000 + year)
    m = _ACL_NEW.search(url)
    return m.group(1) if m else None


def when_of(facts: dict[str, str | None]) -> str | None:
    """When a paper was published, from what the graph says of it (``PAPER_DATES`` predicates → values)."""
    day = facts.get(PWC.publicationDate)
    if day and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", day):
        return day
    arxiv = facts.get(PWC.arxivId)
    if arxiv and _arxiv(arxiv):
        return _arxiv(arxiv)
    url = facts.get(PWC.abstractPage)
    return _from_url(url) if url else None


def order(a: str, b: str) -> int | None:
    """-1 when ``a`` is before ``b``, 1 when after, None when their known parts do not tell."""
    for x, y in zip(a.split("-"), b.split("-")):
        if x != y:
            return -1 if x < y else 1
    return None
