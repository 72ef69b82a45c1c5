"""What the commands share: the store and endpoint options, credentials, ``--param`` values, the backend a
command asks (the store, or a SPARQL endpoint), the build's progress line."""

from __future__ import annotations

import argparse
import os
import sys
import time

from ..queries.run import EmbeddedBackend
from ..store import StoreDir

FORMATS = ("table", "json", "csv", "tsv")


class Progress:
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


def store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default="pwc-kg-store", help="the store folder (default: ./pwc-kg-store)")


PASSWORD_ENV = "PWC_KG_PASSWORD"


def auth_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", help="the user name for the SPARQL server")
    p.add_argument("--password", help=f"the user's password (default: the {PASSWORD_ENV} environment variable)")
    p.add_argument("--auth", choices=("basic", "digest"), default="basic",
                   help="HTTP authentication: basic (default) or digest (Virtuoso's /sparql-auth)")


def endpoint_arg(p: argparse.ArgumentParser) -> None:
    """--endpoint URL and credentials: run against a remote SPARQL server instead of --store."""
    p.add_argument("--endpoint", metavar="URL",
                   help="query this SPARQL endpoint (holding a pushed pwc-kg graph) instead of --store")
    auth_args(p)


def password(args) -> str | None:
    return args.password if args.password is not None else os.environ.get(PASSWORD_ENV) if args.user else None


def param_values(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--param takes NAME=VALUE, not {item!r}")
        out[name.strip()] = value
    return out


def backend(args):
    """The remote endpoint with --endpoint, else the store."""
    if getattr(args, "endpoint", None):
        from ..remote import SparqlEndpointBackend

        return SparqlEndpointBackend(args.endpoint, args.user, password(args), args.auth)
    return EmbeddedBackend(StoreDir(args.store).open())
