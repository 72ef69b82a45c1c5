"""methods.json, and the method summaries embedded in papers."""

from __future__ import annotations

import datetime as _dt
import re

from ..iri import name_key
from ..ntriples import typed
from ..vocab import PWC, XSD
from . import common
from ..pointers import pointer
from .context import Context, named
from .fields import Fields

_PWC_METHOD = re.compile(r"^(?:https?://)?(?:www\.)?paperswithcode\.com/method/([^/?#]+)/?$", re.I)


def _year(f: Fields, key: str) -> str | None:
    year = f.integer(key, lo=1900, hi=_dt.date.today().year + 1)
    return None if year is None else typed(f"{year:04d}", XSD.gYear)


def collection(ctx: Context, name: str, area: str | None = None, parent: str | None = None) -> str:
    node = named(ctx, ctx.mint.collection(name), PWC.MethodCollection, name)
    if area:
        ctx.graph.iri(node, PWC.inArea, common.area(ctx, area))
    if parent and name_key(parent) != name_key(name):
        ctx.graph.iri(node, PWC.parentCollection, collection(ctx, parent))
    return node


def _details(ctx: Context, f: Fields, node: str) -> None:
    g = ctx.graph
    for key, prop in (("full_name", PWC.fullName), ("description", PWC.description), ("source_title", PWC.sourceTitle)):
        value = f.text(key)
        if value:
            g.text(node, prop, value)
    for key, prop in (("source_url", PWC.sourceUrl), ("code_snippet_url", PWC.codeSnippet)):
        url = f.url(key)
        if url:
            g.iri(node, prop, url)
    year = _year(f, "introduced_year")
    if year:
        g.add(node, PWC.introducedYear, year)


def map_method(ctx: Context, index: int, record: dict) -> bool:
    f = Fields(ctx, pointer(index), record)
    g = ctx.graph
    node = common.pwc_entity(f, record, "method", _PWC_METHOD, ctx.mint.method, ctx.mint.method_by_name, PWC.Method,
                             "method")
    if node is None:
        return False
    name = f.text("name")
    _details(ctx, f, node)
    common.introducing_paper(f, node)
    for i, c in f.objects("collections"):
        cf = Fields(ctx, pointer(index, "collections", i), c)
        cname = cf.text("collection")
        if cname:
            g.iri(node, PWC.inCollection, collection(ctx, cname, cf.text("area")))
    ctx.registry.remember(ctx.registry.method_by_name, name_key(name), node)
    return True


def method_summary(ctx: Context, ptr: str, record: dict) -> str | None:
    """A method as a paper names it: joined by name to methods.json, else minted from the name."""
    f = Fields(ctx, ptr, record)
    name = f.text("name")
    if not name:
        f.reject("name", record.get("name"), "a method needs a name; not linked")
        return None
    known = ctx.registry.method_by_name.get(name_key(name))
    node = known or ctx.mint.method_by_name(name)
    if ctx.graph.type(node, PWC.Method) and not known:
        ctx.graph.text(node, PWC.name, name)
        _details(ctx, f, node)
        main = f.object("main_collection")
        if main:
            mf = Fields(ctx, ptr + pointer("main_collection"), main)
            cname = mf.text("name")
            if cname:
                ctx.graph.iri(node, PWC.inCollection, collection(ctx, cname, mf.text("area"), mf.text("parent")))
    return node
