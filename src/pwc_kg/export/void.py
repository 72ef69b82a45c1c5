"""VoID and DCAT descriptions of the graph: what a dump or an endpoint holds, its licence and checksums.

:func:`describe` is the one entry point, for the ``FILE.void.ttl`` written beside each dump and for
a server's ``/.well-known/void``::

    from pwc_kg.export.void import describe
    graph = describe(store, base_iri="https://w3id.org/pwc-kg/resource/",
                     dataset_iri="https://w3id.org/pwc-kg/resource/dataset",
                     endpoint="https://example.org/sparql", generation=generation_folder)
    graph.serialize(format="turtle")

It returns an ``rdflib.Graph`` holding:

- the dataset, a ``void:Dataset`` and ``dcat:Dataset``: title, ``dcterms:license`` (CC-BY-SA 4.0),
  attribution to Papers With Code (``dcterms:source``, ``dcterms:creator``, ``cc:attributionName``,
  ``cc:attributionURL``), the build that made it (``prov:wasGeneratedBy``, ``dcterms:created``) and
  the store generation (``owl:versionInfo``), ``void:uriSpace``, ``void:sparqlEndpoint`` (and a
  ``dcat:DataService``) when an endpoint is given;
- its size: ``void:triples`` (distinct triples: a triple that several named graphs hold counts
  once), ``void:distinctSubjects``, ``void:classes``, ``void:properties``, one ``void:classPartition``
  per class (``void:entities``), one ``void:propertyPartition`` per property (``void:triples``,
  distinct), one ``void:subset`` per named graph (``void:triples``: that graph's; added up, the
  quads), and ``void:vocabulary`` for each vocabulary its terms come from;
- its links out: one ``void:Linkset`` per target dataset (arXiv, DOI, GitHub, Hugging Face, Papers
  With Code) and link predicate, with ``void:objectsTarget``, ``void:linkPredicate`` and ``void:triples``:
  the statements whose object is an IRI in the target's URI space (``void:uriSpace``);
- each dump, a ``dcat:Distribution`` (``void:dataDump`` and ``dcat:distribution`` of the dataset):
  ``dcat:downloadURL``, ``dcat:mediaType``, ``dcat:compressFormat`` when gzipped, ``dcterms:format``
  and ``dcterms:conformsTo`` (the format's specification; the profile's vocabulary; the JSON-LD
  context), ``dcat:byteSize`` (``xsd:nonNegativeInteger``) and the sha256 as DCAT 3 recommends it,
  ``spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "..."^^xsd:hexBinary ]``.

Counts come from the store by the SPARQL of ``queries/internal/``, unless the caller measured them
while writing a dump (``counts``, see :class:`Counts`): an export counts its own statements, properties
and links as it writes them, and only the distinct subjects and entities per class are asked of the store.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, VOID, XSD

from ..queries.binding import bind_where_named
from ..queries.named import load_query
from ..vocab import PREFIXES, PWC_NS, RDF_NS
from .formats import GZIP_MEDIA_TYPE, Format
from .profile import NAMES as PROFILE_NAMES, NAMESPACES as PROFILE_NAMESPACES, Profile

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
CC = rdflib.Namespace("http://creativecommons.org/ns#")
LICENCE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
PWC_SITE = URIRef("https://paperswithcode.com/")
IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class LinkTarget:
    key: str
    title: str
    uri_space: str  # the links into the target are the statements whose object IRI starts with this
    homepage: str


LINK_TARGETS = (
    LinkTarget("arxiv", "arXiv", "https://arxiv.org/", "https://arxiv.org/"),
    LinkTarget("doi", "DOI", "https://doi.org/", "https://www.doi.org/"),
    LinkTarget("github", "GitHub", "https://github.com/", "https://github.com/"),
    LinkTarget("huggingface", "Hugging Face Hub", "https://huggingface.co/", "https://huggingface.co/"),
    LinkTarget("paperswithcode", "Papers With Code", "https://paperswithcode.com/", "https://paperswithcode.com/"),
)
_SPACES = tuple(t.uri_space for t in LINK_TARGETS)


def link_target(iri: str) -> str | None:
    """The key of the link target whose URI space holds ``iri``.

    >>> link_target("https://arxiv.org/abs/2304.14402"), link_target("https://example.org/x")
    ('arxiv', None)
    """
    if iri.startswith(_SPACES):
        for t in LINK_TARGETS:
            if iri.startswith(t.uri_space):
                return t.key
    return None


@dataclass
class Counts:
    """What a dataset (or a dump of it) holds. ``subjects`` and ``classes`` None: asked of the store."""

    statements: int = 0  # distinct triples
    graphs: dict[str, int] = field(default_factory=dict)  # statements per named graph; empty for a merge
    predicates: dict[str, int] = field(default_factory=dict)
    links: dict[tuple[str, str], int] = field(default_factory=dict)  # (target key, predicate IRI) → statements
    subjects: int | None = None
    classes: dict[str, int] | None = None


@dataclass(frozen=True)
class Dump:
    """One file of the dataset, as written."""

    url: str  # where it is downloaded from: a public URL, or the file's own file: IRI
    format: Format
    byte_size: int
    sha256: str
    gzip: bool = False
    profile: str | None = None
    context: str | None = None  # the JSON-LD context IRI, for JSON-LD


def describe(
    store: ox.Store,
    *,
    base_iri: str,
    dataset_iri: str,
    endpoint: str | None = None,
    dumps: Sequence[Dump] = (),
    generation: str | Path | None = None,
    graphs: Iterable[str] | None = None,
    counts: Counts | None = None,
    profile: Profile | None = None,
    ontology_graph: str | None = None,
) -> rdflib.Graph:
    """The VoID/DCAT description of the store's named graphs (``graphs``: those only), as an rdflib Graph.

    ``dumps`` are the files it was written to; ``counts`` what the writer counted (else the store is
    asked); ``profile`` the vocabulary it was restated in (``export --profile``); ``generation`` the
    store generation folder (its name is the dataset's version).
    """
    chosen = sorted(graphs) if graphs is not None else None
    if counts is None:
        counts = store_counts(store, chosen, ontology_graph or base_iri + "graph/ontology")
    subjects = counts.subjects if counts.subjects is not None else distinct_subjects(store, chosen, profile, counts)
    classes = counts.classes if counts.classes is not None else entities_per_class(store, chosen, profile)

    g = rdflib.Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("prov", PROV),
                       ("spdx", SPDX), ("cc", CC), ("xsd", XSD), ("owl", OWL), ("pwc", rdflib.Namespace(PWC_NS))):
        g.bind(prefix, ns)
    ds = URIRef(dataset_iri)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    title = "pwc-kg: the Papers With Code archive as an RDF knowledge graph"
    if profile is not None:
        title += f", in {PROFILE_NAMES[profile.name]} terms"
    g.add((ds, DCTERMS.title, Literal(title, lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Papers, code links, tasks, datasets, methods, models, benchmarks and evaluation results from the "
        "Papers With Code archive, with model lineage, built by pwc-kg.", lang="en")))
    _licence_and_attribution(g, ds)
    g.add((ds, VOID.uriSpace, Literal(base_iri)))
    if profile is not None:
        g.add((ds, DCTERMS.conformsTo, URIRef(PROFILE_NAMESPACES[profile.name])))
    _build(g, ds, store, generation)
    if endpoint:
        ep = URIRef(endpoint)
        g.add((ds, VOID.sparqlEndpoint, ep))
        g.add((ep, RDF.type, DCAT.DataService))
        g.add((ep, DCAT.endpointURL, ep))
        g.add((ep, DCAT.servesDataset, ds))
        g.add((ep, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))

    g.add((ds, VOID.triples, Literal(counts.statements, datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(subjects, datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(len(counts.predicates), datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls, n in sorted(classes.items()):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for prop, n in sorted(counts.predicates.items()):
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    for vocab in sorted({namespace_of(t) for t in [*counts.predicates, *classes]} - {""}):
        g.add((ds, VOID.vocabulary, URIRef(vocab)))
    for graph, n in sorted(counts.graphs.items()):
        sub = URIRef(graph)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(n, datatype=XSD.integer)))
    _linksets(g, ds, dataset_iri, counts.links)
    for dump in dumps:
        _distribution(g, ds, dump)
    return g


def _licence_and_attribution(g: rdflib.Graph, node: URIRef) -> None:
    g.add((node, DCTERMS.license, LICENCE))
    g.add((node, DCTERMS.source, PWC_SITE))
    creator = URIRef(PWC_SITE)
    g.add((node, DCTERMS.creator, creator))
    g.add((creator, RDF.type, FOAF.Organization))
    g.add((creator, FOAF.name, Literal("Papers With Code")))
    g.add((node, CC.attributionName, Literal("Papers With Code")))
    g.add((node, CC.attributionURL, PWC_SITE))
    g.add((node, DCTERMS.rights, Literal(
        "Content from the Papers With Code archive (paperswithcode.com), licensed CC-BY-SA 4.0: attribute it to "
        "Papers With Code and share adaptations under the same licence.", lang="en")))


def _build(g: rdflib.Graph, ds: URIRef, store: ox.Store, generation: str | Path | None) -> None:
    """The build that made the store, its date and the store generation."""
    for row in _rows(store, "void-build"):
        build = URIRef(row["build"].value)
        g.add((ds, PROV.wasGeneratedBy, build))
        g.add((build, RDF.type, PROV.Activity))
        g.add((build, PROV.endedAtTime, Literal(row["ended"].value, datatype=XSD.dateTime)))
        if row["version"] is not None:
            g.add((build, RDFS.comment, Literal(f"pwc-kg build, pwc-kg {row['version'].value}", lang="en")))
        g.add((ds, DCTERMS.created, Literal(row["ended"].value[:10], datatype=XSD.date)))
    if generation is not None:
        g.add((ds, OWL.versionInfo, Literal(Path(generation).name)))
    # the day this description was written (the day of the dump, for an export)
    g.add((ds, DCTERMS.modified, Literal(_dt.date.today().isoformat(), datatype=XSD.date)))


def _linksets(g: rdflib.Graph, ds: URIRef, dataset_iri: str, links: dict[tuple[str, str], int]) -> None:
    targets = {t.key: t for t in LINK_TARGETS}
    base = dataset_iri.rstrip("/#")
    for key in sorted({k for k, _ in links}):
        t = targets[key]
        node = URIRef(f"{base}/target/{key}")
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, DCTERMS.title, Literal(t.title)))
        g.add((node, FOAF.homepage, URIRef(t.homepage)))
        g.add((node, VOID.uriSpace, Literal(t.uri_space)))
    for (key, prop), n in sorted(links.items()):
        ls = URIRef(f"{base}/linkset/{key}/{namespace_of(prop) and _local(prop)}")
        g.add((ds, VOID.subset, ls))
        g.add((ls, RDF.type, VOID.Linkset))
        g.add((ls, VOID.subjectsTarget, ds))
        g.add((ls, VOID.objectsTarget, URIRef(f"{base}/target/{key}")))
        g.add((ls, VOID.linkPredicate, URIRef(prop)))
        g.add((ls, VOID.triples, Literal(n, datatype=XSD.integer)))


def _local(iri: str) -> str:
    """A readable, IRI-safe name for a property in a linkset's IRI (e.g. ``schema-sameAs``)."""
    ns = namespace_of(iri)
    short = {namespace: prefix for prefix, namespace in PREFIXES.items()}.get(ns)
    local = iri[len(ns):]
    if short is None:
        short = hashlib.sha256(ns.encode()).hexdigest()[:8]
    return f"{short}-{''.join(c if c.isalnum() or c in '-._' else '_' for c in local)}"


def _distribution(g: rdflib.Graph, ds: URIRef, dump: Dump) -> None:
    d = URIRef(dump.url)
    g.add((ds, DCAT.distribution, d))
    g.add((ds, VOID.dataDump, d))
    g.add((ds, VOID.feature, URIRef(dump.format.w3c_format)))
    g.add((d, RDF.type, DCAT.Distribution))
    g.add((d, DCAT.downloadURL, d))
    g.add((d, DCAT.mediaType, URIRef(IANA + dump.format.media_type)))
    g.add((d, DCTERMS["format"], URIRef(dump.format.w3c_format)))
    g.add((d, DCTERMS.conformsTo, URIRef(dump.format.spec)))
    if dump.profile:
        g.add((d, DCTERMS.conformsTo, URIRef(PROFILE_NAMESPACES[dump.profile])))
    if dump.context:
        g.add((d, DCTERMS.conformsTo, URIRef(dump.context)))
    if dump.gzip:
        g.add((d, DCAT.compressFormat, URIRef(IANA + GZIP_MEDIA_TYPE)))
    g.add((d, DCAT.byteSize, Literal(dump.byte_size, datatype=XSD.nonNegativeInteger)))
    checksum = BNode()
    g.add((d, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    g.add((d, DCTERMS.license, LICENCE))


def namespace_of(iri: str) -> str:
    """The vocabulary an IRI is a term of: up to its last '#' or '/'.

    >>> namespace_of("http://schema.org/name"), namespace_of("http://www.w3.org/1999/02/22-rdf-syntax-ns#_1")
    ('http://schema.org/', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#')
    """
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut >= 0 else ""


# ------------------------------------------------------------------------------ counts from the store

def _rows(store: ox.Store, name: str, bindings: dict | None = None):
    """The solutions of ``queries/internal/NAME.rq`` on the store, the bindings joined as VALUES where the query
    names them (in its sub-SELECTs too)."""
    return store.query(bind_where_named(load_query(f"internal/{name}").text, bindings or {}))


def _named(graphs: list[str] | None) -> dict:
    """The binding of ?g to the chosen named graphs (None: all of them, ?g left unbound)."""
    return {} if graphs is None else {"g": [ox.NamedNode(x) for x in graphs]}


def _distinct(name: str, graphs: list[str] | None) -> str:
    """The query that counts distinct triples over the chosen graphs: the default graph (the set union of the
    named graphs, store/union.py) for all of them, else the merge of the chosen ones (``NAME-in-graphs``)."""
    return name if graphs is None else f"{name}-in-graphs"


def class_counts(store: ox.Store, graphs: list[str] | None = None) -> dict[str, int]:
    """Distinct instances per class (by IRI), in the given named graphs or in all of them."""
    return {row["c"].value: int(row["n"].value) for row in _rows(store, "graph-class-entities", _named(graphs))
            if isinstance(row["c"], ox.NamedNode)}


def store_counts(store: ox.Store, graphs: list[str] | None, ontology_graph: str) -> Counts:
    """Distinct triples in all and per property, the links out, and the triples of each named graph,
    counted in the store."""
    per_graph = {row["g"].value: int(row["n"].value) for row in _rows(store, "graph-triples", _named(graphs))}
    predicates = {row["p"].value: int(row["n"].value)
                  for row in _rows(store, _distinct("predicate-triples", graphs), _named(graphs))}
    # Only a property that may hold an external IRI is scanned for links: not rdf:type, rdf:_n, a
    # datatype property, or a pwc property whose range is a pwc class.
    skip = {row["p"].value for row in _rows(store, "unlinking-properties", {"onto": ox.NamedNode(ontology_graph)})}
    links: dict[tuple[str, str], int] = {}
    spaces = [ox.Literal(t.uri_space) for t in LINK_TARGETS]
    by_space = {t.uri_space: t.key for t in LINK_TARGETS}
    for p in predicates:
        if p in skip or p.startswith(RDF_NS):
            continue
        bindings = {**_named(graphs), "p": ox.NamedNode(p), "space": spaces}
        for row in _rows(store, _distinct("link-triples", graphs), bindings):
            links[(by_space[row["space"].value], p)] = int(row["n"].value)
    # each distinct triple has one property: their counts add up to the distinct triples
    return Counts(sum(predicates.values()), per_graph, predicates, links)


def distinct_subjects(store: ox.Store, graphs: list[str] | None, profile: Profile | None, counts: Counts) -> int:
    """Subjects in the chosen graphs; with a profile, those with a statement left in its terms."""
    if profile is None:
        (row,) = _rows(store, "graph-subjects", _named(graphs))
        return int(row["n"].value)
    # The subjects of a property the profile restates, and those of a class it restates: one
    # count over both (a subject usually has both).
    classes = [ox.NamedNode(c) for c in class_counts(store, graphs) if profile.classes_of(ox.NamedNode(c))]
    sources = [ox.NamedNode(p) for p in store_predicates(store, graphs)
               if p != str(RDF.type) and any(q.value in counts.predicates for q in profile.properties_of(ox.NamedNode(p)))]
    (row,) = _rows(store, "profile-subjects", {**_named(graphs), "p": sources, "c": classes})
    return int(row["n"].value)


def store_predicates(store: ox.Store, graphs: list[str] | None) -> list[str]:
    return [row["p"].value for row in _rows(store, "graph-predicates", _named(graphs))]


def entities_per_class(store: ox.Store, graphs: list[str] | None, profile: Profile | None = None) -> dict[str, int]:
    """Distinct instances per class; with a profile, per class of the profile (over every class that maps to it)."""
    counts = class_counts(store, graphs)
    if profile is None:
        return counts
    sources: dict[str, list[ox.NamedNode]] = {}
    for cls in counts:
        for target in profile.classes_of(ox.NamedNode(cls)):
            sources.setdefault(target.value, []).append(ox.NamedNode(cls))
    out = {}
    for target, classes in sources.items():
        (row,) = _rows(store, "graph-typed-subjects", {**_named(graphs), "c": classes})
        out[target] = int(row["n"].value)
    return out


__all__ = ["Counts", "Dump", "LINK_TARGETS", "LinkTarget", "describe", "link_target", "store_counts"]
