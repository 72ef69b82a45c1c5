"""The entailed graph (``pwc-kg build --entail``): the graph restated in the standard vocabularies.

The ontology aligns each pwc term to schema.org, FaBiO, ML-Schema, PROV-O, DCAT, SKOS, DCTERMS,
FOAF and RDFS terms (``rdfs:subClassOf``, ``rdfs:subPropertyOf``, ``owl:equivalentClass``,
``owl:equivalentProperty``). A reasoner would conclude from ``?r pwc:value 72.2`` and
``pwc:value rdfs:subPropertyOf mls:hasValue`` that ``?r mls:hasValue 72.2``; this step writes
those conclusions down, into their own named graph (``graph/entailed``), so that a consumer
who knows only the standard terms can query the store, or a dump of it, without a reasoner.

The alignments are read from the ontology graph in the store (loaded from ``ontology/pwc.ttl``),
followed transitively (``pwc:fineTunedFrom`` → ``pwc:derivedFrom`` → ``prov:wasDerivedFrom``),
never typed here. Each aligned term is one SPARQL query over the union of the named graphs
(its rows streamed to a file, then bulk-loaded: nothing is held in memory), and a triple found
in several graphs is entailed once.

Domain and range axioms are not applied: every entity is typed explicitly by the mapping.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..iri import Minter
from ..provenance import derivation_quads
from ..queries import bind_values, load_query
from ..store.union import union_options
from ..vocab import OWL, PWC, PWC_NS, RDF, RDFS

# (relation, whether it holds both ways), for classes and for properties
CLASS_AXIOMS = {RDFS.subClassOf: False, OWL.equivalentClass: True}
PROPERTY_AXIOMS = {RDFS.subPropertyOf: False, OWL.equivalentProperty: True}
# Entailed for everything, so saying nothing: not written.
TRIVIAL = {OWL.Thing, RDFS.Resource, OWL.topObjectProperty, OWL.topDataProperty}


@dataclass
class EntailedStats:
    graph: str = ""
    triples: int = 0
    provenance_triples: int = 0  # the entailment's own activity record, in the provenance graph
    classes: dict[str, list[str]] = field(default_factory=dict)  # pwc class → the standard classes it entails
    properties: dict[str, list[str]] = field(default_factory=dict)


def _closure(edges: dict[str, set[str]], term: str) -> list[str]:
    """The standard terms reachable from ``term`` along ``edges``, through pwc terms too."""
    seen, todo = {term}, [term]
    while todo:
        for other in edges.get(todo.pop(), ()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return sorted(t for t in seen if not t.startswith(PWC_NS) and t not in TRIVIAL)


def alignments(store: ox.Store, ontology_graph: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(pwc class → standard classes, pwc property → standard properties), as the ontology graph entails them.

    >>> store = ox.Store()
    >>> store.load(input=b'''@prefix pwc: <https://w3id.org/pwc-kg/ontology#> .
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
    ...   pwc:fineTunedFrom rdfs:subPropertyOf pwc:derivedFrom . pwc:derivedFrom rdfs:subPropertyOf prov:wasDerivedFrom .''',
    ...   format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/onto"))
    >>> alignments(store, "http://example.org/onto")[1][PWC.fineTunedFrom]
    ['http://www.w3.org/ns/prov#wasDerivedFrom']
    """
    edges: dict[bool, dict[str, set[str]]] = {True: defaultdict(set), False: defaultdict(set)}
    axioms = {**{r: (True, both) for r, both in CLASS_AXIOMS.items()},
              **{r: (False, both) for r, both in PROPERTY_AXIOMS.items()}}
    query = bind_values(load_query("internal/ontology-alignments").text,
                        {"ontology": ox.NamedNode(ontology_graph), "relation": [ox.NamedNode(r) for r in axioms]})
    for row in store.query(query):
        is_class, both = axioms[row["relation"].value]
        term, other = row["term"].value, row["other"].value
        edges[is_class][term].add(other)
        if both:
            edges[is_class][other].add(term)
    out = []
    for is_class in (True, False):
        found = {}
        for term in sorted(edges[is_class]):
            if term.startswith(PWC_NS) and (standard := _closure(edges[is_class], term)):
                found[term] = standard
        out.append(found)
    return out[0], out[1]


def _restatements(store: ox.Store, classes: dict[str, list[str]], properties: dict[str, list[str]],
                  graph: ox.NamedNode, out: IO[str], blank: list[ox.Quad]) -> None:
    """Writes the entailed triples as N-Triples lines to ``out``; those with a blank node go to ``blank``."""
    union = union_options(store)  # the default graph, the set union of the named graphs (store/union.py)
    pairs = load_query("internal/property-values").text
    for term, standard in classes.items():
        tails = [f" <{RDF.type}> <{s}> .\n" for s in standard]
        members = {"p": ox.NamedNode(RDF.type), "o": ox.NamedNode(term)}
        for s, _ in store.query(bind_values(pairs, members), **union):
            if isinstance(s, ox.BlankNode):
                blank += [ox.Quad(s, ox.NamedNode(RDF.type), ox.NamedNode(c), graph) for c in standard]
            else:
                head = str(s)  # a term's str() is its N-Triples form, escapes included
                out.writelines(head + tail for tail in tails)
    for term, standard in properties.items():
        middles = [f" <{p}> " for p in standard]
        for s, o in store.query(bind_values(pairs, {"p": ox.NamedNode(term)}), **union):
            if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
                blank += [ox.Quad(s, ox.NamedNode(p), o, graph) for p in standard]
            else:
                head, tail = str(s), f"{o} .\n"
                out.writelines(head + middle + tail for middle in middles)


def entail(store: ox.Store, ontology_graph: str, entailed_graph: str, workdir: Path) -> EntailedStats:
    """Writes into ``entailed_graph`` every triple the alignments entail from the store's other graphs.

    The triples go through an N-Triples file in ``workdir`` and the bulk loader (a SELECT per
    aligned term, its rows written as text, is about twice as fast as CONSTRUCT results fed to
    ``bulk_extend``); the few with a blank node are added as terms, since loading a file would
    rename the blank node.
    """
    classes, properties = alignments(store, ontology_graph)
    graph = ox.NamedNode(entailed_graph)
    store.clear_graph(graph)  # restated from scratch: no triple left from data that has changed since
    path = Path(workdir) / "entailed.nt"
    blank: list[ox.Quad] = []
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        _restatements(store, classes, properties, graph, out, blank)
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)  # duplicates are stored once
    path.unlink()
    store.extend(blank)
    counted = list(store.query(bind_values(load_query("internal/graph-triples").text, {"g": graph})))
    return EntailedStats(entailed_graph, int(counted[0]["n"].value) if counted else 0, classes, properties)


def materialise(store: ox.Store, mint: Minter, provenance_graph: str, activity: str, workdir: Path) -> EntailedStats:
    """The build's ``--entail`` step: the entailed graph, and the activity that made it in the provenance graph.

    It reads every graph written so far (sources, ontology, derived, provenance); its own activity
    record, written after it, is the one thing not restated in standard terms.
    """
    started = _now()
    used = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    stats = entail(store, mint.graph("ontology"), mint.graph("entailed"), workdir)
    quads = derivation_quads(mint, activity, provenance_graph, started=started, ended=_now(), used=used,
                             generated=stats.graph, triples=stats.triples, activity_type=PWC.Entailment)
    store.bulk_load(input="".join(quads).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    stats.provenance_triples = len(quads)
    return stats


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
