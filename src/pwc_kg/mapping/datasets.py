"""datasets.json: datasets with their variants, modalities, languages, tasks and data loaders."""

from __future__ import annotations

import re

from ..iri import name_key, segment
from ..ntriples import date
from ..vocab import PWC
from . import common
from ..pointers import pointer
from .context import Context
from .fields import Fields

_PWC_TASK = re.compile(r"^(?:https?://)?(?:www\.)?paperswithcode\.com/task/([^/?#]+)/?$", re.I)
_PWC_DATASET = re.compile(r"^(?:https?://)?(?:www\.)?paperswithcode\.com/dataset/([^/?#]+)/?$", re.I)


def map_dataset(ctx: Context, index: int, record: dict) -> bool:
    f = Fields(ctx, pointer(index), record)
    g = ctx.graph
    node = common.pwc_entity(f, record, "dataset", _PWC_DATASET, lambda slug: ctx.mint.dataset(slug, is_slug=True),
                             ctx.mint.dataset, PWC.Dataset, "dataset")
    if node is None:
        return False
    name = f.text("name")
    for key, prop in (("full_name", PWC.fullName), ("description", PWC.description), ("warning", PWC.warning)):
        value = f.text(key)
        if value:
            g.text(node, prop, value)
    homepage = f.url("homepage")
    if homepage:
        g.iri(node, PWC.homepage, homepage)
    common.introducing_paper(f, node)
    day = f.date("introduced_date")
    if day:
        g.add(node, PWC.introducedDate, date(day))
    for value in f.texts("modalities"):
        g.text(node, PWC.modality, value)
    for value in f.texts("languages"):
        g.text(node, PWC.language, value)
    variants = f.texts("variants")
    for value in variants:
        g.text(node, PWC.variant, value)
    for i, t in f.objects("tasks"):
        tf = Fields(ctx, pointer(index, "tasks", i), t)
        tname = tf.text("task")
        if tname:
            task = common.task(ctx, tname)
            g.iri(node, PWC.forTask, task)
            m = _PWC_TASK.match(tf.text("url") or "")
            if m and g.once((task, "pwcPage")):  # the task's own page: its source IRI, as for papers
                g.iri(task, PWC.pwcPage, f"https://paperswithcode.com/task/{segment(m[1])}")
    for i, loader in f.objects("data_loaders"):
        lf = Fields(ctx, pointer(index, "data_loaders", i), loader)
        lurl = lf.url("url")
        if not lurl:
            continue
        ln = ctx.mint.data_loader(node, lurl)
        g.iri(node, PWC.dataLoader, ln)
        g.type(ln, PWC.DataLoader)
        g.iri(ln, PWC.url, lurl)
        repo = lf.url("repo")
        if repo:
            g.iri(ln, PWC.repository, repository(ctx, repo))
        for fw in lf.texts("frameworks"):
            g.text(ln, PWC.framework, fw)
    reg = ctx.registry
    # Its name and full name name this dataset; a variant (SQuAD1.1 of SQuAD) is a leaderboard of its own.
    for spelling in (name, f.text("full_name")):
        if spelling:
            reg.remember(reg.dataset_by_name, name_key(spelling), node)
    for spelling in variants:
        reg.remember(reg.dataset_by_alias, name_key(spelling), node)
    return True


def repository(ctx: Context, url: str) -> str:
    node = ctx.mint.repository(url)
    if ctx.graph.type(node, PWC.Repository):
        ctx.graph.iri(node, PWC.url, url)
    return node
