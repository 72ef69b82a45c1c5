"""The questions issue 15 sets targets for, timed on a built store (warm, one process, median and p95):

    python bench/bench_site.py --store /tmp/full/store [--runs 20] [--markdown]

- ``sota_all``: every benchmark's state of the art, from the catalogue (``kg.sota_all()``), beside the same
  question asked of the store in SPARQL (``queries/sota-all.rq``);
- ``sota`` on the largest leaderboard (task, dataset and metric named), and on its task alone;
- the first page of the largest leaderboard: the benchmark page rendered through the server's query workers
  (its SPARQL and SQL), and the catalogue's read of its ranked results alone;
- how long the generation's catalogue and search index took to make (``build.json``, or the ``meta`` table);
  ``--prepare`` makes them again and times that.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time


import pwc_kg
from pwc_kg import questions as q
from pwc_kg.catalogue import ranks
from pwc_kg.queries import load_query, run_query
from pwc_kg.vocab import PWC

LARGEST = f"""SELECT ?benchmark ?t ?d ?m ?n WHERE {{
  ?board <{PWC.onBenchmark}> ?benchmark ; <{PWC.byMetric}> ?m ; <{PWC.resultCount}> ?n ;
         <{PWC.includesExtraTrainingData}> true ; <{PWC.higherIsBetter}> ?h .
  ?benchmark <{PWC.task}> ?t ; <{PWC.dataset}> ?d }} ORDER BY DESC(?n) LIMIT 1"""


def timed(fn, runs: int) -> dict:
    fn()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2)}


def measure(store: str, runs: int) -> dict:
    kg = pwc_kg.open_store(store)
    cat = kg.catalogue()
    row = kg.sparql(LARGEST)[0]
    bench, t, d, m, n = (row[k].value for k in ("benchmark", "t", "d", "m", "n"))
    out = {"largest": {"benchmark": bench, "task": t, "dataset": d, "metric": m, "results": int(n)}}
    out["sota_all_rows"] = len(kg.sota_all())
    out["sota_all (catalogue)"] = timed(lambda: kg.sota_all(), runs)
    every = load_query("sota-all")
    out["sota-all.rq (SPARQL)"] = timed(lambda: run_query(kg.backend, every, {"extra": "true"}), min(runs, 3))
    out["sota, largest leaderboard"] = timed(lambda: q.sota(kg.backend, t, d, m), runs)
    out["sota, its task alone"] = timed(lambda: q.sota(kg.backend, t), min(runs, 5))
    out["leaderboard's first page of 100 (catalogue ranks)"] = timed(
        lambda: ranks.page(cat, bench, m, True, 100, 0), runs)
    out["benchmark page, first page (rendered, via the query workers)"] = _page(store, bench, runs)
    out["catalogue_seconds"] = cat.meta("seconds")
    return out


def _page(store: str, bench: str, runs: int) -> dict:
    from pwc_kg.serve.config import ServeConfig
    from pwc_kg.serve.executor import QueryExecutor
    from pwc_kg.serve.pages import Pages
    from pwc_kg.serve.site import Site
    from pwc_kg.store import StoreDir

    config = ServeConfig(store=store)
    with QueryExecutor(StoreDir(store), config) as executor:
        pages = Pages(Site(StoreDir(store), executor, config))
        path = pages.site.local_path(bench)
        status = pages.render(path, {})[0]
        assert status == 200, status
        return timed(lambda: pages.render(path, {}), runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--prepare", action="store_true",
                    help="only make the current generation's catalogue and search index again, and say how long it took")
    args = ap.parse_args()
    if args.prepare:
        from pwc_kg import catalogue
        from pwc_kg.store import StoreDir

        gen = StoreDir(args.store).require_current()
        started = time.perf_counter()
        seconds = catalogue.prepare(StoreDir(args.store).open(), gen)
        print(json.dumps({"seconds": round(time.perf_counter() - started, 1), "parts": seconds}, indent=2))
        return
    out = measure(args.store, args.runs)
    if not args.markdown:
        print(json.dumps(out, indent=2))
        return
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"Machine: {os.cpu_count()} cores, {mem:.0f} GiB, {platform.python_implementation()} "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f}; store {args.store}; largest leaderboard "
          f"{out['largest']['results']:,} results; {out['sota_all_rows']:,} rows of every SOTA\n")
    print("| question | median ms | p95 ms |\n|---|---:|---:|")
    for name, v in out.items():
        if isinstance(v, dict) and "median_ms" in v:
            print(f"| {name} | {v['median_ms']:,} | {v['p95_ms']:,} |")
    print(f"\nCatalogue tables, seconds to make each (two at a time, with the search index beside them): "
          f"{json.dumps(out['catalogue_seconds'])}")


if __name__ == "__main__":
    main()
