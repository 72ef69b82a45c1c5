"""``pwc-kg export`` and ``push``: the store written to a file (with its VoID/DCAT description) or loaded into a
SPARQL server."""

from __future__ import annotations

import sys

from ..store import StoreDir
from .common import auth_args, password, store_arg


def add_parsers(sub) -> None:
    p = sub.add_parser("export", help="write the graph to a file, streaming, with its VoID/DCAT description beside it")
    store_arg(p)
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
    store_arg(p)
    p.add_argument("--endpoint", metavar="URL", required=True, help="the server's query endpoint (counts each graph)")
    p.add_argument("--graph-store", metavar="URL", help="its Graph Store Protocol endpoint")
    p.add_argument("--update-endpoint", metavar="URL",
                   help="its SPARQL Update endpoint: chunks go to a temporary graph, then MOVE replaces the graph")
    auth_args(p)
    p.add_argument("--chunk-triples", type=int, metavar="N",
                   help="triples per request (default: 10000 by --graph-store, 1000 by INSERT DATA)")
    p.add_argument("--retries", type=int, default=3, metavar="N", help="retries of a failed request (default: 3)")
    p.add_argument("--prune", action="store_true",
                   help="drop the server's pwc-kg graphs that the store no longer has")


def cmd_export(args) -> int:
    from ..export import export

    report = export(args.store, args.out, format=args.format, graphs=args.graph, gzip=args.gzip, profile=args.profile,
                    dataset_iri=args.dataset_iri, download_url=args.download_url, endpoint=args.sparql_endpoint,
                    link_context=args.jsonld_context == "link")
    print(f"wrote {report.path}: {report.statements:,} {'quads' if report.format in ('nq', 'trig', 'jsonld') else 'triples'}, "
          f"{report.bytes:,} bytes, sha256 {report.sha256}")
    print(f"described in {report.void_path}")
    return 0


def cmd_push(args) -> int:
    from ..remote import push_store

    def progress(message: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r  {message}\033[K")
            sys.stderr.flush()

    report = push_store(StoreDir(args.store).open(), args.endpoint, graph_store=args.graph_store,
                        update_endpoint=args.update_endpoint, user=args.user, password=password(args),
                        auth=args.auth, chunk_triples=args.chunk_triples, retries=args.retries, prune=args.prune,
                        progress=progress)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    sys.stdout.write(report.text())
    if not report.ok:
        print(f"pwc-kg push: error: {sum(not g.ok for g in report.graphs)} graphs were not replaced (see above)",
              file=sys.stderr)
    return 0 if report.ok else 1


COMMANDS = {"export": cmd_export, "push": cmd_push}
