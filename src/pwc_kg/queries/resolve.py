"""Naming an entity the way users do: by label (any case, any of its spellings), slug or IRI."""

from __future__ import annotations

import pyoxigraph as ox

from ..entities import KIND_OF_CLASS, NAME_PROPERTIES
from ..errors import PwcKgError
from ..iri import metric_key, slug
from ..vocab import PWC, RDF
from .binding import bind_values
from .named import load_query

_NAMES = [ox.NamedNode(p) for p in NAME_PROPERTIES]


class EntityNotFound(PwcKgError, LookupError):
    """No entity of the kind has that label, slug or IRI (or several have the label)."""


def _rows(backend, name: str, bindings: dict) -> list[dict]:
    return backend.select(bind_values(load_query(f"internal/{name}").text, bindings))


_TYPE = ox.NamedNode(RDF.type)


def _by_label(backend, cls: ox.NamedNode, text: str) -> list[str]:
    """The IRIs of the ``cls`` entities with ``text`` as one of their labels, exactly."""
    store = getattr(backend, "store", None)
    if isinstance(store, ox.Store):  # embedded: index look-ups (the SPARQL below scans every label)
        label = ox.Literal(text)
        found = {q.subject.value for p in _NAMES for q in store.quads_for_pattern(None, p, label)
                 if isinstance(q.subject, ox.NamedNode)
                 and next(iter(store.quads_for_pattern(q.subject, _TYPE, cls)), None) is not None}
        return sorted(found)[:20]
    rows = _rows(backend, "entity-by-label", {"label": ox.Literal(text), "kind": cls, "p": _NAMES})
    return sorted({row["x"].value for row in rows})


def _exists(backend, kind: str, iri: str) -> bool:
    return bool(_rows(backend, "entity-exists", {"x": ox.NamedNode(iri), "kind": ox.NamedNode(PWC[kind])}))


def base_iri(backend) -> str | None:
    rows = backend.select(load_query("internal/base-iri").text)
    return rows[0]["b"].value if rows else None


def resolve(backend, kind: str, text: str, *, any_case: bool = True) -> ox.NamedNode:
    """The IRI of the entity of ``kind`` that ``text`` names.

    ``any_case=False``: labels only as written. Comparing every label in lower case scans them all:
    for papers at full scale (576k titles) that is minutes, too slow for a submission.
    """
    text = text.strip()
    if not text:
        raise EntityNotFound(f"an empty {kind} name")
    cls = ox.NamedNode(PWC[kind])
    if text.startswith(("http://", "https://")):
        try:
            node = ox.NamedNode(text)
        except ValueError:
            node = None
        if node is not None and _exists(backend, kind, text):
            return node
    base = base_iri(backend)
    if base:
        local = slug(metric_key(text)) if kind == "Metric" else slug(text)
        path = KIND_OF_CLASS[kind].segment
        for candidate in (f"{base}{path}/{text}", f"{base}{path}/{local}"):
            try:
                if _exists(backend, kind, candidate):
                    return ox.NamedNode(candidate)
            except ValueError:
                continue
    iris = _by_label(backend, cls, text)
    if not iris and any_case:
        rows = _rows(backend, "entity-by-label-any-case", {"label": ox.Literal(text), "kind": cls, "p": _NAMES})
        iris = sorted({row["x"].value for row in rows})
    if len(iris) == 1:
        return ox.NamedNode(iris[0])
    if not iris:
        raise EntityNotFound(f"no {kind} is named {text!r} (by label, slug or IRI)")
    shown = ", ".join(iris[:5]) + (" ..." if len(iris) > 5 else "")
    raise EntityNotFound(f"{len(iris)} of the {kind}s are named {text!r}: {shown}; name one by its IRI")
