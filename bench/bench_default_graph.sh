#!/bin/bash
# The cost of keeping the default graph as a set (bench/RESULTS.md, 2026-12-07), before and after, side by side.
#
#   bash bench/bench_default_graph.sh BEFORE_TREE AFTER_TREE [WORK]
#
# BEFORE_TREE and AFTER_TREE are checkouts (git worktree add /tmp/before COMMIT); each is run with its own code
# (PYTHONPATH=TREE/src) by this repository's virtual environment. Needs about 25 GB in WORK (default /tmp/dg-bench).
set -euo pipefail
before=$1; after=$2; work=${3:-/tmp/dg-bench}
py=$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python
mkdir -p "$work"
[ -d "$work/synth" ] || "$py" "$before/bench/generate_archive.py" --out "$work/synth" --scale 1.0 > "$work/gen.json"
for name in before after; do
  tree=$([ $name = before ] && echo "$before" || echo "$after")
  rm -rf "$work/store-$name"
  PYTHONPATH=$tree/src /usr/bin/time -v "$py" -c "import sys; from pwc_kg.cli import main; sys.exit(main())" \
    build "$work/synth" --store "$work/store-$name" > "$work/build-$name.out" 2> "$work/build-$name.err"
  du -sb "$work/store-$name/current/db" "$work/store-$name/current/" > "$work/size-$name.txt"
  PYTHONPATH=$tree/src "$py" "$tree/bench/bench_queries.py" --store "$work/store-$name" --runs 20 > "$work/q-$name.json"
  PYTHONPATH=$tree/src "$py" - "$work/store-$name" >> "$work/count.txt" <<'PY'
import sys, time, pwc_kg
kg = pwc_kg.open_store(sys.argv[1])
q = "PREFIX pwc: <https://w3id.org/pwc-kg/ontology#> SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?p) AS ?d) WHERE { ?p a pwc:Paper }"
kg.sparql(q)
t = time.perf_counter(); r = kg.sparql(q)[0]; dt = time.perf_counter() - t
print(sys.argv[1], "COUNT(*)", r["n"].value, "papers", r["d"].value, f"{dt * 1000:.0f} ms")
PY
done
grep -E "Elapsed|User time|System time|Maximum resident" "$work"/build-*.err
cat "$work"/size-*.txt "$work/count.txt"
