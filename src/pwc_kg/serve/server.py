"""Serving the application with waitress (multi-threaded, pure Python): ``pwc-kg serve``, and a server in a thread.

::

    with BackgroundServer(ServeConfig(store="pwc-kg-store", port=0)) as server:   # port 0: a free port
        urllib.request.urlopen(server.url + "sparql?query=ASK%7B%7D")
"""

from __future__ import annotations

import logging
import signal
import threading

from waitress.server import create_server

from .app import Application
from .config import ServeConfig

log = logging.getLogger("pwc_kg.serve")


def _server(app: Application, config: ServeConfig):
    server = create_server(
        app, host=config.host, port=config.port, threads=config.threads, ident="pwc-kg",
        # the application checks the body size itself, with a clear 413; waitress only stops the absurd
        max_request_body_size=config.max_body + (1 << 16), max_request_header_size=config.max_query_length * 3 + (1 << 14),
        clear_untrusted_proxy_headers=True, channel_timeout=max(120, int(config.query_timeout) + 30))
    if config.port == 0:
        config.port = server.effective_port  # the public base (when not given) names the port bound
    return server


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

        self.server.trigger.pull_trigger(close_all)
        self.thread.join(10)
        self.server.task_dispatcher.shutdown()
        self.app.close()

    def __enter__(self) -> "BackgroundServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


__all__ = ["BackgroundServer", "serve"]
