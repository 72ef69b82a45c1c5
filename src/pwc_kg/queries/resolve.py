"""Naming an entity the way users do: by label (any case, any of its spellings), slug or IRI."""

from __future__ import annotations

import pyoxigraph as ox

from ..errors import PwcKgError
from ..iri import metric_key, slug
from ..vocab import PWC, SKOS
from .binding import bind_values

# Where each kind's IRIs live under the base, and how to make a slug from a label.
_PATHS = {"Paper": "paper", "Task": "task", "Dataset": "dataset", "Metric": "metric", "Model": "model",
          "Method": "method", "Benchmark": "benchmark", "EvaluationResult": "result"}
_LABELS = [PWC.name, PWC.title, SKOS.altLabel, PWC.variant, PWC.synonym, PWC.fullName, PWC.datasetName]


class EntityNotFound(PwcKgError, LookupError):
    """No entity of the kind has that label, slug or IRI (or several have the label)."""


def _rows(backend, query: str, bindings: dict) -> list[dict]:
    return backend.select(bind_values(query, bindings))


_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _by_label(backend, cls: ox.NamedNode, text: str) -> list[str]:
    """The IRIs of the ``cls`` entities with ``text`` as one of their labels, exactly."""
    store = getattr(backend, "store", None)
    if isinstance(store, ox.Store):  # embedded: index look-ups (the SPARQL below scans every label)
        label = ox.Literal(text)
        found = {q.subject.value for p in _LABELS for q in store.quads_for_pattern(None, ox.NamedNode(p), label)
                 if isinstance(q.subject, ox.NamedNode)
                 and next(iter(store.quads_for_pattern(q.subject, _TYPE, cls)), None) is not None}
        return sorted(found)[:20]
    labels = " ".join(f"<{p}>" for p in _LABELS)
    q = f"SELECT DISTINCT ?x WHERE {{ VALUES ?p {{ {labels} }} ?x ?p ?label . ?x a ?kind }} LIMIT 20"
    return sorted({row["x"].value for row in _rows(backend, q, {"label": ox.Literal(text), "kind": cls})})


def _exists(backend, kind: str, iri: str) -> bool:
    q = "SELECT ?x WHERE { ?x a ?kind } LIMIT 1"
    return bool(_rows(backend, q, {"x": ox.NamedNode(iri), "kind": ox.NamedNode(PWC[kind])}))


def base_iri(backend) -> str | None:
    rows = backend.select(f"SELECT ?b WHERE {{ ?build <{PWC.baseIri}> ?b }} LIMIT 1")
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
        for candidate in (f"{base}{_PATHS[kind]}/{text}", f"{base}{_PATHS[kind]}/{local}"):
            try:
                if _exists(backend, kind, candidate):
                    return ox.NamedNode(candidate)
            except ValueError:
                continue
    iris = _by_label(backend, cls, text)
    if not iris and any_case:
        labels = " ".join(f"<{p}>" for p in _LABELS)
        q = (f"SELECT DISTINCT ?x WHERE {{ VALUES ?p {{ {labels} }} ?x a ?kind ; ?p ?l . "
             "FILTER(isLiteral(?l) && LCASE(STR(?l)) = LCASE(?label)) } LIMIT 20")
        iris = sorted({row["x"].value for row in _rows(backend, q, {"label": ox.Literal(text), "kind": cls})})
    if len(iris) == 1:
        return ox.NamedNode(iris[0])
    if not iris:
        raise EntityNotFound(f"no {kind} is named {text!r} (by label, slug or IRI)")
    shown = ", ".join(iris[:5]) + (" ..." if len(iris) > 5 else "")
    raise EntityNotFound(f"{len(iris)} of the {kind}s are named {text!r}: {shown}; name one by its IRI")
