"""PROV-O records of a build: each source file, its named graph, the build activity and its derivation.

:func:`provenance_graph` is what a build writes into ``graph/provenance``; the other functions give its
parts (the entailment adds its own activity with :func:`derivation_quads`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .iri import Minter
from .ntriples import integer, iri, lit, typed
from .vocab import PROV, PWC, RDF, XSD


@dataclass
class SourceRecord:
    """What a build learnt about one source file."""

    path: str
    name: str
    kind: str
    size: int
    sha256: str
    graph: str
    records: int = 0
    records_rejected: int = 0
    rejects: int = 0
    triples: int = 0
    stats: dict[str, int] = field(default_factory=dict)


def source_quads(mint: Minter, src: SourceRecord, graph: str) -> list[str]:
    """Facts about a source and its graph: the same for the same input, build after build."""
    s = mint.source(src.sha256)
    g = f" <{graph}> .\n"
    return [
        f"<{s}> <{RDF.type}> <{PWC.Source}>{g}",
        f"<{s}> <{PWC.fileName}> {lit(src.name)}{g}",
        f"<{s}> <{PWC.sha256}> {lit(src.sha256)}{g}",
        f"<{s}> <{PWC.byteSize}> {integer(src.size)}{g}",
        f"<{s}> <{PWC.sourceKind}> {lit(src.kind)}{g}",
        f"<{src.graph}> <{RDF.type}> <{PWC.SourceGraph}>{g}",
        f"<{src.graph}> <{PROV.wasDerivedFrom}> <{s}>{g}",
        f"<{src.graph}> <{PWC.sourceKind}> {lit(src.kind)}{g}",
        f"<{src.graph}> <{PWC.recordCount}> {integer(src.records)}{g}",
        f"<{src.graph}> <{PWC.rejectCount}> {integer(src.rejects)}{g}",
        f"<{src.graph}> <{PWC.tripleCount}> {integer(src.triples)}{g}",
    ]


def build_quads(mint: Minter, build: str, graph: str, *, started: str, ended: str, version: str,
                sources: list[SourceRecord], generated: list[str]) -> list[str]:
    """The build's own activity record: the only triples that differ between two builds of one input."""
    g = f" <{graph}> .\n"
    agent = mint.software_agent()
    out = [
        f"<{build}> <{RDF.type}> <{PWC.Build}>{g}",
        f"<{build}> <{PROV.startedAtTime}> {typed(started, XSD.dateTime)}{g}",
        f"<{build}> <{PROV.endedAtTime}> {typed(ended, XSD.dateTime)}{g}",
        f"<{build}> <{PWC.toolVersion}> {lit(version)}{g}",
        f"<{build}> <{PWC.baseIri}> {lit(mint.base)}{g}",
        f"<{build}> <{PROV.wasAssociatedWith}> <{agent}>{g}",
        f"<{agent}> <{RDF.type}> <{PROV.SoftwareAgent}>{g}",
    ]
    for src in sources:
        out.append(f"<{build}> <{PROV.used}> {iri(mint.source(src.sha256))}{g}")
    for gname in generated:
        out.append(f"<{gname}> <{PROV.wasGeneratedBy}> <{build}>{g}")
    return out


def derivation_quads(mint: Minter, activity: str, graph: str, *, started: str, ended: str, used: list[str],
                     generated: str, triples: int, activity_type: str = PWC.Derivation) -> list[str]:
    """A computed graph's own activity (the derived graph's, or with ``activity_type`` PWC.Entailment the
    entailed graph's): computed from the graphs it used, by this build."""
    g = f" <{graph}> .\n"
    out = [
        f"<{activity}> <{RDF.type}> <{activity_type}>{g}",
        f"<{activity}> <{PROV.startedAtTime}> {typed(started, XSD.dateTime)}{g}",
        f"<{activity}> <{PROV.endedAtTime}> {typed(ended, XSD.dateTime)}{g}",
        f"<{generated}> <{PROV.wasGeneratedBy}> <{activity}>{g}",
        f"<{generated}> <{PWC.tripleCount}> {integer(triples)}{g}",
    ]
    out += [f"<{activity}> <{PROV.used}> <{u}>{g}" for u in used]
    return out


def provenance_graph(mint: Minter, sources: list[SourceRecord], *, started: str, derive_started: str, ended: str,
                     version: str, derived_triples: int) -> list[str]:
    """The provenance graph of a build, as N-Triples lines: each source and its graph, the build, the derivation."""
    graph = mint.graph("provenance")
    stamp = activity_stamp(started)
    graphs = [r.graph for r in sources]
    quads = [line for rec in sources for line in source_quads(mint, rec, graph)]
    quads += build_quads(mint, mint.build(stamp), graph, started=started, ended=ended, version=version,
                         sources=sources, generated=graphs + [mint.graph("ontology")])
    quads += derivation_quads(mint, mint.build(stamp + "/derivation"), graph, started=derive_started, ended=ended,
                              used=graphs, generated=mint.graph("derived"), triples=derived_triples)
    suffix = f" <{graph}> .\n"
    return [line.removesuffix(suffix) + " .\n" for line in quads]


def activity_stamp(started: str) -> str:
    """A build's activities are named after its start: ``2026-12-07T05:00:00Z`` -> ``20261207T050000Z``."""
    return started.replace(":", "").replace("-", "")
