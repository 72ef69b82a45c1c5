"""Vocabularies as closed namespaces.

The pwc-kg terms are read from ``ontology/pwc.ttl``, the only place they are defined:
a misspelled term raises ``AttributeError`` at import time of the module that uses it,
not silently in the output.

>>> PWC.Paper
'https://w3id.org/pwc-kg/ontology#Paper'
>>> PWC.Papr
Traceback (most recent call last):
...
AttributeError: 'Papr' is not a term of https://w3id.org/pwc-kg/ontology# (see ontology/pwc.ttl)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from . import resources

PWC_NS = "https://w3id.org/pwc-kg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/pwc-kg/ontology"


def ontology_path() -> Path:
    """The ontology file: in a source checkout ``ontology/pwc.ttl``, in a wheel the packaged copy."""
    return resources.path("ontology/pwc.ttl")


class ClosedNamespace:
    """A namespace whose attributes are exactly the terms it was given; others raise."""

    def __init__(self, base: str, terms: frozenset[str], where: str = ""):
        self._base = base
        self._terms = terms
        self._where = where

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._terms:
            hint = f" (see {self._where})" if self._where else ""
            raise AttributeError(f"{name!r} is not a term of {self._base}{hint}")
        value = self._base + name
        setattr(self, name, value)  # later look-ups find it without coming here: mapping is a hot path
        return value

    def __getitem__(self, name: str) -> str:
        return self.__getattr__(name)

    def __contains__(self, name: str) -> bool:
        return name in self._terms

    def __iter__(self):
        return iter(sorted(self._terms))

    def __repr__(self) -> str:
        return f"ClosedNamespace({self._base!r}, {len(self._terms)} terms)"


@lru_cache(maxsize=1)
def _pwc() -> ClosedNamespace:
    terms = set()
    for quad in ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE):
        s = quad.subject
        if isinstance(s, ox.NamedNode) and s.value.startswith(PWC_NS):
            terms.add(s.value[len(PWC_NS):])
    return ClosedNamespace(PWC_NS, frozenset(terms), "ontology/pwc.ttl")


PWC = _pwc()

# The external vocabularies the mapping writes directly. Closed too, listing only the terms used.
RDF = ClosedNamespace(
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", frozenset({"type", "Seq", "first", "rest", "nil"})
)
RDFS = ClosedNamespace("http://www.w3.org/2000/01/rdf-schema#", frozenset({"label", "comment", "subClassOf", "subPropertyOf"}))
XSD = ClosedNamespace(
    "http://www.w3.org/2001/XMLSchema#",
    frozenset({"string", "decimal", "integer", "boolean", "date", "gYear", "dateTime", "anyURI", "double"}),
)
SKOS = ClosedNamespace("http://www.w3.org/2004/02/skos/core#", frozenset({"prefLabel", "altLabel", "broader", "Concept"}))
PROV = ClosedNamespace(
    "http://www.w3.org/ns/prov#",
    frozenset({"Activity", "Entity", "Agent", "SoftwareAgent", "used", "wasGeneratedBy", "wasDerivedFrom",
               "startedAtTime", "endedAtTime", "wasAssociatedWith", "generated", "hadPrimarySource"}),
)
DCTERMS = ClosedNamespace("http://purl.org/dc/terms/", frozenset({"title", "license", "source", "created", "modified"}))
OWL = ClosedNamespace("http://www.w3.org/2002/07/owl#", frozenset({"sameAs", "Ontology", "Class"}))

PREFIXES = {
    "pwc": PWC_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "schema": "http://schema.org/",
    "fabio": "http://purl.org/spar/fabio/",
    "mls": "http://www.w3.org/ns/mls#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
