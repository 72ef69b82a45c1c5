#!/usr/bin/env python3
"""Convert the five archive JSON files to Parquet, as the Hugging Face ``pwc-archive`` copies hold them.

    python bench/json_to_parquet.py ARCHIVE_DIR OUT_DIR

Writes ``OUT_DIR/<name>/train-00000-of-00001.parquet`` for each archive file of ARCHIVE_DIR (``.json`` or
``.json.gz``): the Hugging Face layout, one row per record (evaluation tables: one row per top-level
task). As the Hugging Face conversion does, pyarrow infers the schema from the records: a JSON object
becomes a struct of all the keys its records use, a list a list, a number int64 or double.

One thing must give: a leaderboard row's ``metrics`` mixes strings (``"90.871"``) and JSON numbers
under one metric name, and a Parquet column has one type. The numbers are written as the decimal text
a JSON reader gives for them (``90.10`` as ``"90.10"``), so the values read back unchanged.

The files are read twice (once to infer the schema, once to write) and never held whole in memory.
Needs pyarrow and ijson.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import ijson
import pyarrow as pa
import pyarrow.parquet as pq

NAMES = ("papers-with-abstracts", "links-between-papers-and-code", "evaluation-tables", "methods", "datasets")
# Records per row group: the task trees of the evaluation tables are large, the others small.
CHUNK = {"evaluation-tables": 50}
DEFAULT_CHUNK = 10_000
SHARD = "train-00000-of-00001.parquet"


def records(path: Path) -> Iterator[dict]:
    """The records of one JSON array file, numbers as JSON readers give them (int, Decimal)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as f:
        yield from ijson.items(f, "item")


def plain(value, in_metrics: bool = False):
    """A record as json.load gives it (floats), but a leaderboard row's metric values as text."""
    if isinstance(value, dict):
        if in_metrics:
            return {k: (str(v) if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else plain(v))
                    for k, v in value.items()}
        return {k: plain(v, k == "metrics" and isinstance(v, dict)) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def chunks(path: Path, size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for record in records(path):
        chunk.append(plain(record))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def convert(src: Path, dest: Path, chunk: int = DEFAULT_CHUNK) -> int:
    """Write one archive JSON file as a Parquet file; returns the number of rows."""
    schemas = [pa.Table.from_pylist(c).schema for c in chunks(src, chunk)]
    if not schemas:
        raise SystemExit(f"{src}: no records, so no schema to infer")
    schema = pa.unify_schemas(schemas, promote_options="permissive")
    dest.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with pq.ParquetWriter(dest, schema) as writer:
        for c in chunks(src, chunk):
            writer.write_table(pa.Table.from_pylist(c, schema=schema))
            rows += len(c)
    return rows


def stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".json"):
        name = name.removesuffix(suffix)
    return name


def convert_archive(archive: Path, out: Path) -> dict[str, int]:
    """Every archive file of a folder to ``out/<name>/train-00000-of-00001.parquet``: {name: rows}."""
    done = {}
    for src in sorted(archive.iterdir()):
        name = stem(src)
        if name in NAMES and src.name.endswith((".json", ".json.gz")):
            done[name] = convert(src, out / name / SHARD, CHUNK.get(name, DEFAULT_CHUNK))
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("archive", type=Path, help="folder with the archive's .json or .json.gz files")
    ap.add_argument("out", type=Path, help="folder to write <name>/train-00000-of-00001.parquet into")
    args = ap.parse_args(argv)
    done = convert_archive(args.archive, args.out)
    if not done:
        print(f"{args.archive}: no archive JSON files", file=sys.stderr)
        return 1
    for name, rows in done.items():
        print(f"{name}: {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
