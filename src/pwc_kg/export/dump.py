"""``pwc-kg export``: the store written to one file, streaming, with its VoID description beside it.

The file is written to a temporary name in the target folder and renamed into place only when it
and its description (``FILE.void.ttl``) are complete, so a failed export leaves no partial file.

Dataset formats (N-Quads, TriG, JSON-LD) hold the named graphs, each triple in every graph that
states it; not the store's default graph, which is their set union (store/union.py) and would
repeat every triple: a store loaded from such a dump gets it back with
``pwc_kg.store.union.fill_default``. Graph formats (N-Triples, Turtle) hold the merge, each triple
once: the default graph itself for a whole store. The description counts distinct triples
(``void:triples``) and each named graph's (``void:subset``).
The sha256 and size are taken from the bytes as they are written (after compression), and the
statements, properties and links are counted as they go by: the file is never read back.
"""

from __future__ import annotations

import gzip as _gzip
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

import pyoxigraph as ox

from ..entities import KINDS
from ..errors import PwcKgError
from ..iri import DEFAULT_BASE
from ..store import StoreDir
from ..store.generations import fsync_dir
from ..vocab import OWL_NS, RDF, RDF_NS, RDFS_NS, XSD_NS
from .formats import FORMATS, Format, guess_format
from .jsonld import CONTEXT_IRI, JsonLdWriter, load_context
from .profile import NAMESPACES as PROFILE_NAMESPACES, Profile
from .stream import Block, graph_blocks, merged_blocks
from .void import Counts, Dump, describe, link_target, store_counts



class ExportError(PwcKgError, ValueError):
    """The export cannot be made as asked; nothing was written."""


@dataclass
class ExportReport:
    path: str
    void_path: str
    format: str
    gzip: bool
    profile: str | None
    graphs: list[str]
    bytes: int
    sha256: str
    statements: int
    counts: Counts = field(repr=False, default_factory=Counts)

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "counts"}


class _Digest(io.RawIOBase):
    """Passes bytes through to a file, hashing and counting them."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.sha.update(b)
        self.size += len(b)
        self.raw.write(b)
        return len(b)


class _Tally:
    """Counts the statements as they are written: per graph, per property, links out."""

    def __init__(self):
        self.counts = Counts()
        self._graphs: dict = {}
        self._predicates: dict[ox.NamedNode, int] = {}
        self._links: dict[tuple[str, ox.NamedNode], int] = {}

    def add(self, block: Block) -> None:
        n = len(block.statements)
        self.counts.statements += n
        if block.graph is not None and isinstance(block.graph, ox.NamedNode):
            self._graphs[block.graph] = self._graphs.get(block.graph, 0) + n
        preds = self._predicates
        for p, o in block.statements:
            preds[p] = preds.get(p, 0) + 1
            if isinstance(o, ox.NamedNode):
                target = link_target(o.value)
                if target is not None and p.value != RDF.type:
                    key = (target, p)
                    self._links[key] = self._links.get(key, 0) + 1

    def result(self) -> Counts:
        c = self.counts
        c.graphs = {g.value: n for g, n in self._graphs.items()}
        c.predicates = {p.value: n for p, n in self._predicates.items()}
        c.links = {(t, p.value): n for (t, p), n in self._links.items()}
        return c


def export(
    store: str | os.PathLike = "pwc-kg-store",
    out: str | os.PathLike = "",
    *,
    format: str | None = None,
    graphs: list[str] | tuple[str, ...] = (),
    gzip: bool | None = None,
    profile: str | None = None,
    dataset_iri: str | None = None,
    download_url: str | None = None,
    endpoint: str | None = None,
    link_context: bool = False,
    compresslevel: int = 6,
) -> ExportReport:
    """Write the store (or the named ``graphs``) to ``out`` in ``format``, and ``out + '.void.ttl'`` beside it.

    ``format`` is one of nq, trig, jsonld (named graphs kept) or nt, ttl (their merge); it may be
    left out when ``out`` ends in its extension. ``gzip`` compresses while writing (default: when
    ``out`` ends in ``.gz``). ``profile`` (schema, mls) writes the graph in that vocabulary's terms.
    """
    out = Path(out)
    fmt = _format(format, out)
    gz = gzip if gzip is not None else out.name.lower().endswith(".gz")
    sd = StoreDir(store)
    generation = sd.require_current()
    db = sd.open()
    base = _base_iri(generation)
    chosen, everything = _graphs(db, list(graphs), base, profile)
    prof = Profile.from_store(profile, db, base + "graph/ontology") if profile else None
    if dataset_iri is None:
        dataset_iri = _dataset_iri(base, chosen if graphs else None, profile, fmt)
    if not out.parent.is_dir():
        raise ExportError(f"the folder {out.parent} does not exist", option="out")
    if out.is_dir():
        raise ExportError(f"{out} is a folder: name the file to write", option="out")
    void_path = out.with_name(out.name + ".void.ttl")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    void_tmp = out.with_name(f".{void_path.name}.{os.getpid()}.part")
    try:
        try:
            raw = open(tmp, "xb")
        except OSError as e:
            raise ExportError(f"cannot write {out}: {e.strerror or e}", option="out") from None
        with raw:
            digest = _Digest(raw)
            sink: BinaryIO = (_gzip.GzipFile(filename="", mode="wb", fileobj=digest, mtime=0, compresslevel=compresslevel)
                              if gz else digest)
            blocks = _merge(db, chosen, everything) if not fmt.holds_graphs else graph_blocks(db, chosen)
            if prof is not None:
                blocks = (b for b in map(prof.restate, blocks) if b is not None)
            tally = _Tally()
            _write(blocks, sink, fmt, tally, _prefixes(base, prof), link_context)
            if gz:
                sink.close()
            raw.flush()
            os.fsync(raw.fileno())
        counts = tally.result()
        written = counts.statements
        if fmt.holds_graphs:  # the file has a triple once per graph: the description counts each once
            counts = _distinct_counts(db, chosen, everything, prof, counts, base + "graph/ontology")
        dump = Dump(download_url or out.resolve().as_uri(), fmt, digest.size, digest.sha.hexdigest(), gz, profile,
                    CONTEXT_IRI if fmt.name == "jsonld" else None)
        description = describe(db, base_iri=base, dataset_iri=dataset_iri, endpoint=endpoint, dumps=[dump],
                               generation=generation, graphs=None if everything else [g.value for g in chosen],
                               counts=counts, profile=prof, ontology_graph=base + "graph/ontology")
        void_tmp.write_bytes(description.serialize(format="turtle", encoding="utf-8"))
        os.replace(tmp, out)
        os.replace(void_tmp, void_path)
        fsync_dir(out.parent)
    except BaseException as e:
        for path in (tmp, void_tmp):
            path.unlink(missing_ok=True)
        if isinstance(e, OSError):  # the disk filled, the folder went away, ...: nothing was published
            raise ExportError(f"writing {out} failed, nothing written: {e.strerror or e}", option="out") from e
        raise
    return ExportReport(str(out), str(void_path), fmt.name, gz, profile, [g.value for g in chosen], digest.size,
                        digest.sha.hexdigest(), written, counts)


def _merge(db: ox.Store, chosen: list, everything: bool) -> Iterator[Block]:
    """The merge of the chosen graphs, subject by subject, each triple once: for the whole store, its
    default graph (already that merge) when it has one."""
    if everything and next(iter(db.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return (Block(None, b.subject, b.statements) for b in graph_blocks(db, [ox.DefaultGraph()]))
    return merged_blocks(db, [g for g in chosen if isinstance(g, ox.NamedNode)], False)


def _distinct_counts(db: ox.Store, chosen: list, everything: bool, prof: Profile | None, written: Counts,
                     ontology_graph: str) -> Counts:
    """What a dataset dump holds counted as distinct triples (its statements are quads); each named
    graph's count as written."""
    if prof is None:
        counts = store_counts(db, None if everything else [g.value for g in chosen], ontology_graph)
    else:  # restated statements: counted on the merge, restated the same way
        tally = _Tally()
        for block in _merge(db, chosen, everything):
            restated = prof.restate(block)
            if restated is not None:
                tally.add(restated)
        counts = tally.result()
    counts.graphs = written.graphs
    return counts


def _write(blocks: Iterator[Block], sink: BinaryIO, fmt: Format, tally: _Tally, prefixes: dict[str, str],
           link_context: bool) -> None:
    if fmt.rdf_format is None:
        writer = JsonLdWriter(sink, load_context(), link_context=link_context)
        for block in blocks:
            tally.add(block)
            writer.write(block)
        writer.close()
        return

    def statements():
        for block in blocks:
            tally.add(block)
            s, g = block.subject, block.graph
            if fmt.holds_graphs:
                for p, o in block.statements:
                    yield ox.Quad(s, p, o, g)
            else:
                for p, o in block.statements:
                    yield ox.Triple(s, p, o)

    kwargs = {"prefixes": prefixes} if fmt.name in ("ttl", "trig") else {}
    ox.serialize(statements(), sink, fmt.rdf_format, **kwargs)


def _format(name: str | None, out: Path) -> Format:
    if name is None:
        name, _ = guess_format(out)
        if name is None:
            raise ExportError(f"the name {out.name} ends in none of the formats' extensions: say which format "
                              f"({', '.join(FORMATS)})", option="format")
    if name not in FORMATS:
        raise ExportError(f"{name} is not a format pwc-kg writes ({', '.join(FORMATS)})", option="format")
    return FORMATS[name]


def _base_iri(generation: Path) -> str:
    try:
        return json.loads((generation / "build.json").read_text(encoding="utf-8")).get("base_iri") or DEFAULT_BASE
    except (OSError, ValueError):
        return DEFAULT_BASE


def _graphs(db: ox.Store, asked: list[str], base: str, profile: str | None) -> tuple[list, bool]:
    """The graphs to write, in order, and whether they are everything the store holds."""
    if profile is not None and profile not in PROFILE_NAMESPACES:
        raise ExportError(f"{profile} is not a profile ({', '.join(PROFILE_NAMESPACES)})", option="profile")
    present = sorted(db.named_graphs(), key=lambda g: (isinstance(g, ox.BlankNode), g.value))
    ontology = ox.NamedNode(base + "graph/ontology")
    if asked:
        chosen = []
        for iri in dict.fromkeys(asked):
            try:
                g = ox.NamedNode(iri)
            except ValueError:
                raise ExportError(f"{iri!r} is not an IRI", option="graphs") from None
            if not db.contains_named_graph(g):
                names = ", ".join(x.value for x in present[:12] if isinstance(x, ox.NamedNode))
                raise ExportError(f"the store has no named graph {iri} (it has: {names})", option="graphs")
            chosen.append(g)
        if profile is not None and chosen == [ontology]:
            raise ExportError(f"{iri} is the ontology graph, which describes pwc terms: a profile leaves it out",
                              option="graphs")
        everything = False
    else:
        chosen = present  # the default graph is their union (see the module's description)
        everything = True
    if profile is not None and ontology in chosen:
        chosen = [g for g in chosen if g != ontology]
        everything = False
    return chosen, everything


def _dataset_iri(base: str, chosen: list | None, profile: str | None, fmt: Format) -> str:
    """The IRI of the dataset a dump holds: the whole graph, or a selection of it, distinct per selection."""
    iri = base + "dataset"
    if profile:
        iri += "/" + profile
    if chosen is not None:
        key = "\n".join(sorted(g.value for g in chosen))
        iri += "/graphs-" + hashlib.sha256(key.encode()).hexdigest()[:12]
    if not fmt.holds_graphs:
        iri += "/merged"
    return iri


def _prefixes(base: str, profile: Profile | None) -> dict[str, str]:
    """Turtle and TriG prefixes: the ontology's vocabularies (or the profile's) and the kinds of minted IRIs."""
    context = load_context()
    vocab = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#")) and ":" in v
             and not k.startswith("@")}
    if profile is not None:
        keep = (profile.namespace, RDF_NS, RDFS_NS, OWL_NS, XSD_NS)
        vocab = {k: v for k, v in vocab.items() if v in keep}
    # the first path segment of each kind of IRI pwc-kg mints (pwc_kg.entities): a prefix each
    return {**vocab, **{k.segment: f"{base}{k.segment}/" for k in KINDS if k.segment not in vocab}}

