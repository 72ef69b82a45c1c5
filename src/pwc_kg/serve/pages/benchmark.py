"""The page of a benchmark: its leaderboard under one metric, with or without results that used
extra training data, paged (``?page=N&per_page=M``), and the SOTA-over-time chart.

A page reads only its own rows (by rank, with LIMIT and OFFSET: ``queries/internal/leaderboard-*.rq``),
the leaderboard's records and its size (``pwc:resultCount``), never every row of a leaderboard.
"""

from __future__ import annotations

import pyoxigraph as ox

from ...catalogue import ranks
from ...vocab import PWC
from ..chart import Point, sota_chart
from .home import direction_words
from .page import Page, day, flag, integer, local_name, not_found, text
from .reads import BadParam, Entity, Paging, Reads, bad_request


def _metrics(reads: Reads, entity: Entity) -> tuple[list[dict], dict]:
    """The benchmark's metrics in column order, and its leaderboards by (metric IRI, includes extra data)."""
    boards = {}
    names = {}
    for row in reads.internal("benchmark-boards", {"b": ox.NamedNode(entity.iri)}):
        m = row["metric"].value
        names[m] = min(names.get(m, row["pref"].value), row["pref"].value) if "pref" in row else names.get(m, local_name(m))
        boards[(m, bool(flag(row["extra"])))] = {
            "iri": row["board"].value, "higher": flag(row.get("higher")), "source": text(row.get("source")),
            "count": integer(row.get("count")) or 0, "dated": integer(row.get("dated")),
            "concordance": text(row.get("concordance")), "cost": "cost" in row}
    order = []
    columns = entity.first(PWC.metricColumns)
    if columns is not None and columns.is_iri:
        order = [v.term.value for v in reads.seq(columns.term.value)]
    ranked = [m for m in order if m in names] + sorted(m for m in names if m not in order)
    metrics = [{"iri": m, "slug": local_name(m), "name": names[m],
                "count": boards.get((m, True), {}).get("count", 0)} for m in ranked]
    return metrics, boards


def row_details(reads: Reads, results: list[str], with_extra: bool) -> dict[str, dict]:
    """What the leaderboard shows of each result (``queries/internal/leaderboard-rows.rq``), by result."""
    if not results:
        return {}
    out: dict[str, dict] = {}
    for r in reads.internal("leaderboard-rows", {"result": [ox.NamedNode(i) for i in sorted(set(results))]}):
        row = out.setdefault(r["result"].value, {
            "result": r["result"].value, "model": text(r.get("model")), "model_iri": text(r.get("model_iri")),
            "value": r["value"].value, "number": float(r["value"].value), "date": text(r.get("date")),
            "day": day(r.get("date")), "extra": flag(r.get("extra_training_data")), "paper": text(r.get("paper")),
            "paper_title": text(r.get("paper_title")),
            "rank": integer(r.get("rank") if with_extra else r.get("rank_without_extra"))})
        if "paper" in r and row["paper"] is None:
            row["paper"] = r["paper"].value
    untitled = [r["paper"] for r in out.values() if r["paper"] and not r["paper_title"]]
    if untitled:  # a row that names its paper only by URL: the paper's own title, where the graph has one
        titles = reads.labels(untitled)
        for r in out.values():
            if r["paper"] and not r["paper_title"]:
                r["paper_title"] = titles.get(r["paper"])
    return out


def leaderboard_page(reads: Reads, benchmark: str, metric: str, with_extra: bool, higher: bool | None,
                     paging: Paging, cat=None) -> tuple[list[str], dict[str, str]]:
    """The results on one page of the leaderboard, best first in the metric's direction (by value, highest
    first, when it is unknown), and those of them kept out of ranking (result -> why).

    Only the page's rows are read: the ranked ones by rank (``leaderboard-page.rq``); on the page where
    they end, those kept out of ranking (``leaderboard-excluded.rq``: few) after them; a leaderboard of
    unknown direction by value (``leaderboard-unranked.rq``). ``paging.total`` is the leaderboard's size
    (its ``pwc:resultCount``), those kept out of ranking included.
    """
    keys = {"benchmark": ox.NamedNode(benchmark), "metric": ox.NamedNode(metric), "with_extra": ox.Literal(with_extra)}
    if higher is None:
        rows = reads.internal("leaderboard-unranked", keys, paging.per_page, paging.offset)
        return [r["result"].value for r in rows], {}
    if cat is not None:  # the catalogue's ranks (computed with the generation): one indexed read
        page = ranks.page(cat, benchmark, metric, with_extra, paging.per_page, paging.offset)
    else:
        page = [r["result"].value for r in reads.internal("leaderboard-page", keys, paging.per_page, paging.offset)]
    if len(page) == paging.per_page:
        return page, {}  # the ranked rows go on past this page: none kept out of ranking is on it
    excluded = {r["result"].value: r["why"].value for r in reads.internal("leaderboard-excluded", keys)}
    ranked_total = paging.total - len(excluded)
    start = max(0, paging.offset - ranked_total)
    page += list(excluded)[start:start + paging.per_page - len(page)]
    return page, {r: why for r, why in excluded.items() if r in page}


def chart_caption(records: int, points: int, undated: int, paged: bool) -> str:
    """What the chart draws, in words: only what is drawn.

    >>> chart_caption(3, 10, 1, False)
    'The step line joins the results that set a record; the other results are points. 1 undated result cannot be drawn.'
    >>> chart_caption(0, 4, 0, True)
    'The points are the results on this page. No result sets a record: no step line is drawn.'
    """
    words = ""
    if records:
        others = "the other points are the results on this page" if paged else "the other results are points"
        words = f"The step line joins the results that set a record; {others}."
    elif points:
        words = (f"The points are {'the results on this page' if paged else 'its results'}. "
                 "No result sets a record: no step line is drawn.")
    if undated:
        words += f" {undated} undated result{'s' if undated != 1 else ''}{' on this page' if paged else ''} cannot be drawn."
    return words.strip()


def benchmark_page(reads: Reads, entity: Entity, params: dict[str, list[str]], links, cat=None) -> Page:
    """The benchmark's page; ``cat``: the generation's catalogue, when ready (else the store is asked)."""
    metrics, boards = _metrics(reads, entity)
    wanted = (params.get("metric") or [""])[0].strip()
    with_extra = (params.get("extra") or ["yes"])[0].strip().lower() not in ("no", "false", "0", "without")
    metric = None
    if wanted:
        metric = next((m for m in metrics if wanted in (m["slug"], m["iri"]) or wanted.casefold() == m["name"].casefold()),
                      None)
        if metric is None:
            return not_found(f"the metric {wanted!r} on the benchmark {entity.label!r}")
    elif metrics:
        metric = metrics[0]
    task, dataset = entity.first(PWC.task), entity.first(PWC.dataset)
    context = {"title": entity.label, "entity": entity, "task": task, "dataset": dataset,
               "dataset_name": entity.text(PWC.datasetName), "metrics": metrics, "metric": metric,
               "with_extra": with_extra, "rows": [], "records": [], "chart": None, "board": None}
    if metric is None:
        return Page(200, "benchmark.html", context)
    board = boards.get((metric["iri"], with_extra)) or {"iri": None, "higher": None, "source": None, "count": 0,
                                                        "dated": None, "concordance": None, "cost": False}
    try:
        # The links to other pages keep the metric and the filter as the page was asked for them.
        paging = Paging.of(params, keep={"metric": wanted, "extra": "" if with_extra else "no"}).check(board["count"])
    except BadParam as e:
        return bad_request(e, "benchmark.html", **{**context, "metric": None})
    page, excluded = leaderboard_page(reads, entity.iri, metric["iri"], with_extra, board["higher"], paging, cat)
    records = reads.internal("board-records", {"board": ox.NamedNode(board["iri"])}) if board["iri"] else []
    details = row_details(reads, page + [r["result"].value for r in records], with_extra)
    rows = [details[r] for r in page if r in details]
    for r in rows:
        if r["result"] in excluded:
            r["excluded"] = excluded[r["result"]]
    record_rows = []
    for rec in records:
        row = details.get(rec["result"].value)
        if row is None:
            continue
        row["record"] = True
        record_rows.append({**row, "previous": text(rec.get("previous")), "improvement": text(rec.get("improvement"))})
    # The chart: the records (the step line) and the rows of this page.
    points = {r["result"]: Point(r["day"], r["number"], r["model"] or r["paper_title"] or "(no model named)",
                                 links.href(r["result"])) for r in rows + record_rows if r["day"]}
    drawn = [points[r["result"]] for r in record_rows if r["result"] in points]
    chart = sota_chart(list(points.values()), drawn, board["higher"], metric["name"])
    undated = sum(1 for r in rows if not r["day"])
    context.update(rows=rows, records=record_rows, chart=chart, board=board, paging=paging,
                   direction=direction_words(board["higher"], board["source"], board["dated"], board["concordance"]),
                   caption=chart_caption(len(drawn), len(points), undated, paging.pages > 1),
                   excluded=sorted(set(excluded.values())),
                   unknown_extra=0 if with_extra else sum(1 for r in rows if r["extra"] is None))
    return Page(200, "benchmark.html", context)
