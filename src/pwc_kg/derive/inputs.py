"""What the derivation reads, and the build's reader of it: the triples as the mapping wrote them.

The derived graph is a function of a few kinds of triples (``READS``): results' benchmark, metric,
value, date, extra-data flag and paper; metrics' spellings; benchmarks' task, dataset name and
metric columns; papers' titles. :class:`Inputs` holds exactly what the derivation needs of them.
Each input is stated once, as a query of ``queries/internal/`` (results-to-rank, metric-names,
metric-spellings, override-keys, benchmark-descriptions, property-values), and read two ways:

- :class:`Tap` and :func:`read_taps` (here), the build's: the triples caught as the mapping writes
  them, one tap per source graph, kept with the source's state for the next build: reading the
  finished store costs a decode per literal and IRI, about as much as the whole derivation, while
  the lines are at hand anyway;
- derive/stored.py, those queries on a store: an accepted submission's update (derive/partial.py),
  with the benchmarks and metrics it touches bound, and any built store (``from_store``).

Both follow the queries: a result's benchmark, metric, value, extra-data flag and date joined
within one named graph (a result is what one source reported), everything else over their union,
values compared as RDF compares them (``"90.10"`` and ``"90.1"`` are one decimal, ``"1"`` and
``"true"`` one boolean). A test builds stores both ways and compares.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import product
from pathlib import Path
from typing import Iterable, NamedTuple

import pyoxigraph as ox

from ..iri import metric_key
from ..store.state import tap_paths
from ..values import read_boolean
from ..vocab import PWC, RDF, terms_with_role
from . import directions
from .when import when_of


@dataclass(frozen=True)
class Row:
    result: str
    value: Decimal
    day: str | None
    extra: bool | None  # None: the source did not say (no pwc:usesExtraTrainingData)
    when: str | None = None  # when it was reported, for inferring directions: its date, else its paper's (when.py)


# The triples the derivation reads, as the ontology marks them (pwc:role "derivation-input"): an incremental
# build whose changes touch none of them keeps the derived graph; the tap keeps these lines.
READS = terms_with_role("derivation-input", classes=False)
READS_TYPES = terms_with_role("derivation-input", classes=True)  # of rdf:type triples, those with these classes
# Read in a second pass, once the first tells which subjects count (of 600k titles and 450k names
# only those of the results' papers, the metrics and the benchmarks' tasks are kept).
LATE = frozenset({PWC.name, PWC.title, PWC.publicationDate, PWC.arxivId, PWC.abstractPage, PWC.description})
# The sources whose datasets' descriptions the derivation reads: those that state benchmarks (a benchmark's
# description is its dataset's in the graph that states the benchmark: "Models are evaluated based on average
# cross-entropy"). A methods, datasets or papers file states none.
DESCRIBED_IN = frozenset({"evaluation-tables", "model-index", "model-cards"})
# Of papers, what tells when they were published (for the results without a date of their own).
PAPER_DATES = (PWC.publicationDate, PWC.arxivId, PWC.abstractPage)


def reads(predicate: str, obj: str | None = None, kind: str | None = None) -> bool:
    """Whether the derivation reads triples with this predicate (and, for rdf:type, this class) in a source of
    this kind: an incremental build whose changes touch none of them keeps the derived graph. Descriptions count
    only in the leaderboards' own sources (``DESCRIBED_IN``): a corrected methods file changes no direction.

    >>> reads(PWC.title), reads(PWC.synonym), reads(RDF.type, PWC.Metric), reads(RDF.type, PWC.Method)
    (True, False, True, False)
    >>> reads(PWC.description, kind="methods"), reads(PWC.description, kind="evaluation-tables")
    (False, True)
    """
    if predicate == PWC.description and kind is not None and kind not in DESCRIBED_IN:
        return False
    return predicate in READS or (predicate == RDF.type and obj in READS_TYPES)


@dataclass
class Inputs:
    spellings: dict[str, Counter] = field(default_factory=dict)  # metric → spelling → results using it
    overrides: dict[tuple[str, str], bool] = field(default_factory=dict)  # (benchmark, metric) → higher is better
    results: dict[tuple[str, str], list[Row]] = field(default_factory=dict)  # (benchmark, metric) → rows by IRI
    titles: list[tuple[str, str]] = field(default_factory=list)  # (result, its paper's title), by result
    descriptions: dict[str, str] = field(default_factory=dict)  # benchmark → its dataset's description there


def number(lexical: str) -> Decimal:
    """An xsd:decimal's value, compared as RDF compares them (``"90.10"`` equals ``"90.1"``)."""
    try:
        return Decimal(lexical)
    except InvalidOperation:  # not a number: SPARQL would not have compared it either
        raise ValueError(f"not an xsd:decimal: {lexical!r}") from None


def results_by_pair(groups: dict[tuple[str, str], dict[str, Row]]) -> dict[tuple[str, str], list[Row]]:
    """(benchmark, metric) → its rows, by result IRI (a result two graphs state is kept once)."""
    return {k: sorted(v.values(), key=lambda x: x.result) for k, v in groups.items()}


def titles(paper_of: dict[str, str], title_of: dict[str, str]) -> list[tuple[str, str]]:
    """(result, its paper's title), by result: each result's smallest paper, each paper's smallest title."""
    return [(r, title_of[paper_of[r]]) for r in sorted(paper_of) if paper_of[r] in title_of]


def descriptions(dataset_of: dict[str, set[str]], description_of: dict[str, str]) -> dict[str, str]:
    """benchmark → its dataset's description, for datasets of one benchmark only: a dataset shared by two
    tasks (Penn Treebank: language modelling and parsing) has one description, written for one of them."""
    users: dict[str, int] = defaultdict(int)
    for datasets in dataset_of.values():
        for ds in datasets:
            users[ds] += 1
    out = {}
    for b, datasets in sorted(dataset_of.items()):
        found = sorted(description_of[ds] for ds in datasets if ds in description_of and users[ds] == 1)
        if found:
            out[b] = found[0]
    return out


def dated(results: dict, paper_of: dict[str, str], facts_of) -> dict:
    """The rows again, each with when it was reported: its date, else its paper's (derive/when.py)."""
    def when(r: Row) -> str | None:
        if r.day:
            return r.day
        return when_of(facts_of(paper_of[r.result])) if r.result in paper_of else None

    return {key: [Row(r.result, r.value, r.day, r.extra, when(r)) for r in rows] for key, rows in results.items()}


def override_key(task_name: str, dataset_name: str, metric_name: str) -> tuple[str, str, str]:
    """The key of a benchmark's metric in the direction overrides (ontology/benchmark-directions.csv)."""
    return metric_key(task_name), metric_key(dataset_name), metric_key(metric_name)


class _Stated(NamedTuple):
    """What one graph states of one result: the columns of results-to-rank.rq, each value it gives (the
    row is their join, as SPARQL makes it)."""

    benchmarks: list[str]
    metrics: list[str]
    values: list[str]
    extra: list[str]
    dates: list[str]


# The predicate of each of _Stated's columns (its index: a tuple's slot).
_COLUMN = {p: _Stated._fields.index(name) for p, name in (
    (PWC.benchmark, "benchmarks"), (PWC.metric, "metrics"), (PWC.value, "values"),
    (PWC.usesExtraTrainingData, "extra"), (PWC.resultDate, "dates"))}
_METRICS = _Stated._fields.index("metrics")


class Tap:
    """One source graph's share of the derivation's triples, caught as the mapping writes them.

    ``GraphWriter`` shows every line whose predicate is in ``predicates`` to :meth:`see`; they go,
    as N-Quads of ``graph``, to two files (names and titles apart, read in a second pass):
    ``{stem}.tap.nq`` and ``{stem}.tap-late.nq`` in ``folder``. A build keeps them with the
    source's state, so that the next one derives from the taps of the sources it did not read
    again too. :func:`read_taps` reads taps back, with any other graph's quads given (the
    ontology, accepted submissions).

    >>> import tempfile
    >>> tap = Tap(Path(tempfile.mkdtemp()), "000-x", "https://x/g")
    >>> r, b, m = "https://x/r", "https://x/b", "https://x/m"
    >>> for p, o in ((PWC.benchmark, f"<{b}>"), (PWC.metric, f"<{m}>"), (PWC.metricName, '"Acc"'),
    ...              (PWC.value, '"90.10"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ...              (PWC.usesExtraTrainingData, '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>')):
    ...     tap.see(r, p, o, "")
    >>> tap.close()
    >>> i = read_taps([tap.paths])
    >>> i.results, dict(i.spellings)
    ({('https://x/b', 'https://x/m'): [Row(result='https://x/r', value=Decimal('90.10'), day=None, extra=False, when=None)]}, {'https://x/m': Counter({'Acc': 1})})
    """

    predicates = READS | {RDF.type}

    def __init__(self, folder: Path, stem: str, graph: str, kind: str | None = None):
        self.paths = tap_paths(folder, stem)
        self._skip = frozenset() if kind is None or kind in DESCRIBED_IN else frozenset({PWC.description})
        self._end = f" <{graph}> .\n"
        self._main = open(self.paths[0], "w", encoding="utf-8", newline="\n", buffering=1 << 20)
        self._late = open(self.paths[1], "w", encoding="utf-8", newline="\n", buffering=1 << 20)

    def see(self, subject: str, predicate: str, obj: str, line: str) -> None:
        """One line: its subject, predicate and object as written (of rdf:type, only the classes the derivation reads)."""
        if predicate in self._skip:
            return
        if predicate in LATE:
            self._late.write(f"<{subject}> <{predicate}> {obj}{self._end}")
        elif predicate != RDF.type or obj in _TYPES:
            self._main.write(f"<{subject}> <{predicate}> {obj}{self._end}")

    def close(self) -> None:
        self._main.close()
        self._late.close()


def read_taps(taps: Iterable[tuple[Path, Path]], extra: Iterable[ox.Quad] = ()) -> Inputs:
    """What the derivation needs, from taps (pairs of files) and ``extra`` quads of other graphs."""
    taps = list(taps)
    extra = [q for q in extra if reads(q.predicate.value, q.object.value)]
    reader = _Reader()
    for main, _ in taps:
        for q in ox.parse(path=str(main), format=ox.RdfFormat.N_QUADS):
            reader.first(q)
    for q in extra:
        if q.predicate.value not in LATE:
            reader.first(q)
    reader.between()
    for _, late in taps:
        for q in ox.parse(path=str(late), format=ox.RdfFormat.N_QUADS):
            reader.second(q)
    for q in extra:
        if q.predicate.value in LATE:
            reader.second(q)
    return reader.inputs()



_TYPES = frozenset(f"<{cls}>" for cls in READS_TYPES)


class _Reader:
    """Builds :class:`Inputs` from quads, in two passes (see ``Tap``), as the queries named in each step
    read a store (derive/stored.py)."""

    def __init__(self):
        self.metrics: set[str] = set()  # typed pwc:Metric, in any graph
        self.stated: dict[tuple[str, str], _Stated] = {}  # (graph, result) → what that graph states of it
        self.metric_of: dict[str, set[str]] = defaultdict(set)  # result → its metrics, over all graphs
        self.metric_names: dict[str, set[str]] = defaultdict(set)  # result → its pwc:metricName, over all graphs
        self.paper_of: dict[str, str] = {}  # result → smallest paper
        self.task_of: dict[str, set[str]] = defaultdict(set)
        self.dataset_names: dict[str, set[str]] = defaultdict(set)
        self.columns: dict[str, set[str]] = defaultdict(set)  # benchmark → pwc:hasMetric
        self.names: dict[str, set[str]] = defaultdict(set)
        self.title_of: dict[str, str] = {}
        self.dataset_in: dict[tuple[str, str], set[str]] = defaultdict(set)  # (graph, benchmark) → pwc:dataset
        self.paper_facts: dict[str, dict[str, str]] = defaultdict(dict)  # paper → PAPER_DATES predicate → smallest
        self.description_in: dict[tuple[str, str], str] = {}  # (graph, dataset) → smallest description
        self.wanted = directions.overrides()

    def first(self, q: ox.Quad) -> None:
        s, p, o = q.subject.value, q.predicate.value, q.object.value
        column = _COLUMN.get(p)
        if column is not None:  # results-to-rank.rq: within one graph
            key = (q.graph_name.value, s)
            stated = self.stated.get(key)
            if stated is None:
                stated = self.stated[key] = _Stated([], [], [], [], [])
            stated[column].append(o)
            if column == _METRICS:
                self.metric_of[s].add(o)
        elif p == PWC.metricName:
            self.metric_names[s].add(o)
        elif p == PWC.reportedIn:  # property-values.rq, as every value of a paper here: over all graphs
            if s not in self.paper_of or o < self.paper_of[s]:
                self.paper_of[s] = o
        elif p == RDF.type:
            self.metrics.add(s)
        elif p == PWC.task:
            self.task_of[s].add(o)
        elif p == PWC.datasetName:
            self.dataset_names[s].add(o)
        elif p == PWC.hasMetric:
            self.columns[s].add(o)
        elif p == PWC.dataset:
            self.dataset_in[(q.graph_name.value, s)].add(o)

    def between(self) -> None:
        """The first pass is done: which subjects' names and titles the second pass keeps."""
        groups: dict[tuple[str, str], dict[str, Row]] = defaultdict(dict)
        for (_, r), said in self.stated.items():
            for b, m, v, x, d in product(said.benchmarks, said.metrics, said.values, said.extra or [None],
                                         said.dates or [None]):  # the join, OPTIONALs unbound when absent
                groups[(b, m)][r] = Row(r, number(v), d, None if x is None else read_boolean(x))
        self.results = results_by_pair(groups)
        self.stated = {}
        shown = {r.result for rows in self.results.values() for r in rows}
        self.paper_of = {r: p for r, p in self.paper_of.items() if r in shown}
        self.papers = set(self.paper_of.values())
        benchmarks = {b for b, _ in self.results}
        self.datasets = {(g, d) for (g, b), ds in self.dataset_in.items() if b in benchmarks for d in ds}
        self.named = set(self.metrics)
        if self.wanted:
            self.named |= {t for ts in self.task_of.values() for t in ts}
            self.named |= {m for ms in self.columns.values() for m in ms}

    def second(self, q: ox.Quad) -> None:
        s, p, o = q.subject.value, q.predicate.value, q.object.value
        if p == PWC.name:
            if s in self.named:
                self.names[s].add(o)
        elif p == PWC.title:
            if s in self.papers and (s not in self.title_of or o < self.title_of[s]):
                self.title_of[s] = o
        elif p == PWC.description:
            key = (q.graph_name.value, s)
            if key in self.datasets and (key not in self.description_in or o < self.description_in[key]):
                self.description_in[key] = o
        elif s in self.papers:
            facts = self.paper_facts[s]
            if p not in facts or o < facts[p]:
                facts[p] = o

    def inputs(self) -> Inputs:
        spellings: dict[str, Counter] = defaultdict(Counter)  # metric-names.rq, then metric-spellings.rq
        for m in self.metrics:
            for n in self.names.get(m, ()):
                spellings[m][n] += 0
        uses: dict[tuple[str, str], int] = Counter()
        for r, names in self.metric_names.items():
            for m in self.metric_of.get(r, ()):
                for n in names:
                    uses[(m, n)] += 1
        for (m, n), count in uses.items():
            spellings[m][n] += count
        overrides = {}
        if self.wanted:  # override-keys.rq
            for b, ts in self.task_of.items():
                for t, dn, m in product(ts, self.dataset_names.get(b, ()), self.columns.get(b, ())):
                    for tn, mn in product(self.names.get(t, ()), self.names.get(m, ())):
                        key = override_key(tn, dn, mn)
                        if key in self.wanted:
                            overrides[(b, m)] = self.wanted[key]
        results = dated(self.results, self.paper_of, lambda paper: self.paper_facts.get(paper, {}))
        benchmarks = {b for b, _ in self.results}
        dataset_of: dict[str, set[str]] = defaultdict(set)
        description_of: dict[str, str] = {}
        for (graph, b), datasets in self.dataset_in.items():  # benchmark-descriptions.rq: within one graph
            if b in benchmarks:
                for ds in datasets:
                    dataset_of[b].add(ds)
                    d = self.description_in.get((graph, ds))
                    if d is not None and (ds not in description_of or d < description_of[ds]):
                        description_of[ds] = d
        return Inputs(dict(spellings), overrides, results, titles(self.paper_of, self.title_of),
                      descriptions(dataset_of, description_of))


__all__ = ["Inputs", "Row", "READS", "READS_TYPES", "Tap", "boolean", "number", "read_taps", "reads"]
