"""Submit, list, show, accept and reject: what the HTTP API, the moderation page and the CLI all call.

::

    svc = SubmissionService("pwc-kg-store", sota_margin=5.0)
    status, answer = svc.submit(body, "application/json", submitter="alice")   # 202 or 422, and the report
    svc.accept(answer["id"], moderator="bob")   # a new generation with the submission in it, published
    svc.reject(sid, moderator="bob", reason="values from the dev set")

A passing submission lands **pending** in ``STORE/submissions/{id}/``, not in the store: paper
and model pages, search and /sparql never show unreviewed results. Only :meth:`accept` puts its
named graph into the store, as a small new generation: a copy of the current one (hard links),
the submission mapped and validated again against it (the graph may have changed since), its
graph and PROV-O inserted, the derived leaderboards of the benchmarks it touches recomputed
(derive/partial.py), then published (without ``derived.nt``: the next build dumps the derived graph
from the store where it needs it, rather than every accept writing millions of lines). The running server picks
the new generation up on its next query.
"""

from __future__ import annotations

import errno
import fcntl
import gc
import hashlib
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from ..derive import partial
from ..derive.leaderboards import DerivedStats
from ..iri import DEFAULT_BASE, Minter
from ..ntriples import iri, lit, typed
from ..queries.resolve import base_iri
from ..queries.run import EmbeddedBackend
from .. import catalogue
from ..catalogue.search import FILE_NAME as SEARCH_INDEX
from ..store import StoreDir
from ..store.state import DERIVED_FILE
from ..store.union import SetKeeping
from ..vocab import PROV, PWC, RDF, XSD
from . import check
from .bounds import DEFAULT_MAX_VALUES, MAX_MAPPING_SECONDS, check_depth, check_size
from .errors import StoreBusy, SubmissionError, TooLarge
from .flags import DEFAULT_SOTA_MARGIN, flags as compute_flags
from .mapping import map_payload
from .payload import Mapped, MappingTooLong, PayloadError, Problem, read_payload
from .records import ACCEPTED, PENDING, REJECTED, Submissions, now

GENERATION_LIST = "submissions.json"  # in a generation: the accepted submissions its store holds
LOCK_WAIT = 30.0


@dataclass
class Checked:
    mapped: Mapped
    problems: list[Problem]

    @property
    def conforms(self) -> bool:
        return not self.problems


def report_of(checked: Checked | None, problems: list[Problem] | None = None) -> dict:
    problems = problems if problems is not None else checked.problems
    out = {"conforms": not problems, "violations": [p.to_json() for p in problems]}
    if checked is not None:
        out["shape"] = checked.mapped.shape
        out["triples"] = len(checked.mapped.triples)
        out["results"] = len(checked.mapped.results())
    return out


def check_payload(body: bytes, content_type: str, store: ox.Store, mint: Minter, sid: str,
                  max_values: int = DEFAULT_MAX_VALUES, seconds: float | None = None) -> Checked:
    """Map and validate a payload against a store; PayloadError when it is no submission at all, TooLarge
    when it holds more than the server maps."""
    check_depth(body, content_type)
    shape, data = read_payload(body, content_type)
    check_size(shape, data, max_values)
    mapped = map_payload(shape, data, store, mint, sid, seconds)
    return Checked(mapped, mapped.problems + check.validate(mapped, store))


def store_base(store: ox.Store) -> str:
    return base_iri(EmbeddedBackend(store)) or DEFAULT_BASE


def agent(mint: Minter, name: str) -> str:
    return mint.contributor(name)


def prov_triples(mapped: Mapped, mint: Minter, meta: dict, payload: bytes) -> list[ox.Triple]:
    """The submission's PROV-O: who, when, its payload's hash and type, its graph and its results; once
    accepted, who accepted it and when (a pending submission's graph on disk has the rest)."""
    sub = mint.submission(meta['id'])
    lines = [
        (sub, RDF.type, iri(PWC.Submission)),
        (sub, PWC.submittedAt, typed(meta["submitted_at"], XSD.dateTime)),
        (sub, PWC.payloadSha256, lit(hashlib.sha256(payload).hexdigest())),
        (sub, PWC.payloadMediaType, lit(meta.get("content_type") or "")),
        (mapped.graph, RDF.type, iri(PWC.SourceGraph)),
        (mapped.graph, PROV.wasDerivedFrom, iri(sub)),
    ]
    people = [(PWC.submittedBy, meta["submitted_by"])]
    if meta.get("accepted_at"):
        lines.append((sub, PWC.acceptedAt, typed(meta["accepted_at"], XSD.dateTime)))
        people.append((PWC.acceptedBy, meta["accepted_by"]))
    for prop, who in people:
        node = agent(mint, who)
        lines += [(sub, prop, iri(node)), (node, RDF.type, iri(PROV.Agent)), (node, PWC.name, lit(who))]
    for r in mapped.results():
        lines.append((r.iri, PWC.fromSubmission, iri(sub)))
    text = "".join(f"<{s}> <{p}> {o} .\n" for s, p, o in lines)
    return list(ox.parse(input=text, format=ox.RdfFormat.N_TRIPLES))


def insert(store: ox.Store, mapped: Mapped, triples: list[ox.Triple]) -> None:
    """The submission's graph into the store, and its triples into the default graph (store/union.py)."""
    g = ox.NamedNode(mapped.graph)
    SetKeeping(store).extend([ox.Quad(t.subject, t.predicate, t.object, g) for t in list(mapped.triples) + triples])


def touched_benchmarks(mapped: Mapped, store: ox.Store) -> list[dict]:
    """The benchmarks the submission touches, with their names and metrics, for the moderation list."""
    names = {t.subject.value: t.object.value for t in mapped.triples if t.predicate.value == PWC.name}
    _, _, pairs = partial.touched(mapped.triples)
    out: dict[str, dict] = {}
    for b, m in sorted(pairs):
        entry = out.setdefault(b, {"benchmark": b, "name": names.get(b) or _name(store, b), "metrics": []})
        metric = names.get(m) or _name(store, m)
        if metric not in entry["metrics"]:
            entry["metrics"].append(metric)
    return list(out.values())


def _name(store: ox.Store, node: str) -> str:
    for q in store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(PWC.name), None):
        return q.object.value
    return node


class SubmissionService:
    def __init__(self, store: str | os.PathLike, sota_margin: float = DEFAULT_SOTA_MARGIN, lock_wait: float = LOCK_WAIT,
                 max_values: int = DEFAULT_MAX_VALUES):
        self.store_dir = StoreDir(store)
        self.submissions = Submissions(store)
        self.sota_margin = sota_margin
        self.max_values = max_values
        self.lock_wait = lock_wait
        self._cached: tuple[Path, ox.Store] | None = None

    # -- reading the current generation ----------------------------------------------------------

    def current_store(self) -> tuple[Path, ox.Store]:
        """The current generation and its store opened read-only (kept until the generation changes)."""
        gen = self.store_dir.require_current()
        cached = self._cached
        if cached is None or cached[0] != gen:
            cached = self._cached = (gen, ox.Store.read_only(str(gen / "db")))
        return cached

    # -- submitting ------------------------------------------------------------------------------

    def submit(self, body: bytes, content_type: str, submitter: str) -> tuple[int, dict]:
        """(202, the pending submission) when it passes; (422, the report with every violation) when not;
        (413, the bound) when it holds more than the server maps."""
        try:
            check_depth(body, content_type)  # before anything is made or parsed
        except PayloadError as e:
            return 422, {"status": "invalid", **report_of(None, [e.problem])}
        sid, folder = self.submissions.new_id()
        try:
            _, store = self.current_store()
            mint = Minter(store_base(store))
            try:
                checked = check_payload(body, content_type, store, mint, sid, self.max_values, MAX_MAPPING_SECONDS)
            except MappingTooLong as e:
                return 413, {"status": "too large", "error": str(e), "conforms": False, "violations": [
                    {"pointer": "", "field": "body", "message": str(e), "kind": "limit"}]}
            except PayloadError as e:
                return 422, {"status": "invalid", **report_of(None, [e.problem])}
            except TooLarge as e:
                return 413, {"status": "too large", "error": str(e), "conforms": False, "violations": [
                    {"pointer": "", "field": "body", "message": str(e), "kind": "limit"}]}
            if not checked.conforms:
                return 422, {"status": "invalid", **report_of(checked)}
            found = compute_flags(checked.mapped, store, mint, self.sota_margin)
            meta = {"status": PENDING, "submitted_by": submitter, "submitted_at": now(), "shape": checked.mapped.shape,
                    "iri": mint.submission(sid), "graph": checked.mapped.graph, "flags": found,
                    "touched": touched_benchmarks(checked.mapped, store), "results": len(checked.mapped.results()),
                    "base_iri": mint.base}
            # Pending, its named graph holds its PROV-O too: who submitted it, when, the payload's hash and type.
            prov = prov_triples(checked.mapped, mint, {**meta, "id": sid, "content_type": content_type}, body)
            graph = ox.NamedNode(checked.mapped.graph)
            nquads = checked.mapped.nquads() + "".join(f"{ox.Quad(t.subject, t.predicate, t.object, graph)} .\n"
                                                       for t in prov)
            self.submissions.create(body, content_type, meta, nquads, report_of(checked), (sid, folder))
            folder = None
            return 202, {"id": sid, "iri": meta["iri"], "status": PENDING, "flags": found,
                         "touched": meta["touched"], **report_of(checked)}
        finally:
            if folder is not None:  # nothing kept of a submission that did not pass
                for f in folder.iterdir():
                    f.unlink()
                folder.rmdir()

    # -- moderating ------------------------------------------------------------------------------

    def list(self, status: str | None = None) -> list[dict]:
        items = self.submissions.all()
        return [m for m in items if status in (None, "all") or m.get("status") == status]

    def show(self, sid: str) -> dict:
        meta = self.submissions.meta(sid)
        payload = self.submissions.payload(sid)
        return {**meta, "report": self.submissions.report(sid),
                "payload": payload.decode("utf-8", "replace"), "payload_bytes": len(payload)}

    def reject(self, sid: str, moderator: str, reason: str) -> dict:
        reason = (reason or "").strip()
        if not reason:
            raise SubmissionError("a rejection needs a reason", 400)
        with self.submissions.locked(sid) as meta:
            if meta["status"] != PENDING:
                raise SubmissionError(f"submission {sid} is {meta['status']}, not pending", 409)
            meta.update(status=REJECTED, rejected_by=moderator, rejected_at=now(), reason=reason)
            return dict(meta)

    @contextmanager
    def store_lock(self, wait: float | None = None) -> Iterator[None]:
        """The store's build lock, waited for up to ``wait`` seconds (a build or another accept holds it)."""
        wait = self.lock_wait if wait is None else wait
        self.store_dir.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.store_dir.path / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as e:
                    if e.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise StoreBusy(f"a build is running on {self.store_dir.path} (waited {wait:g} s); "
                                        "accept again when it has finished") from None
                    time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield
        finally:
            os.close(fd)

    def accept(self, sid: str, moderator: str, wait: float | None = None) -> dict:
        """Put a pending submission into the store as a new generation; SubmissionError (422) with the report
        when it no longer maps or validates against the current graph."""
        self.submissions.meta(sid)  # an unknown id fails before waiting for the lock
        started = time.perf_counter()
        with self.store_lock(wait), self.submissions.locked(sid) as meta:
            if meta["status"] != PENDING and not (meta["status"] == ACCEPTED and not self.in_store(sid)):
                raise SubmissionError(f"submission {sid} is {meta['status']}, not pending", 409)
            sd = self.store_dir
            sd.clean_abandoned()
            current = sd.require_current()
            payload = self.submissions.payload(sid)
            # The build's state, reports and rejects go along (hard links); what this generation makes again,
            # or leaves to the next build (derived.nt), stays behind.
            gen = sd.copy_generation(current, leave=(SEARCH_INDEX, catalogue.FILE_NAME, DERIVED_FILE, GENERATION_LIST,
                                                     "build.json"))
            before, recorded = dict(meta), False
            try:
                store = ox.Store(str(gen / "db"))
                mint = Minter(store_base(store))
                checked = check_payload(payload, meta.get("content_type", ""), store, mint, sid)
                if not checked.conforms:
                    report = report_of(checked)
                    self.submissions.save_report(sid, report)
                    raise SubmissionError(f"submission {sid} no longer passes against the current graph "
                                          f"({len(checked.problems)} violations); it stays {meta['status']}", 422,
                                          report)
                meta["flags"] = compute_flags(checked.mapped, store, mint, self.sota_margin)
                meta.update(accepted_by=moderator, accepted_at=now(), iri=mint.submission(sid),
                            graph=checked.mapped.graph, base_iri=mint.base)  # the store may have a new base
                insert(store, checked.mapped, prov_triples(checked.mapped, mint, meta, payload))
                benchmarks, metrics, pairs = partial.touched(checked.mapped.triples)
                graphs = derivation_graphs(store, mint)
                keeping = SetKeeping(store)  # the derived graph's changes reach the default graph too
                change = partial.update(keeping, mint, graphs, benchmarks, metrics, pairs)
                _recount_derived(keeping, mint, change.added - change.removed)
                store.flush()
                meta["catalogue_seconds"] = catalogue.prepare(store, gen)  # the server lists and counts the new data
                # No derived.nt in this generation: writing it means dumping the whole derived graph (millions
                # of triples at full scale) on every accept. The next build dumps it from the store, once.
                _record_generation(current, gen, sid, change.stats_delta)
                touched = touched_benchmarks(checked.mapped, store)
                del store
                gc.collect()
                meta.update(status=ACCEPTED, generation=gen.name, touched=touched,
                            accept_seconds=round(time.perf_counter() - started, 3),
                            derived_change={"removed": change.removed, "added": change.added,
                                            "leaderboards": len(change.pairs)})
                self.submissions.save_report(sid, report_of(checked))
                # Recorded, then published: killed in between, the submission is accepted but not in the store,
                # and accepting it again finishes the job (the other way round, the store would show a
                # pending submission's result, and accepting it again would find it "already in the graph").
                self.submissions.save_meta(sid, meta)
                recorded = True
                sd.publish(gen)
            except BaseException:
                if (sd.current() or Path()).name == gen.name:
                    raise  # published all the same: what is recorded is true
                meta.clear()
                meta.update(before)
                if recorded:
                    self.submissions.save_meta(sid, before)
                gc.collect()
                sd.discard(gen)
                raise
            return dict(meta)

    def in_store(self, sid: str) -> bool:
        """Whether the current generation holds the submission's graph."""
        _, store = self.current_store()
        return store.contains_named_graph(ox.NamedNode(Minter(store_base(store)).graph(f"submission/{sid}")))


def derivation_graphs(store: ox.Store, mint: Minter) -> list[str]:
    """The graphs a derivation reads: every named graph but the derived, provenance and entailed ones."""
    skip = {mint.graph("derived"), mint.graph("provenance"), mint.graph("entailed")}
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in skip)


def _recount_derived(store: ox.Store, mint: Minter, delta: int) -> None:
    """The provenance graph's count of the derived graph's triples, as a build would write it: the old
    count plus what the partial update added, less what it removed (not a count of the whole graph)."""
    derived, prov = ox.NamedNode(mint.graph("derived")), ox.NamedNode(mint.graph("provenance"))
    count = ox.NamedNode(PWC.tripleCount)
    old = list(store.quads_for_pattern(derived, count, None, prov))
    if not old:
        return
    n = int(old[0].object.value) + delta
    for q in old:
        store.remove(q)
    store.add(ox.Quad(derived, count, ox.Literal(str(n), datatype=ox.NamedNode(XSD.integer)), prov))


def _record_generation(previous: Path, gen: Path, sid: str, delta: DerivedStats) -> None:
    """The new generation's build.json (derived counts updated) and its list of accepted submissions."""
    build = json.loads((previous / "build.json").read_text(encoding="utf-8"))
    derived = build.setdefault("derived", {})
    for key in ("leaderboards", "unranked_leaderboards", "records", "triples", "slips"):
        derived[key] = derived.get(key, 0) + getattr(delta, key)
    pairs = derived.setdefault("pairs", {})
    for how, n in delta.pairs.items():
        pairs[how] = pairs.get(how, 0) + n
        if not pairs[how]:
            del pairs[how]
    metrics = derived.setdefault("metrics", {})
    for how, n in delta.metrics.items():
        metrics[how] = metrics.get(how, 0) + n
        if not metrics[how]:
            del metrics[how]
    build["generation"] = gen.name
    build.setdefault("accepted_since_build", []).append(sid)
    (gen / "build.json").write_text(json.dumps(build, indent=2))
    listed = {"kept": [], "dropped": []}
    if (previous / GENERATION_LIST).is_file():
        listed = json.loads((previous / GENERATION_LIST).read_text(encoding="utf-8"))
    listed["kept"] = listed.get("kept", []) + [sid]
    (gen / GENERATION_LIST).write_text(json.dumps(listed, indent=1))
