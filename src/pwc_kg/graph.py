"""The named queries and the questions, bound to one backend: the embedded store, the server's
query workers, or a remote SPARQL endpoint (anything with ``run(query)`` and ``select(query)``)."""

from __future__ import annotations

from . import questions
from .queries import load_query, run_query


class Graph:
    """Named queries and questions over one backend; unknown names raise ``pwc_kg.EntityNotFound``."""

    def __init__(self, backend):
        self.backend = backend

    def query(self, query: str, **params: str) -> list[dict]:
        """Rows of a named query (or a path to a .rq file) as Python values, parameters bound by name."""
        _, rows = run_query(self.backend, load_query(query), params)
        return rows

    def sparql(self, text: str) -> list[dict]:
        """Rows of any SPARQL SELECT over the union of the named graphs, as pyoxigraph terms."""
        return self.backend.select(text)

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
