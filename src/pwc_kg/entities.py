"""The kinds of entity pwc-kg mints: one table, read by the minter, the resolver, the named queries'
parameters, the server's linked data and pages, and submissions.

Each kind is the first path segment of its IRIs under the base (``{base}paper/...``), the pwc class
its entities have, whether the site has a page of its own for it, whether a named query's parameter
may name it (``# @param task Task``), and whether a submitted RDF payload may describe it.

>>> KIND_OF_CLASS["EvaluationResult"].segment
'result'
>>> sorted(k.cls for k in KINDS if k.named)
['Benchmark', 'Dataset', 'EvaluationResult', 'Method', 'Metric', 'Model', 'Paper', 'Task']
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocab import PWC, SKOS


@dataclass(frozen=True)
class Kind:
    segment: str  # the first path segment of its IRIs under the base
    cls: str | None  # the local name of the pwc class its entities have (None: no one pwc class)
    page: bool = False  # the site has a page of its own for it (else its triples are shown, both ways)
    named: bool = False  # a named query's parameter may be of this kind (a label, slug or IRI names one)
    submitted: bool = False  # a submitted RDF payload may describe entities of this kind


KINDS = (
    # minted by pwc_kg.iri.Minter, from the sources
    Kind("paper", "Paper", page=True, named=True, submitted=True),
    Kind("author", "Author", submitted=True),
    Kind("task", "Task", page=True, named=True, submitted=True),
    Kind("area", "Area", submitted=True),
    Kind("dataset", "Dataset", page=True, named=True, submitted=True),
    Kind("data-loader", "DataLoader", submitted=True),
    Kind("method", "Method", page=True, named=True, submitted=True),
    Kind("collection", "MethodCollection", submitted=True),
    Kind("proceeding", "Proceeding", submitted=True),
    Kind("repository", "Repository", submitted=True),
    Kind("code-link", "CodeLink", submitted=True),
    Kind("model", "Model", page=True, named=True, submitted=True),
    Kind("metric", "Metric", page=True, named=True, submitted=True),
    Kind("benchmark", "Benchmark", page=True, named=True, submitted=True),
    Kind("result", "EvaluationResult", page=True, named=True, submitted=True),
    # minted by pwc_kg.iri.Minter, for the build's own records: named graphs, source files, builds
    Kind("graph", None),
    Kind("source", "Source"),
    Kind("build", "Build"),
    # minted by pwc_kg.iri.Minter for the derived graph (derive/) and for submissions/ (contributors, submissions)
    Kind("leaderboard", "Leaderboard"),
    Kind("direction", "MetricDirection"),
    Kind("agent", None),
    Kind("submission", "Submission"),
)
SEGMENTS = frozenset(k.segment for k in KINDS)
KIND_OF_CLASS = {k.cls: k for k in KINDS if k.cls is not None}
# The properties whose values name an entity, as users name it (any of them, for any kind).
NAME_PROPERTIES = (PWC.name, PWC.title, SKOS.altLabel, PWC.variant, PWC.synonym, PWC.fullName, PWC.datasetName)
