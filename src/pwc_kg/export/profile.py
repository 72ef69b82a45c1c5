"""``export --profile schema|mls``: the graph written in one standard vocabulary, without pwc terms.

Each statement in a pwc term is restated in the terms of the profile's vocabulary that the
ontology aligns it to (``rdfs:subClassOf``, ``rdfs:subPropertyOf``, ``owl:equivalentClass``,
``owl:equivalentProperty``, followed transitively: the same closure as ``build --entail``,
:func:`pwc_kg.derive.entail.alignments`), read from the ontology graph of the store. RDF, RDFS
and OWL terms (``rdf:type``, ``rdfs:label``, ``rdfs:seeAlso``, ``owl:sameAs``, ``rdf:_1`` ...) are
kept as they are: every RDF consumer knows them. A statement with no term in the profile's
vocabulary is left out, and so is the ontology graph (it describes the pwc terms themselves).

>>> from pwc_kg.vocab import PWC
>>> p = Profile("schema", classes={PWC.Paper: ["http://schema.org/ScholarlyArticle", "http://purl.org/spar/fabio/ResearchPaper"]},
...             properties={})
>>> [t.value for t in p.classes_of(ox.NamedNode(PWC.Paper))]
['http://schema.org/ScholarlyArticle']
"""

from __future__ import annotations

import pyoxigraph as ox

from ..derive.entail import alignments
from ..errors import SettingError
from ..vocab import OWL_NS, PREFIXES, PWC_NS, RDF, RDF_NS, RDFS_NS
from .stream import Block

NAMESPACES = {name: PREFIXES[name] for name in ("schema", "mls")}
NAMES = {"schema": "schema.org", "mls": "ML-Schema"}
# Kept as they are in every profile.
BASE = (RDF_NS, RDFS_NS, OWL_NS)
RDF_TYPE = ox.NamedNode(RDF.type)


class Profile:
    """The terms one vocabulary restates the pwc terms in."""

    def __init__(self, name: str, classes: dict[str, list[str]], properties: dict[str, list[str]]):
        if name not in NAMESPACES:
            raise SettingError(f"{name!r} is not a profile ({', '.join(NAMESPACES)})", option="profile")
        self.name = name
        self.namespace = NAMESPACES[name]
        self._keep = (self.namespace, *BASE)
        self._classes = {c: self._terms(standard) for c, standard in classes.items()}
        self._properties = {p: self._terms(standard) for p, standard in properties.items()}
        self._class_cache: dict[ox.NamedNode, list[ox.NamedNode]] = {}
        self._property_cache: dict[ox.NamedNode, list[ox.NamedNode]] = {}

    @classmethod
    def from_store(cls, name: str, store: ox.Store, ontology_graph: str) -> "Profile":
        classes, properties = alignments(store, ontology_graph)
        if not classes and not properties:
            raise ValueError(f"the store has no ontology graph <{ontology_graph}> to read the alignments from")
        return cls(name, classes, properties)

    def _terms(self, iris: list[str]) -> list[ox.NamedNode]:
        return [ox.NamedNode(i) for i in iris if i.startswith(self._keep)]

    def kept(self, iri: str) -> bool:
        return iri.startswith(self._keep)

    def classes_of(self, cls: ox.NamedNode) -> list[ox.NamedNode]:
        """The profile's classes for a class (itself if it is one, none if the profile has none)."""
        return self._mapped(cls, self._classes, self._class_cache)

    def properties_of(self, prop: ox.NamedNode) -> list[ox.NamedNode]:
        return self._mapped(prop, self._properties, self._property_cache)

    def _mapped(self, term: ox.NamedNode, table: dict[str, list[ox.NamedNode]], cache: dict) -> list[ox.NamedNode]:
        found = cache.get(term)
        if found is None:
            iri = term.value
            if iri.startswith(PWC_NS):
                found = table.get(iri, [])
            else:
                found = [term] if self.kept(iri) else []
            cache[term] = found
        return found

    def restate(self, block: Block) -> Block | None:
        """The block in the profile's terms, each statement once; None when nothing is left."""
        if isinstance(block.subject, ox.NamedNode) and block.subject.value.startswith(PWC_NS):
            return None  # a pwc term described (the ontology)
        out: list = []
        seen: set = set()
        for p, o in block.statements:
            if p == RDF_TYPE:
                if not isinstance(o, ox.NamedNode):
                    continue
                restated = [(RDF_TYPE, c) for c in self.classes_of(o)]
            else:
                if isinstance(o, ox.NamedNode) and o.value.startswith(PWC_NS):
                    continue  # a pwc term as a value (only the ontology has those)
                restated = [(q, o) for q in self.properties_of(p)]
            for st in restated:
                if st not in seen:
                    seen.add(st)
                    out.append(st)
        return Block(block.graph, block.subject, out) if out else None
