"""links-between-papers-and-code.json: which repository implements which paper."""

from __future__ import annotations

from ..ntriples import boolean
from ..vocab import PWC
from . import common
from ..pointers import pointer
from .context import Context
from .datasets import repository
from .fields import Fields


def map_code_link(ctx: Context, index: int, record: dict) -> bool:
    f = Fields(ctx, pointer(index), record)
    g = ctx.graph
    repo_url = f.url("repo_url")
    if not repo_url:
        raw = record.get("repo_url")
        if raw is None or (isinstance(raw, str) and not raw.strip()):  # else the URL was rejected as it is
            f.reject("repo_url", raw, "a code link needs a repository URL; record not mapped")
        return False
    title = f.text("paper_title")
    raw_arxiv = f.text("paper_arxiv_id")
    arxiv = common.clean_arxiv_id(raw_arxiv)
    if raw_arxiv and not arxiv:
        f.reject("paper_arxiv_id", raw_arxiv, "not an arXiv id (such as 2304.14402 or hep-th/9901001)")
    paper = common.paper_ref(ctx, title, f.text("paper_url") or f.text("paper_url_abs"), arxiv)
    if paper is None:
        f.reject("paper_url", record.get("paper_url"), "a code link needs a paper (title or URL); record not mapped")
        return False
    repo = repository(ctx, repo_url)
    link = ctx.mint.code_link(paper, repo_url)
    g.iri(paper, PWC.codeLink, link)
    g.type(link, PWC.CodeLink)
    g.iri(link, PWC.repository, repo)
    for key, prop in (("is_official", PWC.isOfficial), ("mentioned_in_paper", PWC.mentionedInPaper),
                      ("mentioned_in_github", PWC.mentionedInRepository)):
        flag = f.boolean(key)
        if flag is not None:
            g.add(link, prop, boolean(flag))
    framework = f.text("framework")
    if framework:
        g.text(link, PWC.framework, framework)
    f.url("paper_url_pdf")  # type-checked only: the papers file holds the PDF link
    return True
