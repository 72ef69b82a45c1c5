"""Named SPARQL queries: found in ``queries/``, parameters bound, results formatted."""

from .binding import bind_values
from .named import NamedQuery, list_queries, load_query
from .resolve import EntityNotFound, resolve
from .run import format_rows, run_query

__all__ = ["EntityNotFound", "NamedQuery", "bind_values", "format_rows", "list_queries", "load_query",
           "resolve", "run_query"]
