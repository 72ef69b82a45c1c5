"""papers-with-abstracts.json: papers, their authors in order, tasks, methods and proceedings."""

from __future__ import annotations

from ..iri import segment
from ..ntriples import date
from ..vocab import PWC, RDF, RDF_SEQ_ITEM
from . import common
from ..pointers import pointer
from .context import Context, named
from .fields import Fields
from .methods import method_summary


def map_paper(ctx: Context, index: int, record: dict) -> bool:
    f = Fields(ctx, pointer(index), record)
    g = ctx.graph
    title = f.text("title")
    paper_url = f.text("paper_url")
    raw_arxiv = f.text("arxiv_id")
    arxiv = common.clean_arxiv_id(raw_arxiv)
    if raw_arxiv and not arxiv:
        f.reject("arxiv_id", raw_arxiv, "not an arXiv id (such as 2304.14402 or hep-th/9901001)")
    arxiv = arxiv or common.arxiv_id_of(f.text("url_abs")) or common.arxiv_id_of(f.text("url_pdf"))
    slug = common.pwc_paper_slug(paper_url)
    if slug:
        node = ctx.mint.paper(slug)
    elif arxiv:
        node = ctx.mint.paper_arxiv(arxiv)
    elif title:
        node = ctx.mint.paper_external("title:" + common.title_key(title))
    else:
        f.reject("paper_url", paper_url, "a paper needs a Papers With Code URL, an arXiv id or a title; record not mapped")
        return False
    if paper_url and not slug:
        f.reject("paper_url", paper_url, "not a Papers With Code paper URL; the IRI is minted from the arXiv id or title")
    if not title:
        f.reject("title", record.get("title"), "no title; the paper is kept under its URL and arXiv id")
    g.type(node, PWC.Paper)
    if title:
        g.text(node, PWC.title, title)
    if slug:
        g.iri(node, PWC.pwcPage, f"https://paperswithcode.com/paper/{segment(slug)}")
    if arxiv:
        g.text(node, PWC.arxivId, arxiv)
    for key, prop in (("abstract", PWC.abstract), ("nips_id", PWC.nipsId), ("openreview_id", PWC.openreviewId),
                      ("conference", PWC.conferencePaperId), ("reproduces_paper", PWC.reproducesPaper)):
        value = f.text(key)
        if value:
            g.text(node, prop, value)
    f.text("short_abstract")  # type-checked only: the archive's short abstracts repeat the abstract
    urls = []
    for key, prop in (("url_abs", PWC.abstractPage), ("url_pdf", PWC.pdf),
                      ("conference_url_abs", PWC.conferenceAbstractPage), ("conference_url_pdf", PWC.conferencePdf)):
        url = f.url(key)
        if url:
            g.iri(node, prop, url)
            urls.append(url)
    day = f.date("date")
    if day:
        g.add(node, PWC.publicationDate, date(day))
    proceeding = f.text("proceeding")
    if proceeding:
        g.iri(node, PWC.inProceeding, named(ctx, ctx.mint.proceeding(proceeding), PWC.Proceeding, proceeding))
    authors = f.texts("authors")
    if authors:
        seq = node + "#authors"
        g.iri(node, PWC.authorList, seq)
        g.type(seq, RDF.Seq)
        for i, name in enumerate(authors, 1):
            author = named(ctx, ctx.mint.author(name), PWC.Author, name)
            g.iri(node, PWC.author, author)
            g.iri(seq, f"{RDF_SEQ_ITEM}{i}", author)
    for name in f.texts("tasks"):
        g.iri(node, PWC.hasTask, common.task(ctx, name))
    for i, method in f.objects("methods"):
        m = method_summary(ctx, pointer(index, "methods", i), method)
        if m:
            g.iri(node, PWC.usesMethod, m)
    common.paper_links(ctx, node, arxiv, urls)
    common.register_paper(ctx, node, arxiv=arxiv, urls=[u for u in (paper_url, *urls) if u], title=title)
    return True
