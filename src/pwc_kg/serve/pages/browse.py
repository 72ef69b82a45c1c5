"""Browse state of the art: ``/sota`` (areas and their task trees), ``/sota/<area>`` (an area's tasks, paged),
the task pages, All SotA (``/sota/all``, its CSV and JSON) and Notable benchmarks (``/benchmarks``).

Every list here is read from the generation's catalogue (``pwc_kg.catalogue``: the tables of
``catalogue/sota.py`` and ``catalogue/tasks.py``) with indexed SQL, ``LIMIT/OFFSET`` for a page, never
SPARQL: All SotA's first byte does not wait for the store. Parameters are checked against fixed lists
and bound as SQL parameters; a bad one is a 400 page that says which, an unknown area or task a 404, a
page past the end a 404. While the catalogue of a generation is still being built (a server started on a
store made before it existed) the pages answer 503, and the task page shows its own benchmarks from the
store as before.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Iterator
from urllib.parse import urlencode

from ...catalogue.sota import SORTS, sort_index
from ...vocab import PWC
from . import entities
from .page import Page, download, local_name, not_found
from .reads import BadParam, Paging, choice, param

CATALOGUE_WAIT = 10.0  # seconds a page waits for a catalogue still being built before it answers 503
NO_AREA = "no-area"  # the slug of the tasks no area names (areas' slugs are minted from their names)
AREA_PREVIEW = 12  # top-level tasks /sota shows of an area (the area's page shows them all)
SUBTASK_PREVIEW = 8

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




# --- parameters --------------------------------------------------------------------------------

def _refused(exc: BadParam) -> Page:
    """The page for a parameter refused: 404 when what it names is not there, else 400 saying why."""
    if exc.status == 404:
        return not_found(str(exc))
    return Page(400, "sota.html", {"title": "Bad request", "ready": True, "areas": [], "totals": {}, "error": str(exc)})


def _answer(view):
    """A view that reads the catalogue: 503 while it is being built, 400 on a bad parameter, 404 when the
    named area, task or page is not there."""
    def run(pages, params):
        cat = pages.catalogue(wait=CATALOGUE_WAIT)
        if cat is None:
            return Page(503, "sota.html", {"title": "Browse state of the art", "ready": False, "areas": [],
                                           "totals": {}, "error": None})
        try:
            return view(pages, cat, params)
        except BadParam as exc:
            return _refused(exc)
    run.__name__ = view.__name__
    run.__doc__ = view.__doc__
    return run


def _href(path: str, params: dict) -> str:
    """``path?params`` with the parameters that have a value, in a stable order."""
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")])
    return f"{path}?{query}" if query else path


def show_value(value) -> str:
    """A value as its number reads, without a float's trailing '.0'.

    >>> show_value(72.2), show_value(85.0), show_value(None)
    ('72.2', '85', '')
    """
    if value is None:
        return ""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


# --- /sota and an area's page ------------------------------------------------------------------

def _area_tasks(cat, area: str | None) -> list[dict]:
    """The tasks of an area (``area`` None: the tasks no area names) as trees: each top-level task with its
    subtasks nested, biggest first. A task none of whose parents is in the area is top-level here; a
    cycle of subtask links (the archive has some) is shown from its first task, and cut where it closes."""
    if area is None:
        tasks = cat.rows("SELECT * FROM tasks WHERE task NOT IN (SELECT task FROM task_areas)")
        links = cat.rows("SELECT task, parent FROM task_parents WHERE task NOT IN (SELECT task FROM task_areas)")
    else:
        tasks = cat.rows("SELECT t.* FROM task_areas a JOIN tasks t ON t.task = a.task WHERE a.area = ?", (area,))
        links = cat.rows("SELECT p.task, p.parent FROM task_parents p JOIN task_areas a ON a.task = p.task "
                         "WHERE a.area = ?", (area,))
    by_iri = {t["task"]: t for t in tasks}
    children: dict[str, list[str]] = {}
    has_parent = set()
    for link in links:
        if link["parent"] in by_iri and link["task"] in by_iri:
            children.setdefault(link["parent"], []).append(link["task"])
            has_parent.add(link["task"])

    def order(iris):
        return sorted(iris, key=lambda i: (-by_iri[i]["benchmarks_all"], -by_iri[i]["papers_all"],
                                           by_iri[i]["name"].casefold(), i))

    roots = order(i for i in by_iri if i not in has_parent)
    reached: set[str] = set()

    def tree(iri: str, path: frozenset) -> dict:
        reached.add(iri)
        node = dict(by_iri[iri])
        node["children"] = [tree(c, path | {c}) for c in order(children.get(iri, [])) if c not in path]
        return node

    out = [tree(r, frozenset([r])) for r in roots]
    while len(reached) < len(by_iri):  # tasks only on a cycle: no task of the area is above them all
        start = order(i for i in by_iri if i not in reached)[0]
        out.append(tree(start, frozenset([start])))
    return out


def _trees(pages, cat, area: str | None) -> list[dict]:
    """``_area_tasks``, kept for the generation (the task tree of a large area takes tens of ms to build)."""
    return pages.site.per_generation(f"browse.trees:{cat.path}:{area}", lambda: _area_tasks(cat, area))


def _areas(cat) -> list[dict]:
    """The areas that have tasks, by name, then the tasks no area names."""
    areas = cat.rows("SELECT * FROM areas WHERE tasks > 0 ORDER BY name COLLATE NOCASE, area")
    loose = cat.rows("SELECT COUNT(*) AS tasks, COALESCE(SUM(benchmarks), 0) AS benchmarks "
                     "FROM tasks WHERE task NOT IN (SELECT task FROM task_areas)")[0]
    if loose["tasks"]:
        # A benchmark has one task, so their own benchmarks add up; their papers would not (a paper of two
        # of them would count twice), and no count of them is shown.
        areas.append({"area": None, "name": "Tasks of no area", "slug": NO_AREA, "papers": None, **loose})
    return areas


@_answer
def sota_page(pages, cat, params):
    """``/sota``: every area with its biggest top-level tasks and their subtasks, each with its counts."""
    areas = []
    for area in _areas(cat):
        trees = _trees(pages, cat, area["area"])
        areas.append({**area, "trees": trees[:AREA_PREVIEW], "top_level": len(trees)})
    totals = cat.rows("SELECT (SELECT COUNT(*) FROM tasks) AS tasks, (SELECT COUNT(*) FROM benchmarks) AS benchmarks, "
                      "(SELECT COUNT(*) FROM sota WHERE extra = 1 AND cost = 0) AS sota")[0]
    return Page(200, "sota.html", {"title": "Browse state of the art", "ready": True, "error": None,
                                   "areas": areas, "totals": totals, "subtask_preview": SUBTASK_PREVIEW})


@_answer
def area_page(pages, cat, params):
    """``/sota/<area>``: an area's top-level tasks, paged, each with its subtasks nested."""
    slug = params["_rest"][0]
    if slug == NO_AREA:
        area = next((a for a in _areas(cat) if a["area"] is None), None)
    else:
        area = next(iter(cat.rows("SELECT * FROM areas WHERE slug = ? AND tasks > 0", (slug,))), None)
    if area is None:
        raise BadParam(404, f"the area {slug!r}")
    paging = Paging.of(params, 50)
    trees = _trees(pages, cat, area["area"])
    paging.check(len(trees))
    return Page(200, "sota_area.html", {
        "title": area["name"] or slug, "area": area, "trees": trees[paging.offset: paging.offset + paging.per_page],
        "paging": paging, "list_path": pages.links().path(f"sota/{slug}"),
        "all_sota": _href(pages.links().path("sota/all"), {"area": slug})})


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
        return _href(path, {**keep, "sort": key, "order": flip})

    areas = cat.rows("SELECT name, slug FROM areas WHERE tasks > 0 ORDER BY name COLLATE NOCASE")
    if cat.value("SELECT 1 FROM tasks WHERE task NOT IN (SELECT task FROM task_areas) LIMIT 1"):
        areas.append({"name": "Tasks of no area", "slug": NO_AREA})
    return Page(200, "all_sota.html", {
        "title": "All SotA", "rows": [_sota_row(r) for r in rows], "paging": paging, "list_path": path, "sel": q,
        "areas": areas, "sort_links": {k: sort_link(k) for k in SORTS},
        "toggle_extra": _href(path, {**keep, **sorted_by, "extra": "false" if q["extra"] else None}),
        "toggle_cost": _href(path, {**keep, **sorted_by, "cost": None if q["cost"] else "true"}),
        "csv": _href(path + ".csv", {**q["params"], **sorted_by}),
        "json": _href(path + ".json", {**q["params"], **sorted_by}),
        "clear_task": _href(path, {**keep, **sorted_by, "task": None}),
        "clear_area": _href(path, {**keep, **sorted_by, "area": None})})


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


# --- Notable benchmarks ------------------------------------------------------------------------

@_answer
def benchmarks_page(pages, cat, params):
    """``/benchmarks``: the benchmarks with the most results first (the first 24: notable-benchmarks.rq's)."""
    paging = Paging.of(params, 50).check(cat.value("SELECT COUNT(*) FROM benchmarks WHERE metrics > 0"))
    # The page's rows are found on the index alone, then joined: a join skipped over by OFFSET costs as much as one shown.
    rows = cat.rows("SELECT b.*, t.name AS task_name FROM (SELECT rowid AS id FROM benchmarks WHERE metrics > 0 "
                    "ORDER BY results DESC, benchmark LIMIT ? OFFSET ?) p JOIN benchmarks b ON b.rowid = p.id "
                    "LEFT JOIN tasks t ON t.task = b.task ORDER BY b.results DESC, b.benchmark",
                    (paging.per_page, paging.offset))
    return Page(200, "benchmarks.html", {"title": "Notable benchmarks", "rows": rows, "paging": paging,
                                         "list_path": pages.links().path("benchmarks")})


# --- the task page -----------------------------------------------------------------------------

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 30, 3


def sparkline(records: list[dict]) -> dict | None:
    """An inline SVG's shapes for a record history (dates and values, in order): a step line that holds each
    record until the next, and a dot on the last. None without a record.

    >>> s = sparkline([{"date": "2020-01-01", "value": 1.0}, {"date": "2021-01-01", "value": 3.0}])
    >>> s["path"], s["dot"]
    ('M3.0,27.0 H117.0 V3.0', (117.0, 3.0))
    """
    if not records:
        return None
    days = [date.fromisoformat(r["date"][:10]).toordinal() for r in records]
    values = [r["value"] for r in records]
    d0, d1, v0, v1 = min(days), max(days), min(values), max(values)
    width, height = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD

    def x(d):
        return round(SPARK_PAD + (width * (d - d0) / (d1 - d0) if d1 > d0 else width / 2), 1)

    def y(v):
        return round(SPARK_PAD + (height * (v1 - v) / (v1 - v0) if v1 > v0 else height / 2), 1)

    steps = [f"M{x(days[0])},{y(values[0])}"]
    for d, v in zip(days[1:], values[1:]):
        steps.append(f"H{x(d)} V{y(v)}")
    return {"path": " ".join(steps), "dot": (x(days[-1]), y(values[-1])), "count": len(records),
            "first": records[0]["date"], "last": records[-1]["date"], "low": show_value(v0), "high": show_value(v1),
            "width": SPARK_WIDTH, "height": SPARK_HEIGHT}


def _in(n: int) -> str:
    return ", ".join("?" * n)


def catalogue_benchmarks(cat, task: str, page: int, per_page: int) -> tuple[int, list[dict]]:
    """(how many benchmarks the task and its subtasks have, this page of them): each with its metrics and
    their state of the art (results with extra training data count) and the trend of its main metric."""
    total = cat.value("SELECT COUNT(*) FROM task_subtree s JOIN benchmarks b ON b.task = s.member WHERE s.task = ?",
                      (task,))
    benches = cat.rows("SELECT b.*, t.name AS task_name FROM task_subtree s JOIN benchmarks b ON b.task = s.member "
                       "LEFT JOIN tasks t ON t.task = b.task WHERE s.task = ? "
                       "ORDER BY b.results DESC, b.dataset_name COLLATE NOCASE, b.benchmark LIMIT ? OFFSET ?",
                       (task, per_page, (page - 1) * per_page))
    iris = [b["benchmark"] for b in benches]
    boards = cat.rows(f"SELECT * FROM boards WHERE benchmark IN ({_in(len(iris))})", iris) if iris else []
    sota = cat.rows(f"SELECT * FROM sota WHERE extra = 1 AND benchmark IN ({_in(len(iris))}) ORDER BY result",
                    iris) if iris else []
    best: dict[str, list[dict]] = {}
    for s in sota:
        best.setdefault(s["board"], []).append(s)
    metrics: dict[str, list[dict]] = {}
    for bd in boards:
        rows = best.get(bd["board"], [])
        metrics.setdefault(bd["benchmark"], []).append({
            "iri": bd["metric"], "slug": local_name(bd["metric"]), "name": bd["metric_name"] or local_name(bd["metric"]),
            "board": bd["board"], "results": bd["result_count"], "cost": bool(bd["cost"]),
            "higher": None if bd["higher_is_better"] is None else bool(bd["higher_is_better"]),
            "best": show_value(rows[0]["value"]) if rows else None,
            "sota": [{"result": s["result"], "model": s["model_name"], "model_iri": s["model"], "paper": s["paper"],
                      "paper_title": s["paper_title"], "date": s["date"]} for s in rows]})
    main = {}
    for iri, ms in metrics.items():
        ms.sort(key=lambda m: (-m["results"], m["name"]))
        ranked = [m for m in ms if m["higher"] is not None and not m["cost"]]
        if ranked:
            main[iri] = ranked[0]
    records: dict[str, list[dict]] = {}
    boards_main = [m["board"] for m in main.values()]
    if boards_main:
        for r in cat.rows(f"SELECT board, date, value FROM records WHERE board IN ({_in(len(boards_main))}) "
                          "ORDER BY board, idx", boards_main):
            records.setdefault(r["board"], []).append(r)
    out = []
    for b in benches:
        m = main.get(b["benchmark"])
        out.append({"iri": b["benchmark"], "dataset": b["dataset_name"] or b["name"] or local_name(b["benchmark"]),
                    "task_iri": b["task"], "task_name": b["task_name"], "results": b["results"],
                    "metrics": metrics.get(b["benchmark"], []), "trend_metric": m["name"] if m else None,
                    "trend": sparkline(records.get(m["board"], [])) if m else None})
    return total, out


def task_page(pages, entity, params: dict | None = None) -> Page:
    """A task's page: its description, place in the tree and areas, every benchmark of it and of its
    subtasks with the state of the art and a trend (paged: ``?page=N&per_page=M``), and its papers."""
    try:
        cat = pages.catalogue(wait=0.0)
    except RuntimeError:  # its build failed (the server logs why): the page as the store alone gives it
        cat = None
    if cat is None:  # the catalogue is being built: the task's own benchmarks, read from the store
        page = entities.task_page(pages.reads, entity)
        page.context["catalogue_ready"] = False
        return page
    params = params or {}
    iri = entity.iri
    try:
        paging = Paging.of(params, 100)
        total, benchmarks = catalogue_benchmarks(cat, iri, paging.page, paging.per_page)
        paging.check(total)
    except BadParam as exc:
        return _refused(exc)
    row = next(iter(cat.rows("SELECT * FROM tasks WHERE task = ?", (iri,))), None)
    names = {t["task"]: t["name"] for t in cat.rows(
        "WITH RECURSIVE up(task) AS (SELECT parent FROM task_parents WHERE task = ? "
        "UNION SELECT p.parent FROM task_parents p JOIN up ON p.task = up.task) "
        "SELECT t.task, t.name FROM up JOIN tasks t ON t.task = up.task", (iri,))}
    direct = {v.term.value for v in entity.all(PWC.subtaskOf)}
    ancestors = sorted(((i, n) for i, n in names.items() if i not in direct and i != iri), key=lambda a: a[1].casefold())
    subtasks = [(t["task"], t["name"], t["benchmarks_all"]) for t in cat.rows(
        "SELECT t.task, t.name, t.benchmarks_all FROM task_parents p JOIN tasks t ON t.task = p.task "
        "WHERE p.parent = ? AND p.task != ? ORDER BY t.name COLLATE NOCASE, t.task", (iri, iri))]
    areas = cat.rows("SELECT a.area, a.name, a.slug, ta.inherited FROM task_areas ta JOIN areas a ON a.area = ta.area "
                     "WHERE ta.task = ? ORDER BY a.name COLLATE NOCASE", (iri,))
    paper_count, papers, recent = entities.papers_with(pages.reads, PWC.hasTask, iri)
    slug = row["slug"] if row else None
    base = pages.links().href(iri) or ""
    return Page(200, "task.html", {
        "title": entity.label, "entity": entity, "parents": entity.all(PWC.subtaskOf), "ancestors": ancestors,
        "subtasks": [(i, n) for i, n, _ in subtasks], "subtask_counts": {i: c for i, _, c in subtasks},
        "areas": entity.all(PWC.inArea), "area_links": areas, "synonyms": entity.all(PWC.synonym),
        "description": entity.text(PWC.description), "benchmarks": benchmarks, "counts": row,
        "paging": paging, "list_path": base, "catalogue_ready": True,
        "all_sota": _href(pages.links().path("sota/all"), {"task": slug}) if slug else None,
        "paper_count": paper_count, "papers": papers, "recent": recent})


ROUTES = {"/sota": sota_page, "/sota/all": all_sota_page, "/sota/all.csv": all_sota_csv,
          "/sota/all.json": all_sota_json, "/sota/": area_page, "/benchmarks": benchmarks_page}
