"""The page of a benchmark: its leaderboard under one metric, with or without results that used
extra training data, and the SOTA-over-time chart."""

from __future__ import annotations

import pyoxigraph as ox

from ...vocab import PWC, SKOS
from ..chart import Point, sota_chart
from .page import Page, day, flag, integer, local_name, not_found, text
from .reads import Entity, Reads

_BOARDS = f"""SELECT DISTINCT ?board ?metric ?extra ?higher ?source ?count ?pref ?dated ?concordance ?cost WHERE {{
  ?board <{PWC.onBenchmark}> ?b ; <{PWC.byMetric}> ?metric ; <{PWC.includesExtraTrainingData}> ?extra .
  OPTIONAL {{ ?board <{PWC.higherIsBetter}> ?higher }}
  OPTIONAL {{ ?board <{PWC.directionSource}> ?source }}
  OPTIONAL {{ ?board <{PWC.directionResults}> ?dated ; <{PWC.directionConcordance}> ?concordance }}
  OPTIONAL {{ ?metric a ?cost FILTER(?cost = <{PWC.CostMetric}>) }}
  OPTIONAL {{ ?board <{PWC.resultCount}> ?count }}
  OPTIONAL {{ ?metric <{SKOS.prefLabel}> ?pref }}
}}"""

_EXCLUDED = f"SELECT ?result ?why WHERE {{ ?result <{PWC.excludedFromRanking}> ?why }}"

_RECORDS = f"""SELECT DISTINCT ?result ?index ?date ?previous ?improvement WHERE {{
  ?record <{PWC.leaderboard}> ?board ; <{PWC.result}> ?result ; <{PWC.recordIndex}> ?index ; <{PWC.recordDate}> ?date .
  OPTIONAL {{ ?record <{PWC.previousValue}> ?previous }}
  OPTIONAL {{ ?record <{PWC.improvement}> ?improvement }}
}} ORDER BY ?index"""


def _metrics(reads: Reads, entity: Entity) -> tuple[list[dict], dict]:
    """The benchmark's metrics in column order, and its leaderboards by (metric IRI, includes extra data)."""
    boards = {}
    names = {}
    for row in reads.select(_BOARDS, {"b": ox.NamedNode(entity.iri)}):
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


def leaderboard_rows(reads: Reads, benchmark: str, metric: str, with_extra: bool, higher: bool | None) -> list[dict]:
    """The leaderboard's rows, best first in the metric's direction (by value, highest first, when unknown)."""
    by_result: dict[str, dict] = {}
    for r in reads.named("benchmark-results", benchmark=ox.NamedNode(benchmark), metric=ox.NamedNode(metric)):
        extra = flag(r.get("extra_training_data"))  # None: the source does not say
        if extra and not with_extra:
            continue  # without extra training data leaves out only the results marked as using it
        row = by_result.setdefault(r["result"].value, {
            "result": r["result"].value, "model": text(r.get("model")), "model_iri": text(r.get("model_iri")),
            "value": r["value"].value, "number": float(r["value"].value), "date": text(r.get("date")),
            "day": day(r.get("date")), "extra": extra, "paper": text(r.get("paper")),
            "paper_title": text(r.get("paper_title")),
            "rank": integer(r.get("rank") if with_extra else r.get("rank_without_extra"))})
        if "paper" in r and row["paper"] is None:
            row["paper"] = r["paper"].value
    rows = list(by_result.values())
    # Shown but not ranked: a value on another scale than the rest of its leaderboard (derive/slips.py).
    for r in reads.select(_EXCLUDED, {"result": [ox.NamedNode(i) for i in by_result]}) if by_result else []:
        by_result[r["result"].value]["excluded"] = r["why"].value
    untitled = [r["paper"] for r in rows if r["paper"] and not r["paper_title"]]
    if untitled:  # a row that names its paper only by URL: the paper's own title, where the graph has one
        titles = reads.labels(untitled)
        for r in rows:
            if r["paper"] and not r["paper_title"]:
                r["paper_title"] = titles.get(r["paper"])
    sign = -1 if higher is not False else 1
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, sign * r["number"],
                             (r["model"] or r["paper_title"] or r["paper"] or "").casefold()))
    return rows


def benchmark_page(reads: Reads, entity: Entity, params: dict[str, list[str]], links) -> Page:
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
    rows = leaderboard_rows(reads, entity.iri, metric["iri"], with_extra, board["higher"])
    records = []
    if board["iri"]:
        records = reads.select(_RECORDS, {"board": ox.NamedNode(board["iri"])})
    by_result = {r["result"]: r for r in rows}
    record_rows = []
    for rec in records:
        row = by_result.get(rec["result"].value)
        if row is None:
            continue
        row["record"] = True
        record_rows.append({**row, "previous": text(rec.get("previous")), "improvement": text(rec.get("improvement"))})
    points = {r["result"]: Point(r["day"], r["number"], r["model"] or r["paper_title"] or "(no model named)",
                                 links.href(r["result"])) for r in rows if r["day"]}
    chart = sota_chart(list(points.values()), [points[r["result"]] for r in record_rows if r["result"] in points],
                       board["higher"], metric["name"])
    context.update(rows=rows, records=record_rows, chart=chart, board=board,
                   undated=sum(1 for r in rows if not r["day"]),
                   unknown_extra=0 if with_extra else sum(1 for r in rows if r["extra"] is None))
    return Page(200, "benchmark.html", context)
