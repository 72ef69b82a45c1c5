"""Serving the application with waitress (multi-threaded, pure Python): ``pwc-kg serve``, and a server in a thread.

::

    with BackgroundServer(ServeConfig(store="pwc-kg-store", port=0)) as server:   # port 0: a free port
        urllib.request.urlopen(server.url + "sparql?query=ASK%7B%7D")
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from waitress.server import create_server

from .app import Application
from .config import ServeConfig

log = logging.getLogger("pwc_kg.serve")


def _server(app: Application, config: ServeConfig):
    fair = Fair(app, config)
    server = create_server(
        fair, host=config.host, port=config.port, threads=config.threads, ident="pwc-kg",
        # the application checks the body size itself, with a clear 413; waitress only stops the absurd
        max_request_body_size=config.max_body + (1 << 16), max_request_header_size=config.max_query_length * 3 + (1 << 14),
        clear_untrusted_proxy_headers=True,
        # A connection with no request in progress and no traffic closes after idle_timeout (a running query
        # keeps its connection: waitress only closes one with no request); the check runs every second.
        channel_timeout=max(1, int(config.idle_timeout)), cleanup_interval=1, connection_limit=config.connection_limit)
    _guard(server, config)
    server.pwc_fair = fair
    if config.port == 0:
        config.port = server.effective_port  # the public base (when not given) names the port bound
    return server


def _guard(server, config: ServeConfig) -> None:
    """Against slowloris and one client taking every connection: a new connection from an address that already
    has ``max_client_connections`` open is closed at once, and one whose request has not fully arrived
    ``request_timeout`` seconds after its first byte is closed (waitress's own timeout only sees silence, and
    a byte every few seconds is not silence)."""
    base = type(server)

    class Guarded(base):  # type: ignore[misc, valid-type]
        def handle_accept(self):
            before = set(self._map)
            base.handle_accept(self)
            for fd in set(self._map) - before:
                channel = self._map[fd]
                addr = getattr(channel, "addr", None)
                if not isinstance(addr, (tuple, list)) or not addr:
                    continue
                channel.pwc_started = time.monotonic()
                same = sum(1 for c in self._map.values()
                           if getattr(c, "pwc_started", None) is not None and c.addr[0] == addr[0])
                if same > config.max_client_connections:
                    log.warning("%s has %d connections open: closing the new one", addr[0], same - 1)
                    channel.close()

        def maintenance(self, now):
            base.maintenance(self, now)
            mono = time.monotonic()
            for channel in list(self.active_channels.values()):
                request = getattr(channel, "request", None)
                if request is None or channel.requests:
                    channel.pwc_partial = None
                    continue
                seen = getattr(channel, "pwc_partial", None)
                if seen is None or seen[0] is not request:
                    channel.pwc_partial = (request, mono)
                elif mono - seen[1] > config.request_timeout:
                    channel.will_close = True  # its request is arriving too slowly

    server.__class__ = Guarded


LOCAL = ("127.0.0.1", "::1")  # this machine: a reverse proxy in front (all its clients share it), or the operator


class Fair:
    """The WSGI application behind a fairness check: one address may have ``max_client_requests`` requests in
    progress (past it a 503 with Retry-After), and /sparql may hold all request threads but two (past it a 503), so that pages
    are served while /sparql is saturated. Requests from 127.0.0.1 and ::1 are not capped per client: a reverse
    proxy on this machine gives every client its address, so clients are bounded at the proxy there."""

    def __init__(self, app: Application, config: ServeConfig):
        self.app = app
        self.config = config
        self._lock = threading.Lock()
        self._by_client: dict[str, int] = {}
        self._sparql = 0
        self.refused = 0

    def __getattr__(self, name):
        return getattr(self.app, name)

    def __call__(self, environ: dict, start_response):
        client = environ.get("REMOTE_ADDR") or ""
        sparql = (environ.get("PATH_INFO") or "").rstrip("/") == "/sparql"
        sparql_cap = max(1, self.config.threads - 2)
        client_cap = self.config.max_client_requests or sparql_cap
        with self._lock:
            mine = self._by_client.get(client, 0)
            if mine >= client_cap and client not in LOCAL:
                why = (503, f"{client} has {mine} requests in progress, the most one client may have; "
                            "send the next one when one has been answered")
            elif sparql and self._sparql >= sparql_cap:
                why = (503, f"/sparql is answering {self._sparql} queries, all it may at once; try again shortly")
            else:
                why = None
                self._by_client[client] = mine + 1
                self._sparql += sparql
        if why is not None:
            self.refused += 1
            status, text = why
            start_response(f"{status} Service Unavailable",
                           [("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "1"),
                            ("Content-Length", str(len(text) + 1))])
            return [text.encode() + b"\n"]
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self._sparql -= sparql
                left = self._by_client[client] - 1
                if left:
                    self._by_client[client] = left
                else:
                    del self._by_client[client]


def serve(config: ServeConfig, announce=print) -> None:
    """Run the server until interrupted; ``announce`` gets the line saying where it listens."""
    app = Application(config)
    server = _server(app, config)
    app.start()
    isolated = "workers without network" if app.executor.network_isolated else "workers with the host's network"
    announce(f"pwc-kg serve: listening on http://{_host(config.host)}:{server.effective_port}/ "
             f"(IRIs under {config.public_base}; store {config.store}, {app.site.generation}; "
             f"{config.workers} query workers, {isolated}; SPARQL at {config.public_base}sparql)")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop shuts down as Ctrl-C does
    try:
        server.run()
    finally:
        app.close()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class BackgroundServer:
    """The server in a thread of this process, for tests and benchmarks; ``stop()`` ends it."""

    def __init__(self, config: ServeConfig, *, pages: bool = True):
        self.config = config
        self.app = Application(config, pages=pages)
        self.server = _server(self.app, config)
        self.app.start()
        self.thread = threading.Thread(target=self.server.run, name="pwc-kg-server", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{_host(self.config.host)}:{self.server.effective_port}/"

    def stop(self) -> None:
        # Every channel (the listener, the connections, the trigger) is closed on the loop's own thread
        # (through the trigger): the map is then empty, which ends server.run().
        def close_all() -> None:
            for channel in list(self.server._map.values()):
                if channel is not self.server.trigger:
                    channel.close()
            self.server.trigger.close()

        try:
            self.server.trigger.pull_trigger(close_all)
        except OSError:  # the trigger is closed already (the loop ended on its own): close what is left here
            for channel in list(self.server._map.values()):
                try:
                    channel.close()
                except OSError:
                    pass
        self.thread.join(10)
        self.server.task_dispatcher.shutdown()
        self.app.close()

    def __enter__(self) -> "BackgroundServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


__all__ = ["BackgroundServer", "serve"]
