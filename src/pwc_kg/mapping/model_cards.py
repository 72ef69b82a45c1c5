"""Hugging Face model cards: the Model, its base models (lineage) and its model-index results.

Also the pieces the other lineage sources share: Hugging Face model nodes, lineage edges (each
with pwc:derivedFrom materialised beside its sub-property, so a query that knows only
derivedFrom needs no reasoner), the dataset crosswalk, and results written exactly as the
archive's evaluation tables write them.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from ..iri import name_key, safe_url
from ..values import ValueRejected, parse_value
from ..vocab import OWL, PWC, annotated, ontology_path
from . import common
from ..pointers import pointer
from .context import Context, named
from .evaluation_tables import benchmark, dataset_node, metric_node, objects_at, write_value
from .fields import Fields, _kind

HF = "https://huggingface.co/"
HUGGINGFACE = "huggingface"  # the crosswalk's source for Hugging Face dataset ids

# base_model_relation -> the lineage property (pwc:derivedFrom is written beside each): the Hub's four values,
# which name the properties as the curated lineage file does (pwc:lineageRelation in the ontology).
HUB_RELATIONS = frozenset({"finetune", "adapter", "merge", "quantized"})
RELATIONS = {word: prop for prop, word in annotated(PWC.lineageRelation).items() if word in HUB_RELATIONS}
ADAPTER_LIBRARIES = frozenset({"peft"})
ADAPTER_TAGS = frozenset({"lora", "adapter", "peft"})
QUANTIZED_LIBRARIES = frozenset({"gguf"})
QUANTIZED_TAGS = frozenset({"gguf", "gptq", "awq", "4-bit", "8-bit", "quantized"})

_HF_ID = re.compile(r"^[A-Za-z0-9_][\w.\-]*(?:/[A-Za-z0-9_][\w.\-]*)?$", re.ASCII)
_HF_NOT_MODEL = frozenset({"datasets", "spaces", "docs", "blog", "papers", "collections", "models", "organizations"})


# ---------------------------------------------------------------- models and lineage

def hf_id(value: str) -> str | None:
    """A Hugging Face model id ('org/name' or 'name'), also from a huggingface.co URL; None if it is none."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https"):
        if parts.netloc.lower().removeprefix("www.") not in ("huggingface.co", "hf.co"):
            return None
        segments = [s for s in parts.path.split("/") if s]
        if not segments or segments[0] in _HF_NOT_MODEL:
            return None
        text = "/".join(segments[:2])
    text = text.strip("/")
    if len(text) > 200 or ".." in text or "--" in text or not _HF_ID.match(text):
        return None
    return text


def hf_model_node(ctx: Context, model_id: str) -> str:
    """The Model of a Hugging Face id: typed, named by its id, with its id and owl:sameAs its Hub page."""
    node = ctx.mint.hf_model(model_id)
    if ctx.graph.type(node, PWC.Model):
        ctx.graph.text(node, PWC.name, model_id)
        ctx.graph.text(node, PWC.huggingFaceId, model_id)
        page = safe_url(HF + model_id)
        if page:
            ctx.graph.iri(node, OWL.sameAs, page)
    return node


def archive_model_node(ctx: Context, name: str) -> str:
    """A Model by the archive's naming (one name is one Model), so leaderboard rows of that name join it."""
    return named(ctx, ctx.mint.model(name), PWC.Model, name)


def derive(ctx: Context, child: str, prop: str, parent: str) -> None:
    """A lineage edge, with pwc:derivedFrom (its super-property) materialised beside it."""
    ctx.graph.iri(child, prop, parent)
    if prop != PWC.derivedFrom:
        ctx.graph.iri(child, PWC.derivedFrom, parent)
    ctx.bump("lineage edges")


def extra_name(ctx: Context, node: str, name: str) -> None:
    """Another name of a node (written once per graph)."""
    if ctx.graph.once((node, PWC.name, name)):
        ctx.graph.text(node, PWC.name, name)


# ---------------------------------------------------------------- datasets: the crosswalk and the registry

def crosswalk_path() -> Path:
    """``ontology/crosswalk.csv``, beside the ontology (in a source checkout or the packaged copy)."""
    return ontology_path().parent / "crosswalk.csv"


@lru_cache(maxsize=4)
def _crosswalk(path: str) -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    if not Path(path).is_file():
        return table
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = csv.DictReader(line for line in f if line.strip() and not line.lstrip().startswith("#"))
        missing = {"source", "hf_dataset", "pwc_dataset"} - set(rows.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: the crosswalk needs the columns source, hf_dataset, pwc_dataset "
                             f"(missing: {', '.join(sorted(missing))})")
        for row in rows:
            source, key, target = (str(row.get(k) or "").strip() for k in ("source", "hf_dataset", "pwc_dataset"))
            if source and key and target:
                table.setdefault((source.lower(), key.lower()), target)
    return table


def crosswalk(source: str, key: str) -> str | None:
    """The archive's dataset name for a source's dataset id (read once per build process)."""
    return _crosswalk(str(crosswalk_path())).get((source.lower(), key.strip().lower()))


def dataset_name(ctx: Context, source: str, ids: list[str], name: str | None) -> str:
    """The name to join a source's dataset by: the crosswalk first (each id in turn), then a name or
    id the archive knows (by name or variant), else the source's own name."""
    for key in ids:
        target = crosswalk(source, key)
        if target:
            ctx.bump("datasets joined by the crosswalk")
            return target
    reg = ctx.registry
    for candidate in [name, *ids]:
        if candidate and (name_key(candidate) in reg.dataset_by_name or name_key(candidate) in reg.dataset_by_alias):
            ctx.bump("datasets joined by name")
            return candidate
    return name or ids[0]


# ---------------------------------------------------------------- results

def benchmark_node(ctx: Context, task_name: str, dataset: str) -> str:
    """The Benchmark of a task on a dataset, by name: the archive's own when it has the pair."""
    return benchmark(ctx, common.task(ctx, task_name), dataset_node(ctx, dataset), task_name, dataset)[0]


def write_result(ctx: Context, bench: str, metric_name: str, raw: object, model: str, model_name: str,
                 cell: str, field: str = "metrics") -> bool:
    """One value as an EvaluationResult, as the archive's are (no paper, no date, no extra data);
    a value that is no number is rejected with the reason. ``cell`` is its pwc:sourceRecord."""
    g = ctx.graph
    ctx.bump("values")
    try:
        value = parse_value(raw)
    except ValueRejected as e:
        ctx.reject(cell, field, raw, str(e))
        return False
    metric = metric_node(ctx, metric_name)
    if g.once((bench, PWC.hasMetric, metric)):
        g.iri(bench, PWC.hasMetric, metric)
    result = ctx.mint.result(bench, metric, model_name, model, value.raw, "", "")
    if g.type(result, PWC.EvaluationResult):
        ctx.bump("results")
        g.iri(result, PWC.benchmark, bench)
        g.iri(result, PWC.metric, metric)
        g.iri(result, PWC.model, model)
        g.text(result, PWC.modelName, model_name)
        # A card does not say whether extra training data was used: no pwc:usesExtraTrainingData (unknown).
        write_value(ctx, result, value)
    else:
        ctx.bump("duplicate values")
    g.text(result, PWC.sourceRecord, cell)
    return True


# ---------------------------------------------------------------- the card

def _strings(f: Fields, key: str) -> list[str]:
    """A string or a list of strings (a card may write either)."""
    value = f.data.get(key)
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return f.texts(key)


def _relation(f: Fields, parents: list[str]) -> str:
    """The lineage property: base_model_relation when the card says it, else inferred as the Hub does."""
    raw = f.data.get("base_model_relation")
    if raw is not None:
        value = raw.strip().lower() if isinstance(raw, str) else None
        if value in RELATIONS:
            return RELATIONS[value]
        f.reject("base_model_relation", raw,
                 f"unknown base_model_relation {raw!r} (expected {', '.join(sorted(RELATIONS))}); "
                 "the link is written as plain pwc:derivedFrom" if isinstance(raw, str) else
                 f"expected a string, found {_kind(raw)}; the link is written as plain pwc:derivedFrom")
        return PWC.derivedFrom
    f.ctx.bump("relations inferred")
    tags = {t.lower() for t in _strings(f, "tags")}
    library = (f.text("library_name") or "").lower()
    if len(parents) > 1:
        return PWC.mergedFrom
    if library in ADAPTER_LIBRARIES or tags & ADAPTER_TAGS:
        return PWC.adapterOf
    if library in QUANTIZED_LIBRARIES or tags & QUANTIZED_TAGS:
        return PWC.quantizedFrom
    return PWC.fineTunedFrom


def _base_models(f: Fields, own_id: str) -> list[str]:
    value = f.data.get("base_model")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        where = f.ptr + pointer("base_model", i) if isinstance(value, list) else f.ptr
        if not isinstance(item, str):
            f.ctx.reject(where, "base_model", item, f"expected a Hugging Face model id, found {_kind(item)}")
            continue
        model_id = hf_id(item)
        if model_id is None:
            f.ctx.reject(where, "base_model", item, "not a Hugging Face model id (org/name)")
        elif model_id == own_id:
            f.ctx.reject(where, "base_model", item, "a model cannot be its own base model")
        elif model_id not in out:
            out.append(model_id)
    return out


def map_model_card(ctx: Context, position: str, record: dict) -> bool:
    """One card: its Model, base models, training datasets and model-index results."""
    at = position + "#"
    model_id = record.get("id") or ""
    if "error" in record:
        ctx.reject(at, "front_matter", None, f"the card is not mapped: {record['error']}")
        return False
    if not model_id or hf_id(model_id) != model_id:
        ctx.reject(at, "id", model_id, "the card's folder path is no Hugging Face model id (org/name); "
                   "the card is not mapped")
        _reject_cells(ctx, at, record.get("front_matter") or {}, "its card's folder path is no model id")
        return False
    if record.get("no_front_matter"):
        ctx.bump("cards without front matter")
    fm = record.get("front_matter") or {}
    f = Fields(ctx, at, fm)
    node = hf_model_node(ctx, model_id)

    parents = _base_models(f, model_id)
    if parents:
        prop = _relation(f, parents)
        for parent in parents:
            derive(ctx, node, prop, hf_model_node(ctx, parent))
    elif fm.get("base_model_relation") is not None:
        f.reject("base_model_relation", fm.get("base_model_relation"),
                 "a relation without a base_model: there is no parent to link")

    for dataset in _strings(f, "datasets"):
        name = dataset_name(ctx, HUGGINGFACE, [dataset], None)
        ctx.graph.iri(node, PWC.trainingData, dataset_node(ctx, name))

    for i, entry in f.objects("model-index"):
        ef = Fields(ctx, at + pointer("model-index", i), entry)
        shown = ef.text("name")
        if shown and shown != model_id:
            extra_name(ctx, node, shown)
        for j, result in ef.objects("results"):
            _result(ctx, Fields(ctx, ef.ptr + pointer("results", j), result), node, shown or model_id)
    return True


def _reject_cells(ctx: Context, at: str, fm: dict, why: str) -> None:
    """Account for every metric value of a card that is not mapped."""
    for ep, entry in objects_at(fm.get("model-index"), at + pointer("model-index")):
        for rp, result in objects_at(entry.get("results"), ep + pointer("results")):
            for cell, metric in objects_at(result.get("metrics"), rp + pointer("metrics")):
                ctx.reject(cell, "metrics", metric.get("value"), f"not mapped: {why}")


def _result(ctx: Context, rf: Fields, model: str, model_name: str) -> None:
    """One model-index result: a task, a dataset and its metrics, each metric value one result."""
    task = rf.object("task") or {}
    dataset = rf.object("dataset") or {}
    tf, df = Fields(ctx, rf.ptr + pointer("task"), task), Fields(ctx, rf.ptr + pointer("dataset"), dataset)
    task_type = tf.text("type")
    # A task given by its Hub type only is named as the Hub shows it: 'text-generation' is 'Text Generation'
    # (the same Task IRI either way: slugs ignore case and separators).
    task_name = tf.text("name") or (" ".join(w.capitalize() for w in task_type.split("-")) if task_type else None)
    ds_type, ds_name, config = df.text("type"), df.text("name"), df.text("config")
    metrics = rf.objects("metrics")
    missing = "task" if not task_name else "dataset" if not (ds_type or ds_name) else None
    if missing:
        rf.reject(missing, rf.data.get(missing), f"a result needs a {missing} (type or name); its metrics are not mapped")
        for k, m in metrics:
            ctx.reject(rf.ptr + pointer("metrics", k), "metrics", m.get("value"), f"not mapped: its result has no {missing}")
        return
    ids = ([f"{ds_type}/{config}"] if ds_type and config else []) + ([ds_type] if ds_type else [])
    label = ds_name or (f"{ds_type}/{config}" if config and config != "default" else ds_type)
    bench = benchmark_node(ctx, task_name, dataset_name(ctx, HUGGINGFACE, ids, label))
    for k, m in metrics:
        cell = rf.ptr + pointer("metrics", k)
        mf = Fields(ctx, cell, m)
        metric = mf.text("name") or mf.text("type")
        if not metric:
            ctx.reject(cell, "metrics", m.get("value"), "a metric needs a type or a name; the value is not mapped")
            continue
        write_result(ctx, bench, metric, m.get("value"), model, model_name, cell)
