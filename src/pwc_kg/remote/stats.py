"""``pwc-kg stats --endpoint``: the counts of ``pwc-kg stats`` (triples, classes, graphs), on a server.

Only pwc-kg's graphs are counted: those under the build's base IRI (``{base}graph/...``);
a server may hold others (Virtuoso keeps its own system graphs). ``triples`` are the distinct
triples (those of the pushed default graph, remote/endpoint.py's ``UNION_GRAPH``), ``quads`` the
graphs' triples added up; a server holding a graph pushed by an older pwc-kg (no ``UNION_GRAPH``)
gives the quads for both.
"""

from __future__ import annotations

from ..queries.resolve import base_iri
from ..stats import graph_stats
from .transport import RemoteError


def endpoint_stats(backend) -> dict:
    """The dict of ``pwc_kg.stats.store_stats`` (without the build summary), from a backend's queries."""
    base = base_iri(backend)
    if base is None:
        raise RemoteError(f"{getattr(backend, 'url', backend)} holds no pwc-kg build (no pwc:baseIri)")
    return graph_stats(backend.select, graphs_under=base + "graph/",
                       distinct=getattr(backend, "default_graph", None) == "set")
