#!/usr/bin/env python3
"""Convert the five archive JSON files to Parquet, as the Hugging Face ``pwc-archive`` dataset repositories hold them.

    python bench/json_to_parquet.py ARCHIVE_DIR OUT_DIR [--shards N]

Writes, for each archive file of ARCHIVE_DIR (``.json`` or ``.json.gz``, a dated dump's name too:
``jul-28-methods.json.gz``), its dataset repository as the Hub lays it out and names it:
``OUT_DIR/<repository>/data/train-0000k-of-0000N.parquet`` (N shards, the rows split in order, as the
Hub's conversion splits them), with its dataset card (``README.md``) and ``.gitattributes``. The
repositories are named as on the Hub: ``papers-with-abstracts``, ``links-between-paper-and-code`` (not
"papers"), ``evaluation-tables``, ``methods``, ``datasets``. One row per record (evaluation tables: one row
per top-level task). As the Hugging Face conversion does, pyarrow infers the schema from the records: a
JSON object becomes a struct of all the keys its records use, a list a list, a number int64 or double;
every shard of a repository has the same schema.

One thing must give: a leaderboard row's ``metrics`` mixes strings (``"90.871"``) and JSON numbers
under one metric name, and a Parquet column has one type. The numbers are written as the decimal text
a JSON reader gives for them (``90.10`` as ``"90.10"``), so the values read back unchanged.

The files are read twice (once to infer the schema and count the rows, once to write) and never held
whole in memory. Needs pyarrow and ijson.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import ijson
import pyarrow as pa
import pyarrow.parquet as pq

NAMES = ("papers-with-abstracts", "links-between-papers-and-code", "evaluation-tables", "methods", "datasets")
# The dataset repository of each archive file on the Hugging Face Hub (pwc-archive/<repository>).
REPOSITORIES = {name: name for name in NAMES} | {"links-between-papers-and-code": "links-between-paper-and-code"}
# Records per row group: the task trees of the evaluation tables are large, the others small.
CHUNK = {"evaluation-tables": 50}
DEFAULT_CHUNK = 10_000
SHARD = "train-00000-of-00001.parquet"
DATE_PREFIX = re.compile(r"(?:[a-z]{3}-\d{1,2}|\d{4}-\d{2}-\d{2})-", re.IGNORECASE)
CARD = """---
license: cc-by-sa-4.0
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*
---
"""


def shard_name(index: int, total: int) -> str:
    return f"train-{index:05d}-of-{total:05d}.parquet"


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


def convert(src: Path, dest: Path, chunk: int = DEFAULT_CHUNK, shards: int = 1) -> int:
    """Write one archive JSON file as Parquet: to ``dest`` (a file) with one shard, else to ``dest``'s folder as
    ``train-0000k-of-0000N.parquet``, the rows split in order; returns the number of rows."""
    schemas, count = [], 0
    for c in chunks(src, chunk):
        schemas.append(pa.Table.from_pylist(c).schema)
        count += len(c)
    if not schemas:
        raise SystemExit(f"{src}: no records, so no schema to infer")
    schema = pa.unify_schemas(schemas, promote_options="permissive")
    shards = max(1, min(shards, count))
    ends = [(k + 1) * count // shards for k in range(shards)]  # each shard's rows end here: none is empty
    paths = [dest] if shards == 1 else [dest.parent / shard_name(k, shards) for k in range(shards)]
    dest.parent.mkdir(parents=True, exist_ok=True)
    rows, k = 0, 0
    writer = pq.ParquetWriter(paths[0], schema)
    try:
        for c in chunks(src, chunk):
            while c:
                if rows == ends[k]:
                    writer.close()
                    k += 1
                    writer = pq.ParquetWriter(paths[k], schema)
                part, c = c[:ends[k] - rows], c[ends[k] - rows:]
                writer.write_table(pa.Table.from_pylist(part, schema=schema))
                rows += len(part)
    finally:
        writer.close()
    return rows


def stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".json"):
        name = name.removesuffix(suffix)
    return name


def archive_name(path: Path) -> str | None:
    """The archive file a dump is (``jul-28-methods.json.gz``: methods), or None."""
    name = stem(path)
    if name not in NAMES:
        m = DATE_PREFIX.match(name)
        name = name[m.end():] if m else name
    return name if name in NAMES and path.name.endswith((".json", ".json.gz")) else None


def convert_archive(archive: Path, out: Path, shards: int | dict[str, int] = 1) -> dict[str, int]:
    """Every archive file of a folder to its dataset repository ``out/<repository>/data/train-*.parquet``, with
    its card; ``shards``: shards per repository (or per archive file name). Returns {name: rows}."""
    done = {}
    for src in sorted(archive.iterdir()):
        name = archive_name(src)
        if name is None:
            continue
        n = shards.get(name, 1) if isinstance(shards, dict) else shards
        repo = out / REPOSITORIES[name]
        done[name] = convert(src, repo / "data" / shard_name(0, 1), CHUNK.get(name, DEFAULT_CHUNK), n)
        (repo / "README.md").write_text(CARD, encoding="utf-8")
        (repo / ".gitattributes").write_text("*.parquet filter=lfs diff=lfs merge=lfs -text\n", encoding="utf-8")
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("archive", type=Path, help="folder with the archive's .json or .json.gz files")
    ap.add_argument("out", type=Path, help="folder to write the repositories into: <repository>/data/train-*.parquet")
    ap.add_argument("--shards", type=int, default=1, help="shards per repository (default 1; the Hub has 4 for the papers)")
    args = ap.parse_args(argv)
    done = convert_archive(args.archive, args.out, args.shards)
    if not done:
        print(f"{args.archive}: no archive JSON files", file=sys.stderr)
        return 1
    for name, rows in done.items():
        print(f"{name}: {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
