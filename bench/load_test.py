"""A bounded load test of `pwc-kg serve` on loopback, side by side with Oxigraph server on the same store.

Starts the real server (`pwc-kg serve`, a process of its own, as a user starts it) over a store and
times its first answers after the start; sends a fixed number of requests per case at each
concurrency, and stops by itself. Prints, per case: throughput, p50/p95/p99 latency and errors
(which must be zero: the script exits 1 otherwise, listing the status codes), and the server's RSS
(the process and its query workers) before and after. Then starts Oxigraph server
(`oxigraph serve-read-only`, from the `oxigraph` package of the test extras) on the same store
folder and sends it the same SPARQL for the lookups, so that the two are compared in one run.

    python bench/load_test.py --store pwc-kg-store --requests 400 --concurrency 8 --markdown

The cases are picked from the store (the benchmark with the most results, its task and dataset,
a paper with results), so any store works.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from pwc_kg.queries import load_query
from pwc_kg.queries.binding import bind_values
from pwc_kg.store import StoreDir
from pwc_kg.vocab import PWC, XSD

HTML, TURTLE, SPARQL_JSON = "text/html", "text/turtle", "application/sparql-results+json"


def _one(store: ox.Store, query: str) -> dict:
    rows = list(store.query(query))
    if not rows:
        sys.exit("the store has nothing to load-test: " + query.split("WHERE")[0])
    return {k.value: rows[0][k].value for k in store.query(query).variables if rows[0][k] is not None}


def picks(store_dir: str) -> dict:
    """IRIs the cases use: the longest leaderboard's benchmark, task and dataset, and a paper with results."""
    store = StoreDir(store_dir).open()
    out = _one(store, f"""SELECT ?benchmark ?task ?dataset (COUNT(?r) AS ?n) WHERE {{
        ?r <{PWC.benchmark}> ?benchmark . ?benchmark <{PWC.task}> ?task ; <{PWC.dataset}> ?dataset }}
        GROUP BY ?benchmark ?task ?dataset ORDER BY DESC(?n) LIMIT 1""")
    out.update(_one(store, f"SELECT ?paper WHERE {{ ?r <{PWC.reportedIn}> ?paper ; <{PWC.benchmark}> <{out['benchmark']}> }} LIMIT 1"))
    del store
    return out


def timed(url: str, accept: str) -> tuple[float, float, str | None]:
    """(seconds to the first byte, seconds to the end, None) for a 200, else (..., what went wrong)."""
    req = urllib.request.Request(url, headers={"Accept": accept})
    t = time.perf_counter()
    first = None
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            r.read(1)
            first = time.perf_counter() - t
            r.read()
            error = None if r.status == 200 else str(r.status)
    except urllib.error.HTTPError as e:
        error = str(e.code)
    except (urllib.error.URLError, OSError) as e:
        error = type(e).__name__
    end = time.perf_counter() - t
    return first if first is not None else end, end, error


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (the query workers), in MiB."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, ()))
        try:
            m = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text())
        except OSError:
            continue
        total += int(m[1]) if m else 0
    return total / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, started: float, accept: str = HTML, limit: float = 600) -> float:
    """Seconds from ``started`` to the first 200 of ``url``."""
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            sys.exit(f"the server stopped (exit {proc.returncode}) before answering {url}")
        if timed(url, accept)[2] is None:
            return time.perf_counter() - started
        time.sleep(0.05)
    sys.exit(f"no answer from {url} in {limit:g} s")


def load(name: str, url: str, accept: str, requests: int, concurrency: int) -> dict:
    timed(url, accept)  # warm: the first request opens a worker's store
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        res = list(pool.map(lambda _: timed(url, accept), range(requests)))
    wall = time.perf_counter() - t0
    lat = sorted(r[1] for r in res)
    ttfb = sorted(r[0] for r in res)
    errors = collections.Counter(e for _, _, e in res if e)

    def pct(values, p):
        return 1000 * values[int(p * (len(values) - 1))]

    return {"case": name, "c": concurrency, "rps": requests / wall, "p50": 1000 * statistics.median(lat),
            "p95": pct(lat, 0.95), "p99": pct(lat, 0.99), "ttfb_p95": pct(ttfb, 0.95),
            "errors": ", ".join(f"{n}× {e}" for e, n in errors.items()) or "0"}


def sparql_cases(p: dict) -> dict[str, tuple[str, str]]:
    """The lookups both servers answer: (query text, Accept)."""
    sota = bind_values(load_query("sota").text, {
        "task_iri": ox.NamedNode(p["task"]), "dataset_iri": ox.NamedNode(p["dataset"]),
        "extra": ox.Literal("true", datatype=ox.NamedNode(XSD.boolean))})
    describe = bind_values(load_query("internal/linked-data-description").text, {"s": ox.NamedNode(p["task"])})
    return {"SOTA of the largest benchmark (SPARQL, JSON)": (sota, SPARQL_JSON),
            "description of a task (SPARQL CONSTRUCT, Turtle)": (describe, TURTLE)}


def page_cases(base: str, local, p: dict) -> dict[str, tuple[str, str]]:
    q = urllib.parse.urlencode
    return {
        "home page": (base, HTML),
        "Browse state of the art (/sota)": (base + "sota", HTML),
        "All SotA (/sota/all)": (base + "sota/all", HTML),
        "All SotA, sorted by date, page 3": (base + "sota/all?" + q({"sort": "date", "order": "desc", "page": 3}), HTML),
        "Notable benchmarks": (base + "benchmarks", HTML),
        "task page (largest benchmark's task)": (base + local(p["task"]), HTML),
        "benchmark page (largest leaderboard)": (base + local(p["benchmark"]), HTML),
        "Datasets (/datasets)": (base + "datasets", HTML),
        "Methods (/methods)": (base + "methods", HTML),
        "Papers (/papers)": (base + "papers", HTML),
        "Papers, page 100": (base + "papers?" + q({"page": 100}), HTML),
        "paper page (with related papers)": (base + local(p["paper"]), HTML),
        "search 'image classification'": (base + "search?" + q({"q": "image classification"}), HTML),
        "About": (base + "about", HTML),
        "linked data: a task as Turtle": (base + local(p["task"]), TURTLE),
    }


def start_pwc_kg(store: str, port: int, workers: int, max_concurrent: int, log: Path) -> subprocess.Popen:
    """``pwc-kg serve`` in a process of its own; what it logs goes to ``log`` (a pipe nobody reads would fill and stop it)."""
    exe = shutil.which("pwc-kg") or str(Path(sys.executable).with_name("pwc-kg"))
    with open(log, "wb") as out:
        # All the clients come from one address: let it have as many requests in progress as there are clients.
        return subprocess.Popen([exe, "serve", "--store", store, "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(workers), "--max-concurrent", str(max_concurrent),
                                 "--threads", str(max_concurrent // 2 + 4), "--max-client-requests",
                                 str(max_concurrent // 2)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--requests", type=int, default=400, help="requests per case and concurrency")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[8])
    ap.add_argument("--workers", type=int, default=2, help="the server's query workers")
    ap.add_argument("--no-oxigraph", action="store_true", help="do not compare with Oxigraph server")
    ap.add_argument("--only", help="only the cases whose name contains this")
    ap.add_argument("--log", default="load-test-server.log", help="where the server's log goes")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)

    # Killed (a timeout, ^C from a shell), the servers are still stopped: they run in sessions of their own.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("load_test: terminated"))
    p = picks(args.store)
    gen = StoreDir(args.store).require_current()
    rows, notes = [], []
    port = free_port()
    started = time.perf_counter()
    log = Path(args.log)
    proc = start_pwc_kg(args.store, port, args.workers, max(args.concurrency) * 2, log)
    base = f"http://127.0.0.1:{port}/"
    try:
        first = wait_for(base, proc, started)
        notes.append(f"pwc-kg serve: first answer (home page) {first:.2f} s after the start")
        for path in ("sota/all", "search?q=imagenet", ".well-known/void"):
            notes.append(f"pwc-kg serve: /{path} answered {wait_for(base + path, proc, started, 'text/turtle' if 'void' in path else HTML):.2f} s after the start")
        rss_before = rss_mib(proc.pid)

        def local(iri: str) -> str:
            m = re.match(r"https?://[^/]+/(?:pwc-kg/resource/)?(.*)$", iri)
            return m[1] if m else iri

        cases = {**page_cases(base, local, p),
                 **{f"{name} on pwc-kg /sparql": (base + "sparql?" + urllib.parse.urlencode({"query": text}), accept)
                    for name, (text, accept) in sparql_cases(p).items()}}
        for name, (url, accept) in cases.items():
            if args.only and args.only not in name:
                continue
            for c in args.concurrency:
                rows.append(load(name, url, accept, args.requests, c))
                print(f"  {rows[-1]}", file=sys.stderr)
        rss_after = rss_mib(proc.pid)
        notes.append(f"pwc-kg serve RSS (server and its query workers): {rss_before:.0f} MiB before the load, "
                     f"{rss_after:.0f} MiB after")
    finally:
        stop(proc)

    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not args.no_oxigraph and Path(oxigraph).exists():
        port = free_port()
        started = time.perf_counter()
        ox_proc = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(gen / "db"),
                                    "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        obase = f"http://127.0.0.1:{port}/"
        try:
            first = wait_for(obase + "query?query=ASK%7B%7D", ox_proc, started, SPARQL_JSON)
            notes.append(f"Oxigraph server: first answer {first:.2f} s after the start")
            before = rss_mib(ox_proc.pid)
            for name, (text, accept) in sparql_cases(p).items():
                if args.only and args.only not in name:
                    continue
                for c in args.concurrency:
                    rows.append(load(f"{name} on Oxigraph server", obase + "query?" + urllib.parse.urlencode({"query": text}),
                                     accept, args.requests, c))
                    print(f"  {rows[-1]}", file=sys.stderr)
            notes.append(f"Oxigraph server RSS: {before:.0f} MiB before the load, {rss_mib(ox_proc.pid):.0f} MiB after")
        finally:
            stop(ox_proc)

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    machine = f"{os.cpu_count()} cores, {mem:.0f} GiB, {platform.python_implementation()} {platform.python_version()}"
    head = (f"Machine: {machine}; load average at the end {os.getloadavg()[0]:.1f}; store {args.store} "
            f"(generation {gen.name}); {args.requests} requests per row; largest benchmark {p['benchmark']} "
            f"({p['n']} results)")
    if args.markdown:
        print(head + "\n")
        for n in notes:
            print(f"- {n}")
        print("\n| request | clients | req/s | p50 ms | p95 ms | p99 ms | first byte p95 ms | errors |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['case']} | {r['c']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
                  f"{r['ttfb_p95']:.1f} | {r['errors']} |")
        ratios = []
        for name in sparql_cases(p):
            for c in args.concurrency:
                ours = [r for r in rows if r["case"] == f"{name} on pwc-kg /sparql" and r["c"] == c]
                theirs = [r for r in rows if r["case"] == f"{name} on Oxigraph server" and r["c"] == c]
                if ours and theirs:
                    ratios.append(f"{name}, {c} clients: pwc-kg {ours[0]['rps']:.0f} req/s, Oxigraph server "
                                  f"{theirs[0]['rps']:.0f} req/s: {ours[0]['rps'] / theirs[0]['rps']:.2f}×")
        if ratios:
            print("\nThroughput against Oxigraph server on the same store, same queries:\n")
            for line in ratios:
                print(f"- {line}")
    else:
        print(head)
        for n in notes:
            print(n)
        for r in rows:
            print(f"{r['case']:58} c={r['c']:<3} {r['rps']:7.1f} req/s  p50 {r['p50']:7.1f}  p95 {r['p95']:7.1f}  "
                  f"p99 {r['p99']:7.1f} ms  errors {r['errors']}")
    return 1 if any(r["errors"] != "0" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
