"""The lists: /datasets, /methods, /papers, and a paper's related papers.

Every list reads the generation's catalogue (``pwc_kg.catalogue``: the tables of
``catalogue/datasets.py``, ``methods.py`` and ``papers.py``) with indexed SQL, its values bound as
parameters; no SPARQL runs for them. While the catalogue of a new generation is being built the
lists answer 503, as search does.

Parameters (bad ones answer 400 on the list's own page, a filter naming nothing 404, a page past the
last 404):

- ``page`` (from 1), ``per_page`` (1 to ``reads.MAX_PER_PAGE``; ``PER_PAGE`` by default);
- /datasets: ``modality``, ``language``, ``task``; ``sort`` = ``name`` (default) or ``papers``;
- /methods: ``area``, ``collection``; ``sort`` = ``name`` (default) or ``papers``;
- /papers: ``task``, ``method``, ``dataset`` (newest first).

A task, method, dataset, area or collection is named by its key (its IRI's path after its kind:
``task=question-answering``) or, as a person types it into the form, by its name.

Related papers (``related_papers``): the papers that share the most with this one, from the link
tables: each task, dataset and method the two share counts ``log(N / n)`` (N papers in all, n of them
with that task, dataset or method: what few papers share says more), ties by date, newest first, then
by IRI. A
task, dataset or method of more than ``RELATED_SCAN`` papers counts for its ``RELATED_SCAN`` most
recent ones only (its weight is small, and reading all 50,000 papers of a popular task would take a
page's whole time).
"""

from __future__ import annotations

import functools
import logging
import math

from .page import Page
from .reads import BadParam, Paging, choice, href, param

log = logging.getLogger(__name__)

PER_PAGE = 50
PAGE_SIZES = (20, 50, 100, 500)  # the page sizes a list offers
RELATED = 10
RELATED_SCAN = 2000
RELATED_ITEMS = 100  # the rarest tasks, datasets and methods of a paper that count (SQLite's UNION ALL has a bound)
TOP_TASKS = 30  # the tasks /datasets offers as filters (the most used; the rest are reached from a row's chips)
SORTS = ("name", "papers")
# Seconds a list waits for the catalogue: one that is there opens at once (on a thread: a server just
# started has not opened it yet); one being built takes minutes, and the list answers 503 meanwhile.
CATALOGUE_WAIT = 3.0
RELATED_WAIT = 0.5  # a paper page waits less: it shows no related papers while the catalogue is not ready
COUNT_BOUND = 1000  # /papers with two filters or more counts its papers up to this ("more than 1000")




def _paging(params: dict) -> Paging:
    return Paging.of(params, PER_PAGE, sizes=PAGE_SIZES)


def _sort(params: dict) -> str:
    return choice(params, "sort", SORTS, "name")


def _placeholders(values) -> str:
    return ", ".join("?" * len(values))


def _catalogue(pages, wait: float = CATALOGUE_WAIT):
    return pages.catalogue(wait=wait)


def _unready(template: str, title: str) -> Page:
    return Page(503, template, {"title": title, "ready": False, "error": None})


def _failed(template: str, title: str, err: BadParam) -> Page:
    return Page(err.status, template, {"title": title, "ready": True, "error": str(err)})


# --- resolving a filter value ----------------------------------------------------------------

def _resolve(cat, table: str, value: str, what: str) -> tuple[str, str] | None:
    """(key, name) of a task/dataset/method named by its key or, failing that, by its name; 404 when none."""
    if not value:
        return None
    row = cat.rows(f"SELECT key, name FROM {table} WHERE key = ?", (value,))
    if not row:
        row = cat.rows(f"SELECT key, name FROM {table} WHERE name = ? COLLATE NOCASE ORDER BY key LIMIT 1", (value,))
    if not row:
        raise BadParam(404, f"there is no {what} {value!r}")
    return row[0]["key"], row[0]["name"]


# --- /datasets ---------------------------------------------------------------------------------

def _dataset_options(cat) -> dict:
    """The filters /datasets offers: every modality and language, the most used tasks; each with its datasets."""
    def facet(name: str, limit: int | None = None) -> list[dict]:
        sql = ("SELECT f.value AS value, COUNT(*) AS n, k.name AS name FROM dataset_facet f "
               "LEFT JOIN task_keys k ON f.facet = 'task' AND k.key = f.value WHERE f.facet = ? "
               "GROUP BY f.value ORDER BY n DESC, f.value")
        rows = cat.rows(sql + (" LIMIT ?" if limit else ""), (name, limit) if limit else (name,))
        for r in rows:
            r["name"] = r["name"] or r["value"]
        return rows
    return {"modality": facet("modality"), "language": facet("language"), "task": facet("task", TOP_TASKS)}


def datasets_view(pages, params: dict) -> Page:
    title = "Datasets"
    cat = _catalogue(pages)
    if cat is None:
        return _unready("datasets.html", title)
    try:
        paging = _paging(params)
        sort = _sort(params)
        modality, language = param(params, "modality"), param(params, "language")
        for facet, value in (("modality", modality), ("language", language)):
            if value and cat.value("SELECT 1 FROM dataset_facet WHERE facet = ? AND value = ? LIMIT 1",
                                   (facet, value)) is None:
                raise BadParam(404, f"no dataset has the {facet} {value!r}")
        task = _resolve(cat, "task_keys", param(params, "task"), "task")
        where, args = [], []
        for facet, value in (("modality", modality), ("language", language), ("task", task[0] if task else "")):
            if value:
                where.append("d.id IN (SELECT dataset FROM dataset_facet WHERE facet = ? AND value = ?)")
                args += [facet, value]
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total = cat.value(f"SELECT COUNT(*) FROM datasets d {clause}", args)
        paging.check(total)
    except BadParam as err:
        return _failed("datasets.html", title, err)
    order = ("d.paper_count DESC, d.papers DESC, d.name COLLATE NOCASE, d.id" if sort == "papers"
             else "d.name COLLATE NOCASE, d.id")
    rows = cat.rows(f"SELECT d.id, d.iri, d.key, d.name, d.full_name, d.paper_count, d.papers, d.benchmarks "
                    f"FROM datasets d {clause} ORDER BY {order} LIMIT ? OFFSET ?",
                    args + [paging.per_page, paging.offset])
    facets = {r["id"]: {"modality": [], "language": [], "task": []} for r in rows}
    if rows:
        ids = list(facets)
        for f in cat.rows("SELECT f.dataset, f.facet, f.value, k.name FROM dataset_facet f "
                          "LEFT JOIN task_keys k ON f.facet = 'task' AND k.key = f.value "
                          f"WHERE f.dataset IN ({_placeholders(ids)})", ids):
            facets[f["dataset"]][f["facet"]].append((f["value"], f["name"] or f["value"]))
    for r in rows:
        r.update({facet: sorted(values) for facet, values in facets[r["id"]].items()})
    filters = {"modality": modality, "language": language, "task": task[0] if task else ""}
    options = pages.site.per_generation("lists.dataset_options", lambda: _dataset_options(cat))
    path = pages.links().path("datasets")

    @functools.lru_cache(maxsize=None)  # a page links the same filters many times: each URL made once
    def with_(**changed) -> str:  # the list with one filter changed, from its first page
        return href(path, {**filters, "sort": sort if sort != "name" else None, **changed})

    return Page(200, "datasets.html", {
        "title": title, "ready": True, "error": None, "datasets": rows, "sort": sort, "filters": filters,
        "task_name": task[1] if task else "", "options": options, "with_": with_,
        "paging": paging.keeping(**filters, sort=sort if sort != "name" else None), "list_path": path})


# --- /methods ----------------------------------------------------------------------------------

def _resolve_group(cat, column: str, value: str, what: str) -> tuple[str, str] | None:
    """(key, name) of an area or collection named by its key or its name; 404 when none."""
    if not value:
        return None
    for by in (column, f"{column}_name"):
        row = cat.rows(f"SELECT {column} AS key, {column}_name AS name FROM method_collection "
                       f"WHERE {by} = ? {'COLLATE NOCASE' if by != column else ''} LIMIT 1", (value,))
        if row:
            return row[0]["key"], row[0]["name"]
    raise BadParam(404, f"there is no {what} {value!r}")


def methods_view(pages, params: dict) -> Page:
    title = "Methods"
    cat = _catalogue(pages)
    if cat is None:
        return _unready("methods.html", title)
    try:
        paging = _paging(params)
        sort = _sort(params)
        area = _resolve_group(cat, "area", param(params, "area"), "area")
        collection = _resolve_group(cat, "collection", param(params, "collection"), "collection")
        where, args = [], []
        for column, value in (("area", area), ("collection", collection)):
            if value:
                where.append(f"m.id IN (SELECT method FROM method_collection WHERE {column} = ?)")
                args.append(value[0])
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total = cat.value(f"SELECT COUNT(*) FROM methods m {clause}", args)
        paging.check(total)
    except BadParam as err:
        return _failed("methods.html", title, err)
    order = ("m.paper_count DESC, m.papers DESC, m.name COLLATE NOCASE, m.id" if sort == "papers"
             else "m.name COLLATE NOCASE, m.id")
    rows = cat.rows(f"SELECT m.id, m.iri, m.key, m.name, m.full_name, m.paper_count, m.papers FROM methods m "
                    f"{clause} ORDER BY {order} LIMIT ? OFFSET ?", args + [paging.per_page, paging.offset])
    groups = {r["id"]: [] for r in rows}
    if rows:
        ids = list(groups)
        for g in cat.rows("SELECT method, collection, collection_name, area, area_name FROM method_collection "
                          f"WHERE method IN ({_placeholders(ids)}) ORDER BY collection_name, area_name", ids):
            groups[g["method"]].append(g)
    for r in rows:
        r["collections"] = groups[r["id"]]
    filters = {"area": area[0] if area else "", "collection": collection[0] if collection else ""}
    areas = pages.site.per_generation("lists.method_areas", lambda: cat.rows(
        "SELECT area AS key, MIN(area_name) AS name, COUNT(DISTINCT method) AS n FROM method_collection "
        "WHERE area IS NOT NULL GROUP BY area ORDER BY name"))
    collections = pages.site.per_generation(f"lists.method_collections:{area[0] if area else ''}", lambda: cat.rows(
        "SELECT collection AS key, MIN(collection_name) AS name, COUNT(DISTINCT method) AS n FROM method_collection "
        + ("WHERE area = ? " if area else "") + "GROUP BY collection ORDER BY name", (area[0],) if area else ()))
    path = pages.links().path("methods")

    @functools.lru_cache(maxsize=None)
    def with_(**changed) -> str:
        return href(path, {**filters, "sort": sort if sort != "name" else None, **changed})

    return Page(200, "methods.html", {
        "title": title, "ready": True, "error": None, "methods": rows, "sort": sort, "filters": filters,
        "area_name": area[1] if area else "", "collection_name": collection[1] if collection else "",
        "areas": areas, "collections": collections, "with_": with_,
        "paging": paging.keeping(**filters, sort=sort if sort != "name" else None), "list_path": path})


# --- /papers -----------------------------------------------------------------------------------

# A /papers filter: (parameter, link table, its key column, the table its names are in).
PAPER_FILTERS = (("task", "paper_task", "task", "task_keys"),
                 ("method", "paper_method", "method", "methods"),
                 ("dataset", "paper_dataset", "dataset", "datasets"))


def _paper_total(pages, cat) -> int:
    return pages.site.per_generation("lists.paper_total", lambda: cat.value("SELECT COUNT(*) FROM papers"))


def papers_view(pages, params: dict) -> Page:
    title = "Papers"
    cat = _catalogue(pages)
    if cat is None:
        return _unready("papers.html", title)
    try:
        paging = _paging(params)
        chosen = []  # (parameter, link table, key column, key, name, its papers)
        for name, table, column, names in PAPER_FILTERS:
            found = _resolve(cat, names, param(params, name), name)
            if found:
                n = cat.value(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (found[0],))
                chosen.append((name, table, column, found[0], found[1], n))
        more = False
        if not chosen:
            total = _paper_total(pages, cat)
            paging.check(total)
            ids = [r["id"] for r in cat.rows("SELECT id FROM papers ORDER BY date DESC, id DESC LIMIT ? OFFSET ?",
                                             (paging.per_page, paging.offset))]
        else:
            # The filter with the fewest papers drives, newest first from its key; the others are checked per row.
            chosen.sort(key=lambda c: c[5])
            _, table, column, value, _, _ = chosen[0]
            where, args = [f"l.{column} = ?"], [value]
            for _, other, other_column, other_value, _, _ in chosen[1:]:
                where.append(f"EXISTS (SELECT 1 FROM {other} o WHERE o.paper = l.paper AND o.{other_column} = ?)")
                args.append(other_value)
            clause = " AND ".join(where)
            if len(chosen) == 1:
                total = chosen[0][5]
            else:  # counted up to a bound: two filters of 50,000 papers each take 100 ms to intersect whole
                bound = max(COUNT_BOUND, paging.offset + paging.per_page)
                total = cat.value(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} l WHERE {clause} LIMIT ?)",
                                  args + [bound + 1])
                more = total > bound
                total = min(total, bound)
            paging.check(total, more)
            ids = [r["paper"] for r in cat.rows(f"SELECT l.paper FROM {table} l WHERE {clause} "
                                                "ORDER BY l.day DESC, l.paper DESC LIMIT ? OFFSET ?",
                                                args + [paging.per_page, paging.offset])]
            if paging.page > 1 and not ids:
                raise BadParam(404, f"there is no page {paging.page} of these papers")
    except BadParam as err:
        return _failed("papers.html", title, err)
    rows = _papers_by_id(cat, ids)
    filters = {c[0]: c[3] for c in chosen}
    path = pages.links().path("papers")

    @functools.lru_cache(maxsize=None)
    def with_(**changed) -> str:
        return href(path, {**filters, **changed})

    return Page(200, "papers.html", {
        "title": title, "ready": True, "error": None, "papers": rows, "filters": filters,
        "chosen": [{"what": c[0], "key": c[3], "name": c[4]} for c in chosen], "with_": with_,
        "paging": paging.keeping(**filters), "list_path": path})


def _papers_by_id(cat, ids: list[int]) -> list[dict]:
    """The papers of these ids, in this order, each with its tasks (key, name)."""
    if not ids:
        return []
    found = {r["id"]: r for r in cat.rows(
        f"SELECT id, iri, title, date, code_count, result_count FROM papers WHERE id IN ({_placeholders(ids)})", ids)}
    for r in found.values():
        r["tasks"] = []
    for t in cat.rows("SELECT l.paper, l.task, k.name FROM paper_task l LEFT JOIN task_keys k ON k.key = l.task "
                      f"WHERE l.paper IN ({_placeholders(ids)}) ORDER BY k.name, l.task", ids):
        found[t["paper"]]["tasks"].append((t["task"], t["name"] or t["task"]))
    return [found[i] for i in ids if i in found]


# --- related papers ----------------------------------------------------------------------------

# What two papers may share: (kind, link table, key column, the table its names are in).
SHARED = (("task", "paper_task", "task", "task_keys"),
          ("dataset", "paper_dataset", "dataset", "datasets"),
          ("method", "paper_method", "method", "methods"))


def related_papers(pages, paper_iri: str) -> list[dict]:
    """The papers most related to this one (see the module's docstring), best first: dicts of
    iri, title, date, score and ``shared`` (kind, key, name) in the order of their weight.
    Empty when the catalogue is not ready or does not know the paper."""
    try:
        cat = _catalogue(pages, RELATED_WAIT)
    except RuntimeError:  # the catalogue could not be built: the lists say so; a paper page shows the paper
        log.exception("no related papers for %s", paper_iri)
        return []
    return [] if cat is None else related(cat, paper_iri, _paper_total(pages, cat))


def related(cat, paper_iri: str, total: int | None = None, limit: int = RELATED) -> list[dict]:
    me = cat.value("SELECT id FROM papers WHERE iri = ?", (paper_iri,))
    if me is None:
        return []
    total = total or cat.value("SELECT COUNT(*) FROM papers")
    items = []  # (weight, kind, key, name) of what this paper has that another has too
    for kind, table, column, names in SHARED:
        for item in cat.rows(f"SELECT l.{column} AS key, n.name AS name, "
                             f"(SELECT COUNT(*) FROM {table} c WHERE c.{column} = l.{column}) AS n "
                             f"FROM {table} l LEFT JOIN {names} n ON n.key = l.{column} WHERE l.paper = ?", (me,)):
            if item["n"] > 1:
                items.append((math.log(total / item["n"]), kind, item["key"], item["name"] or item["key"]))
    if not items:
        return []
    items.sort(key=lambda i: (-i[0], i[1], i[3]))
    items = items[:RELATED_ITEMS]
    # Summed in SQL (one statement, the GIL released): each item's most recent RELATED_SCAN papers and its weight.
    tables = {kind: (table, column) for kind, table, column, _ in SHARED}
    parts, args = [], []
    for weight, kind, item_key, _ in items:
        table, column = tables[kind]
        parts.append(f"SELECT * FROM (SELECT paper, day, ? AS w FROM {table} WHERE {column} = ? "
                     "ORDER BY day DESC, paper DESC LIMIT ?)")
        args += [weight, item_key, RELATED_SCAN + 1]
    best = cat.rows(f"SELECT paper, ROUND(SUM(w), 9) AS score, MAX(day) AS day FROM ({' UNION ALL '.join(parts)}) "
                    "WHERE paper != ? GROUP BY paper ORDER BY score DESC, day DESC, paper LIMIT ?", args + [me, limit])
    ids = [r["paper"] for r in best]
    scores = {r["paper"]: r["score"] for r in best}
    # What each of them shares with this paper, the rarest first.
    weight_of = {(kind, item_key): (weight, name) for weight, kind, item_key, name in items}
    shared: dict[int, list] = {i: [] for i in ids}
    if ids:
        for kind, table, column, _ in SHARED:
            for r in cat.rows(f"SELECT paper, {column} AS key FROM {table} WHERE paper IN ({_placeholders(ids)})", ids):
                found = weight_of.get((kind, r["key"]))
                if found:
                    shared[r["paper"]].append((-found[0], kind, found[1], r["key"]))
    out = []
    for row in _papers_by_id(cat, ids):
        out.append({"iri": row["iri"], "title": row["title"], "date": row["date"], "score": round(scores[row["id"]], 3),
                    "shared": [{"kind": kind, "key": item_key, "name": name}
                               for _, kind, name, item_key in sorted(shared[row["id"]])]})
    return out


ROUTES: dict = {"/datasets": datasets_view, "/methods": methods_view, "/papers": papers_view}
