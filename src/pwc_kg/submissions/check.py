"""A submission validated with the build's SHACL shapes against the graph it would join.

The data graph is the submission's triples, the store's triples about every existing IRI the
submission mentions, and the rdf:type of what those point to (the shapes look one step along a
path: ``sh:class``, datatypes, counts), with the ontology for the class hierarchy. It is checked
by the compiled engine (validation/compiled.py) in a small in-memory store, once with the
submission and once without: a violation counts when its focus node is one the submission
describes and the store alone does not have it.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from ..validation.compiled import validate_store
from ..vocab import RDF, XSD, ontology_path
from .payload import Mapped, Problem
from .statements import field_of

SUBMISSION = ox.NamedNode("urn:pwc-kg:check:submission")
CONTEXT = ox.NamedNode("urn:pwc-kg:check:context")
ONTOLOGY = ox.NamedNode("urn:pwc-kg:check:ontology")


@lru_cache(maxsize=1)
def _ontology() -> tuple:
    return tuple(ox.Quad(q.subject, q.predicate, q.object, ONTOLOGY)
                 for q in ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE))


def context_quads(mapped: Mapped, store: ox.Store) -> list[ox.Quad]:
    """The store's triples about the existing IRIs the submission mentions, and the types of their objects."""
    mentioned = set()
    for t in mapped.triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode):
                mentioned.add(term)
    out: set[ox.Quad] = set()
    objects = set()
    for node in mentioned:
        for q in store.quads_for_pattern(node, None, None):
            out.add(ox.Quad(q.subject, q.predicate, q.object, CONTEXT))
            if isinstance(q.object, ox.NamedNode) and q.object not in mentioned:
                objects.add(q.object)
    rdf_type = ox.NamedNode(RDF.type)
    for node in objects:
        for q in store.quads_for_pattern(node, rdf_type, None):
            out.add(ox.Quad(q.subject, q.predicate, q.object, CONTEXT))
    return sorted(out, key=str)


def _violations(quads: list[ox.Quad]) -> set[tuple]:
    small = ox.Store()
    small.extend(_ontology())
    small.extend(quads)
    result = validate_store(small, sample=1 << 30, threads=1)
    return {(v.focus, v.path, v.component, v.value, v.message) for v in result.samples}


def validate(mapped: Mapped, store: ox.Store) -> list[Problem]:
    """The SHACL violations the submission brings, as problems naming the payload field."""
    if not mapped.triples:
        return []
    context = context_quads(mapped, store)
    mine = [ox.Quad(t.subject, t.predicate, t.object, SUBMISSION) for t in mapped.triples]
    focus = {t.subject.value for t in mapped.triples}
    found = _violations(context + mine) - _violations(context)
    out = []
    for node, path, component, value, message in sorted(found):
        if node not in focus:
            continue
        first = path.split(" | ")[0]
        out.append(Problem(mapped.pointers.get(node, ""), field_of(first), f"{message} [{component}]",
                           None if value == f'"0"^^<{XSD.integer}>' else value,
                           kind="shacl", focus=node, path=path))
    return out
