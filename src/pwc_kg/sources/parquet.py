"""Archive files as Parquet (the Hugging Face ``pwc-archive`` copies), read as the JSON records they hold.

A Parquet archive file has one row per record (evaluation tables: one row per top-level task) and
the record's fields as columns, nested lists and objects as Parquet lists and structs. Each row
becomes the dict the JSON reader yields for that record, so the mapping is the same for both:

- a struct is an object; its null fields are keys whose value is null (absent and null are one in
  Parquet, and the mapping reads them alike), except in a leaderboard row's ``metrics``: there a
  struct holds every metric name of the file, so only its non-null fields are the row's cells;
- a map is an object with exactly its own keys, in order;
- a float becomes the ``Decimal`` of its shortest text, as the JSON reader gives a number
  (``90.871`` stays ``90.871``); a NaN, which JSON cannot hold, is a null (pandas writes one for it);
- a date or timestamp becomes its ISO text (``2023-04-27``; a time of day only when there is one);
- a binary column is UTF-8 text.

Rows are read in record batches, a few MB at a time, so a file is never in memory at once. The
row number is the record's position, as the array index is for JSON: ``row 3`` in errors and
``/3/...`` in each result's ``pwc:sourceRecord``.

>>> import pyarrow as pa
>>> struct = pa.array([{"name": "Adam", "year": 2014, "score": 90.871, "paper": None}])
>>> to_python(struct, "methods")
[{'name': 'Adam', 'year': 2014, 'score': Decimal('90.871'), 'paper': None}]
"""

from __future__ import annotations

import datetime as _dt
import math
import struct as _struct
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .kinds import (CODE_LINKS, DATASETS, EVALUATION_TABLES, METHODS, PAPERS, NotAnArchiveFile, SourceError,
                    kind_of_record)

BATCH_BYTES = 8 << 20  # uncompressed bytes of Arrow data per record batch
# A struct that stands for a JSON object with free keys (a leaderboard row's metric values), not a record.
FREE_KEY_OBJECTS = frozenset({"metrics"})

KIND_NAMES = {
    PAPERS: "papers-with-abstracts",
    CODE_LINKS: "links-between-papers-and-code",
    EVALUATION_TABLES: "evaluation-tables",
    METHODS: "methods",
    DATASETS: "datasets",
}


class _BadValue(ValueError):
    """A value that cannot be read: ``index`` is its row within the array being converted."""

    def __init__(self, index: int, column: str, message: str):
        self.index = index
        self.column = column
        super().__init__(message)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


# ----------------------------------------------------------------------------- Arrow -> JSON values


def to_python(arr: pa.Array, where: str) -> list:
    """The values of an Arrow array as the JSON reader gives them; ``where`` names the column."""
    t = arr.type
    if _as_is(t, where):
        return arr.to_pylist()  # pyarrow's own conversion gives the JSON reader's values: the fast way
    if pa.types.is_dictionary(t):
        return to_python(arr.dictionary_decode(), where)
    if pa.types.is_struct(t):
        return _struct_values(arr, where)
    if pa.types.is_map(t):
        return _map_values(arr, where)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return _list_values(arr, where)
    if pa.types.is_null(t):
        return [None] * len(arr)
    if (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t) or pa.types.is_boolean(t)
            or pa.types.is_decimal(t) or _is_string_view(t)):
        return arr.to_pylist()
    if pa.types.is_floating(t):
        return [_number(x, t.bit_width) for x in arr.to_pylist()]
    if pa.types.is_date(t):
        return [None if d is None else d.isoformat() for d in arr.to_pylist()]
    if pa.types.is_timestamp(t):
        # nanoseconds do not fit a datetime; no archive field has them
        arr = arr.cast(pa.timestamp("us", t.tz), safe=False)
        return [None if d is None else _timestamp(d) for d in arr.to_pylist()]
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return [_text(b, i, where) for i, b in enumerate(arr.to_pylist())]
    raise _BadValue(0, where, f"type {t} holds no value a JSON record has")


def _as_is(t: pa.DataType, where: str) -> bool:
    """Whether pyarrow's ``to_pylist`` of this type already gives what the JSON reader gives."""
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t) or pa.types.is_boolean(t) \
            or pa.types.is_null(t) or pa.types.is_decimal(t):
        return True
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _as_is(t.value_type, where + "[]")
    if pa.types.is_struct(t):
        return where.rsplit(".", 1)[-1] not in FREE_KEY_OBJECTS and all(
            _as_is(f.type, _join(where, f.name)) for f in t)
    return False


def _is_string_view(t: pa.DataType) -> bool:
    check = getattr(pa.types, "is_string_view", None)
    return bool(check and check(t))


def _number(x: float | None, bits: int) -> Decimal | None:
    if x is None or math.isnan(x):
        return None
    if math.isinf(x):
        return Decimal(x)
    if bits == 64:
        return Decimal(repr(x))
    # The shortest text that reads back as the same 16- or 32-bit float, as JSON would have written it.
    fmt = "<e" if bits == 16 else "<f"
    for digits in range(1, 18):
        text = f"{x:.{digits}g}"
        if _struct.unpack(fmt, _struct.pack(fmt, float(text)))[0] == x:
            return Decimal(text)
    return Decimal(repr(x))  # pragma: no cover - 17 digits always read back


def _timestamp(d: _dt.datetime) -> str:
    if d.tzinfo is None and d.time() == _dt.time():
        return d.date().isoformat()
    return d.isoformat()


def _text(b: bytes | None, index: int, where: str) -> str | None:
    if b is None:
        return None
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _BadValue(index, where, f"not UTF-8: {e}") from None


def _struct_values(arr: pa.StructArray, where: str) -> list:
    n = len(arr)
    if arr.null_count:
        rows: list = [{} if ok else None for ok in arr.is_valid().to_pylist()]
    else:
        rows = [{} for _ in range(n)]
    free_keys = where.rsplit(".", 1)[-1] in FREE_KEY_OBJECTS
    for i, field in enumerate(arr.type):
        child = arr.field(i)  # sliced like the struct; its own nulls only
        name = field.name
        path = _join(where, name)
        if free_keys:
            # Only the non-null fields are the row's keys; most are null, many wholly.
            if child.null_count == n:
                continue
            for row, value in zip(rows, to_python(child, path)):
                if value is not None and row is not None:
                    row[name] = value
        else:
            values = to_python(child, path)
            for row, value in zip(rows, values):
                if row is not None:
                    row[name] = value
    return rows


def _list_values(arr: pa.Array, where: str) -> list:
    lengths = pc.list_value_length(arr).to_pylist()
    flat = arr.flatten()  # the items of the non-null lists, in order
    try:
        items = to_python(flat, where + "[]")
    except _BadValue as e:
        raise _BadValue(_owner(lengths, e.index), e.column, str(e)) from None
    out: list = []
    pos = 0
    for length in lengths:
        if length is None:
            out.append(None)
        else:
            out.append(items[pos:pos + length])
            pos += length
    return out


def _map_values(arr: pa.MapArray, where: str) -> list:
    offsets = arr.offsets.to_pylist()
    start, end = offsets[0], offsets[-1]
    try:
        keys = to_python(arr.keys.slice(start, end - start), where + ".key")
        items = to_python(arr.items.slice(start, end - start), where + ".value")
    except _BadValue as e:
        raise _BadValue(_owner([b - a for a, b in zip(offsets, offsets[1:])], e.index), e.column, str(e)) from None
    valid = arr.is_valid().to_pylist()
    out: list = []
    for k, ok in enumerate(valid):
        if not ok:
            out.append(None)
            continue
        a, b = offsets[k] - start, offsets[k + 1] - start
        out.append({str(key): value for key, value in zip(keys[a:b], items[a:b])})
    return out


def _owner(lengths: list, item: int) -> int:
    """The row whose list holds flattened item number ``item``."""
    pos = 0
    for row, length in enumerate(lengths):
        pos += length or 0
        if item < pos:
            return row
    return max(0, len(lengths) - 1)


# ----------------------------------------------------------------------------- the shape of each kind

# What each archive field is: "value" (a string, number, boolean or date), [shape] (a list), or
# {field: shape} (an object; "*" for free keys). Fields not named here are not checked.
VALUE = "value"
_LINK = {"title": VALUE, "url": VALUE}
_METHOD_SUMMARY = {"name": VALUE, "full_name": VALUE, "description": VALUE, "introduced_year": VALUE,
                   "source_url": VALUE, "source_title": VALUE, "code_snippet_url": VALUE,
                   "main_collection": {"name": VALUE, "description": VALUE, "parent": VALUE, "area": VALUE}}
_ROW = {"model_name": VALUE, "paper_title": VALUE, "paper_url": VALUE, "paper_date": VALUE,
        "code_links": [_LINK], "model_links": [_LINK], "metrics": {"*": VALUE}, "uses_additional_data": VALUE}
_DATASET: dict = {"dataset": VALUE, "subdataset": VALUE, "description": VALUE, "dataset_links": [_LINK],
                  "dataset_citations": [_LINK], "sota": {"metrics": [VALUE], "rows": [_ROW]}}
_DATASET["subdatasets"] = [_DATASET]
_TASK: dict = {"task": VALUE, "description": VALUE, "categories": [VALUE], "source_link": _LINK,
               "synonyms": [VALUE], "datasets": [_DATASET]}
_TASK["subtasks"] = [_TASK]

SHAPES = {
    PAPERS: {"paper_url": VALUE, "arxiv_id": VALUE, "title": VALUE, "abstract": VALUE, "url_abs": VALUE,
             "url_pdf": VALUE, "proceeding": VALUE, "authors": [VALUE], "tasks": [VALUE], "date": VALUE,
             "conference": VALUE, "methods": [_METHOD_SUMMARY]},
    CODE_LINKS: {"paper_url": VALUE, "paper_title": VALUE, "paper_arxiv_id": VALUE, "repo_url": VALUE,
                 "is_official": VALUE, "mentioned_in_paper": VALUE, "mentioned_in_github": VALUE, "framework": VALUE},
    METHODS: {"url": VALUE, "name": VALUE, "full_name": VALUE, "description": VALUE, "paper": _LINK,
              "introduced_year": VALUE, "source_url": VALUE, "num_papers": VALUE,
              "collections": [{"collection": VALUE, "area_id": VALUE, "area": VALUE}]},
    DATASETS: {"url": VALUE, "name": VALUE, "full_name": VALUE, "homepage": VALUE, "description": VALUE,
               "paper": _LINK, "introduced_date": VALUE, "modalities": [VALUE], "languages": [VALUE],
               "variants": [VALUE], "num_papers": VALUE, "tasks": [{"task": VALUE, "url": VALUE}],
               "data_loaders": [{"url": VALUE, "repo": VALUE, "frameworks": [VALUE]}]},
    EVALUATION_TABLES: _TASK,
}


def _describe(shape) -> str:
    if shape == VALUE:
        return "a value (string, number, boolean or date)"
    if isinstance(shape, list):
        return "a list" + (" of values" if shape[0] == VALUE else " of objects")
    return "an object (struct or map)"


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def _is_value_type(t: pa.DataType) -> bool:
    return any(check(t) for check in (
        pa.types.is_string, pa.types.is_large_string, _is_string_view, pa.types.is_integer, pa.types.is_floating,
        pa.types.is_decimal, pa.types.is_boolean, pa.types.is_date, pa.types.is_timestamp, pa.types.is_binary,
        pa.types.is_large_binary, pa.types.is_fixed_size_binary))


def check_shape(t: pa.DataType, shape, where: str) -> str | None:
    """Why a column of type ``t`` cannot hold field ``where`` of the archive's record shape, or None."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_null(t):
        return None  # a column of nulls fits every field
    if shape == VALUE:
        return None if _is_value_type(t) else f"column {where}: expected {_describe(shape)}, found {t}"
    if isinstance(shape, list):
        if _is_list(t):
            return check_shape(t.value_type, shape[0], where + "[]")
        if pa.types.is_struct(t) and shape[0] != VALUE:
            return check_shape(t, shape[0], where)  # one object where a list of them is expected: kept
        return f"column {where}: expected {_describe(shape)}, found {t}"
    if pa.types.is_map(t):
        return check_shape(t.item_type, shape.get("*", VALUE), where + ".value") if "*" in shape else None
    if not pa.types.is_struct(t):
        return f"column {where}: expected {_describe(shape)}, found {t}"
    for field in t:
        sub = shape.get("*", shape.get(field.name))
        if sub is not None:
            why = check_shape(field.type, sub, f"{where}.{field.name}")
            if why:
                return why
    return None


# ----------------------------------------------------------------------------- files


def _open(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as e:
        raise SourceError(path, "file", f"not a Parquet file, or a damaged one: {e}") from None


def classify(path: Path) -> str:
    """The kind of a Parquet archive file, from its columns (else its first row), its shape checked."""
    path = Path(path)
    pf = _open(path)
    schema = pf.schema_arrow
    kind = kind_of_record(dict.fromkeys(schema.names))
    if kind is None and pf.metadata.num_rows:
        try:
            first = next(pf.iter_batches(batch_size=1)).to_pylist()[0]
        except (pa.ArrowException, OSError) as e:
            raise SourceError(path, "row 0", f"damaged Parquet data: {e}") from None
        kind = kind_of_record(first)
    if kind is None:
        shown = ", ".join(schema.names[:12]) + (", ..." if len(schema.names) > 12 else "")
        raise NotAnArchiveFile(path, "columns", f"not the columns of any Papers With Code archive file ({shown}); "
                          "expected those of papers-with-abstracts, links-between-papers-and-code, "
                          "evaluation-tables, methods or datasets")
    _check_schema(path, schema, kind)
    return kind


def _check_schema(path: Path, schema: pa.Schema, kind: str) -> None:
    shape = SHAPES[kind]
    for field in schema:
        sub = shape.get(field.name)
        if sub is not None:
            why = check_shape(field.type, sub, field.name)
            if why:
                column, message = why.split(": ", 1)
                raise SourceError(path, column, f"{message} (in {KIND_NAMES[kind]} records)")


def _batch_rows(md: pq.RowGroupMetaData) -> int:
    """Rows per record batch: about BATCH_BYTES of uncompressed data (one task tree can be megabytes)."""
    if not md.num_rows:
        return 1
    return max(1, min(65_536, int(BATCH_BYTES * md.num_rows / max(md.total_byte_size, 1))))


def iter_records(path: Path) -> Iterator[tuple[int, dict]]:
    """(row number, record) for each row of a Parquet archive file; errors name the row and column.

    Row group by row group, so that the rows before a damaged one are read and the error says where.
    """
    path = Path(path)
    classify(path)  # the columns must be those of an archive file, and of the right shapes
    pf = _open(path)
    start = 0
    for group in range(pf.metadata.num_row_groups):
        md = pf.metadata.row_group(group)
        batches = pf.iter_batches(batch_size=_batch_rows(md), row_groups=[group])
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            except (pa.ArrowException, OSError) as e:
                raise SourceError(path, f"row {start}", f"damaged Parquet data (row group {group}): {e}") from None
            try:
                records = to_python(batch.to_struct_array(), "")
            except _BadValue as e:
                raise SourceError(path, f"row {start + e.index}, column {e.column}", str(e)) from None
            for offset, record in enumerate(records):
                yield start + offset, record
            start += len(records)
