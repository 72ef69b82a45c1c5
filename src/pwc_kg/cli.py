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


COMMANDS = {"build": cmd_build, "validate": cmd_validate, "stats": cmd_stats, "query": cmd_query, "queries": cmd_queries}


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
