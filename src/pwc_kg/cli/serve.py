"""``pwc-kg serve``: the SPARQL endpoint, linked data and the pages, with their limits."""

from __future__ import annotations

from ..store import StoreDir
from ..submissions.cli import margin
from .common import store_arg


def add_parsers(sub) -> None:
    p = sub.add_parser("serve", help="serve the store: a SPARQL endpoint, linked data and the pages")
    store_arg(p)
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
    margin(p)


def cmd_serve(args) -> int:
    from ..iri import safe_url
    from ..serve.config import ServeConfig
    from ..serve.server import serve

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


COMMANDS = {"serve": cmd_serve}
