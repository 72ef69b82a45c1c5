"""``pwc-kg build``, ``validate`` and ``stats``: a store made, checked and counted."""

from __future__ import annotations

import json
import sys

from ..build import build
from ..iri import DEFAULT_BASE
from ..stats import format_stats, store_stats
from ..store import StoreDir
from .common import Progress, backend, endpoint_arg, store_arg


def add_parsers(sub) -> None:
    b = sub.add_parser("build", help="build the store from archive files and folders")
    b.add_argument("sources", nargs="+", metavar="SOURCE", help="archive files (.json, .json.gz, .parquet) or folders of them")
    store_arg(b)
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
    store_arg(v)
    v.add_argument("--engine", choices=("sparql", "pyshacl"), default="sparql",
                   help="sparql: shapes compiled to SPARQL, any size (default); pyshacl: the reference engine, small stores")

    s = sub.add_parser("stats", help="counts per class and per named graph")
    store_arg(s)
    endpoint_arg(s)
    s.add_argument("--format", choices=("table", "json"), default="table")


def cmd_build(args) -> int:
    progress = Progress()
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
        from ..validation import validate_with_pyshacl
        from ..validation.reference import union_graph

        conforms, _, text = validate_with_pyshacl(union_graph(sd.open()))
        print(text)
        return 0 if conforms else 1
    from ..validation import validate_store

    result = validate_store(sd.open())
    print(result.text(), end="")
    return 0 if result.conforms else 1


def cmd_stats(args) -> int:
    if args.endpoint:
        from ..remote.stats import endpoint_stats

        stats = endpoint_stats(backend(args))
    else:
        sd = StoreDir(args.store)
        stats = store_stats(sd.open(), sd.require_current())
    print(json.dumps(stats, indent=2) if args.format == "json" else format_stats(stats), end="" if args.format != "json" else "\n")
    return 0


COMMANDS = {"build": cmd_build, "validate": cmd_validate, "stats": cmd_stats}
