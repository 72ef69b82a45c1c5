"""The ``pwc-kg`` command line."""

from __future__ import annotations

import argparse
import json
import sys
import time

from . import __version__
from .build import BuildError, build
from .iri import DEFAULT_BASE
from .queries import EntityNotFound, format_rows, load_query, run_query
from .queries.run import EmbeddedBackend
from .sources import SourceError
from .stats import format_stats, store_stats
from .store import BuildLocked, StoreDir, StoreMissing

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


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pwc-kg", description="The Papers With Code archive as an RDF knowledge graph.")
    ap.add_argument("--version", action="version", version=f"pwc-kg {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build the store from archive files and folders")
    b.add_argument("sources", nargs="+", metavar="SOURCE", help="archive files (.json, .json.gz) or folders of them")
    _store_arg(b)
    b.add_argument("--base-iri", default=DEFAULT_BASE, help=f"the base of minted IRIs (default: {DEFAULT_BASE})")
    b.add_argument("--rejects", help="also write the rejects report (JSON Lines) to this file")
    b.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    b.add_argument("--allow-violations", action="store_true", help="publish the store even if it violates the shapes")
    b.add_argument("--format", choices=("table", "json"), default="table", help="the summary's format")

    v = sub.add_parser("validate", help="validate the store against the SHACL shapes")
    _store_arg(v)
    v.add_argument("--engine", choices=("sparql", "pyshacl"), default="sparql",
                   help="sparql: shapes compiled to SPARQL, any size (default); pyshacl: the reference engine, small stores")

    s = sub.add_parser("stats", help="counts per class and per named graph")
    _store_arg(s)
    s.add_argument("--format", choices=("table", "json"), default="table")

    q = sub.add_parser("query", help="run a named query, a .rq file, or - (standard input)")
    q.add_argument("query", help="a name in queries/ (without .rq), a path to a .rq file, or -")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="bind a parameter (repeatable)")
    _store_arg(q)
    q.add_argument("--format", choices=FORMATS, default="table")

    sub.add_parser("queries", help="list the named queries and their parameters")

    def question(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        _store_arg(p)
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
        p.add_argument("--no-extra-data", action="store_true", help="only results that used no extra training data")
        direction(p)

    p = question("sota", "the state of the art per benchmark and metric")
    benchmark(p, False, False)
    p.add_argument("--at", metavar="YYYY-MM-DD", help="the state of the art as it stood on that date")
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
                       validate=not args.no_validate, allow_violations=args.allow_violations, progress=progress)
    finally:
        progress.end()
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, default=str))
        return 0
    print(f"built {report.store} ({report.generation})")
    for src in report.sources:
        print(f"  {src.name:<42} {src.kind:<18} {src.records:>9,} records {src.records_rejected:>7,} rejected "
              f"{src.rejects:>8,} reject lines {src.triples:>11,} triples")
    print(f"  {'total':<61} {report.records:>9,} records {report.records_rejected:>7,} rejected "
          f"{report.rejects:>8,} reject lines {report.triples:>11,} triples")
    for note in report.skipped:
        print(f"  skipped {note}")
    print(f"rejects: {report.rejects_file}")
    print(f"validation: {'conforms' if not report.violations else str(report.violations) + ' violations'}")
    print("seconds: " + ", ".join(f"{k} {v}" for k, v in report.seconds.items()))
    return 0


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
    sd = StoreDir(args.store)
    stats = store_stats(sd.open(), sd.require_current())
    print(json.dumps(stats, indent=2) if args.format == "json" else format_stats(stats), end="" if args.format != "json" else "\n")
    return 0


def cmd_query(args) -> int:
    stdin_text = sys.stdin.read() if args.query == "-" else None
    query = load_query(args.query, stdin_text)
    backend = EmbeddedBackend(StoreDir(args.store).open())
    columns, rows = run_query(backend, query, _params(args.param))
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


def cmd_queries(args) -> int:
    from .queries import list_queries

    for q in list_queries():
        params = " ".join(f"--param {p.name}=<{p.kind}>" for p in q.params)
        print(f"{q.name:<20} {q.summary}\n{'':<20} {params}".rstrip())
    return 0


def _backend(args) -> EmbeddedBackend:
    return EmbeddedBackend(StoreDir(args.store).open())


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
    sys.stdout.write(format_rows(columns, rows, args.format))
    if cmd == "sota" and args.format == "table" and any(r.get("higher_is_better") is None for r in rows):
        print("(a metric whose direction is unknown has no SOTA: name one with --higher-is-better or --lower-is-better)",
              file=sys.stderr)
    return 0


QUESTIONS = ("sota", "leaderboard", "history", "model-sota", "lineage", "compare", "tasks", "methods", "provenance")
COMMANDS = {"build": cmd_build, "validate": cmd_validate, "stats": cmd_stats, "query": cmd_query, "queries": cmd_queries,
            **{name: cmd_question for name in QUESTIONS}}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (SourceError, BuildError, BuildLocked, StoreMissing, EntityNotFound, FileNotFoundError, ValueError) as e:
        print(f"pwc-kg {args.command}: error: {e}", file=sys.stderr)
        return 2
    except SyntaxError as e:  # pyoxigraph reports malformed SPARQL as SyntaxError
        print(f"pwc-kg {args.command}: error: malformed SPARQL: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
