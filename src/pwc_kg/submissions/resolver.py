"""References in a submission to entities the graph has (task, dataset, benchmark, metric, model, paper): an
IRI, a slug or a label in any case, resolved against the store and handed to the mapper by the names the graph
already uses, so that the mapper mints the same IRIs and adds no new spelling. A reference that names nothing
or several things is a ``Problem``; the look-ups are bounded in time (``MappingTooLong``).
"""

from __future__ import annotations

import time

import pyoxigraph as ox

from ..iri import Minter, is_generic_model_name, name_key
from ..mapping import common
from ..mapping.context import Registry
from ..queries import load_query
from ..queries.binding import bind_values
from ..queries.resolve import EntityNotFound, resolve
from ..queries.run import EmbeddedBackend
from ..vocab import PWC
from .payload import MappingTooLong, Problem


class Resolver:
    """Names in the payload resolved against the store, and the registry seeded with what was found."""

    def __init__(self, store: ox.Store, mint: Minter, seconds: float | None = None):
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.seconds = seconds
        self.store = store
        self.backend = EmbeddedBackend(store)
        self.mint = mint
        self.registry = Registry()
        self.problems: list[Problem] = []
        self.pointers: dict[str, str] = {}
        self.computed = {mint.graph("derived"), mint.graph("entailed")}

    def select(self, name: str, bindings: dict) -> list[dict]:
        """Rows of ``queries/internal/NAME.rq`` with the bindings."""
        if self.deadline is not None and time.monotonic() > self.deadline:  # every look-up passes here
            raise MappingTooLong(Problem("", "body", f"mapping the submission took more than {self.seconds:g} s "
                                         "(each task, dataset, metric, model and paper is looked up): send it in "
                                         "smaller parts", kind="limit"))
        return self.backend.select(bind_values(load_query(f"internal/{name}").text, bindings))

    def exists(self, iri: str) -> bool:
        """Whether the graph describes the IRI (the derived graph's ranks and titles do not count)."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        for q in self.store.quads_for_pattern(node, None, None):
            # the default graph repeats the named graphs' triples (store/union.py): only they count
            if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in self.computed:
                return True
        return False

    def names(self, iri: str, prop: str = PWC.name) -> list[str]:
        rows = self.select("entity-names", {"x": ox.NamedNode(iri), "prop": ox.NamedNode(prop)})
        return sorted(r["n"].value for r in rows)

    def _find(self, kind: str, text: str, at: str, field_: str) -> str | None:
        """The IRI of the entity ``text`` names, or None for a new one; a problem when it names several or an unknown IRI."""
        try:
            # A paper by its exact title (or slug, IRI, arXiv URL): 576k titles in lower case take minutes.
            return resolve(self.backend, kind, text, any_case=kind != "Paper").value
        except EntityNotFound as e:
            msg = str(e)
            if " of the " in msg or text.strip().startswith(("http://", "https://")):
                self.problems.append(Problem(at, field_, msg, text, kind="reference"))
            return None

    @staticmethod
    def _pick(names: list[str], text: str, fits=None) -> str | None:
        fitting = [n for n in names if fits is None or fits(n)]
        for n in fitting:
            if n == text:
                return n
        for n in fitting:
            if name_key(n) == name_key(text):
                return n
        return fitting[0] if fitting else None

    def task(self, text: str, at: str, field_: str = "task") -> tuple[str, str | None]:
        iri = self._find("Task", text, at, field_)
        if iri is None:
            return text.strip(), None
        self.pointers.setdefault(iri, at)
        return self._pick(self.names(iri), text, lambda n: self.mint.task(n) == iri) or text.strip(), iri

    def dataset(self, text: str, task_iri: str | None, at: str, field_: str = "dataset") -> tuple[str, str | None]:
        """A leaderboard's dataset name: the one an existing benchmark of the task uses, else a dataset's name."""
        text = text.strip()
        if task_iri:
            for row in self.select("task-benchmarks", {"t": ox.NamedNode(task_iri)}):
                d, dn = row["d"].value, row["dn"].value
                if name_key(dn) == name_key(text) or text in (d, d.rsplit("/", 1)[-1]):
                    self._seed_dataset(dn, d, at)
                    return dn, d
        iri = self._find("Dataset", text, at, field_)
        if iri is None:
            return text, None
        name = self._pick(self.names(iri), text) or text
        self._seed_dataset(name, iri, at)
        return name, iri

    def _seed_dataset(self, name: str, iri: str, at: str) -> None:
        self.registry.remember(self.registry.dataset_by_name, name_key(name), iri)
        self.pointers.setdefault(iri, at)

    def benchmark(self, text: str, at: str) -> tuple[str, str, str, str] | None:
        """(task name, task IRI, dataset name, dataset IRI) of an existing benchmark."""
        iri = self._find("Benchmark", text, at, "benchmark")
        if iri is None:
            if not self.problems or self.problems[-1].pointer != at:
                self.problems.append(Problem(at, "benchmark", f"no benchmark is named {text!r}; name its task and "
                                             "dataset instead to start a new one", text, kind="reference"))
            return None
        for row in self.select("benchmark-names", {"b": ox.NamedNode(iri)}):
            t, d = row["t"].value, row["d"].value
            if self.mint.task(row["tn"].value) == t:
                self._seed_dataset(row["dn"].value, d, at)
                self.pointers.setdefault(iri, at)
                return row["tn"].value, t, row["dn"].value, d
        self.problems.append(Problem(at, "benchmark", f"the benchmark {iri} has no task and dataset to add rows to",
                                     text, kind="reference"))
        return None

    def metric(self, text: str, at: str, field_: str = "metrics") -> str:
        """The spelling the graph already uses for this metric (any case, slug or IRI), else the text."""
        stripped = text.strip()
        minted = self.mint.metric(stripped)
        iri = minted if self.exists(minted) else self._find("Metric", stripped, at, field_)
        if iri is None:
            return stripped
        self.pointers.setdefault(iri, at)
        names = self.names(iri)
        return self._pick(names, stripped, lambda n: self.mint.metric(n) == iri) or stripped

    def model(self, text: str, at: str, field_: str = "model") -> tuple[str, str | None]:
        """(its name, its IRI) of an existing model named by IRI, slug or label; else (text, None)."""
        stripped = text.strip()
        if not is_generic_model_name(stripped) and self.exists(self.mint.model(stripped)):
            iri = self.mint.model(stripped)
        else:
            iri = self._find("Model", stripped, at, field_)
        if iri is None:
            return stripped, None
        self.pointers.setdefault(iri, at)
        return self._pick(self.names(iri), stripped) or stripped, iri

    def model_name(self, text: str) -> str:
        """A model named as a leaderboard names it: the graph's spelling when the name is one it has."""
        stripped = text.strip()
        iri = self.mint.model(stripped)
        if is_generic_model_name(stripped) or not self.exists(iri):
            return stripped
        return self._pick(self.names(iri), stripped) or stripped

    def paper(self, text: str | None, url: str | None, at: str, field_: str) -> tuple[str | None, str | None, bool]:
        """(title, URL, known): a paper the graph has, by IRI, slug, title or arXiv URL, named by its title."""
        iri = None
        if text:
            iri = self._find("Paper", text, at, field_)
        if iri is None and url:
            arxiv = common.arxiv_id_of(url)
            if arxiv:
                rows = self.select("papers-by-arxiv-id", {"id": ox.Literal(arxiv)})
                iri = min((r["p"].value for r in rows), default=None)
            slug = common.pwc_paper_slug(url)
            if iri is None and slug and self.exists(self.mint.paper(slug)):
                iri = self.mint.paper(slug)
        if iri is None:
            return text, url, False
        titles = self.names(iri, PWC.title)
        self.pointers.setdefault(iri, at)
        if not titles:
            self.registry.papers.add(iri)
            return text, url, True
        title = self._pick(titles, text or titles[0])
        self.registry.remember(self.registry.paper_by_title, common.title_key(title), iri)
        return title, None, True
