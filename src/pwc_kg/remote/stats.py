"""``pwc-kg stats --endpoint``: the counts of ``pwc-kg stats`` (triples, classes, graphs), on a server.

Only pwc-kg's graphs are counted: those under the build's base IRI (``{base}graph/...``);
a server may hold others (Virtuoso keeps its own system graphs). ``triples`` are the distinct
triples (those of the pushed default graph, remote/endpoint.py's ``UNION_GRAPH``), ``quads`` the
graphs' triples added up; a server holding a graph pushed by an older pwc-kg (no ``UNION_GRAPH``)
gives the quads for both.
"""

from __future__ import annotations

from ..queries.resolve import base_iri
from ..stats import direction_counts
from ..vocab import PWC, PWC_NS
from .transport import RemoteError


def endpoint_stats(backend) -> dict:
    """The dict of ``pwc_kg.stats.store_stats`` (without the build summary), from a backend's queries."""
    base = base_iri(backend)
    if base is None:
        raise RemoteError(f"{getattr(backend, 'url', backend)} holds no pwc-kg build (no pwc:baseIri)")
    prefix = base + "graph/"
    graphs = {}
    for row in backend.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        if row["g"].value.startswith(prefix):
            graphs[row["g"].value] = int(row["n"].value)
    classes = {}
    q = (f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?c), \"{PWC_NS}\")) }} "
         "GROUP BY ?c ORDER BY ?c")
    for row in backend.select(q):
        classes[row["c"].value.removeprefix(PWC_NS)] = int(row["n"].value)
    directions, coverage = direction_counts(backend.select)
    quads = sum(graphs.values())
    triples = quads
    if getattr(backend, "default_graph", None) == "set":  # the pushed set: distinct triples
        (row,) = backend.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        triples = int(row["n"].value)
    return {"triples": triples, "quads": quads, "classes": classes, "graphs": dict(sorted(graphs.items())),
            "metric_directions": directions, "direction_coverage": coverage}
