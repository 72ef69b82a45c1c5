"""The curated lineage file: a CSV of model-to-model edges (see docs/lineage-file.md).

Columns ``child,relation,parent,source,note`` (the first three required, in any order, named by
the header). Blank lines and lines starting with ``#`` are skipped. Each row is yielded with its
line number as its position.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Iterator

from .kinds import SourceError

COLUMNS = ("child", "relation", "parent", "source", "note")
REQUIRED = ("child", "relation", "parent")


def iter_lineage(path: str | os.PathLike) -> Iterator[tuple[int, dict]]:
    """(line number, row) for each row of the file; extra cells beyond the header are kept under ``_extra``."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, strict=True)
            header: list[str] | None = None
            end = 0
            for row in reader:
                start, end = end + 1, reader.line_num
                if not row or not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                    continue
                if header is None:
                    header = [cell.strip().lower() for cell in row]
                    missing = [c for c in REQUIRED if c not in header]
                    if missing:
                        raise SourceError(path, f"line {start}", "the header must name the columns "
                                          f"{', '.join(COLUMNS)} (missing: {', '.join(missing)})")
                    continue
                record = {name: row[i] if i < len(row) else None for i, name in enumerate(header) if name}
                if len(row) > len(header):
                    record["_extra"] = row[len(header):]
                yield start, record
            if header is None:
                raise SourceError(path, "line 1", "no header: the file must start with child,relation,parent,source,note")
    except SourceError:
        raise
    except UnicodeDecodeError as e:
        raise SourceError(path, "file", f"not UTF-8: {e.reason}") from None
    except csv.Error as e:
        raise SourceError(path, f"line {end + 1}", f"not a valid CSV: {e}") from None
    except OSError as e:
        raise SourceError(path, "file", f"cannot read the file: {e.strerror or e}") from None
