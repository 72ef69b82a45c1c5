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
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
_RDF_TYPE = RDF_NS + "type"  # read in the ontology before RDF exists


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
def _ontology() -> tuple[frozenset[str], dict[str, set[str]], dict[str, dict[str, list[str]]]]:
    """The pwc terms the ontology defines, their IRIs by their rdf:type ({type IRI: term IRIs}), and the values
    of its pwc annotations on them: {annotation's local name: {term IRI: [values]}}, in the file's order."""
    terms: set[str] = set()
    typed: dict[str, set[str]] = {}
    notes: dict[str, dict[str, list[str]]] = {}
    for quad in ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE):
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if isinstance(s, ox.NamedNode) and s.value.startswith(PWC_NS):
            terms.add(s.value[len(PWC_NS):])
            if p == _RDF_TYPE:
                typed.setdefault(o.value, set()).add(s.value)
            elif p.startswith(PWC_NS) and isinstance(o, ox.Literal):
                notes.setdefault(p[len(PWC_NS):], {}).setdefault(s.value, []).append(o.value)
    return frozenset(terms), typed, notes


def _pwc() -> ClosedNamespace:
    return ClosedNamespace(PWC_NS, _ontology()[0], "ontology/pwc.ttl")


@lru_cache(maxsize=None)
def terms_with_role(role: str, *, classes: bool | None = None) -> frozenset[str]:
    """The IRIs of the pwc terms the ontology marks ``pwc:role "ROLE"`` (pwc:role's comment there says the roles):
    only its classes with ``classes=True``, only its properties with ``classes=False``.

    >>> PWC.rank in terms_with_role("derived"), terms_with_role("derivation-input", classes=True) == {PWC.Metric}
    (True, True)
    >>> terms_with_role("dervied")
    Traceback (most recent call last):
    ...
    ValueError: no term of ontology/pwc.ttl has the pwc:role 'dervied'
    """
    notes = _ontology()[2]
    found = frozenset(term for term, roles in notes.get("role", {}).items() if role in roles)
    if not found:
        raise ValueError(f"no term of ontology/pwc.ttl has the pwc:role {role!r}")
    if classes is None:
        return found
    of_class = terms_of_type(OWL.Class)
    return frozenset(t for t in found if (t in of_class) is classes)


def terms_of_type(rdf_type: str) -> frozenset[str]:
    """The IRIs of the pwc terms of an rdf:type in the ontology (``OWL.Class``, ``OWL.AnnotationProperty``...).

    >>> sorted(terms_of_type(OWL.AnnotationProperty)) == sorted([PWC.role, PWC.lineageWord, PWC.lineageRelation])
    True
    """
    return frozenset(_ontology()[1].get(rdf_type, ()))


def annotated(annotation: str) -> dict[str, str]:
    """Each pwc term the ontology gives the annotation ``pwc:ANNOTATION`` (a term of it), with its value, in the
    file's order.

    >>> annotated(PWC.lineageWord)[PWC.fineTunedFrom]
    'fine-tuned'
    """
    return {term: values[0] for term, values in _ontology()[2].get(annotation[len(PWC_NS):], {}).items()}


PWC = _pwc()

# The external vocabularies the mapping writes directly. Closed too, listing only the terms used.
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
PROV_NS = "http://www.w3.org/ns/prov#"
DCTERMS_NS = "http://purl.org/dc/terms/"
SCHEMA_NS = "http://schema.org/"
SH_NS = "http://www.w3.org/ns/shacl#"  # the shapes' vocabulary: read by validation/, written by nothing
RDF = ClosedNamespace(RDF_NS, frozenset({"type", "Seq", "first", "rest", "nil", "langString", "Property",
                                                 "XMLLiteral", "JSON"}))
# A container's members: rdf:_1, rdf:_2, ... (RDF_SEQ_ITEM + str(n)); no closed namespace lists them all.
RDF_SEQ_ITEM = RDF_NS + "_"
RDFS = ClosedNamespace(RDFS_NS, frozenset({"label", "comment", "subClassOf", "subPropertyOf", "range", "Class", "Resource"}))
XSD = ClosedNamespace(
    XSD_NS, frozenset({"string", "decimal", "integer", "boolean", "date", "gYear", "dateTime", "anyURI", "double", "float",
                       "long", "int"}),
)
SKOS = ClosedNamespace(SKOS_NS, frozenset({"prefLabel", "altLabel", "broader", "Concept"}))
PROV = ClosedNamespace(
    PROV_NS,
    frozenset({"Activity", "Entity", "Agent", "SoftwareAgent", "used", "wasGeneratedBy", "wasDerivedFrom",
               "startedAtTime", "endedAtTime", "wasAssociatedWith", "generated", "hadPrimarySource"}),
)
DCTERMS = ClosedNamespace(DCTERMS_NS, frozenset({"title", "license", "source", "created", "modified"}))
OWL = ClosedNamespace(OWL_NS, frozenset({"sameAs", "Ontology", "Class", "ObjectProperty", "DatatypeProperty",
                                         "AnnotationProperty", "equivalentClass", "equivalentProperty", "Thing",
                                         "topObjectProperty", "topDataProperty"}))
SCHEMA = ClosedNamespace(SCHEMA_NS, frozenset({"name"}))

PREFIXES = {
    "pwc": PWC_NS,
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "xsd": XSD_NS,
    "owl": OWL_NS,
    "skos": SKOS_NS,
    "prov": PROV_NS,
    "dcterms": DCTERMS_NS,
    "dcat": "http://www.w3.org/ns/dcat#",
    "schema": SCHEMA_NS,
    "fabio": "http://purl.org/spar/fabio/",
    "mls": "http://www.w3.org/ns/mls#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
