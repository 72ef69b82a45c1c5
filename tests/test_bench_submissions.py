"""bench/bench_submissions.py times what it says: its accepts land on the benchmarks it picked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pwc_kg
from conftest import LAMINI

ROOT = Path(__file__).resolve().parents[1]


def test_the_submissions_bench_accepts_into_the_benchmarks_it_names(tmp_path):
    store = tmp_path / "store"
    pwc_kg.build([str(LAMINI)], store)
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_submissions.py"), "--store", str(store),
                          "--runs", "2", "--archive", str(LAMINI)], capture_output=True, text=True, check=True)
    out = json.loads(run.stdout)
    kg = pwc_kg.open_store(store)
    for pick in ("largest", "median"):
        b = out[pick]
        assert b["accept"]["runs"] == 2 and b["accept"]["median_s"] > 0
        rows = kg.leaderboard(b["task"], b["dataset"], b["metric"])
        ours = [r for r in rows if r["model"].startswith(f"Bench Submission {pick} ")]
        assert len(ours) == 2 and all(r["rank"] is not None for r in ours)
    assert out["build_after_accepts"]["mode"] == "incremental" and out["build_after_accepts"]["derived_kept"]
