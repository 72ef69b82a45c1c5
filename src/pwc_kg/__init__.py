"""pwc-kg: the Papers With Code archive as an RDF knowledge graph.

The Python API mirrors the command line::

    import pwc_kg
    report = pwc_kg.build(["data/sample"], store="pwc-kg-store")
    kg = pwc_kg.open_store("pwc-kg-store")
    rows = kg.query("paper-results", paper="LaMini-LM: A Diverse Herd of Distilled Models from Large-Scale Instructions")
    kg.stats()["classes"]["EvaluationResult"]
    kg.validate().conforms
"""

from __future__ import annotations

from pathlib import Path

from . import questions
from .__about__ import __version__
from .build import BuildError, BuildReport, build
from .queries import EntityNotFound, load_query, run_query
from .queries.run import EmbeddedBackend
from .sources import SourceError
from .stats import store_stats
from .store import BuildLocked, StoreDir, StoreMissing


class KnowledgeGraph:
    """A built store, opened read-only."""

    def __init__(self, store: str | Path = "pwc-kg-store"):
        self.dir = StoreDir(store)
        self.generation = self.dir.require_current()
        self.store = self.dir.open()
        self.backend = EmbeddedBackend(self.store)

    def query(self, query: str, **params: str) -> list[dict]:
        """Rows of a named query (or a path to a .rq file), parameters bound by name."""
        _, rows = run_query(self.backend, load_query(query), params)
        return rows

    def sparql(self, text: str) -> list[dict]:
        """Rows of any SPARQL SELECT over the union of the named graphs, as pyoxigraph terms."""
        return self.backend.select(text)

    def stats(self) -> dict:
        return store_stats(self.store, self.generation)

    def validate(self):
        from .validation import validate_store

        return validate_store(self.store)

    # The questions (pwc_kg.questions), bound to this store.
    def sota(self, task: str, dataset: str | None = None, metric: str | None = None, **options) -> list[dict]:
        return questions.sota(self.backend, task, dataset, metric, **options)

    def leaderboard(self, task: str, dataset: str, metric: str, **options) -> list[dict]:
        return questions.leaderboard(self.backend, task, dataset, metric, **options)

    def history(self, task: str, dataset: str, metric: str, **options) -> list[dict]:
        return questions.history(self.backend, task, dataset, metric, **options)

    def model_sota(self, model: str) -> list[dict]:
        return questions.model_sota(self.backend, model)

    def lineage(self, model: str, **options) -> list[dict]:
        return questions.lineage(self.backend, model, **options)

    def compare(self, model: str, base: str | None = None) -> list[dict]:
        return questions.compare(self.backend, model, base)

    def tasks(self, task: str) -> list[dict]:
        return questions.tasks(self.backend, task)

    def methods(self, method: str) -> list[dict]:
        return questions.methods(self.backend, method)

    def provenance(self, result: str) -> list[dict]:
        return questions.provenance(self.backend, result)


def open_store(store: str | Path = "pwc-kg-store") -> KnowledgeGraph:
    return KnowledgeGraph(store)


__all__ = ["BuildError", "BuildLocked", "BuildReport", "EntityNotFound", "KnowledgeGraph", "SourceError",
           "StoreMissing", "__version__", "build", "open_store"]
