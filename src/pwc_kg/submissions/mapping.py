"""A submission's payload mapped to triples with the archive's own mappers.

Three shapes (see README, "Submitting results"):

- **rows**: leaderboard rows as in the archive's evaluation tables: ``{"task", "dataset" (or
  "benchmark"), "rows": [{"model_name", "metrics": {...}, "paper_title", "paper_url",
  "paper_date", "uses_additional_data", ...}]}``, or one archive task record (``{"task",
  "datasets": [...]}``) or a list of them; mapped by ``mapping/evaluation_tables.py``.
- **model-index**: a Hugging Face ``model-index`` block (JSON or YAML, as in a model card's front
  matter) with the model's Hub ``id``; mapped by ``mapping/model_cards.py``.
- **rdf**: Turtle or JSON-LD in the pwc-kg ontology, parsed by pyoxigraph and restricted: subjects
  under the base IRI (blank nodes made IRIs under the submission's), predicates of the ontology,
  no derived or provenance terms, nothing new said of an existing entity.

References to entities the graph has are resolved against the store (resolver.py); what a submission
may state is statements.py's; the payload's shapes, reading and problems are payload.py's. What the
mapper rejects, a reference that names nothing or several things, and a new statement about an existing
entity are all ``Problem`` s, each naming the payload field (a JSON Pointer).
"""


from __future__ import annotations

import copy
import io
import json
import tempfile
from pathlib import Path

import pyoxigraph as ox

from ..iri import Minter
from ..kinds import MAPPERS
from ..mapping.context import Context, GraphWriter, Rejects
from ..pointers import pointer
from ..sources.kinds import EVALUATION_TABLES, MODEL_CARDS
from ..vocab import PWC
from .payload import MODEL_INDEX, RDF_SHAPE, ROWS, Mapped, Problem
from .resolver import Resolver
from .statements import check_new, map_rdf


def _map_with(kind: str, records: list[tuple[object, dict]], resolver: Resolver, mint: Minter, graph: str,
              source: str) -> tuple[list, list[dict]]:
    """Run an archive mapper over records: (its triples, its reject lines)."""
    out = io.StringIO()
    rejects = Rejects(out)
    with tempfile.TemporaryDirectory(prefix="pwc-kg-submission-") as tmp:
        chunks: list[Path] = []
        writer = GraphWriter(graph, Path(tmp), "submission", chunks.append)
        ctx = Context(source=source, graph=writer, rejects=rejects, mint=mint, registry=resolver.registry)
        for position, record in records:
            MAPPERS[kind](ctx, position, record)
        writer.close()
        text = "".join(p.read_text(encoding="utf-8") for p in chunks)
    triples = list(dict.fromkeys(ox.parse(input=text, format=ox.RdfFormat.N_TRIPLES))) if text else []
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return triples, lines


def _rows_records(data: object, resolver: Resolver) -> tuple[list[tuple[int, dict]], callable]:
    """The archive task records to map, and how to turn the mapper's pointers into the payload's."""
    if isinstance(data, list):
        return [(i, _canonical_task_record(r, resolver, pointer(i))) for i, r in enumerate(data)], lambda p: p
    if "rows" not in data:
        return [(0, _canonical_task_record(data, resolver, ""))], lambda p: p[2:] if p.startswith("/0") else p
    return _simple_rows(data, resolver)


def _canonical_task_record(rec: dict, resolver: Resolver, at: str) -> dict:
    """An archive task record with its names put as the graph spells them (task, datasets, metrics, models)."""
    rec = copy.deepcopy(rec)
    if isinstance(rec.get("task"), str) and rec["task"].strip():
        rec["task"], task_iri = resolver.task(rec["task"], at + "/task")
    else:
        task_iri = None
    for i, d in enumerate(rec.get("datasets") or [] if isinstance(rec.get("datasets"), list) else []):
        if isinstance(d, dict) and isinstance(d.get("dataset"), str) and d["dataset"].strip():
            d["dataset"], _ = resolver.dataset(d["dataset"], task_iri, f"{at}/datasets/{i}/dataset")
            sota = d.get("sota")
            if isinstance(sota, dict):
                _canonical_rows(sota, resolver, f"{at}/datasets/{i}/sota")
    return rec


def _canonical_rows(sota: dict, resolver: Resolver, at: str) -> dict[tuple[int, str], str]:
    """Metric columns and model names as the graph spells them; returns (row, new column) -> the column as sent."""
    renamed: dict[tuple[int, str], str] = {}
    if isinstance(sota.get("metrics"), list):
        sota["metrics"] = [resolver.metric(m, f"{at}/metrics/{i}") if isinstance(m, str) and m.strip() else m
                           for i, m in enumerate(sota["metrics"])]
    rows = sota.get("rows")
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        if not isinstance(row, dict):
            continue
        row_at = f"{at}/rows/{i}"
        if isinstance(row.get("model"), str) and row["model"].strip() and not row.get("model_name"):
            row["model_name"], _ = resolver.model(row.pop("model"), row_at + "/model")
        elif isinstance(row.get("model_name"), str) and row["model_name"].strip():
            row["model_name"] = resolver.model_name(row["model_name"])
        paper = row.pop("paper", None)
        title, url = row.get("paper_title"), row.get("paper_url")
        if isinstance(paper, str) and paper.strip() or isinstance(title, str) and title.strip() or \
                isinstance(url, str) and url.strip():
            ref = paper if isinstance(paper, str) and paper.strip() else title if isinstance(title, str) else None
            new_title, new_url, known = resolver.paper(ref, url if isinstance(url, str) else None,
                                                       row_at + ("/paper" if paper else "/paper_title"),
                                                       "paper" if paper else "paper_title")
            if known:
                row["paper_title"] = new_title
                row.pop("paper_url", None)
            elif paper and not title:
                row["paper_title"] = paper
        metrics = row.get("metrics")
        if isinstance(metrics, dict):
            fixed = {}
            for key, value in metrics.items():
                new = resolver.metric(key, pointer_of(row_at, "metrics", key)) if isinstance(key, str) and key.strip() else key
                if new in fixed:
                    new = key  # two spellings of one metric in one row: left for the mapper to report
                fixed[new] = value
                if new != key:
                    renamed[(i, new)] = key
            row["metrics"] = fixed
    return renamed


def pointer_of(at: str, *parts) -> str:
    return at + pointer(*parts)


def _simple_rows(data: dict, resolver: Resolver):
    """``{"task", "dataset" | "benchmark", "metrics"?, "rows"}``: one task record of one leaderboard."""
    problems = resolver.problems
    task_name = dataset_name = None
    task_iri = None
    bench = data.get("benchmark")
    if isinstance(bench, str) and bench.strip():
        found = resolver.benchmark(bench, "/benchmark")
        if found:
            task_name, task_iri, dataset_name, _ = found
    else:
        for key in ("task", "dataset"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                problems.append(Problem("/" + key, key, f"a {key} is required (a name, slug or IRI), or a benchmark",
                                        data.get(key), kind="mapping"))
        if isinstance(data.get("task"), str) and data["task"].strip():
            task_name, task_iri = resolver.task(data["task"], "/task")
        if isinstance(data.get("dataset"), str) and data["dataset"].strip():
            dataset_name, _ = resolver.dataset(data["dataset"], task_iri, "/dataset")
    rows = data.get("rows")
    if not isinstance(rows, list) or not rows:
        problems.append(Problem("/rows", "rows", "rows must be a non-empty list of leaderboard rows", rows))
        rows = []
    sota = {"rows": copy.deepcopy(rows)}
    if isinstance(data.get("metrics"), list):
        sota["metrics"] = copy.deepcopy(data["metrics"])
    renamed = _canonical_rows(sota, resolver, "/0/datasets/0/sota")
    columns = sota.get("metrics")
    if columns is None:  # the columns in the order the rows name them
        columns = list(dict.fromkeys(k for r in sota["rows"] if isinstance(r, dict)
                                     for k in (r.get("metrics") or {} if isinstance(r.get("metrics"), dict) else {})
                                     if isinstance(k, str) and k.strip()))
    sota["metrics"] = columns
    record = {"task": task_name or "", "datasets": [{"dataset": dataset_name or "", "sota": sota}]}

    def translate(p: str) -> str:
        prefix = "/0/datasets/0/sota"
        if p.startswith(prefix + "/rows/"):
            rest = p[len(prefix):]
            parts = rest.split("/")  # ['', 'rows', i, 'metrics', key...]
            if len(parts) >= 5 and parts[3] == "metrics" and parts[2].isdigit():
                key = "/".join(parts[4:]).replace("~1", "/").replace("~0", "~")
                original = renamed.get((int(parts[2]), key))
                if original is not None:
                    return pointer("rows", int(parts[2]), "metrics", original)
            return rest
        if p.startswith(prefix + "/metrics"):
            return p[len(prefix):] if "metrics" in data else "/rows"
        if p.startswith("/0/datasets/0/dataset"):
            return "/benchmark" if "benchmark" in data else "/dataset"
        if p.startswith("/0/task"):
            return "/benchmark" if "benchmark" in data else "/task"
        return p[2:] if p.startswith("/0") else p

    return [(0, record)], translate


def _model_index_records(data: dict, resolver: Resolver) -> tuple[list[tuple[str, dict]], callable]:
    from ..mapping.model_cards import hf_id

    fm = copy.deepcopy(data)
    model_id = fm.pop("id", None) or fm.pop("model_id", None)
    entries = fm.get("model-index")
    if not model_id and isinstance(entries, list) and entries and isinstance(entries[0], dict):
        name = entries[0].get("name")
        model_id = name if isinstance(name, str) and "/" in name and hf_id(name) == name else None
    if not isinstance(model_id, str) or hf_id(model_id) != model_id:
        where = "/id" if "id" in data else "/model_id" if "model_id" in data else "/id"
        resolver.problems.append(Problem(where, "id", "a model-index block needs its model's Hugging Face id "
                                         "(org/name) in 'id'", model_id, kind="mapping"))
        model_id = None
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        for j, result in enumerate(entry.get("results") or [] if isinstance(entry, dict) and
                                   isinstance(entry.get("results"), list) else []):
            if not isinstance(result, dict):
                continue
            at = f"/model-index/{i}/results/{j}"
            task, dataset = result.get("task"), result.get("dataset")
            task_iri = None
            if isinstance(task, dict):
                text = task.get("name") or (" ".join(w.capitalize() for w in task["type"].split("-"))
                                            if isinstance(task.get("type"), str) else None)
                if isinstance(text, str) and text.strip():
                    task["name"], task_iri = resolver.task(text, at + "/task/name", "task")
            if isinstance(dataset, dict):
                text = dataset.get("name") if isinstance(dataset.get("name"), str) else dataset.get("type")
                if isinstance(text, str) and text.strip():
                    name, d = resolver.dataset(text, task_iri, at + "/dataset/name", "dataset")
                    if d is not None:
                        dataset["name"] = name
                        dataset.pop("type", None)
                        dataset.pop("config", None)
            for k, m in enumerate(result.get("metrics") or [] if isinstance(result.get("metrics"), list) else []):
                if isinstance(m, dict):
                    text = m.get("name") if isinstance(m.get("name"), str) and m["name"].strip() else m.get("type")
                    if isinstance(text, str) and text.strip():
                        m["name"] = resolver.metric(text, f"{at}/metrics/{k}", "metrics")
    record = {"id": model_id or "", "front_matter": fm}
    return [("", record)], lambda p: p[1:] if p.startswith("#") else p


def map_payload(shape: str, data: object, store: ox.Store, mint: Minter, sid: str,
                seconds: float | None = None) -> Mapped:
    """Map a read payload against the store it would join; every problem found along the way is in ``problems``.
    With ``seconds``, MappingTooLong once the look-ups have taken longer."""
    graph = mint.graph(f"submission/{sid}")
    resolver = Resolver(store, mint, seconds)
    mapped = Mapped(shape, graph)
    if shape == RDF_SHAPE:
        map_rdf(data, resolver, mint, sid, mapped)
    else:
        if shape == ROWS:
            records, translate = _rows_records(data, resolver)
            kind = EVALUATION_TABLES
        else:
            records, translate = _model_index_records(data, resolver)
            kind = MODEL_CARDS
        for problem in resolver.problems:  # named while the records were put as the archive has them
            problem.pointer = translate(problem.pointer)
        resolver.pointers = {node: translate(at) for node, at in resolver.pointers.items()}
        triples, rejects = _map_with(kind, records, resolver, mint, graph, f"submission/{sid}")
        for r in rejects:
            at = translate(r["record"])
            mapped.problems.append(Problem(_refine(data, at, r["field"]), r["field"], r["reason"], r.get("value")))
        triples = [_retarget(t, translate) for t in triples]
        if shape == ROWS:
            triples = _keep_existing_columns(triples, resolver)
        mapped.triples = triples
        for t in triples:
            if t.predicate.value == PWC.sourceRecord:
                mapped.pointers.setdefault(t.subject.value, t.object.value)
    mapped.problems[:0] = resolver.problems
    for iri, at in resolver.pointers.items():
        mapped.pointers.setdefault(iri, at)
    check_new(mapped, resolver)
    if not mapped.problems and not mapped.results():
        mapped.problems.append(_no_result(shape, data))
    mapped.triples = [t for t in mapped.triples if not _restated(t, resolver)]
    return mapped


def _no_result(shape: str, data: object) -> Problem:
    """A submission is a result set: one that holds none (a model-index block without results, Turtle that
    only describes a model) is refused."""
    if shape == RDF_SHAPE:
        return Problem("", "turtle" if data[0] == "turtle" else "json-ld", "the submission holds no result "
                       f"(no <{PWC.EvaluationResult}> with a pwc:value)")
    field_ = MODEL_INDEX if shape == MODEL_INDEX else "rows"
    at = "/" + field_ if isinstance(data, dict) and field_ in data else ""
    return Problem(at, field_, "the submission holds no result")


def _restated(t: ox.Triple, resolver: Resolver) -> bool:
    """Whether the graph already states the triple (outside its computed graphs): a submission's graph holds
    only what it adds, or every query over the union of the graphs would see such a triple twice."""
    return any(not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in resolver.computed
               for q in resolver.store.quads_for_pattern(t.subject, t.predicate, t.object))


def _refine(data: object, at: str, field_: str) -> str:
    """The pointer to the field itself where the reject names the record holding it."""
    node = data
    for part in at.split("/")[1:] if at else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return at
    return at + pointer(field_) if isinstance(node, dict) and field_ in node else at


def _retarget(t: ox.Triple, translate) -> ox.Triple:
    """A result's pwc:sourceRecord pointing into the payload as sent."""
    if t.predicate.value == PWC.sourceRecord:
        return ox.Triple(t.subject, t.predicate, ox.Literal(translate(t.object.value)))
    return t


def _keep_existing_columns(triples: list, resolver: Resolver) -> list:
    """An existing benchmark keeps its own metric columns (rdf:Seq): the submission only adds pwc:hasMetric."""
    benches = {t.subject.value for t in triples if t.predicate.value == PWC.metricColumns and resolver.exists(t.subject.value)}
    seqs = {b + "#metrics" for b in benches}
    return [t for t in triples if not (t.subject.value in benches and t.predicate.value == PWC.metricColumns)
            and t.subject.value not in seqs]
