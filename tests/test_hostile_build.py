"""Deep JSON in a build (issue 14, section 3): nesting costs memory in proportion to the input, and a
record nested past the limit is refused with its JSON Pointer."""

from __future__ import annotations

import io
import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LAMINI

import pwc_kg
from pwc_kg.sources.archive import MAX_RECORD_DEPTH, _DepthGuard, iter_records
from pwc_kg.sources.kinds import SourceError


def read_all(raw: bytes, limit: int, size: int) -> tuple[object, int]:
    guard = _DepthGuard(io.BytesIO(raw), limit)
    out = b"".join(iter(lambda: guard.read(size), b""))
    return json.loads(out), guard.cut


def test_deep_json_in_a_build_the_guard_passes_any_chunking_unchanged():
    doc = [{"a": 'x[{"]}\\', "b": [[[1, "\\\\", "\\u005b"]]], "c": '\\"[[[', "d": {"e": [{}], "f": "]]]]"}}] * 3
    raw = json.dumps(doc).encode()
    for size in range(1, 40):
        assert read_all(raw, 100, size) == (doc, 0)
        cut, n = read_all(raw, 4, size)
        assert n == 6 and cut[0]["b"] == [["\x00pwc-kg:nested-too-deep"]] and cut[0]["a"] == doc[0]["a"]


MEASURE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from pwc_kg.sources.archive import TooDeep, iter_records
print(" ".join(f"{i}:{r.reason}" for i, r in iter_records(sys.argv[1]) if isinstance(r, TooDeep)) or "read")
# The peak of this process's own memory (VmHWM, KiB): ru_maxrss would count pytest's memory too, which
# Linux carries over from the fork into the exec'd child (813 MiB once, late in a full run).
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def test_deep_json_in_a_build_50000_nested_arrays_read_in_bounded_memory(tmp_path):
    path = tmp_path / "methods.json"
    path.write_bytes(b"[" * 50_001 + b"]" * 50_001)  # 100 KB: 6 GB before, through ijson's prefixes
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    message, peak_kib = out.stdout.splitlines()
    assert message.startswith("0:") and f"nested more than {MAX_RECORD_DEPTH} levels" in message
    assert "/0" + "/0" * (MAX_RECORD_DEPTH - 1) + ":" in message  # the pointer of the value cut
    assert int(peak_kib) < 512 * 1024  # 2 GB of address space was enough, and half a GB of memory


def test_deep_json_in_a_build_hidden_in_an_extra_field_is_a_reject_with_its_pointer(tmp_path):
    src = tmp_path / "archive"
    shutil.copytree(LAMINI, src)
    methods = json.loads((src / "methods.json").read_text())
    methods[1]["extra"] = None
    text = json.dumps(methods)
    head, _, tail = text.rpartition('"extra": null')
    (src / "methods.json").write_text(head + '"extra": ' + "[" * 50_000 + "]" * 50_000 + tail)
    report = pwc_kg.build([str(src)], tmp_path / "store")  # the other records land; this one is a reject
    rejects = [json.loads(line) for line in (tmp_path / "store" / "current" / "rejects.jsonl").read_text().splitlines()]
    (deep,) = [r for r in rejects if "nested more than" in r["reason"]]
    assert deep["record"] == "/1" and deep["field"].startswith("/1/extra/0/0") and deep["source"] == "methods.json"
    methods_report = next(s for s in report.sources if s.kind == "methods")
    assert methods_report.records == len(methods) and methods_report.records_rejected == 1


def test_deep_json_in_a_build_a_record_within_the_limit_reads_whole(tmp_path):
    record = {"name": "x", "extra": json.loads("[" * (MAX_RECORD_DEPTH - 1) + "]" * (MAX_RECORD_DEPTH - 1))}
    path = tmp_path / "methods.json"
    path.write_text(json.dumps([record]))
    assert list(iter_records(path)) == [(0, record)]
