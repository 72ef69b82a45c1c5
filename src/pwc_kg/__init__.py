"""pwc-kg: the Papers With Code archive as an RDF knowledge graph.

The Python API mirrors the command line::

    import pwc_kg
    report = pwc_kg.build(["data/sample"], store="pwc-kg-store")
    kg = pwc_kg.open_store("pwc-kg-store")
    rows = kg.query("paper-results", paper="LaMini-LM: A Diverse Herd of Distilled Models from Large-Scale Instructions")
    kg.stats()["classes"]["EvaluationResult"]
    kg.validate().conforms

Rows come in two kinds (see :mod:`pwc_kg.graph`): ``kg.query(...)``, the questions (``kg.sota(...)``,
...) and ``kg.sparql(text, terms=False)`` give plain Python values (``str``, ``int``, ``float``,
``bool``, ``None`` when unbound), as ``--format json`` prints them; ``kg.sparql(text)`` gives
pyoxigraph terms (``NamedNode``, ``Literal`` with its datatype and language), an unbound variable
left out of its row.
"""

from __future__ import annotations

from pathlib import Path

from .__about__ import __version__
from .build import BuildError, BuildReport, build
from .errors import PwcKgError, SettingError
from .graph import Graph
from .queries import EntityNotFound
from .queries.run import EmbeddedBackend
from .sources import SourceError
from .stats import store_stats
from .store import BuildLocked, StoreDir, StoreMissing


class KnowledgeGraph(Graph):
    """A built store, opened read-only: the questions and named queries of :class:`Graph`, and more."""

    def __init__(self, store: str | Path = "pwc-kg-store"):
        self.dir = StoreDir(store)
        self.generation = self.dir.require_current()
        self.store = self.dir.open()
        super().__init__(EmbeddedBackend(self.store))

    def catalogue(self):
        """The generation's catalogue (built when the store was, or now for a store built before it existed)."""
        from . import catalogue

        return catalogue.present(self.generation) or catalogue.open_catalogue(self.store, self.generation)[0]

    def stats(self) -> dict:
        return store_stats(self.store, self.generation)

    def validate(self):
        from .validation import validate_store

        return validate_store(self.store)

    def export(self, out: str | Path, **options):
        """Write the graph to a file with its VoID description (``pwc-kg export``; see :func:`pwc_kg.export.export`)."""
        from .export import export

        return export(self.dir.path, out, **options)


def open_store(store: str | Path = "pwc-kg-store") -> KnowledgeGraph:
    return KnowledgeGraph(store)


def open_endpoint(url: str, user: str | None = None, password: str | None = None, auth: str = "basic") -> Graph:
    """The same questions and named queries against a remote SPARQL 1.1 endpoint holding a pushed graph."""
    from .remote import SparqlEndpointBackend

    return Graph(SparqlEndpointBackend(url, user=user, password=password, auth=auth))


__all__ = ["BuildError", "BuildLocked", "BuildReport", "EntityNotFound", "Graph", "KnowledgeGraph", "PwcKgError",
           "SettingError", "SourceError", "StoreMissing", "__version__", "build", "open_endpoint", "open_store"]
