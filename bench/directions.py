"""Direction report: how many leaderboards get a direction, how, how often inference is right.

    python bench/directions.py SOURCE... [--truth bench/direction-truth.csv]

Builds the sources into a temporary store, then prints:

1. benchmark+metric pairs with at least two numeric results, by how their direction was decided
   (table, rule, description, context, inferred, none, unknown), and the share that gets a SOTA;
2. checked against ``--truth`` (metric label → the direction a person checked, for every decision
   not taken from the curated table; a row may name the dataset where one name means two things):
   wrong directions, listed;
3. held-out precision: every metric whose direction the table or the rules give, inferred again
   from its dated results as if its name were unknown (pooled, as the build does), for a sweep of
   thresholds; and the description and context rules on the same held-out leaderboards;
4. the scale slips found.

The shared real files: ``python bench/directions.py ../shared/realdata/sota-extractor/data/tasks``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import pwc_kg
from pwc_kg.derive import directions, inference
from pwc_kg.derive.stored import from_store
from pwc_kg.derive.slips import scale_slips

PAIRS = """PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label ?how ?higher ?task ?dataset WHERE {
  ?board a pwc:Leaderboard ; pwc:includesExtraTrainingData true ; pwc:resultCount ?n ; pwc:byMetric ?m ;
         pwc:directionSource ?how ; pwc:onBenchmark ?b .
  ?m skos:prefLabel ?label . ?b pwc:datasetName ?dataset ; pwc:task/pwc:name ?task .
  OPTIONAL { ?board pwc:higherIsBetter ?higher }
  FILTER(?n >= 2)
}"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="+")
    ap.add_argument("--truth", help="a truth file (metric,dataset,higher_is_better); none: check nothing", default=str(Path(__file__).parents[1] / "tests" / "fixtures" / "sota-extractor" / "direction-truth.csv"))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pwc_kg.build(args.sources, Path(tmp) / "s")
        kg = pwc_kg.open_store(Path(tmp) / "s")
        rows = kg.sparql(PAIRS)
        inputs = from_store(kg.store)
    report_pairs(rows, args.truth)
    report_holdout(inputs)
    report_slips(inputs)
    return 0


def report_pairs(rows, truth_path: str) -> None:
    by = Counter(r["how"].value for r in rows)
    total = sum(by.values())
    ranked = sum(n for how, n in by.items() if how not in (directions.UNKNOWN, directions.NONE))
    print(f"benchmark+metric pairs with >= 2 results: {total}; with a direction (a SOTA): {ranked} "
          f"({100 * ranked / total:.1f}%)")
    for how in directions.SOURCES:
        if by.get(how):
            print(f"  {how:<12}{by[how]:>6}")
    truth = {}
    if truth_path != "none" and Path(truth_path).is_file():
        with open(truth_path, encoding="utf-8") as f:
            truth = {(r["metric"], r["dataset"]): r["higher_is_better"] == "true" for r in csv.DictReader(
                line for line in f if not line.startswith("#"))}
    checked = wrong = 0
    unchecked = set()
    for r in rows:
        how, label = r["how"].value, r["label"].value
        if how in (directions.TABLE, directions.UNKNOWN, directions.NONE, directions.OVERRIDE):
            continue
        higher = r["higher"].value == "true"
        key = (label, r["dataset"].value) if (label, r["dataset"].value) in truth else (label, "")
        if key not in truth:
            unchecked.add(f"{label} ({r['dataset'].value})")
            continue
        checked += 1
        if truth[key] != higher:
            wrong += 1
            print(f"  WRONG: {label} on {r['task'].value} / {r['dataset'].value}: {how} says higher={higher}")
    print(f"decisions not from the table, checked against {Path(truth_path).name}: {checked}, wrong: {wrong}"
          + (f"; not in the truth file: {', '.join(sorted(unchecked))}" if unchecked else ""))


def report_holdout(inputs) -> None:
    boards_of = defaultdict(list)
    for (b, m), rows in inputs.results.items():
        boards_of[m].append((b, rows))
    known = {}
    for m, counts in inputs.spellings.items():
        _, verdict = inference.label_and_verdict(counts)
        if verdict.kind == directions.QUALITY and verdict.higher is not None:
            known[m] = verdict.higher
    print(f"\nheld out: {len(known)} metrics whose name gives the direction ({sum(len(boards_of[m]) for m in known)} "
          "leaderboards), inferred again from dated results")
    print(f"  {'min results':>11} {'min pairs':>9} {'min |conc|':>10} {'decided':>8} {'right':>6} {'wrong':>6} "
          f"{'precision':>9}")
    saved = inference.MIN_RESULTS, inference.MIN_PAIRS, inference.MIN_CONCORDANCE
    for min_results, min_pairs, min_conc in ((3, 3, 0.2), (5, 8, 0.4), (5, 10, 0.4), saved, (8, 20, 0.5),
                                             (10, 30, 0.6)):
        inference.MIN_RESULTS, inference.MIN_PAIRS, inference.MIN_CONCORDANCE = min_results, min_pairs, min_conc
        right = wrong = 0
        for m, higher in known.items():
            ev = inference.evidence([rows for _, rows in boards_of[m]])
            if ev.decisive():
                right += ev.higher() == higher
                wrong += ev.higher() != higher
        decided = right + wrong
        mark = "  <- the build's" if (min_results, min_pairs, min_conc) == saved else ""
        print(f"  {min_results:>11} {min_pairs:>9} {min_conc:>10} {decided:>8} {right:>6} {wrong:>6} "
              f"{(100 * right / decided if decided else 0):>8.1f}%{mark}")
    inference.MIN_RESULTS, inference.MIN_PAIRS, inference.MIN_CONCORDANCE = saved
    # The description and context rules on the same leaderboards, each as if its metric were unknown.
    desc = Counter()
    ctx = Counter()
    metrics_of = defaultdict(set)
    for b, m in inputs.results:
        metrics_of[b].add(m)
    for (b, m) in inputs.results:
        if m not in known:
            continue
        said = inference.description_direction(inputs.descriptions.get(b))
        if said is not None:
            desc["right" if said == known[m] else "wrong"] += 1
        others = {known[o] for o in metrics_of[b] if o != m and o in known}
        if len(others) == 1:
            ctx["right" if others.pop() == known[m] else "wrong"] += 1
    print(f"  description rule on held-out leaderboards: {desc['right']} right, {desc['wrong']} wrong")
    print(f"  context rule (the benchmark's other metrics) on held-out leaderboards: {ctx['right']} right, "
          f"{ctx['wrong']} wrong (the build applies it only to names that read as columns, not measures)")


def report_slips(inputs) -> None:
    found = []
    for (b, m), rows in sorted(inputs.results.items()):
        for result, why in scale_slips(rows).items():
            found.append(why)
    print(f"\nscale slips found: {len(found)}")
    for why in found:
        print(f"  {why}")


if __name__ == "__main__":
    sys.exit(main())
