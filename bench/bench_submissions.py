"""Time of submitting and accepting results on a built store (it is changed: use a scratch copy).

    python bench/bench_submissions.py --store /tmp/pwc-compare/store-1 [--runs 3]

For the benchmark with the most results and a median one (as ``bench_queries.py`` picks them), submits
``--runs`` one-row result sets and accepts each, timing ``submit`` (mapped and validated against the
graph it would join) and ``accept`` (validated again, a new generation of hard links, the graph and its
PROV-O inserted, the touched leaderboards recomputed, published). Then times the incremental build that
follows an accept (nothing re-read; the derived graph kept) when ``--archive`` names the store's inputs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import pwc_kg
from pwc_kg.submissions.service import SubmissionService


def boards(store: str) -> list[dict]:
    kg = pwc_kg.open_store(store)
    rows = kg.sparql("""PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?n (SAMPLE(?tn) AS ?task) (SAMPLE(?dn) AS ?dataset) (SAMPLE(?mn) AS ?metric) WHERE {
          ?board pwc:onBenchmark ?bm ; pwc:byMetric ?m ; pwc:resultCount ?n ;
          pwc:includesExtraTrainingData true ; pwc:higherIsBetter ?h . ?bm pwc:task ?t ; pwc:dataset ?d ;
          pwc:datasetName ?dn . ?t pwc:name ?tn . ?m skos:prefLabel ?mn }
        GROUP BY ?t ?d ?m ?n ORDER BY DESC(?n) ?t ?d ?m""")
    del kg
    picks = {"largest": rows[0], "median": rows[len(rows) // 2]}
    return [{"pick": k, "results": int(r["n"].value), "task": r["task"].value, "dataset": r["dataset"].value,
             "metric": r["metric"].value} for k, r in picks.items()]


def payload(board: dict, i: int) -> bytes:
    model = f"Bench Submission {board['pick']} {i} {time.time_ns()}"
    return json.dumps({"task": board["task"], "dataset": board["dataset"],
                       "rows": [{"model_name": model, "metrics": {board["metric"]: "1.5"},
                                 "paper_title": f"{model}: a paper", "paper_date": "2025-01-01"}]}).encode()


def summary(times: list[float]) -> dict:
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3), "runs": len(times)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--archive", help="the store's inputs: time the incremental build after the accepts")
    args = ap.parse_args()
    svc = SubmissionService(args.store, sota_margin=1e9)  # no flags: the bench times the path, not moderation
    out = {}
    for board in boards(args.store):
        submit_s, accept_s = [], []
        for i in range(args.runs):
            t0 = time.perf_counter()
            status, answer = svc.submit(payload(board, i), "application/json", "bench")
            submit_s.append(time.perf_counter() - t0)
            if status != 202:
                raise SystemExit(f"submission refused: {json.dumps(answer)[:2000]}")
            t0 = time.perf_counter()
            svc.accept(answer["id"], "bench")
            accept_s.append(time.perf_counter() - t0)
        out[board["pick"]] = {**board, "submit": summary(submit_s), "accept": summary(accept_s)}
    if args.archive:
        t0 = time.perf_counter()
        report = pwc_kg.build([args.archive], args.store)
        out["build_after_accepts"] = {"wall_s": round(time.perf_counter() - t0, 1), "mode": report.mode,
                                      "reused": len(report.reused), "derived_kept": report.derived_kept}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
