"""Real SPARQL servers for the remote-query and push tests: ``oxigraph serve`` and Virtuoso 7.

Each server runs on free loopback ports in a temporary folder of its own and is stopped at the
end of the session. A test module uses them through the fixtures here::

    from servers import servers  # noqa: F401  (the fixture)

    def test_x(servers):
        oxi = servers.oxigraph("lamini")        # one server per key, started on first use
        virt = servers.virtuoso("lamini")

A missing binary skips the test with the reason; a server that does not come up fails it.
The servers are cached per process, so two modules that import the fixture share them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

VIRTUOSO_USER = "pwckg"
VIRTUOSO_PASSWORD = "pwckg-s3cret"
# Debian's stock virtuoso.ini caps every result at 10,000 rows; tests that need more raise it.
DEBIAN_MAX_ROWS = 10000
VSP_ROOT = "/var/lib/virtuoso-opensource-7/vsp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` binary of the PyPI package: next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def _wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: {_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{proc.args[0]} did not answer {url} within {seconds} s: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return "(no log)"


def _die_with_parent() -> None:
    """In the child: ask Linux to stop it when the test process dies, however it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Server:
    kind: str
    base: str  # http://127.0.0.1:PORT
    proc: subprocess.Popen
    folder: Path
    extra: dict = field(default_factory=dict)

    # Where each server takes queries, updates and Graph Store Protocol requests.
    @property
    def query_url(self) -> str:
        return self.base + ("/query" if self.kind == "oxigraph" else "/sparql")

    @property
    def update_url(self) -> str:
        return self.base + ("/update" if self.kind == "oxigraph" else "/sparql-auth")

    @property
    def graph_store_url(self) -> str:
        return self.base + ("/store" if self.kind == "oxigraph" else "/sparql-graph-crud-auth")

    @property
    def auth(self) -> dict:
        """Keyword arguments for a client: Virtuoso writes only through digest auth."""
        if self.kind == "virtuoso":
            return {"user": VIRTUOSO_USER, "password": VIRTUOSO_PASSWORD, "auth": "digest"}
        return {}

    def stop(self) -> None:
        _stop(self.proc)


def start_oxigraph(folder: Path, union_default_graph: bool = False) -> Server:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is missing (pip install oxigraph)")
    port = free_port()
    log = folder / "oxigraph.log"
    args = [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        args.append("--union-default-graph")
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/query?query=" + urllib.parse.quote("ASK {}"), proc, log, 120)
    except Exception:
        _stop(proc)
        raise
    return Server("oxigraph", base, proc, folder, {"union_default_graph": union_default_graph})


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage        = TempDatabase
[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{isql_port}
DisableUnixSocket  = 1
DirsAllowed        = ., {load}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
CheckpointInterval = 0
[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {vsp}
MaxClientConnections = 10
ServerThreads      = 10
[SPARQL]
ResultSetMaxRows   = {max_rows}
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 400
DefaultQuery       = SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1
"""


def isql(server: Server, sql: str) -> str:
    """Run SQL through isql-vt as dba; raise with its output when it reports an error."""
    port = server.extra["isql_port"]
    r = subprocess.run(["isql-vt", f"127.0.0.1:{port}", "dba", "dba", f"exec={sql}"],
                       capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    if r.returncode != 0 or "*** Error" in out:
        raise RuntimeError(f"isql-vt failed on {sql!r}: {out}")
    return out


def start_virtuoso(folder: Path, max_rows: int = 1_000_000) -> Server:
    binary = shutil.which("virtuoso-t")
    if binary is None or shutil.which("isql-vt") is None:
        pytest.skip("Virtuoso is missing (Debian package virtuoso-opensource: virtuoso-t, isql-vt)")
    last_error = None
    for _ in range(3):  # a free port can be taken by someone else before Virtuoso binds it
        db, load = folder / "db", folder / "load"
        shutil.rmtree(db, ignore_errors=True)
        db.mkdir(parents=True)
        load.mkdir(exist_ok=True)
        isql_port, http_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(db=db, load=load, isql_port=isql_port, http_port=http_port,
                                           vsp=VSP_ROOT, max_rows=max_rows))
        log = folder / "virtuoso.out"
        with open(log, "wb") as out:
            proc = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=folder,
                                    stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        base = f"http://127.0.0.1:{http_port}"
        server = Server("virtuoso", base, proc, folder, {"isql_port": isql_port, "max_rows": max_rows})
        try:
            _wait_http(base + "/sparql?query=" + urllib.parse.quote("ASK {}"), proc, db / "virtuoso.log", 180)
            # A user of our own for updates and the Graph Store Protocol, over digest auth.
            isql(server, f"DB.DBA.USER_CREATE ('{VIRTUOSO_USER}', '{VIRTUOSO_PASSWORD}'); "
                         f"GRANT SPARQL_UPDATE TO \"{VIRTUOSO_USER}\";")
            return server
        except Exception as e:  # noqa: BLE001 (retried, then raised)
            last_error = e
            _stop(proc)
    raise RuntimeError(f"Virtuoso did not start: {last_error}")


class Servers:
    """Servers started on demand, one per (kind, key), stopped together."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="pwc-kg-servers-"))
        self.running: dict[tuple, Server] = {}
        self.failed: dict[tuple, str] = {}  # a server that did not start is not started again by every test

    def _start(self, k: tuple, folder: Path, start) -> Server:
        if k in self.failed:
            raise RuntimeError(self.failed[k])
        if k not in self.running:
            folder.mkdir(exist_ok=True)  # left behind by a start that was skipped or failed
            try:
                self.running[k] = start(folder)
            except Exception as e:  # noqa: BLE001 (remembered, then raised: pytest's skip is no Exception)
                self.failed[k] = f"{k[0]} did not start (first try in this run): {e}"
                raise
        return self.running[k]

    def oxigraph(self, key: str, union_default_graph: bool = False) -> Server:
        k = ("oxigraph", key, union_default_graph)
        folder = self.root / f"oxigraph-{key}-{'union' if union_default_graph else 'plain'}"
        return self._start(k, folder, lambda f: start_oxigraph(f, union_default_graph))

    def virtuoso(self, key: str, max_rows: int = 1_000_000) -> Server:
        k = ("virtuoso", key, max_rows)
        return self._start(k, self.root / f"virtuoso-{key}-{max_rows}", lambda f: start_virtuoso(f, max_rows))

    def stop_all(self) -> None:
        for server in self.running.values():
            server.stop()
        self.running.clear()
        shutil.rmtree(self.root, ignore_errors=True)


_SERVERS: Servers | None = None


@pytest.fixture(scope="session")
def servers():
    """The per-process server pool (shared by every module that imports this fixture)."""
    global _SERVERS
    if _SERVERS is None:
        _SERVERS = Servers()
    yield _SERVERS
    if _SERVERS is not None:
        _SERVERS.stop_all()
        _SERVERS = None


if __name__ == "__main__":  # start both for manual exploration: python tests/servers.py (stop: kill PID)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    pool = Servers()
    try:
        for s in (pool.oxigraph("manual"), pool.virtuoso("manual", DEBIAN_MAX_ROWS)):
            print(s.kind, s.base, s.extra, flush=True)
        signal.pause()
    finally:
        pool.stop_all()
        os._exit(0)
