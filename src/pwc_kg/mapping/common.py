"""Nodes that several archive files refer to: tasks, areas, papers named by other records."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable
from urllib.parse import quote, unquote, urlsplit

from ..iri import safe_url, segment
from ..ntriples import integer
from ..vocab import PWC
from .context import Context, named

_ARXIV_URL = re.compile(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:v\d+)?(?:\.pdf)?/?$", re.I)
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})$", re.I)
# A DOI in a doi.org link, or in the path of a publisher's page (dl.acm.org/doi/10.1145/..., .../doi/full/10.1162/...);
# not in a query string (CiteSeerX's "doi=10.1.1.x" is its own document id, no DOI).
_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/(10\.\d{4,9}/[^?#\s]+)$", re.I)
_DOI_PATH = re.compile(r"^https?://[^/?#]+/(?:[^?#]*/)?doi/(?:(?:abs|full|pdf|epdf|book|chapter)/)?(10\.\d{4,9}/[^?#\s]+)", re.I)
_DOI_VIEW = re.compile(r"/(?:abstract|full|pdf|epdf|summary)/?$", re.I)  # Wiley's old .../doi/10.x/y/full
ARXIV_ABS = "https://arxiv.org/abs/"
DOI_RESOLVER = "https://doi.org/"
_PWC_PAPER = re.compile(r"^(?:https?://)?(?:www\.)?paperswithcode\.com/paper/([^/?#]+)/?$", re.I)
_NOT_ALNUM = re.compile(r"[\W_]+")


def arxiv_id_of(url: str | None) -> str | None:
    """The versionless arXiv id of an arXiv abs or pdf URL."""
    if not url:
        return None
    m = _ARXIV_URL.match(url.strip())
    if m and _ARXIV_ID.match(m[1]):
        return m[1]
    return None


def clean_arxiv_id(text: str | None) -> str | None:
    if not text:
        return None
    text = re.sub(r"v\d+$", "", text.strip())
    return text if _ARXIV_ID.match(text) else None


def pwc_paper_slug(url: str | None) -> str | None:
    if not url:
        return None
    m = _PWC_PAPER.match(url.strip())
    return m[1] if m else None


def doi_of(url: str | None) -> str | None:
    """The DOI a doi.org link or a publisher's ``/doi/`` URL names.

    >>> doi_of("https://doi.org/10.1016/j.artint.2016.05.003"), doi_of("https://www.mitpressjournals.org/doi/full/10.1162/COLI_a_00164")
    ('10.1016/j.artint.2016.05.003', '10.1162/COLI_a_00164')
    >>> doi_of("https://citeseerx.ist.psu.edu/viewdoc/download?doi=10.1.1.108.1370&rep=rep1&type=pdf") is None
    True
    """
    if not url:
        return None
    url = url.strip()
    m = _DOI_URL.match(url) or _DOI_PATH.match(url)
    if not m:
        return None
    doi = _DOI_VIEW.sub("", unquote(m[1])).rstrip("/.")
    return doi if "/" in doi and doi.split("/", 1)[1] else None


def paper_links(ctx: Context, node: str, arxiv: str | None = None, urls: Iterable[str | None] = ()) -> None:
    """A paper's links out, once per graph: its arXiv page, and its DOI (as text and as a doi.org link)
    from any of its URLs that names one."""
    g = ctx.graph
    if arxiv and g.once((node, "arxivPage", arxiv)):
        g.iri(node, PWC.arxivPage, ARXIV_ABS + arxiv)
    for url in urls:
        doi = doi_of(url)
        if doi and g.once((node, "doi", doi)):
            g.text(node, PWC.doi, doi)
            page = safe_url(DOI_RESOLVER + quote(doi, safe="/:;()._-"))
            if page:
                g.iri(node, PWC.doiPage, page)


def url_key(url: str) -> str:
    """http and https, www. or not, a trailing slash or not: one key."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}{'?' + parts.query if parts.query else ''}"


def title_key(title: str) -> str:
    return _NOT_ALNUM.sub(" ", unicodedata.normalize("NFKC", title).casefold()).strip()


def task(ctx: Context, name: str) -> str:
    return named(ctx, ctx.mint.task(name), PWC.Task, name)


def area(ctx: Context, name: str) -> str:
    return named(ctx, ctx.mint.area(name), PWC.Area, name)


def register_paper(ctx: Context, node: str, *, arxiv: str | None, urls: list[str], title: str | None) -> None:
    reg = ctx.registry
    reg.papers.add(node)
    if arxiv:
        reg.remember(reg.paper_by_arxiv, arxiv, node)
    for url in urls:
        a = arxiv_id_of(url)
        if a:
            reg.remember(reg.paper_by_arxiv, a, node)
        elif not pwc_paper_slug(url):
            reg.remember(reg.paper_by_url, url_key(url), node)
    if title:
        reg.remember(reg.paper_by_title, title_key(title), node)


def paper_ref(ctx: Context, title: str | None, url: str | None, arxiv: str | None = None) -> str | None:
    """The Paper a record names by title and URL: joined to a known paper, else minted and typed here.

    Returns None when nothing identifies the paper: no title, no arXiv id, no valid URL.

    Join order: arXiv id (from the id or the URL, version stripped), then the Papers With Code
    URL, then any other URL (http/https alike), then the normalised title.
    """
    reg = ctx.registry
    arxiv = arxiv or arxiv_id_of(url)
    slug = pwc_paper_slug(url)
    node = None
    if arxiv:
        node = reg.paper_by_arxiv.get(arxiv)
    if node is None and slug and ctx.mint.paper(slug) in reg.papers:
        node = ctx.mint.paper(slug)  # otherwise the Paper is minted below, from what the record says
    if node is None and url:
        node = reg.paper_by_url.get(url_key(url))
    if node is None and title:
        node = reg.paper_by_title.get(title_key(title))
    if node is not None:
        ctx.graph.type(node, PWC.Paper)
        ctx.bump("papers joined")
        paper_links(ctx, node, urls=[url])
        return node
    link = safe_url(url) if url else None
    if not (title or arxiv or link):
        return None  # nothing identifies the paper
    if slug:
        node = ctx.mint.paper(slug)
    elif arxiv:
        node = ctx.mint.paper_arxiv(arxiv)
    elif link:
        node = ctx.mint.paper_external("url:" + url_key(link))
    else:
        node = ctx.mint.paper_external("title:" + title_key(title))
    ctx.bump("papers minted")
    ctx.graph.type(node, PWC.Paper)
    # What every record says of the paper, not the first one's: the graph must not depend on the order
    # of records (the derived graph shows the smallest title where there are several).
    if title and ctx.graph.once((node, "title", title)):
        ctx.graph.text(node, PWC.title, title)
    if arxiv and ctx.graph.once((node, "arxivId", arxiv)):
        ctx.graph.text(node, PWC.arxivId, arxiv)
    if slug:
        if ctx.graph.once((node, "pwcPage")):
            ctx.graph.iri(node, PWC.pwcPage, f"https://paperswithcode.com/paper/{segment(slug)}")
    elif link and ctx.graph.once((node, "abstractPage", link)):
        ctx.graph.iri(node, PWC.abstractPage, link)
    paper_links(ctx, node, arxiv, [url])
    return node


def paper_of(f, title_key: str, url_key: str) -> str | None:
    """The paper a record's title and URL fields name; a URL that names no known paper, without a title, is reported."""
    title, url = f.text(title_key), f.text(url_key)
    if title and " " not in title and safe_url(title):
        url = url or title  # a URL where the title should be (seen in real leaderboards): a URL, no title
        title = None
    if url and not safe_url(url):
        f.reject(url_key, url, "not an absolute http(s) URL")
        url = None
    return paper_ref(f.ctx, title, url)


def pwc_entity(f, record: dict, what: str, pattern, by_slug, by_name, cls: str, page: str) -> str | None:
    """A dataset or method record's node: named by its Papers With Code slug, else by its name.

    Types it and gives it its name, its Papers With Code page and its paper count; None (rejected)
    without a name.
    """
    g = f.ctx.graph
    name = f.text("name")
    if not name:
        f.reject("name", record.get("name"), f"a {what} needs a name; record not mapped")
        return None
    url = f.text("url")
    m = pattern.match(url) if url else None
    node = by_slug(m[1]) if m else by_name(name)
    if url and not m:
        f.reject("url", url, f"not a Papers With Code {what} URL; the IRI is minted from the name")
    g.type(node, cls)
    g.text(node, PWC.name, name)
    if m:
        g.iri(node, PWC.pwcPage, f"https://paperswithcode.com/{page}/{segment(m[1])}")
    count = f.integer("num_papers", lo=0)
    if count is not None:
        g.add(node, PWC.paperCount, integer(count))
    return node


def introducing_paper(f, node: str) -> None:
    """The paper a dataset or method record names as introducing it (its ``paper`` object)."""
    paper = f.object("paper")
    if paper:
        p = paper_of(type(f)(f.ctx, f.ptr + "/paper", paper), "title", "url")
        if p:
            f.ctx.graph.iri(node, PWC.introducedIn, p)
