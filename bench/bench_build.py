"""Time ``pwc-kg build`` on a synthetic archive at one or more scales.

    python bench/bench_build.py --scale 0.01 --scale 0.1 --scale 1.0 [--work /tmp/pwc-bench] [--markdown]

For each scale it generates the archive (once; kept in the work folder), then runs
``pwc-kg build`` in its own process under ``/usr/bin/time -v`` (or resource accounting when that
is missing) and prints wall time, records/s, triples/s, peak RSS, store size and the build's own
phase timings (map and load, validation, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def generate(scale: float, work: Path) -> Path:
    out = work / f"archive-{scale:g}"
    if not (out / "papers-with-abstracts.json.gz").exists():
        subprocess.run([sys.executable, str(HERE / "generate_archive.py"), "--out", str(out), "--scale", str(scale)],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_build(archive: Path, store: Path) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    cmd = [sys.executable, "-m", "pwc_kg", "build", str(archive), "--store", str(store), "--format", "json"]
    timed = ["/usr/bin/time", "-v", *cmd] if Path("/usr/bin/time").exists() else cmd
    t0 = time.perf_counter()
    proc = subprocess.run(timed, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    rss = int(m.group(1)) * 1024 if m else None
    gen = store / "current"
    return {
        "wall_s": round(wall, 1),
        "records": report["records"],
        "triples": report["triples"],
        "rejects": report["rejects"],
        "violations": report["violations"],
        "peak_rss_mib": round(rss / 2**20) if rss else None,
        "store_mib": round(du(gen.resolve() / "db") / 2**20),
        "phases_s": report["seconds"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, action="append", help="archive scale (repeatable; default 0.01)")
    ap.add_argument("--work", default="/tmp/pwc-bench", help="folder for archives and stores")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for scale in args.scale or [0.01]:
        archive = generate(scale, work)
        result = run_build(archive, work / f"store-{scale:g}")
        result["scale"] = scale
        result["records_per_s"] = round(result["records"] / result["wall_s"])
        result["triples_per_s"] = round(result["triples"] / result["wall_s"])
        rows.append(result)
        print(json.dumps(result), file=sys.stderr)
    machine = f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    if args.markdown:
        print(f"Machine: {machine}. Command: `python bench/bench_build.py "
              + " ".join(f"--scale {r['scale']:g}" for r in rows) + " --markdown`\n")
        print("| scale | records | triples | wall s | records/s | triples/s | peak RSS MiB | store MiB | map+load s | validate s |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            p = r["phases_s"]
            print(f"| {r['scale']:g} | {r['records']:,} | {r['triples']:,} | {r['wall_s']} | {r['records_per_s']:,} | "
                  f"{r['triples_per_s']:,} | {r['peak_rss_mib']} | {r['store_mib']} | {p.get('map_and_load')} | "
                  f"{p.get('validate')} |")
    else:
        print(json.dumps({"machine": machine, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
