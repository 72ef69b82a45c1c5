"""How long each kind of page takes to render on a store, through the server's own query workers.

    python bench/page_timing.py STORE [--repeat 5] [--sample 5]

Prints the search index's build (or reuse) time, then per kind of page the median and the
slowest render over a sample of entities (the biggest benchmarks, the papers, models and tasks
with the most results, and the first of the other kinds), each rendered ``--repeat`` times.
"""

from __future__ import annotations

import argparse
import statistics
import time

from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.executor import QueryExecutor
from pwc_kg.serve.pages import Pages
from pwc_kg.serve.site import Site
from pwc_kg.store import StoreDir
from pwc_kg.vocab import PWC

# The entities each kind of page is timed on: the ones with the most results first.
_SAMPLES = {
    "paper": f"SELECT ?x (COUNT(?r) AS ?n) WHERE {{ ?r <{PWC.reportedIn}> ?x }} GROUP BY ?x ORDER BY DESC(?n) LIMIT N",
    "model": f"SELECT ?x (COUNT(?r) AS ?n) WHERE {{ ?r <{PWC.model}> ?x }} GROUP BY ?x ORDER BY DESC(?n) LIMIT N",
    "benchmark": (f"SELECT ?x (MAX(?c) AS ?n) WHERE {{ ?b <{PWC.onBenchmark}> ?x ; <{PWC.resultCount}> ?c }} "
                  "GROUP BY ?x ORDER BY DESC(?n) LIMIT N"),
    "task": f"SELECT ?x (COUNT(?b) AS ?n) WHERE {{ ?b <{PWC.task}> ?x }} GROUP BY ?x ORDER BY DESC(?n) LIMIT N",
    "dataset": f"SELECT ?x (COUNT(?b) AS ?n) WHERE {{ ?b <{PWC.dataset}> ?x }} GROUP BY ?x ORDER BY DESC(?n) LIMIT N",
    "metric": f"SELECT ?x (COUNT(?b) AS ?n) WHERE {{ ?b <{PWC.byMetric}> ?x }} GROUP BY ?x ORDER BY DESC(?n) LIMIT N",
    "method": f"SELECT ?x WHERE {{ ?x a <{PWC.Method}> }} LIMIT N",
    "result": f"SELECT ?x WHERE {{ ?x a <{PWC.EvaluationResult}> }} LIMIT N",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sample", type=int, default=5)
    args = ap.parse_args(argv)
    config = ServeConfig(store=args.store, workers=2, query_timeout=300, max_rows=10_000_000)
    with QueryExecutor(StoreDir(args.store), config) as executor:
        site = Site(StoreDir(args.store), executor, config)
        started = time.perf_counter()
        pages = Pages(site)
        index = pages.search_index(wait=3600)
        print(f"search index: ready in {time.perf_counter() - started:.1f} s ({index.size():,} entries)")
        paths = {"home": ["/"], "search": ["/search?q=learning", "/search?q=image+classification"],
                 "query": ["/query"]}
        for kind, q in _SAMPLES.items():
            rows = site.select(q.replace("LIMIT N", f"LIMIT {args.sample}"), timeout=300)
            paths[kind] = [site.local_path(r["x"].value) for r in rows if site.local_path(r["x"].value)]
        print(f"{'page':<10} {'n':>3} {'median ms':>10} {'max ms':>10}  slowest")
        for kind, kind_paths in paths.items():
            times = []
            for path in kind_paths:
                p, _, qs = path.partition("?")
                params = {k: [v.replace("+", " ")] for k, v in (kv.split("=", 1) for kv in qs.split("&") if kv)}
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    out = pages.render(p, params)
                    times.append((1000 * (time.perf_counter() - t), path))
                    assert out is not None and out[0] == 200, (path, out and out[0])
            if times:
                ms = [t for t, _ in times]
                print(f"{kind:<10} {len(kind_paths):>3} {statistics.median(ms):>10.1f} {max(ms):>10.1f}  {max(times)[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
