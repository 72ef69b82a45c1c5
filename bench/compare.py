#!/usr/bin/env python3
"""pwc-kg against the naive pipeline, side by side, on the same synthetic archive at several sizes.

    python bench/compare.py --scale 0.01 --scale 0.1 --scale 1 [--scale 3] [--naive-max-scale 1]
                            [--parquet-max-scale 1] [--work /tmp/pwc-compare] [--runs 30]

For each scale, in this one process tree: generate the archive (``generate_archive.py``, kept in
``--work``; with its Parquet copies up to ``--parquet-max-scale``), then, each in a child process whose
wall time and peak RSS (``wait4``) are measured,
- ``pwc-kg build`` of the JSON files (and of the Parquet copies);
- the naive pipeline (``bench_naive.py build``: json.load, rdflib, N-Triples, pyoxigraph), up to
  ``--naive-max-scale``, stopped after ``--naive-timeout`` seconds or above ``--naive-max-rss-gib``
  (both reported as "did not finish");
- the questions on each store: ``bench_queries.py`` on pwc-kg's (SOTA, leaderboard, history on the
  largest and a median benchmark, and the SOTA of every benchmark) and the same questions written by
  hand on the naive store (``bench_naive.py query``), each with a time budget.
Stores are deleted once measured (unless ``--keep``). Results go to ``--work``/results.json as they
come; the Markdown tables are printed at the end.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
GIB = 2**30


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def rss_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_child(cmd: list[str], timeout: float | None = None, max_rss: int | None = None) -> dict:
    """Run a command in a child process: wall time, peak RSS (from wait4), stdout, and why it stopped."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
        stopped = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.perf_counter() - t0
            if timeout and elapsed > timeout:
                stopped = f"did not finish in {timeout:.0f} s"
            elif max_rss and rss_of(proc.pid) > max_rss:
                stopped = f"did not finish: above {max_rss / GIB:.0f} GiB RSS after {elapsed:.0f} s"
            if stopped:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    result = {"wall_s": round(wall, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024), "exit": proc.returncode,
              "stdout": stdout}
    if stopped or proc.returncode != 0:
        result["did_not_finish"] = stopped or f"failed (exit {proc.returncode}): {stderr.strip()[-600:]}"
        result["stderr_tail"] = stderr.strip()[-600:]
    return result


def du_mib(path: Path) -> int:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20)


def generate(scale: float, work: Path, parquet: bool) -> Path:
    out = work / f"archive-{scale:g}"
    if not (out / "evaluation-tables.json.gz").exists() or (parquet and not (out / "parquet").exists()):
        log(f"generating the {scale:g} archive{' with Parquet copies' if parquet else ''}")
        cmd = [PY, str(HERE / "generate_archive.py"), "--out", str(out), "--scale", str(scale)]
        subprocess.run(cmd + (["--parquet"] if parquet else []), check=True, stdout=subprocess.DEVNULL)
    return out


def pwc_build(source: Path, store: Path) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    # --allow-unread: the JSON archive folder holds its Parquet copies in parquet/, a folder the build lists, not reads
    r = run_child([PY, "-m", "pwc_kg", "build", str(source), "--store", str(store), "--format", "json", "--allow-unread"])
    if "did_not_finish" in r:
        raise SystemExit(f"pwc-kg build of {source} failed: {r['did_not_finish']}")
    report = json.loads(r.pop("stdout"))
    r.update(triples=report["triples"], records=report["records"], rejects=report["rejects"],
             violations=report["violations"], phases_s=report["seconds"],
             store_mib=du_mib((store / "current").resolve() / "db"))
    return r


def naive_build(archive: Path, store: Path, timeout: float, max_rss: int) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    r = run_child([PY, str(HERE / "bench_naive.py"), "build", str(archive), "--store", str(store)], timeout, max_rss)
    stdout = r.pop("stdout")
    if "did_not_finish" not in r:
        report = json.loads(stdout)
        r.update(triples=report["triples"], phases_s=report["seconds"], store_mib=du_mib(store))
    return r


def pwc_queries(store: Path, runs: int) -> dict:
    r = run_child([PY, str(HERE / "bench_queries.py"), "--store", str(store), "--runs", str(runs)])
    if "did_not_finish" in r:
        raise SystemExit(f"bench_queries.py failed: {r['did_not_finish']}")
    return json.loads(r["stdout"])


def naive_queries(store: Path, picks: dict, runs: int, timeout: float) -> dict:
    out: dict = {}
    jobs = [(label, name, pick) for label, pick in picks.items() for name in ("sota", "leaderboard", "history")]
    jobs.append(("sota_of_every_benchmark", "sota_all", None))
    for label, name, pick in jobs:
        cmd = [PY, str(HERE / "bench_naive.py"), "query", name, "--store", str(store), "--runs", str(runs),
               "--budget", str(timeout / 2)]
        if pick:
            cmd += ["--pick", json.dumps(pick)]
        r = run_child(cmd, timeout)
        key = name if pick else "all"
        out.setdefault(label, {})[key] = (json.loads(r["stdout"]) if "did_not_finish" not in r
                                          else {"did_not_finish": r["did_not_finish"]})
    return out


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    return f"{os.cpu_count()} cores (nproc), {mem:.1f} GiB memory, {'swap' if _swap() else 'no swap'}"


def _swap() -> bool:
    try:
        return any(line.split()[1] != "0" for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("SwapTotal"))
    except (OSError, IndexError):
        return False


# ----------------------------------------------------------------------------- tables


def _n(x) -> str:
    return f"{x:,}" if isinstance(x, int) else (f"{x:,.1f}" if isinstance(x, float) else str(x))


def _pct(scale: float) -> str:
    return f"{scale * 100:g}%"


def _ratio(a, b) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def build_table(results: list[dict]) -> str:
    lines = ["| size | pipeline | wall s | triples | triples/s | peak RSS MiB | store MiB |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        size = _pct(r["scale"])
        rows = [("pwc-kg (JSON)", r["pwc"])]
        if "pwc_parquet" in r:
            rows.append(("pwc-kg (Parquet)", r["pwc_parquet"]))
        if "naive" in r:
            rows.append(("naive", r["naive"]))
        for name, m in rows:
            if "did_not_finish" in m:
                lines.append(f"| {size} | {name} | {m['did_not_finish']} | | | {_n(m['peak_rss_mib'])} | |")
                continue
            lines.append(f"| {size} | {name} | {m['wall_s']:.1f} | {_n(m['triples'])} | "
                         f"{_n(round(m['triples'] / m['wall_s']))} | {_n(m['peak_rss_mib'])} | {_n(m['store_mib'])} |")
        naive = r.get("naive")
        if naive and "did_not_finish" not in naive:
            p = r["pwc"]
            lines.append(f"| {size} | **pwc-kg / naive** | {_ratio(p['wall_s'], naive['wall_s'])} | "
                         f"{_ratio(p['triples'], naive['triples'])} | "
                         f"{_ratio(p['triples'] / p['wall_s'], naive['triples'] / naive['wall_s'])} | "
                         f"{_ratio(p['peak_rss_mib'], naive['peak_rss_mib'])} | {_ratio(p['store_mib'], naive['store_mib'])} |")
    return "\n".join(lines)


def _ms(m: dict | None) -> str:
    if not m:
        return "–"
    if "did_not_finish" in m:
        return m["did_not_finish"]
    notes = [f"{m['rows']:,} rows"] if "rows" in m and "results" not in m else []
    if m.get("runs") and m["runs"] < 30:
        notes.append(f"{m['runs']} runs")
    return f"{m['median_ms']:,.1f} / {m['p95_ms']:,.1f}" + (f" ({', '.join(notes)})" if notes else "")


def query_table(results: list[dict]) -> str:
    lines = ["| size | question | pwc-kg median / p95 ms | naive median / p95 ms |", "|---|---|---:|---:|"]
    for r in results:
        q, nq = r["pwc_queries"], r.get("naive_queries") or {}
        size = _pct(r["scale"])
        for label in ("largest", "median"):
            pick = q["picks"][label]
            what = (f"{label} benchmark ({pick['task']} on {pick['dataset']}, {pick['metric']}: "
                    f"{q[label]['results']:,} results)")
            for name in ("sota", "leaderboard", "history"):
                lines.append(f"| {size} | `{name}`, {what} | {_ms(q[label][name])} | {_ms(nq.get(label, {}).get(name))} |")
        every = q["sota_of_every_benchmark"]
        lines.append(f"| {size} | SOTA of every benchmark ({every['rows']:,} rows) | {_ms(every)} | "
                     f"{_ms(nq.get('sota_of_every_benchmark', {}).get('all'))} |")
    return "\n".join(lines)


def growth_table(results: list[dict]) -> str:
    lines = ["| size | records | triples | build s | peak RSS MiB | store MiB | map+load s | derive s | validate s "
             "| sota / leaderboard / history ms (largest) | SOTA of every benchmark ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in results:
        p, q = r["pwc"], r["pwc_queries"]
        ph = p["phases_s"]
        big = q["largest"]
        lines.append(f"| {_pct(r['scale'])} | {_n(p['records'])} | {_n(p['triples'])} | {p['wall_s']:.1f} | "
                     f"{_n(p['peak_rss_mib'])} | {_n(p['store_mib'])} | {ph.get('map_and_load')} | {ph.get('derive')} | "
                     f"{ph.get('validate')} | {big['sota']['median_ms']:.1f} / {big['leaderboard']['median_ms']:.1f} / "
                     f"{big['history']['median_ms']:.1f} ({big['results']:,} results) | "
                     f"{q['sota_of_every_benchmark']['median_ms']:,.0f} |")
    return "\n".join(lines)


def markdown(results: list[dict], command: str, date: str | None = None) -> str:
    return "\n\n".join([
        f"Measured {date or _dt.date.today().isoformat()} on {machine()}; Python {sys.version.split()[0]}. "
        f"Command: `{command}`",
        "### Build\n\n" + build_table(results),
        "### Questions\n\n" + query_table(results),
        "### Growth (pwc-kg)\n\n" + growth_table(results),
    ])


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, action="append", help="archive scale, repeatable (default 0.01, 0.1)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/pwc-compare"), help="archives, stores and results.json")
    ap.add_argument("--runs", type=int, default=30, help="repeated runs per question")
    ap.add_argument("--naive-max-scale", type=float, default=1.0, help="run the naive pipeline up to this scale")
    ap.add_argument("--naive-timeout", type=float, default=1800, help="seconds before the naive build is stopped")
    ap.add_argument("--naive-max-rss-gib", type=float, default=10, help="RSS above which the naive build is stopped")
    ap.add_argument("--naive-query-timeout", type=float, default=300, help="seconds for each naive question")
    ap.add_argument("--parquet-max-scale", type=float, default=1.0, help="build the Parquet copies up to this scale")
    ap.add_argument("--keep", action="store_true", help="keep the stores")
    ap.add_argument("--tables-from", type=Path, metavar="RESULTS_JSON",
                    help="measure nothing: print the tables of an earlier run's results.json")
    args = ap.parse_args(argv)
    if args.tables_from:
        saved = json.loads(args.tables_from.read_text())
        print(markdown(saved["results"], saved["command"], saved.get("date")))
        return 0
    scales = args.scale or [0.01, 0.1]
    command = "python bench/compare.py " + " ".join(a for a in (argv if argv is not None else sys.argv[1:]))
    args.work.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    for scale in scales:
        parquet = scale <= args.parquet_max_scale
        archive = generate(scale, args.work, parquet)
        r: dict = {"scale": scale}
        store = args.work / f"pwc-{scale:g}"
        log(f"{scale:g}: pwc-kg build (JSON)")
        r["pwc"] = pwc_build(archive, store)
        log(f"{scale:g}: pwc-kg questions")
        r["pwc_queries"] = pwc_queries(store, args.runs)
        if not args.keep:
            shutil.rmtree(store)
        if parquet:
            log(f"{scale:g}: pwc-kg build (Parquet)")
            r["pwc_parquet"] = pwc_build(archive / "parquet", args.work / f"pwc-parquet-{scale:g}")
            if r["pwc_parquet"]["triples"] != r["pwc"]["triples"]:
                raise SystemExit(f"the Parquet build gave {r['pwc_parquet']['triples']} triples, the JSON build "
                                 f"{r['pwc']['triples']}")
            if not args.keep:
                shutil.rmtree(args.work / f"pwc-parquet-{scale:g}")
        if scale <= args.naive_max_scale:
            naive_store = args.work / f"naive-{scale:g}"
            log(f"{scale:g}: naive build")
            r["naive"] = naive_build(archive, naive_store, args.naive_timeout, int(args.naive_max_rss_gib * GIB))
            if "did_not_finish" not in r["naive"]:
                log(f"{scale:g}: naive questions")
                r["naive_queries"] = naive_queries(naive_store, r["pwc_queries"]["picks"], args.runs,
                                                   args.naive_query_timeout)
            else:
                log(f"{scale:g}: naive build {r['naive']['did_not_finish']}")
            if not args.keep:
                shutil.rmtree(naive_store, ignore_errors=True)
                (naive_store.parent / (naive_store.name + ".nt")).unlink(missing_ok=True)
        results.append(r)
        (args.work / "results.json").write_text(json.dumps({"command": command, "machine": machine(),
                                                            "date": _dt.date.today().isoformat(),
                                                            "results": results}, indent=2))
    print(markdown(results, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
