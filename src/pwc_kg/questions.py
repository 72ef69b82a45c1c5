"""The questions the graph exists to answer, as Python functions over a backend.

Each runs a named query of ``queries/`` with its parameters bound, and adds what SPARQL does
badly: depths in a lineage, owl:sameAs aliases, ranking on the fly for a metric whose
direction the user names. The CLI commands and ``KnowledgeGraph`` methods call these.
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal

import pyoxigraph as ox

from .derive.leaderboards import Row, rank, records
from .queries import bind_values, load_query, resolve, run_query
from .queries.run import bind_params, run_text
from .vocab import PWC, PWC_NS, annotated

# A lineage property's local name (lineage-edges.rq's relation) -> the word an answer names it by.
RELATIONS = {prop[len(PWC_NS):]: word for prop, word in annotated(PWC.lineageWord).items()}


def _run(backend, name: str, **params) -> list[dict]:
    return run_query(backend, load_query(name), {k: v for k, v in params.items() if v is not None})[1]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def aliases(backend, model: str) -> list[ox.NamedNode]:
    """The model and every model owl:sameAs it (a Hugging Face id and a leaderboard name, say)."""
    start = resolve(backend, "Model", model)
    rows = _run(backend, "same-as", model=start)
    return sorted({ox.NamedNode(r["model"]) for r in rows} | {start}, key=lambda n: n.value)


def _entity(backend, kind: str, name: str | None) -> ox.NamedNode | None:
    return None if name is None else resolve(backend, kind, name)


def _ranked_on_the_fly(rows: list[dict], higher: bool) -> list[dict]:
    """Rank leaderboard rows in a direction the user named (the graph has none for the metric)."""
    by_iri = {r["result"]: r for r in rows}
    ranked = rank([Row(r["result"], Decimal(str(r["value"])), r.get("date"), bool(r.get("extra_training_data")))
                   for r in rows], higher)
    return [{**by_iri[row.result], "rank": n} for n, row in ranked]


def sota(backend, task: str, dataset: str | None = None, metric: str | None = None, *, extra: bool = True,
         at: str | None = None, higher_is_better: bool | None = None) -> list[dict]:
    """The best result per benchmark and metric; without a dataset, for the task and its subtasks.

    A metric whose direction is unknown gets a row with ``higher_is_better`` null and no model,
    unless ``higher_is_better`` names the direction, in which case it is ranked on the fly.
    A result whose row names no model has ``model`` null; its ``paper`` and ``paper_title`` say whose it is.
    Without extra data (``extra=False``), each row says in ``extra_unknown_kept`` how many results of its
    leaderboard were kept although their source does not say whether they used extra training data.
    """
    # Resolved once, for the two queries below.
    task, dataset, metric = (_entity(backend, kind, name) for kind, name in
                             (("Task", task), ("Dataset", dataset), ("Metric", metric)))
    if at is not None:
        rows = _quality(backend, _run(backend, "sota-at", task=task, dataset=dataset, metric=metric, extra=_flag(extra),
                                      at=at), metric)
        return rows if extra else with_unknown_extra_kept(backend, rows)
    rows = _quality(backend, _by_dataset(backend, "sota", task, dataset, metric, extra), metric)
    unranked = _by_dataset(backend, "unranked", task, dataset, metric, extra)
    unknown = [{"task": u["task"], "dataset": u["dataset"], "metric": u["metric"], "model": None, "value": None,
                "paper_title": None, "date": None, "higher_is_better": None, "extra_training_data": None,
                "result": None, "benchmark": u["benchmark"], "paper": None, "cost": False,
                "direction_source": u["direction_source"], "direction_evidence": None} for u in unranked]
    if higher_is_better is None:
        return rows + unknown if extra else with_unknown_extra_kept(backend, rows) + unknown
    out = list(rows)
    for row in unknown:
        board_task, board_dataset = _benchmark_task_dataset(backend, row["benchmark"])
        board = _run(backend, "leaderboard", task=ox.NamedNode(board_task), dataset=ox.NamedNode(board_dataset),
                     metric=resolve(backend, "Metric", row["metric"]), extra=_flag(extra))
        best = [r for r in _ranked_on_the_fly(board, higher_is_better) if r["rank"] == 1]
        for b in best:
            out.append({**row, "model": b.get("model"), "value": b["value"], "paper_title": b.get("paper_title"),
                        "date": b.get("date"), "extra_training_data": b.get("extra_training_data"),
                        "result": b["result"], "higher_is_better": higher_is_better, "paper": b.get("paper")})
    return out if extra else with_unknown_extra_kept(backend, out)


def _by_dataset(backend, name: str, task, dataset, metric, extra: bool) -> list[dict]:
    """The rows of sota.rq or unranked.rq, asked once per dataset of the task's benchmarks with those benchmarks
    bound (see queries/internal/task-benchmark-datasets.rq for why), merged in the queries' own order."""
    found = _run(backend, "internal/task-benchmark-datasets", task=task)
    by_dataset: dict[str, list[ox.NamedNode]] = {}
    for r in found:
        if dataset is None or r["dataset"] == dataset.value:
            by_dataset.setdefault(r["dataset"], []).append(ox.NamedNode(r["benchmark"]))
    query = load_query(name)
    rows = []
    for ds, benchmarks in sorted(by_dataset.items()):
        text = bind_params(backend, query, {"task": task, "dataset": ox.NamedNode(ds), "metric": metric,
                                            "extra": _flag(extra)})
        rows += run_text(backend, bind_values(text, {"benchmark": benchmarks}))
    # ORDER BY ?task ?dataset ?metric ?model, an unbound model first
    return sorted(rows, key=lambda r: (r["task"], r["dataset"], r["metric"], r.get("model") is not None,
                                       r.get("model") or ""))


def _quality(backend, rows: list[dict], metric) -> list[dict]:
    """The rows of quality metrics: a cost metric's best value (parameters, FLOPs, latency) is the state of the
    art only when the metric is named. Each row says ``cost`` (true or false), and how its direction was
    decided: ``direction_source`` and, when inferred from dated results, ``direction_evidence``."""
    if not rows:
        return rows
    cost = {r["metric"] for r in _run(backend, "cost-metrics")}
    benchmarks = sorted({r["benchmark"] for r in rows if r.get("benchmark")})
    how = {(d["benchmark"], d["metric"]): d for d in _run(backend, "directions",
                                                           benchmark=[ox.NamedNode(b) for b in benchmarks])}
    out = []
    for r in rows:
        r["cost"] = r["metric"] in cost
        d = how.get((r.get("benchmark"), r["metric"]), {})
        r["direction_source"] = d.get("direction_source")
        r["direction_evidence"] = (f"{d['dated_results']} dated results, concordance {d['concordance']}"
                                   if d.get("dated_results") is not None else None)
        if metric is not None or not r["cost"]:
            out.append(r)
    return out


def unknown_extra_kept(backend, results) -> dict[str, int]:
    """For each result, how many results of its benchmark and metric do not say whether they used extra
    training data: a leaderboard without extra training data keeps them (it leaves out only those marked)."""
    wanted = sorted({r for r in results if r})
    if not wanted:
        return {}
    query = bind_values(load_query("internal/unknown-extra-kept").text, {"of": [ox.NamedNode(r) for r in wanted]})
    counts = {row["of"].value: int(row["n"].value) for row in backend.select(query)}
    return {r: counts.get(r, 0) for r in wanted}


def with_unknown_extra_kept(backend, rows: list[dict], key: str = "result") -> list[dict]:
    """The rows, each with ``extra_unknown_kept``: the count of ``unknown_extra_kept`` for its leaderboard."""
    counts = unknown_extra_kept(backend, [r.get(key) for r in rows])
    return [{**r, "extra_unknown_kept": counts.get(r.get(key), 0) if r.get(key) else None} for r in rows]


def _benchmark_task_dataset(backend, benchmark: str) -> tuple[str, str]:
    query = load_query("internal/benchmark-task-dataset").text
    row = backend.select(bind_values(query, {"b": ox.NamedNode(benchmark)}, joint=False))[0]
    return row["task"].value, row["dataset"].value


# The columns of sota_all, each from the column of the catalogue's sota table (and sota-rows.rq) it renames.
SOTA_ALL = {"benchmark": "benchmark", "benchmark_name": "benchmark_name", "dataset": "dataset_name",
            "metric": "metric_name", "model": "model_name", "value": "value", "date": "date",
            "paper_title": "paper_title", "higher_is_better": "higher_is_better", "cost": "cost",
            "direction_source": "direction_source", "results": "result_count", "result": "result", "paper": "paper"}


def sota_all(backend, *, extra: bool = True, catalogue=None) -> list[dict]:
    """The state of the art of every benchmark and metric of known direction, one row per best result
    (several when tied), ordered by benchmark name, metric and model. ``cost`` is true for a cost metric
    (its best value is ranked, but is no state of the art: pwc-kg sota leaves it out).

    With the store's ``catalogue`` (``pwc_kg.catalogue``: the table computed when the generation was
    made) it is one indexed read; without (a remote endpoint), ``queries/internal/sota-rows.rq``.
    """
    if catalogue is not None:
        select = ", ".join(f"{column} AS {name}" for name, column in SOTA_ALL.items())
        rows = catalogue.rows(f"SELECT {select} FROM sota WHERE extra = ?", (int(extra),))
        for r in rows:
            r["higher_is_better"], r["cost"] = bool(r["higher_is_better"]), bool(r["cost"])
    else:
        found = _run(backend, "internal/sota-rows")
        rows, seen = [], set()
        for r in found:
            if (r["extra"] is True) != extra or (r["board"], r["result"]) in seen:
                continue
            seen.add((r["board"], r["result"]))  # the first of a result's model names or papers, as the table keeps
            rows.append({name: r.get(column) for name, column in SOTA_ALL.items()})
        for r in rows:
            r["value"], r["cost"] = float(r["value"]), bool(r["cost"])
            r["results"] = int(r["results"]) if r["results"] is not None else None
    return sorted(rows, key=lambda r: (r["benchmark_name"] or "", r["metric"] or "", r["model"] or "", r["result"]))


def leaderboard(backend, task: str, dataset: str, metric: str, *, extra: bool = True,
                higher_is_better: bool | None = None) -> list[dict]:
    rows = _run(backend, "leaderboard", task=task, dataset=dataset, metric=metric, extra=_flag(extra))
    if higher_is_better is not None and rows and all(r.get("rank") is None for r in rows):
        rows = _ranked_on_the_fly(rows, higher_is_better)
    return rows


def history(backend, task: str, dataset: str, metric: str, *, extra: bool = True,
            higher_is_better: bool | None = None) -> list[dict]:
    rows = _run(backend, "history", task=task, dataset=dataset, metric=metric, extra=_flag(extra))
    if rows or higher_is_better is None:
        return rows if extra else with_unknown_extra_kept(backend, rows)
    board = _run(backend, "leaderboard", task=task, dataset=dataset, metric=metric, extra=_flag(extra))
    by_iri = {r["result"]: r for r in board}
    out = []
    found = records([Row(r["result"], Decimal(str(r["value"])), r.get("date"), bool(r.get("extra_training_data")))
                     for r in board], higher_is_better)
    for row, beaten in found:
        r = by_iri[row.result]
        out.append({"date": r["date"], "model": r.get("model"), "value": r["value"], "paper_title": r.get("paper_title"),
                    "previous_value": by_iri[beaten.result]["value"] if beaten else None,
                    "improvement": float(abs(row.value - beaten.value)) if beaten else None, "result": row.result,
                    "paper": r.get("paper")})
    return out if extra else with_unknown_extra_kept(backend, out)


def model_sota(backend, model: str) -> list[dict]:
    return _run(backend, "model-sota", model=aliases(backend, model))


def lineage(backend, model: str, *, ancestors: bool = True, descendants: bool = True) -> list[dict]:
    """Transitive lineage with the relation at each step: model, relation, parent, depth.

    Depth counts steps from the model: 1 for its parents (or children), 2 for theirs, ...
    owl:sameAs aliases of a model are the same node here.
    """
    start = aliases(backend, model)
    edges = _run(backend, "lineage-edges", model=start[0])
    names = {}
    for e in edges:
        names.setdefault(e["child"], e.get("child_name") or e["child"])
        names.setdefault(e["parent"], e.get("parent_name") or e["parent"])
    canon = _same_as_classes(backend, {e["child"] for e in edges} | {e["parent"] for e in edges} | {s.value for s in start})
    # One edge per (relation, child, parent) up to owl:sameAs; of an edge's aliases, show the
    # leaderboard's name rather than a Hugging Face id (no "/"), then the first by name.
    best: dict[tuple, tuple] = {}
    for e in edges:
        c, p = canon[e["child"]], canon[e["parent"]]
        rel = RELATIONS.get(e["relation"], e["relation"])
        pref = ("/" in names[e["child"]], "/" in names[e["parent"]], names[e["child"]], names[e["parent"]])
        key = (rel, c, p)
        if key not in best or pref < best[key][0]:
            best[key] = (pref, e["child"], e["parent"])
    up: dict[str, list[tuple]] = {}
    down: dict[str, list[tuple]] = {}
    for (rel, c, p), (_, child, parent) in best.items():
        up.setdefault(c, []).append((rel, child, parent, p))
        down.setdefault(p, []).append((rel, child, parent, c))
    root = canon[start[0].value]
    out = []
    for wanted, graph, kind in ((ancestors, up, "ancestor"), (descendants, down, "descendant")):
        if not wanted:
            continue
        seen, queue = {root}, deque([(root, 0)])
        while queue:
            node, depth = queue.popleft()
            for rel, child, parent, nxt in sorted(graph.get(node, [])):
                out.append({"model": names[child], "relation": rel, "parent": names[parent], "depth": depth + 1,
                            "direction": kind, "model_iri": child, "parent_iri": parent})
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, depth + 1))
    return out


def _same_as_classes(backend, iris: set[str]) -> dict[str, str]:
    """Each IRI → one representative of its owl:sameAs class (the smallest IRI)."""
    out = {}
    for iri in sorted(iris):
        if iri in out:
            continue
        members = {r["model"] for r in _run(backend, "same-as", model=ox.NamedNode(iri))} | {iri}
        rep = min(members)
        for m in members:
            out[m] = rep
    return out


def compare(backend, model: str, base: str | None = None) -> list[dict]:
    """A model against its base (named, or its direct parents in the lineage) on what both were evaluated on."""
    model_iris = aliases(backend, model)
    if base is not None:
        bases = [(base, aliases(backend, base))]
    else:
        parents = [e for e in lineage(backend, model, descendants=False) if e["depth"] == 1]
        bases = [(e["parent"], aliases(backend, e["parent_iri"])) for e in parents]
    out = []
    for name, base_iris in bases:
        for row in _run(backend, "compare", model=model_iris, base=base_iris):
            out.append({**row, "base": name})
    return out


def tasks(backend, task: str) -> list[dict]:
    return _run(backend, "tasks", task=task)


def methods(backend, method: str) -> list[dict]:
    return _run(backend, "methods", method=method)


def provenance(backend, result: str) -> list[dict]:
    return _run(backend, "provenance", result=result)
