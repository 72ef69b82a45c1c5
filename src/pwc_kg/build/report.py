"""What a build tells: its sources read and reused, counts, seconds; written as the generation's build.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..derive.entail import EntailedStats
from ..derive.leaderboards import DerivedStats
from ..provenance import SourceRecord


@dataclass
class BuildReport:
    store: str
    generation: str
    base_iri: str
    mode: str = "full"  # or "incremental": built upon the previous generation
    full_reason: str = ""  # why a build was a full one
    sources: list[SourceRecord] = field(default_factory=list)
    reread: list[str] = field(default_factory=list)  # sources this build read and mapped
    reused: list[str] = field(default_factory=list)  # sources not read: their graphs kept as the previous build wrote them
    removed: list[str] = field(default_factory=list)  # graphs of sources no longer given, removed
    changes: dict[str, dict[str, int]] = field(default_factory=dict)  # incremental: per graph rewritten, triples removed and added
    records: int = 0
    records_rejected: int = 0
    rejects: int = 0
    triples: int = 0  # distinct triples: those of the default graph
    quads: int = 0  # the triples of each named graph, added up (a triple two sources state counts twice)
    violations: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # process CPU (all threads) during each phase
    rejects_file: str = ""
    skipped: list[str] = field(default_factory=list)  # files and folders under sources not read, holding no archive data
    unread: list[str] = field(default_factory=list)  # not read, and may hold archive data (unreadable, a FIFO, ...)
    missing: list[str] = field(default_factory=list)  # archive files missing from a folder that holds some of them
    derived: DerivedStats = field(default_factory=DerivedStats)
    derived_kept: bool = False  # incremental: no change touched what the derived graph is computed from
    entailed: EntailedStats | None = None  # with entail=True: the graph restated in standard terms
    submissions: dict = field(default_factory=dict)  # the accepted submissions kept (submissions/rebuild.py)
    catalogue_seconds: dict[str, float] = field(default_factory=dict)  # each part of what a server reads (catalogue/)

    def to_json(self) -> dict:
        return asdict(self)
