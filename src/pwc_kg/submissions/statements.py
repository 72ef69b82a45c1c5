"""What a submission may state. Not the terms the build, the provenance or the moderation state (the ontology
marks them: ``pwc:role``); subjects only under the base IRI, of the kinds a submission may describe
(``entities.KINDS``); nothing new about an entity the graph already has, but a benchmark's new metric column.
An RDF payload (Turtle, JSON-LD) is mapped under these rules (``map_rdf``); every shape is checked against the
last (``check_new``).
"""

from __future__ import annotations

import pyoxigraph as ox

from ..entities import KINDS
from ..iri import Minter, safe_url
from ..vocab import OWL, PWC, PWC_NS, RDF, RDF_SEQ_ITEM, SKOS, terms_of_type, terms_with_role
from .payload import RDF_SHAPE, RDF_SOURCE_RECORD, Mapped, Problem
from .resolver import Resolver


# Terms a submission may not state: the derived graph's, the provenance's and the submissions' own (their
# pwc:role in the ontology).
DERIVED_TERMS = terms_with_role("derived") | terms_with_role("provenance") | terms_with_role("moderation")
ALLOWED_OTHER = {RDF.type, SKOS.altLabel, OWL.sameAs}
# The ontology's annotations of its own terms (pwc:role, ...): no data states them.
ONTOLOGY_ONLY = terms_of_type(OWL.AnnotationProperty)
SUBJECT_KINDS = frozenset(k.segment for k in KINDS if k.submitted)
# What a mapped submission may newly say of an entity the graph already has: a metric column of a benchmark.
NEW_ON_EXISTING = {PWC.hasMetric}


def map_rdf(data: tuple[str, bytes], resolver: Resolver, mint: Minter, sid: str, mapped: Mapped) -> None:
    syntax, body = data
    fmt = ox.RdfFormat.TURTLE if syntax == "turtle" else ox.RdfFormat.JSON_LD
    field_ = "turtle" if syntax == "turtle" else "json-ld"
    try:
        quads = list(ox.parse(input=body, format=fmt, base_iri=mint.base))
    except (SyntaxError, ValueError, OSError) as e:
        mapped.problems.append(Problem("", field_, f"cannot parse the {field_}: {e}", kind="format"))
        return
    skolem: dict[str, ox.NamedNode] = {}

    def term(t):
        if isinstance(t, ox.BlankNode):
            if t.value not in skolem:
                skolem[t.value] = ox.NamedNode(mint.submission_node(sid, len(skolem) + 1))
            return skolem[t.value]
        return t

    base_kinds = tuple(mint.base + k + "/" for k in SUBJECT_KINDS) + (mint.submission(sid) + "/node/",)
    out = []
    for q in quads:
        where = f"{q.subject} {q.predicate} {q.object}"
        if not isinstance(q.graph_name, ox.DefaultGraph):
            mapped.problems.append(Problem("", field_, f"named graphs are not taken: {q.graph_name}", where,
                                           kind="restriction"))
            continue
        s, p, o = term(q.subject), q.predicate, term(q.object)
        if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
            mapped.problems.append(Problem("", field_, "RDF-star triples are not taken", where, kind="restriction"))
            continue
        if not s.value.startswith(base_kinds):
            mapped.problems.append(Problem("", field_, f"a subject must be an IRI under {mint.base} of a kind pwc-kg "
                                           f"mints ({', '.join(sorted(SUBJECT_KINDS))}): {s.value}", s.value,
                                           kind="restriction"))
            continue
        pv = p.value
        of_the_ontology = pv.startswith(PWC_NS) and pv[len(PWC_NS):] in PWC and pv not in ONTOLOGY_ONLY
        if not (of_the_ontology or pv in ALLOWED_OTHER or pv.startswith(RDF_SEQ_ITEM)):
            mapped.problems.append(Problem("", field_, f"{pv} is not a term of the pwc-kg ontology", pv,
                                           kind="restriction", focus=s.value, path=pv))
            continue
        if pv in DERIVED_TERMS or (pv == RDF.type and o.value in DERIVED_TERMS):
            mapped.problems.append(Problem("", field_, f"{o.value if pv == RDF.type else pv} is computed by pwc-kg "
                                           "(derived or provenance), not submitted", where, kind="restriction",
                                           focus=s.value, path=pv))
            continue
        if isinstance(o, ox.NamedNode) and not o.value.startswith(mint.base) and safe_url(o.value) != o.value \
                and not o.value.startswith(("http://www.w3.org/", PWC_NS)):
            mapped.problems.append(Problem("", field_, f"not an absolute http(s) IRI: {o.value}", o.value,
                                           kind="restriction", focus=s.value, path=pv))
            continue
        out.append(ox.Triple(s, p, o))
    out = list(dict.fromkeys(out))
    results = {t.subject.value for t in out if t.predicate.value == RDF.type and t.object.value == PWC.EvaluationResult}
    recorded = {t.subject.value for t in out if t.predicate.value == PWC.sourceRecord}
    for r in sorted(results - recorded):
        out.append(ox.Triple(ox.NamedNode(r), ox.NamedNode(PWC.sourceRecord), ox.Literal(RDF_SOURCE_RECORD)))
    mapped.triples = out
    for t in out:
        mapped.pointers.setdefault(t.subject.value, "")


def check_new(mapped: Mapped, resolver: Resolver) -> None:
    """Nothing new said of an entity the graph already has (but a benchmark's new metric column);
    every result new. Fills ``mapped.existing``."""
    subjects = sorted({t.subject.value for t in mapped.triples})
    existing = {s for s in subjects if resolver.exists(s)}
    mapped.existing = existing
    store = resolver.store
    result_type = ox.NamedNode(PWC.EvaluationResult)
    duplicates = {t.subject.value for t in mapped.triples
                  if t.predicate.value == RDF.type and t.object == result_type and t.subject.value in existing}
    for r in sorted(duplicates):
        mapped.problems.append(Problem(mapped.pointers.get(r, ""), "metrics", f"this result is already in the graph: {r}",
                                       kind="restriction", focus=r))
    for t in mapped.triples:
        s = t.subject.value
        if s not in existing or s in duplicates:
            continue
        if next(iter(store.quads_for_pattern(t.subject, t.predicate, t.object)), None) is not None:
            continue  # already said: harmless
        at = mapped.pointers.get(s, "")
        if t.predicate.value in NEW_ON_EXISTING and mapped.shape != RDF_SHAPE:
            continue
        mapped.problems.append(Problem(at, field_of(t.predicate.value),
                                       f"would change the description of the existing entity {s}: "
                                       f"{_short(t.predicate.value)} {t.object}; a submission only adds results "
                                       "(name the entity as the graph does)", str(t.object), kind="restriction",
                                       focus=s, path=t.predicate.value))


def _short(iri: str) -> str:
    return "pwc:" + iri[len(PWC_NS):] if iri.startswith(PWC_NS) else f"<{iri}>"


_FIELDS = {PWC.name: "name", PWC.title: "paper_title", PWC.datasetName: "dataset", PWC.task: "task",
           PWC.dataset: "dataset", PWC.model: "model_name", PWC.modelName: "model_name", PWC.metric: "metrics"}


def field_of(predicate: str) -> str:
    return _FIELDS.get(predicate, _short(predicate))
