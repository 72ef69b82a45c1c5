"""All SotA: ``/sota/all``, every benchmark's state of the art in one table, sorted, filtered and paged, and the
same rows as ``/sota/all.csv`` and ``/sota/all.json``.

Read from the generation's catalogue (``catalogue/sota.py``'s table) with indexed SQL, as the other browse
pages are (browse.py: the catalogue's wait, the 400 and 404 pages); a filter (area, task with its subtasks,
extra training data, cost metrics) and the sort are checked against fixed lists and bound as SQL parameters.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Iterator

from ...catalogue.sota import SORTS, sort_index
from .browse import NO_AREA, _answer, show_value
from .page import Page, download
from .reads import BadParam, Paging, choice, href, param

# All SotA: past this many rows to show, a page reads them in the order of the sort's index (checking the
# filters row by row) rather than sorting them all; below it, the filters' index finds them and they are sorted.
ORDERED_SCAN_FROM = 2000
DOWNLOAD_CHUNK = 5000  # rows a download reads at a time
ORDERS = {"asc": "ASC", "desc": "DESC"}
FLAGS = {"true": True, "false": False}
# The columns of All SotA's CSV and JSON: (name in the download, column of the sota table).
DOWNLOAD_COLUMNS = (("task", "task_name"), ("dataset", "dataset_name"), ("metric", "metric_name"),
                    ("model", "model_name"), ("value", "value"), ("date", "date"), ("paper", "paper_title"),
                    ("higher_is_better", "higher_is_better"), ("cost", "cost"), ("direction_source", "direction_source"),
                    ("result_count", "result_count"), ("extra", "extra"), ("task_iri", "task"),
                    ("benchmark", "benchmark"), ("dataset_iri", "dataset"), ("metric_iri", "metric"),
                    ("model_iri", "model"), ("paper_iri", "paper"), ("result", "result"))
_SOTA_COLUMNS = ("board", "benchmark", "task", "task_name", "dataset", "dataset_name", "metric", "metric_name",
                 "higher_is_better", "cost", "direction_source", "value", "result_count", "result", "model_name",
                 "model", "paper", "paper_title", "date", "extra")


# --- All SotA ----------------------------------------------------------------------------------

def _all_sota_query(cat, params) -> dict:
    """The filters and order of All SotA from its parameters: the SQL's WHERE and ORDER BY (from fixed
    text) with its parameters, and what the page says of them."""
    sort = choice(params, "sort", SORTS, "task")
    order = choice(params, "order", ORDERS, "asc")
    extra = FLAGS[choice(params, "extra", FLAGS, "true")]
    cost = FLAGS[choice(params, "cost", FLAGS, "false")]
    where, args = ["extra = ?"], [int(extra)]
    if not cost:
        where.append("cost = 0")
    area_slug, task_slug = param(params, "area") or None, param(params, "task") or None
    area = task = None
    if area_slug == NO_AREA:
        area = {"name": "Tasks of no area", "slug": NO_AREA}
        where.append("task NOT IN (SELECT task FROM task_areas)")
    elif area_slug is not None:
        area = next(iter(cat.rows("SELECT area, name, slug FROM areas WHERE slug = ?", (area_slug,))), None)
        if area is None:
            raise BadParam(404, f"the area {area_slug!r}")
        where.append("task IN (SELECT task FROM task_areas WHERE area = ?)")
        args.append(area["area"])
    if task_slug is not None:
        task = next(iter(cat.rows("SELECT task, name, slug FROM tasks WHERE slug = ?", (task_slug,))), None)
        if task is None:
            raise BadParam(404, f"the task {task_slug!r}")
        where.append("task IN (SELECT member FROM task_subtree WHERE task = ?)")
        args.append(task["task"])
    direction = ORDERS[order]
    order_by = ", ".join(f"{c} {direction}" for c in SORTS[sort]) + f", rowid {direction}"
    return {"sort": sort, "order": order, "extra": extra, "cost": cost, "area": area, "task": task,
            "where": " AND ".join(where), "args": args, "order_by": order_by, "index": sort_index(sort, cost),
            "params": {"area": area_slug, "task": task_slug, "extra": None if extra else "false",
                       "cost": "true" if cost else None}}


def _sota_row(r: dict) -> dict:
    return {**r, "shown_value": show_value(r["value"]), "higher_is_better": bool(r["higher_is_better"]),
            "cost": bool(r["cost"]), "extra": bool(r["extra"])}


@_answer
def all_sota_page(pages, cat, params):
    """``/sota/all``: every benchmark's state of the art, sorted, filtered and paged."""
    q = _all_sota_query(cat, params)
    sorted_by = {"sort": q["sort"], "order": q["order"]}
    paging = Paging.of(params, 100, keep={**q["params"], **sorted_by})
    total = cat.value(f"SELECT COUNT(*) FROM sota WHERE {q['where']}", q["args"])
    paging.check(total)
    rows = cat.rows(f"SELECT rowid, {', '.join(_SOTA_COLUMNS)} FROM {_source(q, total)} WHERE {q['where']} "
                    f"ORDER BY {q['order_by']} LIMIT ? OFFSET ?", [*q["args"], paging.per_page, paging.offset])
    path = pages.links().path("sota/all")
    keep = {**q["params"], "per_page": paging.per_page if paging.per_page != paging.default else None}

    def sort_link(key):
        flip = "desc" if (q["sort"] == key and q["order"] == "asc") else "asc"
        return href(path, {**keep, "sort": key, "order": flip})

    areas = cat.rows("SELECT name, slug FROM areas WHERE tasks > 0 ORDER BY name COLLATE NOCASE")
    if cat.value("SELECT 1 FROM tasks WHERE task NOT IN (SELECT task FROM task_areas) LIMIT 1"):
        areas.append({"name": "Tasks of no area", "slug": NO_AREA})
    return Page(200, "all_sota.html", {
        "title": "All SotA", "rows": [_sota_row(r) for r in rows], "paging": paging, "list_path": path, "sel": q,
        "areas": areas, "sort_links": {k: sort_link(k) for k in SORTS},
        "toggle_extra": href(path, {**keep, **sorted_by, "extra": "false" if q["extra"] else None}),
        "toggle_cost": href(path, {**keep, **sorted_by, "cost": None if q["cost"] else "true"}),
        "csv": href(path + ".csv", {**q["params"], **sorted_by}),
        "json": href(path + ".json", {**q["params"], **sorted_by}),
        "clear_task": href(path, {**keep, **sorted_by, "task": None}),
        "clear_area": href(path, {**keep, **sorted_by, "area": None})})


def _source(q: dict, total: int) -> str:
    """The table clause of All SotA's rows: in the order of the sort's index past ORDERED_SCAN_FROM rows."""
    return f"sota INDEXED BY {q['index']}" if total > ORDERED_SCAN_FROM else "sota"


def _download_rows(cat, params) -> tuple[dict, int, Iterator[list[dict]]]:
    """(the selection, how many rows, the rows in chunks): a download reads the table a chunk at a time
    rather than all 131k rows of a full-scale store into one list."""
    q = _all_sota_query(cat, params)  # page and per_page, if given, are the page's: a download holds every row
    total = cat.value(f"SELECT COUNT(*) FROM sota WHERE {q['where']}", q["args"])
    select = ", ".join(f"{column} AS {name}" for name, column in DOWNLOAD_COLUMNS)
    sql = f"SELECT {select} FROM {_source(q, total)} WHERE {q['where']} ORDER BY {q['order_by']} LIMIT ? OFFSET ?"

    def chunks():
        for offset in range(0, total, DOWNLOAD_CHUNK):
            rows = cat.rows(sql, [*q["args"], DOWNLOAD_CHUNK, offset])
            for r in rows:
                for flag in ("higher_is_better", "cost", "extra"):
                    r[flag] = bool(r[flag])
            yield rows
    return q, total, chunks()


def _filename(q: dict, suffix: str) -> str:
    parts = ["sota"]
    parts += [f"area-{q['area']['slug']}"] if q["area"] else []
    parts += [f"task-{q['task']['slug']}"] if q["task"] else []
    parts += [] if q["extra"] else ["without-extra-data"]
    parts += ["with-cost"] if q["cost"] else []
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in "-".join(parts)) + suffix


def _cell(name: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return show_value(value) if name == "value" else str(value)


@_answer
def all_sota_csv(pages, cat, params):
    """``/sota/all.csv``: All SotA's rows with the same filters and order, all of them, as CSV."""
    q, _, chunks = _download_rows(cat, params)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in DOWNLOAD_COLUMNS])
    for rows in chunks:
        writer.writerows([_cell(name, r[name]) for name, _ in DOWNLOAD_COLUMNS] for r in rows)
    return download(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", _filename(q, ".csv"))


@_answer
def all_sota_json(pages, cat, params):
    """``/sota/all.json``: All SotA's rows with the same filters and order, all of them, as JSON."""
    q, total, chunks = _download_rows(cat, params)
    head = {"extra_training_data": q["extra"], "cost_metrics": q["cost"],
            "area": q["area"]["slug"] if q["area"] else None, "task": q["task"]["slug"] if q["task"] else None,
            "sort": q["sort"], "order": q["order"], "count": total}
    out = io.StringIO()
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
    first = True
    for rows in chunks:
        for r in rows:
            out.write(("" if first else ", ") + json.dumps(r, ensure_ascii=False))
            first = False
    out.write("]}")
    return download(out.getvalue().encode("utf-8"), "application/json", _filename(q, ".json"))


ROUTES = {"/sota/all": all_sota_page, "/sota/all.csv": all_sota_csv, "/sota/all.json": all_sota_json}
