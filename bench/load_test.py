"""A bounded load test of `pwc-kg serve` on loopback.

Starts the real server (waitress + query workers) over a store, sends a fixed number of requests
per case at each concurrency, and stops by itself. Prints throughput, p50/p99 latency and errors
(which must be zero) for a linked-data lookup, a SOTA query through /sparql, and two pages.

    python bench/load_test.py --store pwc-kg-store --requests 400 --concurrency 1 4 16 --markdown

The cases use the benchmark with the most results in the store (its SOTA; its task's page), so any store works.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import logging
import os
import platform
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from pwc_kg.queries import load_query
from pwc_kg.queries.binding import bind_values
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer
from pwc_kg.store import StoreDir
from pwc_kg.vocab import PWC, XSD

BUSIEST_BENCHMARK = f"""
SELECT ?task ?dataset (COUNT(?r) AS ?n) WHERE {{ ?r <{PWC.benchmark}> ?b . ?b <{PWC.task}> ?task ; <{PWC.dataset}> ?dataset }}
GROUP BY ?b ?task ?dataset ORDER BY DESC(?n) LIMIT 1
"""


def busiest_benchmark(store_dir: str) -> tuple[str, str]:
    """(task IRI, dataset IRI) of the benchmark with the most results: the longest leaderboard."""
    store = StoreDir(store_dir).open()
    rows = list(store.query(BUSIEST_BENCHMARK))  # the default graph: the set union of the named graphs
    if not rows:
        sys.exit(f"{store_dir}: the store has no benchmarks to load-test")
    return rows[0]["task"].value, rows[0]["dataset"].value


def timed(url: str, accept: str) -> tuple[float, str | None]:
    """(seconds, None) for a 200, else (seconds, what went wrong)."""
    req = urllib.request.Request(url, headers={"Accept": accept})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            error = None if r.status == 200 else str(r.status)
    except urllib.error.HTTPError as e:
        error = str(e.code)
    except (urllib.error.URLError, OSError) as e:
        error = type(e).__name__
    return time.perf_counter() - t, error


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--requests", type=int, default=400, help="requests per case and concurrency")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--workers", type=int, default=2, help="the server's query workers")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # 'Task queue depth' is the load itself

    task, dataset = busiest_benchmark(args.store)
    sota = bind_values(load_query("sota").text, {
        "task_iri": ox.NamedNode(task), "dataset_iri": ox.NamedNode(dataset),
        "extra": ox.Literal("true", datatype=ox.NamedNode(XSD.boolean))})
    config = ServeConfig(store=args.store, port=0, workers=args.workers,
                         max_concurrent=max(args.concurrency) * 2)
    with BackgroundServer(config) as server:
        base = server.url
        task_path = server.app.site.local_path(task)
        cases = {
            "lookup (Turtle of a task)": (base + task_path.lstrip("/"), "text/turtle"),
            "SOTA of a benchmark (/sparql, JSON)": (base + "sparql?" + urllib.parse.urlencode({"query": sota}),
                                           "application/sparql-results+json"),
            "task page (HTML)": (base + task_path.lstrip("/"), "text/html"),
            "home page (HTML)": (base, "text/html"),
        }
        rows = []
        for name, (url, accept) in cases.items():
            timed(url, accept)  # warm: the first request opens the worker's store
            for c in args.concurrency:
                t0 = time.perf_counter()
                with concurrent.futures.ThreadPoolExecutor(c) as pool:
                    res = list(pool.map(lambda _: timed(url, accept), range(args.requests)))
                wall = time.perf_counter() - t0
                lat = sorted(r[0] for r in res)
                errors = collections.Counter(e for _, e in res if e)
                rows.append((name, c, args.requests / wall, 1000 * statistics.median(lat),
                             1000 * lat[int(0.99 * (len(lat) - 1))],
                             ", ".join(f"{n}× {e}" for e, n in errors.items()) or "0"))
    machine = f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.python_implementation()} {platform.python_version()}"
    if args.markdown:
        print(f"Machine: {machine}; store {args.store}; {args.requests} requests per row; task {task}, dataset {dataset}\n")
        print("| request | concurrency | req/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|")
        for name, c, rps, p50, p99, err in rows:
            print(f"| {name} | {c} | {rps:.0f} | {p50:.1f} | {p99:.1f} | {err} |")
    else:
        print(machine)
        for name, c, rps, p50, p99, err in rows:
            print(f"{name:32} c={c:<3} {rps:7.1f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  errors {err}")
    return 1 if any(r[-1] != "0" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
