"""The ``pwc-kg`` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from . import __version__
from .build import build
from .errors import PwcKgError
from .iri import DEFAULT_BASE
from .queries import format_rows, load_query, run_query
from .queries.run import EmbeddedBackend
from .stats import format_stats, store_stats
from .store import StoreDir

FORMATS = ("table", "json", "csv", "tsv")


class _Progress:
    """One status line on a terminal, redrawn; nothing when the output is not a terminal."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.enabled = stream.isatty()
        self.t0 = time.perf_counter()

    def __call__(self, source: str, done: int, total: int | None) -> None:
        if self.enabled:
            rate = done / max(time.perf_counter() - self.t0, 1e-6)
            self.stream.write(f"\r  {source}: {done:,} records ({rate:,.0f}/s)\033[K")
            self.stream.flush()

    def end(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default="pwc-kg-store", help="the store folder (default: ./pwc-kg-store)")


PASSWORD_ENV = "PWC_KG_PASSWORD"


def _auth_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", help="the user name for the SPARQL server")
    p.add_argument("--password", help=f"the user's password (default: the {PASSWORD_ENV} environment variable)")
    p.add_argument("--auth", choices=("basic", "digest"), default="basic",
                   help="HTTP authentication: basic (default) or digest (Virtuoso's /sparql-auth)")


def _endpoint_arg(p: argparse.ArgumentParser) -> None:
    """--endpoint URL and credentials: run against a remote SPARQL server instead of --store."""
    p.add_argument("--endpoint", metavar="URL",
                   help="query this SPARQL endpoint (holding a pushed pwc-kg graph) instead of --store")
    _auth_args(p)


def _password(args) -> str | None:
    return args.password if args.password is not None else os.environ.get(PASSWORD_ENV) if args.user else None


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pwc-kg", description="The Papers With Code archive as an RDF knowledge graph.")
    ap.add_argument("--version", action="version", version=f"pwc-kg {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build the store from archive files and folders")
    b.add_argument("sources", nargs="+", metavar="SOURCE", help="archive files (.json, .json.gz, .parquet) or folders of them")
    _store_arg(b)
    b.add_argument("--base-iri", default=DEFAULT_BASE, help=f"the base of minted IRIs (default: {DEFAULT_BASE})")
    b.add_argument("--rejects", help="also write the rejects report (JSON Lines) to this file")
    b.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    b.add_argument("--full", action="store_true",
                   help="read every source again (by default a store built before reads only the files that changed)")
    b.add_argument("--allow-violations", action="store_true", help="publish the store even if it violates the shapes")
    b.add_argument("--allow-unread", action="store_true",
                   help="exit 0 even when files that may hold archive data were not read (by default: exit 3)")
    b.add_argument("--entail", action="store_true",
                   help="also restate the graph in the standard terms the ontology aligns to (schema.org, ML-Schema, PROV-O, ...), into graph/entailed")
    b.add_argument("--format", choices=("table", "json"), default="table", help="the summary's format")

    v = sub.add_parser("validate", help="validate the store against the SHACL shapes")
    _store_arg(v)
    v.add_argument("--engine", choices=("sparql", "pyshacl"), default="sparql",
                   help="sparql: shapes compiled to SPARQL, any size (default); pyshacl: the reference engine, small stores")

    s = sub.add_parser("stats", help="counts per class and per named graph")
    _store_arg(s)
    _endpoint_arg(s)
    s.add_argument("--format", choices=("table", "json"), default="table")

    q = sub.add_parser("query", help="run a named query, a .rq file, or - (standard input)")
    q.add_argument("query", help="a name in queries/ (without .rq), a path to a .rq file, or -")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="bind a parameter (repeatable)")
    _store_arg(q)
    _endpoint_arg(q)
    q.add_argument("--format", choices=FORMATS, default="table")

    sub.add_parser("queries", help="list the named queries and their parameters")

    def question(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        _store_arg(p)
        _endpoint_arg(p)
        p.add_argument("--format", choices=FORMATS, default="table")
        return p

    def direction(p: argparse.ArgumentParser) -> None:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--higher-is-better", dest="higher", action="store_const", const=True,
                       help="rank a metric whose direction is unknown with higher values first")
        g.add_argument("--lower-is-better", dest="higher", action="store_const", const=False,
                       help="rank a metric whose direction is unknown with lower values first")

    def benchmark(p: argparse.ArgumentParser, dataset_required: bool, metric_required: bool) -> None:
        p.add_argument("--task", required=True, help="the task: name (any case), slug or IRI")
        p.add_argument("--dataset", required=dataset_required, help="the dataset: name, slug or IRI")
        p.add_argument("--metric", required=metric_required, help="the metric: any spelling, slug or IRI")
        p.add_argument("--no-extra-data", action="store_true", help="leave out the results marked as using extra training data (those whose source does not say are kept, and counted)")
        direction(p)

    p = question("sota", "the state of the art per benchmark and metric")
    benchmark(p, False, False)
    p.add_argument("--at", metavar="YYYY-MM-DD", help="the state of the art as it stood on that date")
    p = question("sota-all", "the state of the art of every benchmark and metric, at once")
    p.add_argument("--no-extra-data", action="store_true", help="leave out the results marked as using extra training data")
    p = question("leaderboard", "the ranked results of one benchmark and metric")
    benchmark(p, True, True)
    p = question("history", "SOTA over time: the record-setting results in date order")
    benchmark(p, True, True)
    p = question("model-sota", "the benchmarks a model leads now or led once")
    p.add_argument("model", help="the model: its name as written, Hugging Face id, slug or IRI")
    p = question("lineage", "a model's ancestors and descendants, transitively, with the relation at each step")
    p.add_argument("model", help="the model: its name as written, Hugging Face id, slug or IRI")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--ancestors", action="store_true", help="only what the model derives from")
    g.add_argument("--descendants", action="store_true", help="only what derives from the model")
    p = question("compare", "a model against its base on every benchmark and metric both have")
    p.add_argument("model", help="the model")
    p.add_argument("--base", help="the base model (default: the model's parents in its lineage)")
    p = question("tasks", "a task's parents and subtasks, with papers and benchmarks")
    p.add_argument("task", help="the task: name, slug or IRI")
    p = question("methods", "a method's collections and areas, with its papers")
    p.add_argument("method", help="the method: name, slug or IRI")
    p = question("provenance", "where a result came from: file, record, build")
    p.add_argument("result", help="the result's IRI")

    p = sub.add_parser("export", help="write the graph to a file, streaming, with its VoID/DCAT description beside it")
    _store_arg(p)
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write (and FILE.void.ttl beside it)")
    p.add_argument("--format", choices=("nq", "trig", "jsonld", "nt", "ttl"),
                   help="nq, trig, jsonld keep the named graphs; nt, ttl hold their merge (default: from FILE's extension)")
    p.add_argument("--graph", action="append", default=[], metavar="IRI", help="export only this named graph (repeatable)")
    p.add_argument("--gzip", action="store_true", default=None, help="compress while writing (default: when FILE ends in .gz)")
    p.add_argument("--profile", choices=("schema", "mls"),
                   help="write the graph in schema.org or ML-Schema terms only, as the ontology aligns them")
    p.add_argument("--jsonld-context", choices=("embed", "link"), default="embed",
                   help="JSON-LD: embed the context (default; readable offline) or link to its published IRI")
    p.add_argument("--sparql-endpoint", metavar="URL", help="a public SPARQL endpoint to name in the description")
    p.add_argument("--download-url", metavar="URL",
                   help="where the file will be published, for the description (default: the file's file: IRI)")
    p.add_argument("--dataset-iri", metavar="IRI", help="the dataset's IRI in the description (default: under the base IRI)")

    p = sub.add_parser("push", help="load the store into a remote SPARQL server, replacing its graphs one by one")
    _store_arg(p)
    p.add_argument("--endpoint", metavar="URL", required=True, help="the server's query endpoint (counts each graph)")
    p.add_argument("--graph-store", metavar="URL", help="its Graph Store Protocol endpoint")
    p.add_argument("--update-endpoint", metavar="URL",
                   help="its SPARQL Update endpoint: chunks go to a temporary graph, then MOVE replaces the graph")
    _auth_args(p)
    p.add_argument("--chunk-triples", type=int, metavar="N",
                   help="triples per request (default: 10000 by --graph-store, 1000 by INSERT DATA)")
    p.add_argument("--retries", type=int, default=3, metavar="N", help="retries of a failed request (default: 3)")
    p.add_argument("--prune", action="store_true",
                   help="drop the server's pwc-kg graphs that the store no longer has")

    p = sub.add_parser("serve", help="serve the store: a SPARQL endpoint, linked data and the pages")
    _store_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="the port (default: 8000; 0: any free port)")
    p.add_argument("--base-iri", metavar="IRI", help="the server's public URL base (default: http://HOST:PORT/)")
    p.add_argument("--workers", type=int, default=2, help="query worker processes (default: 2)")
    p.add_argument("--threads", type=int, default=8, help="request threads (default: 8)")
    p.add_argument("--query-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="a query past it is stopped, its worker replaced (default: 30)")
    p.add_argument("--page-workers", type=int, default=1,
                   help="query workers beyond --workers that /sparql never takes: pages answer while it is full "
                        "(default: 1)")
    p.add_argument("--idle-timeout", type=float, default=15.0, metavar="SECONDS",
                   help="a connection with no request and no traffic is closed after it (default: 15)")
    p.add_argument("--request-timeout", type=float, default=20.0, metavar="SECONDS",
                   help="a request whose headers and body have not all arrived by then is dropped (default: 20)")
    p.add_argument("--max-client-connections", type=int, default=50,
                   help="open connections from one address (default: 50)")
    p.add_argument("--max-client-requests", type=int, default=0,
                   help="requests in progress from one address, past it a 503; not applied to 127.0.0.1 and ::1 "
                        "(default: 0, all request threads but two)")
    p.add_argument("--worker-memory", type=int, default=2048, metavar="MIB",
                   help="memory a query worker may use; a query past it gets a 507 and its worker is replaced "
                        "(default: 2048; 0: no bound)")
    p.add_argument("--max-rows", type=int, default=10_000, help="results (rows or triples) per answer (default: 10000)")
    p.add_argument("--max-body", type=int, default=1 << 20, metavar="BYTES", help="request body size (default: 1 MiB)")
    p.add_argument("--max-query-length", type=int, default=100_000, metavar="CHARS",
                   help="characters of a query (default: 100000)")
    p.add_argument("--max-concurrent", type=int, default=8, help="queries running or waiting at once (default: 8)")
    p.add_argument("--queue-timeout", type=float, default=5.0, metavar="SECONDS",
                   help="how long a query waits for a worker before a 503 (default: 5)")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="allow this origin (or *) cross-origin access to the pages and linked data (repeatable; "
                        "default: none). /sparql allows any origin unless --sparql-cors-origin says otherwise")
    p.add_argument("--sparql-cors-origin", default="*", metavar="ORIGIN",
                   help="the origin /sparql allows cross-origin ('*', default; 'none' for none)")
    p.add_argument("--service-allowlist", action="append", default=[], metavar="HOST|IRI",
                   help="allow SERVICE (federated query) to this host, host:port or endpoint IRI prefix "
                        "(repeatable; default: SERVICE is refused)")
    p.add_argument("--dumps", metavar="DIR", help="a folder of dumps (pwc-kg export) to serve at /dumps/ and list in the VoID")
    p.add_argument("--max-submission-values", type=int, default=5_000, metavar="N",
                   help="values in one submission (rows: a fifth of it; 200 metrics a row); past it a 413 (default: 5000)")
    from .submissions.cli import add_parsers, margin

    margin(p)
    add_parsers(sub, _store_arg)
    return ap


def _params(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--param takes NAME=VALUE, not {item!r}")
        out[name.strip()] = value
    return out


def cmd_build(args) -> int:
    progress = _Progress()
    try:
        report = build(args.sources, args.store, base_iri=args.base_iri, rejects=args.rejects,
                       validate=not args.no_validate, allow_violations=args.allow_violations, progress=progress,
                       entail=args.entail, full=args.full)
    finally:
        progress.end()
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, default=str))
        return _unread_status(report, args)
    print(f"built {report.store} ({report.generation}): {report.mode} build"
          + (f" ({report.full_reason})" if report.full_reason else ""))
    for src in report.sources:
        how = "reused" if src.name in report.reused else "read"
        print(f"  {src.name:<42} {src.kind:<18} {how:<7}{src.records:>9,} records {src.records_rejected:>7,} rejected "
              f"{src.rejects:>8,} reject lines {src.triples:>11,} triples")
    for name in report.removed:
        print(f"  {name:<42} removed (no longer among the sources)")
    print(f"  {'total':<61} {report.records:>9,} records {report.records_rejected:>7,} rejected "
          f"{report.rejects:>8,} reject lines {report.triples:>11,} triples")
    for note in report.skipped:
        print(f"  skipped {note}")
    for note in report.unread:
        print(f"  unread  {note}")
    for note in report.missing:
        print(f"  missing {note}")
    for graph, change in report.changes.items():
        print(f"rewrote {graph}: {change['removed']:,} triples removed, {change['added']:,} added")
    if report.derived_kept:
        print("kept the derived graph: no change touched a triple it is computed from")
    print(f"rejects: {report.rejects_file}")
    if report.entailed:
        print(f"entailed: {report.entailed.triples:,} triples in {report.entailed.graph}")
    print(f"validation: {'conforms' if not report.violations else str(report.violations) + ' violations'}")
    print("seconds: " + ", ".join(f"{k} {v}" for k, v in report.seconds.items()))
    return _unread_status(report, args)


UNREAD_EXIT = 3  # built and published, but files that may hold archive data were not read


def _unread_status(report, args) -> int:
    """0, or 3 when the build passed over files that may hold archive data (unless --allow-unread)."""
    if not report.unread or args.allow_unread:
        return 0
    n = len(report.unread)
    print(f"pwc-kg build: {n} {'file or folder' if n == 1 else 'files or folders'} that may hold archive data "
          f"{'was' if n == 1 else 'were'} not read (the 'unread' lines); the store was built without "
          f"{'it' if n == 1 else 'them'}; exit {UNREAD_EXIT} (--allow-unread: exit 0)", file=sys.stderr)
    return UNREAD_EXIT


def cmd_validate(args) -> int:
    sd = StoreDir(args.store)
    if args.engine == "pyshacl":
        from .validation import validate_with_pyshacl
        from .validation.reference import union_graph

        conforms, _, text = validate_with_pyshacl(union_graph(sd.open()))
        print(text)
        return 0 if conforms else 1
    from .validation import validate_store

    result = validate_store(sd.open())
    print(result.text(), end="")
    return 0 if result.conforms else 1


def cmd_stats(args) -> int:
    if args.endpoint:
        from .remote.stats import endpoint_stats

        stats = endpoint_stats(_backend(args))
    else:
        sd = StoreDir(args.store)
        stats = store_stats(sd.open(), sd.require_current())
    print(json.dumps(stats, indent=2) if args.format == "json" else format_stats(stats), end="" if args.format != "json" else "\n")
    return 0


def cmd_query(args) -> int:
    stdin_text = sys.stdin.read() if args.query == "-" else None
    query = load_query(args.query, stdin_text)
    backend = _backend(args)
    try:
        columns, rows = run_query(backend, query, _params(args.param))
    except SyntaxError as e:  # pyoxigraph's message, said with the line and what was expected there
        from .queries.syntax import explain

        raise SyntaxError(explain(query.text, str(e), excerpt=True)) from None
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


def cmd_queries(args) -> int:
    from .queries import list_queries

    import shutil
    import textwrap

    width = max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
    indent = " " * 21
    for q in list_queries():
        # the whole description, wrapped; the parameters after it ([...]: may be left out)
        print(textwrap.fill(q.summary, width, initial_indent=f"{q.name:<20} ", subsequent_indent=indent,
                            break_on_hyphens=False, break_long_words=False))
        params = " ".join(f"[--param\0{p.name}=<{p.kind}>]" if p.optional else f"--param\0{p.name}=<{p.kind}>"
                          for p in q.params)  # \0: a space no line is broken at
        if params:
            print(textwrap.fill(params, width, initial_indent=indent, subsequent_indent=indent,
                                break_on_hyphens=False, break_long_words=False).replace("\0", " "))
    print("\n" + textwrap.fill("pwc-kg query NAME --param NAME=VALUE ... runs one; its file, queries/NAME.rq, says "
                               "what each parameter and column is.", width))
    return 0


def _backend(args):
    """The remote endpoint with --endpoint, else the store."""
    if getattr(args, "endpoint", None):
        from .remote import SparqlEndpointBackend

        return SparqlEndpointBackend(args.endpoint, args.user, _password(args), args.auth)
    return EmbeddedBackend(StoreDir(args.store).open())


def _catalogue(args):
    """The store's catalogue (pwc_kg.catalogue), or None with --endpoint."""
    if getattr(args, "endpoint", None):
        return None
    import pwc_kg

    return pwc_kg.open_store(args.store).catalogue()


def cmd_push(args) -> int:
    from .remote import push_store

    def progress(message: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r  {message}\033[K")
            sys.stderr.flush()

    report = push_store(StoreDir(args.store).open(), args.endpoint, graph_store=args.graph_store,
                        update_endpoint=args.update_endpoint, user=args.user, password=_password(args),
                        auth=args.auth, chunk_triples=args.chunk_triples, retries=args.retries, prune=args.prune,
                        progress=progress)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    sys.stdout.write(report.text())
    if not report.ok:
        print(f"pwc-kg push: error: {sum(not g.ok for g in report.graphs)} graphs were not replaced (see above)",
              file=sys.stderr)
    return 0 if report.ok else 1


def cmd_question(args) -> int:
    from . import questions as q

    b = _backend(args)
    cmd = args.command
    if cmd in ("sota", "leaderboard", "history"):
        extra = not args.no_extra_data
        if cmd == "sota":
            rows = q.sota(b, args.task, args.dataset, args.metric, extra=extra, at=args.at, higher_is_better=args.higher)
            columns = ["task", "dataset", "metric", "model", "value", "paper_title", "date", "higher_is_better",
                       "extra_training_data", "result"]
        elif cmd == "leaderboard":
            rows = q.leaderboard(b, args.task, args.dataset, args.metric, extra=extra, higher_is_better=args.higher)
            columns = ["rank", "model", "value", "paper_title", "date", "extra_training_data", "result"]
        else:
            rows = q.history(b, args.task, args.dataset, args.metric, extra=extra, higher_is_better=args.higher)
            columns = ["date", "model", "value", "paper_title", "previous_value", "improvement", "result"]
    elif cmd == "sota-all":
        extra = not args.no_extra_data
        rows = q.sota_all(b, extra=extra, catalogue=_catalogue(args))
        columns = ["benchmark_name", "metric", "model", "value", "date", "paper_title", "higher_is_better", "cost",
                   "direction_source"]
    elif cmd == "model-sota":
        rows = q.model_sota(b, args.model)
        columns = ["task", "dataset", "metric", "value", "status", "date", "extra_training_data", "result"]
    elif cmd == "lineage":
        rows = q.lineage(b, args.model, ancestors=not args.descendants, descendants=not args.ancestors)
        columns = ["model", "relation", "parent", "depth", "direction"]
    elif cmd == "compare":
        rows = q.compare(b, args.model, args.base)
        columns = ["task", "dataset", "metric", "value", "base_value", "delta", "better", "base"]
    elif cmd == "tasks":
        rows = q.tasks(b, args.task)
        columns = ["task", "relation", "papers", "benchmarks", "iri"]
    elif cmd == "methods":
        rows = q.methods(b, args.method)
        columns = ["method", "collection", "area", "introduced_in", "year", "papers"]
    else:
        rows = q.provenance(b, args.result)
        columns = ["result", "graph", "file", "kind", "sha256", "bytes", "record", "build", "build_started", "tool_version"]
    if args.format == "json":
        columns = list(dict.fromkeys(columns + [k for r in rows for k in r]))  # JSON keeps every field
    elif args.format == "table":
        rows = _readable(rows)
    sys.stdout.write(format_rows(columns, rows, args.format))
    if cmd in ("sota", "leaderboard", "history") and not extra and args.format == "table":
        _say_unknown_extra_kept(cmd, rows)
    if cmd == "sota" and args.format == "table" and any(r.get("higher_is_better") is None for r in rows):
        print("(a metric whose direction is unknown has no SOTA: name one with --higher-is-better or --lower-is-better)",
              file=sys.stderr)
    return 0


def _readable(rows: list[dict]) -> list[dict]:
    """Table rows for a person: the paper where a row names no model, "not stated" for an unknown extra-data flag."""
    out = []
    for r in rows:
        r = dict(r)
        if r.get("model") is None and (r.get("paper_title") or r.get("paper")) and r.get("result"):
            r["model"] = f"(no model; paper: {r.get('paper_title') or r.get('paper')})"
        if "extra_training_data" in r and r["extra_training_data"] is None and r.get("result"):
            r["extra_training_data"] = "not stated"
        out.append(r)
    return out


def _say_unknown_extra_kept(cmd: str, rows: list[dict]) -> None:
    """Without extra training data, how many results were kept that do not say whether they used any."""
    if cmd == "leaderboard":
        kept, boards = sum(r.get("extra_training_data") == "not stated" for r in rows), 1
    else:
        by_board = {(r.get("benchmark"), r.get("metric")): r["extra_unknown_kept"] for r in rows
                    if r.get("extra_unknown_kept")}
        kept, boards = sum(by_board.values()), len(by_board)
    if kept:
        where = f" on {boards} leaderboards" if boards > 1 else ""
        print(f"(without extra training data: kept {kept} result{'s' if kept != 1 else ''}{where} whose source does not "
              "say whether extra training data was used; only results marked as using it are left out)", file=sys.stderr)


QUESTIONS = ("sota", "sota-all", "leaderboard", "history", "model-sota", "lineage", "compare", "tasks", "methods", "provenance")
def cmd_export(args) -> int:
    from .export import export

    report = export(args.store, args.out, format=args.format, graphs=args.graph, gzip=args.gzip, profile=args.profile,
                    dataset_iri=args.dataset_iri, download_url=args.download_url, endpoint=args.sparql_endpoint,
                    link_context=args.jsonld_context == "link")
    print(f"wrote {report.path}: {report.statements:,} {'quads' if report.format in ('nq', 'trig', 'jsonld') else 'triples'}, "
          f"{report.bytes:,} bytes, sha256 {report.sha256}")
    print(f"described in {report.void_path}")
    return 0


def cmd_serve(args) -> int:
    from .iri import safe_url
    from .serve.config import ServeConfig
    from .serve.server import serve

    StoreDir(args.store).require_current()  # a clear error now rather than a 503 on every request
    for name in ("workers", "threads", "max_rows", "max_body", "max_query_length", "max_concurrent",
                 "max_submission_values"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
    if args.page_workers < 0 or args.max_client_requests < 0 or args.max_client_connections < 1:
        raise ValueError("--page-workers and --max-client-requests must be 0 or more, --max-client-connections 1 or more")
    if args.idle_timeout <= 0 or args.request_timeout <= 0:
        raise ValueError("--idle-timeout and --request-timeout must be positive")
    if args.worker_memory < 0:
        raise ValueError("--worker-memory must be 0 (no bound) or a number of MiB")
    if args.query_timeout <= 0 or args.queue_timeout <= 0:
        raise ValueError("--query-timeout and --queue-timeout must be positive")
    if args.base_iri is not None and safe_url(args.base_iri) != args.base_iri:
        raise ValueError(f"--base-iri must be an absolute http(s) URL, not {args.base_iri!r}")
    config = ServeConfig(
        store=args.store, host=args.host, port=args.port, base_iri=args.base_iri, workers=args.workers,
        threads=args.threads, query_timeout=args.query_timeout, max_rows=args.max_rows, max_body=args.max_body,
        max_query_length=args.max_query_length, max_concurrent=args.max_concurrent, queue_timeout=args.queue_timeout,
        cors_origins=args.cors_origin, service_allowlist=args.service_allowlist, dumps=args.dumps,
        sparql_cors_origin=None if args.sparql_cors_origin.lower() == "none" else args.sparql_cors_origin,
        sota_margin=args.sota_margin, max_submission_values=args.max_submission_values,
        worker_memory=args.worker_memory, page_workers=args.page_workers, idle_timeout=args.idle_timeout,
        request_timeout=args.request_timeout, max_client_connections=args.max_client_connections,
        max_client_requests=args.max_client_requests)
    try:
        serve(config, announce=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        pass
    return 0


COMMANDS = {"build": cmd_build, "validate": cmd_validate, "stats": cmd_stats, "query": cmd_query, "queries": cmd_queries,
            "push": cmd_push, "export": cmd_export, "serve": cmd_serve,
            **{name: cmd_question for name in QUESTIONS}}


def _submission_commands() -> None:
    from .submissions.cli import COMMANDS as more

    COMMANDS.update(more)


_submission_commands()


# The Python parameters whose flag is not their name with dashes.
FLAG_OF = {"graphs": "graph", "url": "endpoint"}


def _flagged(error: PwcKgError) -> str:
    """The error's message, after the flag of the option it is about (the library names the parameter).

    >>> from pwc_kg.errors import SettingError
    >>> _flagged(SettingError("the store has no named graph x", option="graphs"))
    '--graph: the store has no named graph x'
    >>> _flagged(SettingError("a chunk holds one triple or more, not 0", option="chunk_triples"))
    '--chunk-triples: a chunk holds one triple or more, not 0'
    """
    if error.option is None:
        return str(error)
    return f"--{FLAG_OF.get(error.option, error.option).replace('_', '-')}: {error}"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except PwcKgError as e:
        print(f"pwc-kg {args.command}: error: {_flagged(e)}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as e:
        print(f"pwc-kg {args.command}: error: {e}", file=sys.stderr)
        return 2
    except SyntaxError as e:  # pyoxigraph reports malformed SPARQL as SyntaxError
        print(f"pwc-kg {args.command}: error: malformed SPARQL: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
