"""evaluation-tables.json: tasks, their datasets and leaderboards, one EvaluationResult per value.

The file nests: a task holds datasets and subtasks (tasks again); a dataset holds subdatasets
(datasets again) and one ``sota`` table of rows; a row holds one value per metric. Every value
cell ends as an EvaluationResult (its ``pwc:sourceRecord`` is the cell's JSON Pointer) or as a
line of the rejects report for that pointer, so graph + rejects = input, cell for cell.
"""

from __future__ import annotations

from ..iri import name_key
from ..ntriples import boolean, date, decimal, iri, lit
from ..values import Value, ValueRejected, parse_value
from ..vocab import PWC, RDF, RDF_SEQ_ITEM, SKOS
from . import common
from ..pointers import pointer
from .context import Context, named
from .datasets import repository
from .fields import Fields


def map_task_tree(ctx: Context, index: int, record: dict) -> bool:
    return _task(ctx, record, pointer(index), None)


def _is_ancestor(ctx: Context, task: str, of: str) -> bool:
    """Whether ``task`` is ``of`` or above it through the subtask links this file made so far."""
    seen, todo = set(), [of]
    while todo:
        node = todo.pop()
        if node == task:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(ctx.task_parents.get(node, ()))
    return False


def _task(ctx: Context, rec: dict, ptr: str, parent: str | None) -> bool:
    f = Fields(ctx, ptr, rec)
    g = ctx.graph
    name = f.text("task")
    if not name:
        f.reject("task", rec.get("task"), "a task needs a name; the task is not mapped")
        _reject_cells(ctx, rec, ptr, "task", "its task has no name")
        return False
    node = common.task(ctx, name)
    if parent is not None:
        # Checked against every link of the file so far: a cycle through several top-level tasks
        # (B under A in one record, A under B in another) is refused as well as one inside a record.
        if _is_ancestor(ctx, node, parent):
            f.reject("task", name, "the task would be its own ancestor; the subtask link is not mapped")
            ctx.bump("task cycles")
        elif parent not in ctx.task_parents.setdefault(node, set()):
            ctx.task_parents[node].add(parent)
            g.iri(node, PWC.subtaskOf, parent)
    description = f.text("description")
    if description:
        g.text(node, PWC.description, description)
    for category in f.texts("categories"):
        g.iri(node, PWC.inArea, common.area(ctx, category))
    for synonym in f.texts("synonyms"):
        g.text(node, PWC.synonym, synonym)
    link = f.object("source_link")
    if link:
        url = Fields(ctx, ptr + pointer("source_link"), link).url("url")
        if url:
            g.iri(node, PWC.sourceLink, url)
    for i, d in f.objects("datasets"):
        _dataset(ctx, d, ptr + pointer("datasets", i), node, name, None)
    for i, sub in f.objects("subtasks"):
        _task(ctx, sub, ptr + pointer("subtasks", i), node)
    return True


def dataset_node(ctx: Context, name: str) -> str:
    """The Dataset a leaderboard names: a dataset of that name or full name; else a dataset of its own,
    linked with pwc:variantOf to the dataset that lists the name among its variants."""
    reg = ctx.registry
    key = name_key(name)
    node = reg.dataset_by_name.get(key)
    if node is not None:
        return named(ctx, node, PWC.Dataset, name)
    node = named(ctx, ctx.mint.dataset(name), PWC.Dataset, name)
    family = reg.dataset_by_alias.get(key)
    if family is not None and family != node and ctx.graph.once((node, "variantOf", family)):
        ctx.graph.iri(node, PWC.variantOf, family)
    return node


def _dataset(ctx: Context, rec: dict, ptr: str, task: str, task_name: str, parent: str | None) -> None:
    f = Fields(ctx, ptr, rec)
    g = ctx.graph
    key = "subdataset" if parent and "subdataset" in rec else "dataset"
    name = f.text(key)
    if not name:
        f.reject(key, rec.get(key), "a dataset needs a name; its leaderboard is not mapped")
        _reject_cells(ctx, rec, ptr, key, "its dataset has no name")
        return
    if parent is None:
        node = dataset_node(ctx, name)
    else:
        node = named(ctx, ctx.mint.subdataset(parent, name), PWC.Dataset, name)
        g.iri(node, PWC.subdatasetOf, parent)
    description = f.text("description")
    if description:
        g.text(node, PWC.description, description)
    for field_, prop in (("dataset_links", PWC.relatedLink), ("dataset_citations", PWC.citation)):
        for i, link in f.objects(field_):
            url = Fields(ctx, ptr + pointer(field_, i), link).url("url")
            if url:
                g.iri(node, prop, url)
    sota = f.object("sota")
    if sota:
        _table(ctx, sota, ptr + pointer("sota"), task, node, task_name, name)
    for i, sub in f.objects("subdatasets"):
        _dataset(ctx, sub, ptr + pointer("subdatasets", i), task, task_name, node)


def metric_node(ctx: Context, name: str) -> str:
    node = ctx.mint.metric(name)
    ctx.graph.type(node, PWC.Metric)
    if ctx.graph.once((node, name)):  # every spelling is kept, each a name and an alternative label
        ctx.graph.text(node, PWC.name, name)
        ctx.graph.text(node, SKOS.altLabel, name)
    return node


def benchmark(ctx: Context, task: str, dataset: str, task_name: str, dataset_name: str) -> tuple[str, bool]:
    """The Benchmark of a task on a dataset, described once per graph; (its IRI, whether described now)."""
    g = ctx.graph
    bench = ctx.mint.benchmark(task, dataset)
    new = g.type(bench, PWC.Benchmark)
    if new:
        g.text(bench, PWC.name, f"{task_name} on {dataset_name}")
        g.text(bench, PWC.datasetName, dataset_name)
        g.iri(bench, PWC.task, task)
        g.iri(bench, PWC.dataset, dataset)
    return bench, new


def _table(ctx: Context, sota: dict, ptr: str, task: str, dataset: str, task_name: str, dataset_name: str) -> None:
    f = Fields(ctx, ptr, sota)
    g = ctx.graph
    columns = f.texts("metrics")
    rows = f.objects("rows")
    if not rows and not columns:
        return
    bench, new = benchmark(ctx, task, dataset, task_name, dataset_name)
    if new:
        if columns:
            seq = bench + "#metrics"
            g.iri(bench, PWC.metricColumns, seq)
            g.type(seq, RDF.Seq)
            for i, column in enumerate(columns, 1):
                g.iri(seq, f"{RDF_SEQ_ITEM}{i}", metric_node(ctx, column))
    for column in columns:
        g.iri(bench, PWC.hasMetric, metric_node(ctx, column))
    for i, row in rows:
        _row(ctx, row, ptr + pointer("rows", i), bench)


def _row(ctx: Context, row: dict, ptr: str, bench: str) -> None:
    f = Fields(ctx, ptr, row)
    g = ctx.graph
    ctx.bump("rows")
    metrics = f.object("metrics")
    if not metrics:
        if metrics is not None or "metrics" not in row:
            f.reject("metrics", row.get("metrics"), "a row needs metric values; the row is not mapped")
        return
    model_name = f.text("model_name")
    paper = common.paper_of(f, "paper_title", "paper_url")
    if not model_name and not paper:
        f.reject("model_name", row.get("model_name"),
                 "a row needs a model name or a paper; the row is not mapped")
        _reject_cells(ctx, row, ptr, "model_name", "its row names neither a model nor a paper", row=True)
        return
    day = f.date("paper_date")
    # Absent is not stated: such a result has no pwc:usesExtraTrainingData (unknown), not false.
    extra = f.boolean("uses_additional_data")
    # What every result of the row shares, formatted once. A row without a model name (but with a paper)
    # names its paper and no model: none is made up for it.
    shared = [(PWC.benchmark, iri(bench))]
    if model_name:
        model = named(ctx, ctx.mint.model(model_name, paper or bench), PWC.Model, model_name)
        shared += [(PWC.model, iri(model)), (PWC.modelName, lit(model_name))]
    else:
        ctx.bump("rows without a model name")
    if paper:
        shared.append((PWC.reportedIn, iri(paper)))
    if day:
        shared.append((PWC.resultDate, date(day)))
    for i, link in f.objects("code_links"):
        url = Fields(ctx, ptr + pointer("code_links", i), link).url("url")
        if url:
            shared.append((PWC.repository, iri(repository(ctx, url))))
    for i, link in f.objects("model_links"):
        url = Fields(ctx, ptr + pointer("model_links", i), link).url("url")
        if url:
            shared.append((PWC.modelLink, iri(url)))
    for column, raw in metrics.items():
        cell = ptr + pointer("metrics", column)
        ctx.bump("values")
        column = column.strip()
        if not column:
            ctx.reject(cell, "metrics", raw, "a metric needs a name; the value is not mapped")
            continue
        try:
            value = parse_value(raw)
        except ValueRejected as e:
            ctx.reject(cell, "metrics", raw, str(e))
            continue
        metric = metric_node(ctx, column)
        # Everything a result says is in its key: two values that differ in anything are two results.
        # A row that says false and one that says nothing are one result (the key is the same, as it was
        # before "not stated" was kept apart): false, whichever row comes first.
        result = ctx.mint.result(bench, metric, model_name or "", paper or "", value.raw, day or "",
                                 "extra" if extra else "")
        if g.type(result, PWC.EvaluationResult):
            ctx.bump("results")
            g.iri(result, PWC.metric, metric)
            g.text(result, PWC.metricName, column)
            for p, o in shared:
                g.add(result, p, o)
            write_value(ctx, result, value)
            if extra is not None:
                g.add(result, PWC.usesExtraTrainingData, boolean(extra))
            else:
                g.once((result, "extra not stated"))
        else:
            ctx.bump("duplicate values")
            # Only a result first read from a row that did not say gets its flag from a later one.
            if extra is not None and not g.once((result, "extra not stated")) and g.once((result, "extra stated")):
                g.add(result, PWC.usesExtraTrainingData, boolean(extra))
        g.text(result, PWC.sourceRecord, cell)


def write_value(ctx: Context, result: str, value: Value) -> None:
    """A result's number, with what else its raw string said (percent, uncertainty, a note)."""
    g = ctx.graph
    g.add(result, PWC.value, decimal(value.number))
    g.text(result, PWC.rawValue, value.raw)
    if value.percent:
        g.add(result, PWC.isPercentage, boolean(True))
    if value.uncertainty is not None:
        g.add(result, PWC.uncertainty, decimal(value.uncertainty))
    if value.note:
        g.text(result, PWC.valueNote, value.note)


def objects_at(value: object, at: str) -> list[tuple[str, dict]]:
    """The objects of a list with their pointers (one object standing for the list counts, as in Fields.objects)."""
    if isinstance(value, dict):
        return [(at, value)]
    if isinstance(value, list):
        return [(at + pointer(i), item) for i, item in enumerate(value) if isinstance(item, dict)]
    return []


def _reject_cells(ctx: Context, rec: dict, ptr: str, field_: str, why: str, row: bool = False) -> None:
    """Account for every value cell below a task, dataset or row (``row``) that could not be mapped."""
    if row:
        metrics = rec.get("metrics")
        for column, raw in metrics.items() if isinstance(metrics, dict) else ():
            ctx.reject(ptr + pointer("metrics", column), field_, raw, f"not mapped: {why}")
        return
    for key in ("datasets", "subdatasets", "subtasks"):
        for at, item in objects_at(rec.get(key), ptr + pointer(key)):
            _reject_cells(ctx, item, at, field_, why)
    sota = rec.get("sota")
    if isinstance(sota, dict):
        for at, item in objects_at(sota.get("rows"), ptr + pointer("sota", "rows")):
            _reject_cells(ctx, item, at, field_, why, row=True)
