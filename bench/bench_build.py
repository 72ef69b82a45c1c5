"""Time ``pwc-kg build`` on a synthetic archive at one or more scales.

    python bench/bench_build.py --scale 0.01 --scale 0.1 --scale 1.0 [--work /tmp/pwc-bench] [--markdown]
    python bench/bench_build.py --scale 1.0 --incremental

For each scale it generates the archive (once; kept in the work folder), then runs
``pwc-kg build`` in its own process under ``/usr/bin/time -v`` (or resource accounting when that
is missing) and prints wall time, records/s, triples/s, peak RSS, CPU time, store size and the
build's own phase timings (map and load, validation, ...). With ``--incremental`` it then
corrects one method's description in methods.json.gz and builds again into the same store (an
incremental build: only that file is read again), and once more with nothing changed; the
archive's methods file is put back afterwards.
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


def run_build(archive: Path, store: Path, fresh: bool = True) -> dict:
    if fresh:
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
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    gen = store / "current"
    return {
        "wall_s": round(wall, 1),
        "records": report["records"],
        "triples": report["triples"],
        "rejects": report["rejects"],
        "violations": report["violations"],
        "peak_rss_mib": round(rss / 2**20) if rss else None,
        "cpu_s": round(cpu, 1) if cpu else None,  # user + system, all threads: above wall time = more than one core
        "store_mib": round(du(gen.resolve() / "db") / 2**20),
        "phases_s": report["seconds"],
        "phases_cpu_s": report.get("cpu_seconds"),
        "mode": report.get("mode"),
        "reread": report.get("reread"),
    }


def corrected_methods(archive: Path) -> Path:
    """The archive's methods.json.gz with one description corrected; returns the original's backup."""
    import gzip

    path = archive / "methods.json.gz"
    backup = archive / "methods.json.gz.orig"
    shutil.copy2(path, backup)
    methods = json.loads(gzip.decompress(path.read_bytes()))
    methods[0]["description"] = (methods[0].get("description") or "") + " (corrected)"
    path.write_bytes(gzip.compress(json.dumps(methods).encode(), compresslevel=1, mtime=0))
    return backup


def incremental_runs(archive: Path, store: Path) -> list[dict]:
    """Rebuilds into a built store: after a corrected methods file, then with nothing changed."""
    backup = corrected_methods(archive)
    try:
        runs = [dict(run_build(archive, store, fresh=False), change="methods.json.gz corrected")]
    finally:
        os.replace(backup, archive / "methods.json.gz")
    runs.append(dict(run_build(archive, store, fresh=False), change="methods.json.gz put back"))
    runs.append(dict(run_build(archive, store, fresh=False), change="nothing"))
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, action="append", help="archive scale (repeatable; default 0.01)")
    ap.add_argument("--work", default="/tmp/pwc-bench", help="folder for archives and stores")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--incremental", action="store_true",
                    help="after each full build, time incremental rebuilds (a corrected methods file; nothing changed)")
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
        if args.incremental:
            for run in incremental_runs(archive, work / f"store-{scale:g}"):
                run["scale"] = scale
                print(json.dumps(run), file=sys.stderr)
                result.setdefault("incremental", []).append(run)
    machine = f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    if args.markdown:
        print(f"Machine: {machine}. Command: `python bench/bench_build.py "
              + " ".join(f"--scale {r['scale']:g}" for r in rows)
              + (" --incremental" if args.incremental else "") + " --markdown`\n")
        print("| scale | build | records | triples | wall s | CPU s | records/s | triples/s | peak RSS MiB | store MiB "
              "| map+load s | optimize s | count s | derive s | validate s |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in [run for row in rows for run in [row, *row.get("incremental", [])]]:
            p = r["phases_s"]
            what = "full" if r.get("mode", "full") == "full" else f"incremental: {r['change']}, read {len(r['reread'])}"
            print(f"| {r['scale']:g} | {what} | {r['records']:,} | {r['triples']:,} | {r['wall_s']} | {r['cpu_s']} | "
                  f"{round(r['records'] / r['wall_s']):,} | {round(r['triples'] / r['wall_s']):,} | {r['peak_rss_mib']} | "
                  f"{r['store_mib']} | " + " | ".join(str(p.get(k, "")) for k in
                                                      ("map_and_load", "optimize", "count", "derive", "validate")) + " |")
    else:
        print(json.dumps({"machine": machine, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
