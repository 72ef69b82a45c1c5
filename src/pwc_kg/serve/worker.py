"""A query worker: a process that holds the store read-only and runs one query at a time.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process the
server can kill when it passes its time limit (``serve/executor.py`` owns the workers). A
worker answers each :class:`Job` on its pipe with ``("ok", ...)`` or ``("error", code,
message)``; it opens the generation the job names, so after a new build is published the next
job reads the new store while the previous one finishes on the old.

Answers are bounded: a worker stops reading solutions (or triples) one past the job's row cap
and answers with the ``rows`` error instead.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
from dataclasses import dataclass

import pyoxigraph as ox

from ..vocab import XSD
from .negotiation import xml_unsafe

XSD_STRING = XSD.string  # a global: term_json is the hot path of every SPARQL JSON answer
_CLONE_NEWNET = 0x40000000


@dataclass
class Job:
    generation: str  # the generation folder; its store is at generation/db
    query: str
    mode: str  # "serialize": bytes in a negotiated format; "terms": pyoxigraph terms
    max_rows: int
    union: bool = True  # the default graph is the union of the named graphs
    default_graphs: list[str] | None = None  # the protocol's default-graph-uri (union is then off)
    named_graphs: list[str] | None = None  # the protocol's named-graph-uri
    results_format: str | None = None  # the media type for SELECT and ASK results
    graph_format: str | None = None  # the media type for CONSTRUCT and DESCRIBE results
    prefixes: dict[str, str] | None = None  # for Turtle and RDF/XML output
    substitutions: dict | None = None  # variable name → term, substituted before evaluation (SEP-0007)
    base_iri: str | None = None  # what relative IRIs in the query resolve against (the endpoint's URL)


class _TooManyRows(Exception):
    pass


class _NotAcceptable(Exception):
    pass


def isolate_network() -> bool:
    """Leave the host's network (a new, empty network namespace), where the kernel allows it.

    Called first thing in a worker when SERVICE is off: pyoxigraph then has no network to
    federate over, whatever a query says. Needs CAP_SYS_ADMIN; without it nothing changes.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(_CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def limit_memory(mib: int) -> bool:
    """Bound the worker's memory to ``mib`` MiB (0: no bound): RLIMIT_DATA, the heap and private writable
    mappings (what a query's sort, join or string grows), not the store's mapped files nor address space
    only reserved. Past it an allocation fails: Python raises MemoryError, pyoxigraph (Rust) aborts the
    process; either way the server answers the query with the limit named and starts a new worker."""
    if mib <= 0:
        return False
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        soft = mib << 20
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
        return True
    except (ValueError, OSError):
        return False


def main(conn, isolate: bool, memory_mib: int = 0) -> None:
    """The worker's loop: jobs in, answers out, until the pipe closes or a None arrives."""
    limit_memory(memory_mib)
    isolated = isolate_network() if isolate else False
    conn.send(("ready", os.getpid(), isolated))
    runner = _Runner()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        answer = runner.answer(job)
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):  # the server went away: nobody is waiting
            return


class _Runner:
    def __init__(self):
        self.generation: str | None = None
        self.store: ox.Store | None = None

    def _store(self, generation: str) -> ox.Store:
        if generation != self.generation:
            self.store = None  # the old generation's files are let go before the new are opened
            self.store = ox.Store.read_only(os.path.join(generation, "db"))
            self.generation = generation
        return self.store

    def answer(self, job: Job) -> tuple:
        try:
            store = self._store(job.generation)
        except OSError as e:
            self.generation = self.store = None
            return ("error", "store", f"the store could not be opened: {e}")
        try:
            options = _dataset(job)
            if job.substitutions:
                options["substitutions"] = {ox.Variable(k): v for k, v in job.substitutions.items()}
            result = store.query(job.query, base_iri=job.base_iri, **options)
            if job.mode == "terms":
                return ("ok",) + _terms(result, job.max_rows)
            return ("ok",) + _serialized(result, job)
        except SyntaxError as e:  # said with the line and column, and what was expected there in words
            from ..queries.syntax import explain

            return ("error", "malformed", explain(job.query, str(e)))
        except _TooManyRows as e:
            return ("error", "rows", str(e))
        except _NotAcceptable as e:
            return ("error", "not-acceptable", str(e))
        except MemoryError:
            return ("error", "memory", "the query needed more memory than a query worker may use")
        except Exception as e:  # noqa: BLE001 - an evaluation error (a type error, an unbound SERVICE, ...)
            return ("error", "failed", f"{type(e).__name__}: {e}")


def _dataset(job: Job) -> dict:
    if job.default_graphs is not None or job.named_graphs is not None:
        # The protocol's dataset replaces the query's: what is not named is not in it.
        return {"default_graph": [ox.NamedNode(g) for g in job.default_graphs or []],
                "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or []]}
    # No dataset named: the store's default graph, which is the set union of its named graphs
    # (store/union.py); pyoxigraph's use_default_graph_as_union would count a triple once per graph.
    return {}


def _too_many(n: int, what: str) -> _TooManyRows:
    return _TooManyRows(f"the answer has more than {n:,} {what}, the server's limit: add a LIMIT or narrow the query")


def _terms(result, max_rows: int) -> tuple:
    if isinstance(result, ox.QueryBoolean):
        return ("ask", [], [], bool(result), [])
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            if len(rows) == max_rows:
                raise _too_many(max_rows, "rows")
            rows.append({n: solution[n] for n in names if solution[n] is not None})
        return ("select", names, rows, None, [])
    triples = []
    for t in result:
        if len(triples) == max_rows:
            raise _too_many(max_rows, "triples")
        triples.append(t)
    return ("graph", [], [], None, triples)


def _serialized(result, job: Job) -> tuple:
    """(kind, media type, body, count) in the job's format for the result's kind."""
    if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
        if job.results_format is None:
            raise _NotAcceptable("the query's results (SELECT or ASK) have no format the request accepts")
        fmt = ox.QueryResultsFormat.from_media_type(job.results_format)
        if isinstance(result, ox.QueryBoolean):
            return ("ask", fmt.media_type, result.serialize(format=fmt), 1)
        body, count = _solutions_json(result, job.max_rows)
        if fmt != ox.QueryResultsFormat.JSON:
            # pyoxigraph cannot serialise a list of solutions, only a result: re-read the (capped) JSON
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
        if fmt == ox.QueryResultsFormat.XML:
            _xml_or_refuse(body)
        return ("select", fmt.media_type, body, count)
    if job.graph_format is None:
        raise _NotAcceptable("the query's results (CONSTRUCT or DESCRIBE) have no format the request accepts")
    fmt = ox.RdfFormat.from_media_type(job.graph_format)
    triples = []
    for t in result:
        if len(triples) == job.max_rows:
            raise _too_many(job.max_rows, "triples")
        triples.append(t)
    prefixes = job.prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes)
    if fmt == ox.RdfFormat.RDF_XML:
        _xml_or_refuse(body)
    return ("graph", fmt.media_type, body, len(triples))


def _xml_or_refuse(body: bytes) -> None:
    bad = xml_unsafe(body)
    if bad is not None:
        raise _NotAcceptable(f"the answer holds the character {bad}, which XML cannot carry: "
                             "ask for another format (JSON, CSV, TSV; Turtle, N-Triples, JSON-LD)")


def _solutions_json(result: ox.QuerySolutions, max_rows: int) -> tuple[bytes, int]:
    names = [v.value for v in result.variables]
    bindings = []
    for solution in result:
        if len(bindings) == max_rows:
            raise _too_many(max_rows, "rows")
        bindings.append({n: term_json(solution[n]) for n in names if solution[n] is not None})
    doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), len(bindings)


def term_json(term) -> dict:
    """A term as SPARQL 1.1 Query Results JSON (with RDF-star triple terms).

    >>> term_json(ox.Literal("chat", language="fr"))
    {'type': 'literal', 'value': 'chat', 'xml:lang': 'fr'}
    >>> term_json(ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))["datatype"]
    'http://www.w3.org/2001/XMLSchema#integer'
    """
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction)  # 'ltr' or 'rtl' (RDF 1.2)
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject), "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")
