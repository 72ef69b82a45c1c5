#!/bin/bash
# Incremental rebuilds and accepts on a built store (it is changed: use a scratch copy and archive).
#   bench/rebuilds.sh STORE ARCHIVE        e.g. after compare.py --keep: /tmp/pwc-compare/pwc-1 /tmp/pwc-compare/archive-1
# 1. one method's description corrected (methods file rewritten), rebuilt: only methods re-read;
# 2. submissions accepted on the largest and a median benchmark, then a build with nothing changed;
# 3. a new model-card folder (the test fixtures' cards) added to the build.
set -euo pipefail
S=$1; A=$2
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
CARDS=$(mktemp -d)/cards
summary() {
  grep -E "Elapsed|Maximum resident" "$1"
  "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print({k: d.get(k) for k in ('mode', 'reread', 'seconds', 'derived_kept')})" "$S/current/build.json"
}
echo "== $(date -u +%T) methods file corrected"
"$PY" - "$A/methods.json.gz" <<'PY'
import gzip, json, sys
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as f:
    data = json.load(f)
data[0]["description"] = (data[0].get("description") or "") + " (corrected)"
with gzip.open(sys.argv[1], "wt", encoding="utf-8") as f:
    json.dump(data, f)
PY
/usr/bin/time -v "$PY" -m pwc_kg build "$A" --store "$S" > /dev/null 2> /tmp/rebuild.time; summary /tmp/rebuild.time
echo "== $(date -u +%T) submissions and accepts, then a build with nothing changed"
"$PY" bench/bench_submissions.py --store "$S" --runs 2 --archive "$A"
echo "== $(date -u +%T) a new model-card folder"
cp -r tests/fixtures/model-cards "$CARDS"
/usr/bin/time -v "$PY" -m pwc_kg build "$A" "$CARDS" --store "$S" > /dev/null 2> /tmp/rebuild.time; summary /tmp/rebuild.time
