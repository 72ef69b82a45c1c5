"""The server's settings: where it listens, what it serves, and the limits every query runs under."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store.generations import DEFAULT_STORE


@dataclass
class ServeConfig:
    """Everything ``pwc-kg serve`` takes; the defaults are safe for a server left on the internet.

    >>> c = ServeConfig(port=8123)
    >>> c.public_base
    'http://127.0.0.1:8123/'
    >>> ServeConfig(base_iri="https://kg.example.org").public_base
    'https://kg.example.org/'
    """

    store: str = DEFAULT_STORE
    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str | None = None  # the server's own URL base; default http://HOST:PORT/
    workers: int = 2  # query worker processes
    query_timeout: float = 30.0  # seconds; past it the query's worker is killed
    worker_memory: int = 2048  # MiB of memory (RLIMIT_DATA) a query worker may use; past it a 507 (0: no bound)
    max_rows: int = 10_000  # solutions or triples in one answer
    max_body: int = 1 << 20  # bytes of a request body
    max_query_length: int = 100_000  # characters of a query's text
    max_concurrent: int = 8  # queries running or waiting for a worker at once
    queue_timeout: float = 5.0  # how long a query waits for a slot, then a worker, before a 503
    cors_origins: list[str] = field(default_factory=list)  # CORS for everything but /sparql: off unless listed
    sparql_cors_origin: str | None = "*"  # CORS for /sparql: any origin unless set (None: off)
    service_allowlist: list[str] = field(default_factory=list)  # SERVICE targets allowed (hosts or IRI prefixes)
    dumps: str | None = None  # a folder of dumps (pwc-kg export) to serve at /dumps/ and list in the VoID
    void_timeout: float = 900.0  # seconds the VoID's counts (full scans of the store) may take
    threads: int = 8  # waitress's request threads
    page_workers: int = 1  # query workers beyond ``workers`` that /sparql never takes: pages answer while it is full
    idle_timeout: float = 15.0  # seconds a connection may stay open with no request in progress and no traffic
    request_timeout: float = 20.0  # seconds a request's headers and body may take to arrive (slowloris)
    connection_limit: int = 500  # open connections at once; past it waitress stops accepting
    max_client_connections: int = 50  # open connections from one address; past it a new one is closed at once
    max_client_requests: int = 0  # requests in progress from one address, past it a 503 (0: all threads but two)
    isolate_network: bool = True  # workers without network when SERVICE is off (where the kernel allows)
    sota_margin: float = 5.0  # submissions: flag a claimed SOTA better than the current by more than this % of it
    max_submission_values: int = 5_000  # submissions: values in one payload (rows: a fifth of it); past it a 413

    @property
    def public_base(self) -> str:
        base = self.base_iri or f"http://{_url_host(self.host)}:{self.port}/"
        return base if base.endswith("/") else base + "/"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
