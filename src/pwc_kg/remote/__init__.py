"""Remote SPARQL servers: the same queries against an endpoint, and ``pwc-kg push`` to load one.

``SparqlEndpointBackend`` runs the named queries and the questions on a SPARQL 1.1 endpoint
(Oxigraph server, Virtuoso, ...); ``push`` loads a store into one, graph by graph.
"""

from .endpoint import RowCapExceeded, SparqlEndpointBackend
from .push import PushReport, push_store
from .transport import RemoteError

__all__ = ["PushReport", "RemoteError", "RowCapExceeded", "SparqlEndpointBackend", "push_store"]
