"""Latency of the SOTA questions on a built store: median and p95 of repeated runs.

    python bench/bench_queries.py --store /tmp/pwc-bench/store-1 [--runs 50]

Picks the benchmarks with the most results, and a median one, and times ``sota``,
``leaderboard`` and ``history`` on each (one process, warm store), then the SOTA of every
benchmark (``queries/sota-all.rq``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import pwc_kg
from pwc_kg import questions as q
from pwc_kg.queries import load_query, run_query


def timed(fn, runs: int) -> dict:
    fn()  # first run: caches warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2)}


def measure(store: str, runs: int) -> dict:
    """The timings, and each picked benchmark's task, dataset and metric names (for other stores)."""
    kg = pwc_kg.open_store(store)
    b = kg.backend
    boards = kg.sparql("""PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?t ?d ?m ?n (SAMPLE(?tn) AS ?task) (SAMPLE(?dn) AS ?dataset) (SAMPLE(?mn) AS ?metric) WHERE {
          ?board pwc:onBenchmark ?bm ; pwc:byMetric ?m ; pwc:resultCount ?n ;
          pwc:includesExtraTrainingData true ; pwc:higherIsBetter ?h . ?bm pwc:task ?t ; pwc:dataset ?d ;
          pwc:datasetName ?dn . ?t pwc:name ?tn . ?m skos:prefLabel ?mn }
        GROUP BY ?t ?d ?m ?n ORDER BY DESC(?n) ?t ?d ?m""")
    picks = {"largest": boards[0], "median": boards[len(boards) // 2]}
    out = {"leaderboards": len(boards), "picks": {}}
    for label, row in picks.items():
        t, d, m = row["t"].value, row["d"].value, row["m"].value
        out["picks"][label] = {"task": row["task"].value, "dataset": row["dataset"].value,
                               "metric": row["metric"].value}
        out[label] = {"results": int(row["n"].value),
                      "sota": timed(lambda: q.sota(b, t, d, m), runs),
                      "leaderboard": timed(lambda: q.leaderboard(b, t, d, m), runs),
                      "history": timed(lambda: q.history(b, t, d, m), runs)}
    every = load_query("sota-all")
    n = len(run_query(b, every, {"extra": "true"})[1])
    out["sota_of_every_benchmark"] = {"rows": n, **timed(lambda: run_query(b, every, {"extra": "true"}), min(runs, 5))}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    print(json.dumps(measure(args.store, args.runs), indent=2))


if __name__ == "__main__":
    main()
