"""The curated lineage file: one edge per row between two Models (see docs/lineage-file.md).

A model is named by a Hugging Face id (``org/name``: minted as the model cards mint it), an IRI
(``http(s)://...``: used as it is; a huggingface.co model page is its Hugging Face id), or else
an archive model name (minted as leaderboard rows mint it, so rows of that name join it).
"""

from __future__ import annotations

import re

from ..iri import safe_url
from ..vocab import OWL, PWC, annotated
from .context import Context, named
from .fields import Fields
from .model_cards import archive_model_node, derive, hf_id

SAME_AS = "same_as"
# The relation column's words (pwc:lineageRelation in the ontology), the specific ones before plain 'derived'.
RELATIONS = {word: prop for prop, word in sorted(annotated(PWC.lineageRelation).items(),
                                                 key=lambda pw: pw[0] == PWC.derivedFrom)}
RELATIONS[SAME_AS] = OWL.sameAs
_SEP = re.compile(r"[\s\-]+")


def lineage_model(ctx: Context, ref: str, *, typed: bool = True) -> str:
    """The node a lineage file's child or parent names (typed as a Model and named, unless ``typed`` is
    False: an IRI on a same_as row is someone else's resource)."""
    if re.match(r"^https?://", ref, re.I):
        model_id = hf_id(ref)
        if model_id and "/" in model_id:
            return named(ctx, ctx.mint.hf_model(model_id), PWC.Model, model_id)
        node = safe_url(ref) or ref
        return named(ctx, node, PWC.Model, ref) if typed else node
    model_id = hf_id(ref) if "/" in ref else None
    if model_id:
        return named(ctx, ctx.mint.hf_model(model_id), PWC.Model, model_id)
    return archive_model_node(ctx, ref)


def map_lineage_row(ctx: Context, position: int, record: dict) -> bool:
    f = Fields(ctx, f"line {position}", record)
    child, parent = f.text("child"), f.text("parent")
    for key, value in (("child", child), ("parent", parent)):
        if not value:
            f.reject(key, record.get(key), f"a lineage row needs a {key}; the row is not mapped")
            return False
    raw = f.text("relation")
    relation = _SEP.sub("_", raw.lower()) if raw else ""
    if relation not in RELATIONS:
        f.reject("relation", record.get("relation"),
                 f"unknown relation {raw!r} (expected one of {', '.join(RELATIONS)}); the row is not mapped"
                 if raw else "a lineage row needs a relation; the row is not mapped")
        return False
    for ref in (child, parent):
        if re.match(r"^https?://", ref, re.I) and not safe_url(ref):
            f.reject("child" if ref is child else "parent", ref, "not a valid http(s) IRI; the row is not mapped")
            return False
    if record.get("_extra"):
        f.reject("_extra", record["_extra"], "cells beyond the header's columns are not mapped")
    same_as = relation == SAME_AS
    c = lineage_model(ctx, child, typed=not same_as)
    p = lineage_model(ctx, parent, typed=not same_as)
    if c == p:
        f.reject("parent", parent, "the child and the parent are the same model; the row is not mapped")
        return False
    if same_as:  # symmetric: both directions are written, so no reasoner is needed
        ctx.graph.iri(c, OWL.sameAs, p)
        ctx.graph.iri(p, OWL.sameAs, c)
        ctx.bump("same_as links")
    else:
        derive(ctx, c, RELATIONS[relation], p)
    return True
