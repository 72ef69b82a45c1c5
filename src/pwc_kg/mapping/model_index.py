"""Papers With Code model-index models: a Model named as the archive names it, its metadata, paper,
lineage (``Converted From`` a Hugging Face model, ``Downstream`` models) and results.

The model's IRI is the archive's (``ctx.mint.model(Name)``), so leaderboard rows of the same name
are the same Model. Results land on the archive's Benchmarks when the task and dataset names
match (the dataset also through ``ontology/crosswalk.csv`` rows of source ``model-index``).
"""

from __future__ import annotations

from ..iri import safe_url
from ..ntriples import decimal
from ..values import ValueRejected, parse_value
from ..vocab import PWC
from . import common
from ..pointers import pointer
from .context import Context
from .evaluation_tables import dataset_node
from .fields import Fields
from .methods import method_summary
from .model_cards import (archive_model_node, benchmark_node, dataset_name, derive, hf_id, hf_model_node,
                          write_result)

MODEL_INDEX = "model-index"  # the crosswalk's source for model-index dataset names
MAGNITUDES = (("parameters", PWC.parameterCount), ("flops", PWC.flops))


def _lower(d: dict) -> dict[str, object]:
    return {k.strip().lower(): k for k in d if isinstance(k, str)}


def _get(d: dict, key: str):
    real = _lower(d).get(key)
    return d.get(real) if real is not None else None


def _cells(result: object, at: str) -> list[tuple[str, object, object]]:
    """(pointer, metric name, raw value) of every metric value of a result."""
    if not isinstance(result, dict):
        return []
    metrics = _get(result, "metrics")
    key = _lower(result).get("metrics", "Metrics")
    if isinstance(metrics, dict):
        return [(at + pointer(key, name), name, raw) for name, raw in metrics.items()]
    if isinstance(metrics, list):
        return [(at + pointer(key, i, name), name, raw) for i, item in enumerate(metrics) if isinstance(item, dict)
                for name, raw in item.items()]
    return []


def map_model_index_model(ctx: Context, position: str, record: dict) -> bool:
    if "error" in record:
        ctx.reject(position, record.get("field") or "file", record.get("value"), record["error"])
        return False
    f = Fields(ctx, position, record)
    for e in record.get("_errors") or []:
        ctx.reject(e.get("at") or position, e["field"], e["value"], e["reason"])
    results = list(zip(record.get("Results") or [], record.get("_results_at") or []))
    name = f.text("Name")
    if not name:
        f.reject("Name", record.get("Name"), "a model needs a Name; the model is not mapped")
        for result, at in results:
            for cell, _, raw in _cells(result, at):
                ctx.reject(cell, "Metrics", raw, "not mapped: its model has no Name")
        return False
    node = archive_model_node(ctx, name)
    _metadata(ctx, Fields(ctx, position + pointer("Metadata"), record.get("Metadata") or {}), node)
    _paper(ctx, f, node)
    weights = f.text("Weights")
    if weights:
        url = safe_url(weights)
        if url:
            ctx.graph.iri(node, PWC.weights, url)
        else:
            f.reject("Weights", weights, "not an absolute http(s) URL")
    _lineage(ctx, f, node)
    for result, at in results:
        _result(ctx, Fields(ctx, at, result), node, name)
    return True


def _metadata(ctx: Context, mf: Fields, node: str) -> None:
    keys = _lower(mf.data)
    for key, prop in MAGNITUDES:
        real = keys.get(key)
        raw = mf.data.get(real) if real is not None else None
        if raw is None:
            continue
        try:
            value = parse_value(raw)
        except ValueRejected as e:
            mf.reject(real, raw, str(e))
            continue
        if value.percent or value.number.startswith("-"):
            mf.reject(real, raw, "a count must be a number of zero or more, without a percent sign")
            continue
        ctx.graph.add(node, prop, decimal(value.number))
    real = keys.get("training data")
    if real is not None:
        value = mf.data.get(real)
        for name in [value] if isinstance(value, str) else mf.texts(real):
            name = name.strip()
            if name:
                ds = dataset_node(ctx, dataset_name(ctx, MODEL_INDEX, [name], name))
                ctx.graph.iri(node, PWC.trainingData, ds)
    real = keys.get("training techniques")
    if real is not None:
        value = mf.data.get(real)
        for i, technique in enumerate([value] if isinstance(value, str) else mf.texts(real)):
            method = method_summary(ctx, mf.ptr + pointer(real, i), {"name": technique})
            if method:
                ctx.graph.iri(node, PWC.trainingTechnique, method)


def _paper(ctx: Context, f: Fields, node: str) -> None:
    """``Paper``: a URL, an arXiv id, a title, or ``{Title, URL}``: the Paper that introduced the model."""
    raw = f.data.get("Paper")
    if raw is None:
        return
    title = url = arxiv = None
    if isinstance(raw, dict):
        pf = Fields(ctx, f.ptr + pointer("Paper"), {k.lower() if isinstance(k, str) else k: v for k, v in raw.items()})
        title, url = pf.text("title"), pf.text("url")
    else:
        text = f.text("Paper")
        if not text:
            return
        if safe_url(text):
            url = text
        elif common.clean_arxiv_id(text):
            arxiv = common.clean_arxiv_id(text)
        elif "://" in text:
            f.reject("Paper", raw, "not an absolute http(s) URL")
            return
        else:
            title = text
    if url and not safe_url(url):
        f.reject("Paper", raw, "not an absolute http(s) URL")
        url = None
    paper = common.paper_ref(ctx, title, url, arxiv)
    if paper:
        ctx.graph.iri(node, PWC.introducedIn, paper)


def _lineage(ctx: Context, f: Fields, node: str) -> None:
    """``Converted From`` a Hugging Face model: derived from it. ``Downstream`` models: fine-tuned from this one."""
    converted = f.data.get("Converted From")
    if isinstance(converted, dict):
        cf = Fields(ctx, f.ptr + pointer("Converted From"), converted)
        for key in ("Weights", "Code"):
            url = cf.text(key)
            model_id = hf_id(url) if url and "huggingface.co" in url else None
            if model_id and "/" in model_id:
                derive(ctx, node, PWC.derivedFrom, hf_model_node(ctx, model_id))
                break
    downstream = f.data.get("Downstream")
    names = [downstream] if isinstance(downstream, str) else f.texts("Downstream") if downstream is not None else []
    for name in names:
        if name.strip():
            derive(ctx, archive_model_node(ctx, name.strip()), PWC.fineTunedFrom, node)


def _result(ctx: Context, rf: Fields, model: str, model_name: str) -> None:
    cells = _cells(rf.data, rf.ptr)
    task, dataset = _get(rf.data, "task"), _get(rf.data, "dataset")
    if isinstance(task, dict):
        task = _get(task, "name")
    if isinstance(dataset, dict):
        dataset = _get(dataset, "name")
    task = task.strip() if isinstance(task, str) else None
    dataset = dataset.strip() if isinstance(dataset, str) else None
    missing = "Task" if not task else "Dataset" if not dataset else None
    if missing:
        rf.reject(missing, _get(rf.data, missing.lower()), f"a result needs a {missing}; its metrics are not mapped")
        for cell, _, raw in cells:
            ctx.reject(cell, "Metrics", raw, f"not mapped: its result has no {missing}")
        return
    metrics = _get(rf.data, "metrics")
    if not isinstance(metrics, (dict, list)):
        rf.reject("Metrics", metrics, "expected an object of metric names and values")
        return
    bench = benchmark_node(ctx, task, dataset_name(ctx, MODEL_INDEX, [dataset], dataset))
    for cell, metric, raw in cells:
        metric = str(metric).strip()
        if not metric:
            ctx.reject(cell, "Metrics", raw, "a metric needs a name; the value is not mapped")
            continue
        write_result(ctx, bench, metric, raw, model, model_name, cell, field="Metrics")
