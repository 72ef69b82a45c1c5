"""Browse state of the art: ``/sota`` (areas and their task trees), ``/sota/<area>`` (an area's tasks, paged),
the task pages and Notable benchmarks (``/benchmarks``); All SotA is sota_all.py.

Every list here is read from the generation's catalogue (``pwc_kg.catalogue``: the tables of
``catalogue/sota.py`` and ``catalogue/tasks.py``) with indexed SQL, ``LIMIT/OFFSET`` for a page, never
SPARQL: All SotA's first byte does not wait for the store. Parameters are checked against fixed lists
and bound as SQL parameters; a bad one is a 400 page that says which, an unknown area or task a 404, a
page past the end a 404. While the catalogue of a generation is still being built (a server started on a
store made before it existed) the pages answer 503, and the task page shows its own benchmarks from the
store as before.
"""

from __future__ import annotations

from datetime import date

from ...vocab import PWC
from . import entities
from .page import Page, local_name, not_found
from .reads import BadParam, Paging, href

CATALOGUE_WAIT = 10.0  # seconds a page waits for a catalogue still being built before it answers 503
NO_AREA = "no-area"  # the slug of the tasks no area names (areas' slugs are minted from their names)
AREA_PREVIEW = 12  # top-level tasks /sota shows of an area (the area's page shows them all)
SUBTASK_PREVIEW = 8

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
        "all_sota": href(pages.links().path("sota/all"), {"area": slug})})


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
        "all_sota": href(pages.links().path("sota/all"), {"task": slug}) if slug else None,
        "paper_count": paper_count, "papers": papers, "recent": recent})


ROUTES = {"/sota": sota_page, "/sota/": area_page, "/benchmarks": benchmarks_page}
