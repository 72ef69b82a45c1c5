"""The named queries and the questions, bound to one backend: the embedded store, the server's
query workers, or a remote SPARQL endpoint (anything with ``run(query)`` and ``select(query)``).

Two kinds of rows come back, and which is which is fixed:

- **plain Python values** from :meth:`Graph.query` (a named query), the questions (``sota``,
  ``leaderboard``, ``compare``, ...) and ``sparql(text, terms=False)``: IRIs and strings as ``str``,
  numbers as ``int`` (when whole) or ``float``, booleans as ``bool``, dates as ``"YYYY-MM-DD"``;
  every column is a key, ``None`` when unbound. What ``--format json`` prints.
- **pyoxigraph terms** from :meth:`Graph.sparql` (the default): ``NamedNode``, ``Literal`` (with
  ``.value``, ``.datatype``, ``.language``), ``BlankNode``; an unbound variable is no key of the row.
  For when the datatype or the language matters, or a term is to be bound into another query.
"""

from __future__ import annotations

from . import questions
from .queries import load_query, run_query
from .queries.run import to_python


class Graph:
    """Named queries and questions over one backend; unknown names raise ``pwc_kg.EntityNotFound``."""

    def __init__(self, backend):
        self.backend = backend

    def query(self, query: str, **params: str) -> list[dict]:
        """Rows of a named query (or a path to a .rq file) as plain Python values, parameters bound by name.

        ``kg.query("benchmarks", task="Question Answering")[0]["rows"]`` is an ``int``; every column the
        query projects is a key of each row, ``None`` when unbound.
        """
        _, rows = run_query(self.backend, load_query(query), params)
        return rows

    def sparql(self, text: str, *, terms: bool = True) -> list[dict]:
        """Rows of any SPARQL SELECT over the union of the named graphs: pyoxigraph terms by default,
        plain Python values as :meth:`query` gives them with ``terms=False``.

        ``kg.sparql("SELECT ?v WHERE { ?r pwc:value ?v }")[0]["v"]`` is a ``pyoxigraph.Literal``: its
        ``.value`` is the string ``"72.2"``, its ``.datatype`` ``xsd:decimal``; an unbound variable is no
        key of the row. With ``terms=False`` the same row is ``{"v": 72.2}``, and an unbound variable
        is ``None``.
        """
        if terms:
            return self.backend.select(text)
        columns, rows = self.backend.run(text)
        return [{c: to_python(row[c]) if c in row else None for c in columns} for row in rows]

    def sota(self, task: str, dataset: str | None = None, metric: str | None = None, **options) -> list[dict]:
        return questions.sota(self.backend, task, dataset, metric, **options)

    def sota_all(self, *, extra: bool = True) -> list[dict]:
        """The state of the art of every benchmark and metric (see :func:`pwc_kg.questions.sota_all`)."""
        return questions.sota_all(self.backend, extra=extra, catalogue=self.catalogue())

    def catalogue(self):
        """The tables computed once per store generation (``pwc_kg.catalogue``), or None (a remote endpoint)."""
        return None

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
