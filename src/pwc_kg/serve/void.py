"""``/.well-known/void``: the VoID and DCAT description of the whole dataset, and the dumps at ``/dumps/``.

The description is ``pwc_kg.export.void.describe`` (the one ``pwc-kg export`` writes beside each
dump) with this server's endpoint and dumps: counts per class, property and graph, links out,
licence, the build, ``void:sparqlEndpoint``, and one ``dcat:Distribution`` per file of
``--dumps DIR`` (served at ``/dumps/NAME``, with size and sha256).

Its counts scan the whole store: they are counted when a generation is made (the catalogue's
``void_counts``), and the description is written around them in a process of its own (not a
query worker: queries go on meanwhile), started when the server starts and when a new generation
is published; a generation made before the catalogue existed is counted there. Until it is ready a request waits a little, then gets 503 with
``Retry-After``. ``/dataset`` (the dataset's own IRI when the base IRI is the server's) serves
the same description.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from ..vocab import PREFIXES
from ..web import HTTPError, Request, Response
from .linked_data import compact_jsonld
from .negotiation import GRAPHS, by_name, negotiate

log = logging.getLogger("pwc_kg.serve")
VOID_PREFIXES = {**PREFIXES, "void": "http://rdfs.org/ns/void#", "spdx": "http://spdx.org/rdf/terms#",
                 "cc": "http://creativecommons.org/ns#"}


@dataclass(frozen=True)
class DumpFile:
    path: str
    url: str
    format: str  # pwc_kg.export.formats name
    gzip: bool


def dump_files(folder: str | None, public_base: str) -> list[DumpFile]:
    """The dumps in a folder (files whose names say a dump format, e.g. ``pwc-kg.nq.gz``), sorted."""
    if not folder:
        return []
    from ..export.formats import guess_format

    out = []
    for p in sorted(Path(folder).iterdir()):
        name, gz = guess_format(p)
        if p.is_file() and name is not None and not p.name.startswith(".") and not p.name.endswith(".void.ttl"):
            out.append(DumpFile(str(p), public_base + "dumps/" + quote(p.name), name, gz))
    return out


def _describe(conn, generation: str, base_iri: str, dataset_iri: str, endpoint: str, dumps: list[DumpFile]) -> None:
    """In a process of its own: the description, as N-Triples bytes, sent on ``conn``."""
    try:
        from ..export.formats import FORMATS
        from ..export.jsonld import CONTEXT_IRI
        from ..export.void import Dump, describe

        files = []
        for d in dumps:
            digest, size = hashlib.sha256(), 0
            with open(d.path, "rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
            fmt = FORMATS[d.format]
            files.append(Dump(d.url, fmt, size, digest.hexdigest(), gzip=d.gzip,
                              context=CONTEXT_IRI if d.format == "jsonld" else None))
        from ..catalogue import present
        from ..catalogue.counts import void_counts

        kept = present(Path(generation))  # counted when the generation was made; else counted here
        store = ox.Store.read_only(str(Path(generation) / "db"))
        graph = describe(store, base_iri=base_iri, dataset_iri=dataset_iri, endpoint=endpoint, dumps=files,
                         generation=generation, counts=void_counts(kept) if kept is not None else None)
        conn.send(("ok", graph.serialize(format="nt", encoding="utf-8")))
    except Exception as e:  # noqa: BLE001 - reported to the server, which answers 500 with it
        conn.send(("error", f"{type(e).__name__}: {e}"))


class _Computation:
    def __init__(self):
        self.done = threading.Event()
        self.body: bytes | None = None
        self.error: str | None = None


class DatasetDescription:
    def __init__(self, site):
        self.site = site
        self.config = site.config
        self._lock = threading.Lock()
        self._by_generation: dict[str, _Computation] = {}
        self._ctx = multiprocessing.get_context("spawn")

    def warm(self) -> None:
        """Start computing the current generation's description (in the background)."""
        try:
            self._computation(self.site.generation_path)
        except Exception as e:  # noqa: BLE001 - no store yet: computed on the first request instead
            log.info("the VoID description is not computed yet: %s", e)

    def _computation(self, generation: Path) -> _Computation:
        with self._lock:
            comp = self._by_generation.get(generation.name)
            if comp is None:
                comp = self._by_generation[generation.name] = _Computation()
                for old in [g for g in self._by_generation if g != generation.name]:
                    del self._by_generation[old]  # the description of a replaced store is not served again
                threading.Thread(target=self._compute, args=(generation, comp), daemon=True,
                                 name="pwc-kg-void").start()
        return comp

    def _compute(self, generation: Path, comp: _Computation) -> None:
        parent, child = self._ctx.Pipe()
        base = self.site.base_iri
        args = (child, str(generation), base, base + "dataset", self.site.url("/sparql"),
                dump_files(self.config.dumps, self.site.public_base))
        proc = self._ctx.Process(target=_describe, args=args, daemon=True, name="pwc-kg-void")
        proc.start()
        child.close()
        try:
            if parent.poll(self.config.void_timeout):
                status, payload = parent.recv()
                if status == "ok":
                    comp.body = payload
                else:
                    comp.error = payload
            else:
                comp.error = f"computing the description took longer than {self.config.void_timeout:g} s"
        except (EOFError, OSError) as e:
            comp.error = f"the process computing the description died: {e}"
        finally:
            proc.kill()
            proc.join(5)
            parent.close()
            comp.done.set()
        if comp.error:
            log.error("VoID for %s: %s", generation.name, comp.error)

    def __call__(self, req: Request) -> Response:
        if req.method not in ("GET", "HEAD"):
            raise HTTPError(405, f"{req.method} is not supported here", [("Allow", "GET, HEAD")])
        named = req.param("format")
        fmt = by_name(named, GRAPHS) if named else negotiate(req.accept, GRAPHS)
        if fmt is None:
            raise HTTPError(406, "the dataset description comes as " + ", ".join(f.media_type for f in GRAPHS),
                            [("Vary", "Accept")])
        comp = self._computation(self.site.generation_path)
        if not comp.done.wait(self.config.queue_timeout + self.config.query_timeout):
            raise HTTPError(503, "the dataset description is being computed (it counts the whole store); "
                                 "try again in a minute", [("Retry-After", "30")])
        if comp.error:
            raise HTTPError(500, f"the dataset description could not be computed: {comp.error}")
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(comp.body, format=ox.RdfFormat.N_TRIPLES)]
        if fmt.name == "jsonld":
            body = compact_jsonld(triples)
        else:
            body = ox.serialize(triples, format=ox.RdfFormat.from_media_type(fmt.media_type),
                                prefixes=VOID_PREFIXES if fmt.name in ("turtle", "rdfxml") else None)
        resp = Response(200, body, fmt.content_type)
        if not named:
            resp.header("Vary", "Accept")
        return resp

    def dump(self, req: Request) -> Response:
        """``/dumps/NAME``: a dump file of ``--dumps``, streamed."""
        if req.method not in ("GET", "HEAD"):
            raise HTTPError(405, f"{req.method} is not supported here", [("Allow", "GET, HEAD")])
        name = req.path[len("/dumps/"):]
        for d in dump_files(self.config.dumps, self.site.public_base):
            if quote(Path(d.path).name) == name:
                from ..export.formats import FORMATS, GZIP_MEDIA_TYPE

                ctype = GZIP_MEDIA_TYPE if d.gzip else FORMATS[d.format].media_type
                return FileResponse(200, b"", ctype, [("Content-Disposition", f'attachment; filename="{name}"')],
                                    path=d.path)
        raise HTTPError(404, f"no dump {name!r} here")


@dataclass
class FileResponse(Response):
    """A response whose body is a file, sent by the server (``wsgi.file_wrapper``), not read into memory."""

    path: str = ""
