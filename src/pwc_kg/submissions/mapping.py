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

References to entities the graph has (task, dataset, benchmark, metric, model, paper) may be an
IRI, a slug or a label in any case; they are resolved against the store and handed to the mapper
by the names the graph already uses, so the mapper mints the same IRIs and adds no new spelling.
What the mapper rejects, a reference that names nothing or several things, and a new statement
about an existing entity are all :class:`Problem` s, each naming the payload field (a JSON Pointer).
"""

from __future__ import annotations

import copy
import io
import json
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from ..entities import KINDS
from ..errors import PwcKgError
from ..iri import Minter, is_generic_model_name, name_key, safe_url
from ..kinds import MAPPERS
from ..mapping import common
from ..mapping.context import Context, GraphWriter, Registry, Rejects
from ..pointers import pointer
from ..queries import load_query
from ..queries.binding import bind_values
from ..queries.resolve import EntityNotFound, resolve
from ..queries.run import EmbeddedBackend
from ..sources.archive import without_surrogates
from ..sources.kinds import EVALUATION_TABLES, MODEL_CARDS
from ..values import read_boolean
from ..vocab import OWL, PWC, PWC_NS, RDF, RDF_SEQ_ITEM, SKOS, terms_of_type, terms_with_role

ROWS, MODEL_INDEX, RDF_SHAPE = "rows", "model-index", "rdf"
SHAPES = (ROWS, MODEL_INDEX, RDF_SHAPE)
TURTLE_TYPES = {"text/turtle", "application/x-turtle"}
JSONLD_TYPES = {"application/ld+json"}
JSON_TYPES = {"application/json", "text/json", ""}
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
FORM_TYPES = {"application/x-www-form-urlencoded"}
MAX_DEPTH = 32  # levels of nesting a JSON or YAML payload may have (an archive task record with subtasks: ~12)
RDF_SOURCE_RECORD = "payload#/"  # an RDF payload has no finer pointer: the result came from the payload as a whole

# Terms a submission may not state: the derived graph's, the provenance's and the submissions' own (their
# pwc:role in the ontology).
DERIVED_TERMS = terms_with_role("derived") | terms_with_role("provenance") | terms_with_role("moderation")
ALLOWED_OTHER = {RDF.type, SKOS.altLabel, OWL.sameAs}
# The ontology's annotations of its own terms (pwc:role, ...): no data states them.
ONTOLOGY_ONLY = terms_of_type(OWL.AnnotationProperty)
SUBJECT_KINDS = frozenset(k.segment for k in KINDS if k.submitted)
# What a mapped submission may newly say of an entity the graph already has: a metric column of a benchmark.
NEW_ON_EXISTING = {PWC.hasMetric}


@dataclass
class Problem:
    """One reason a submission cannot land: the payload field it is about and why."""

    pointer: str  # JSON Pointer into the payload ('' for the whole payload)
    field: str
    message: str
    value: object = None
    kind: str = "mapping"  # format, reference, mapping, restriction, shacl
    focus: str | None = None
    path: str | None = None

    def to_json(self) -> dict:
        out = {"pointer": self.pointer, "field": self.field, "message": self.message, "kind": self.kind}
        if self.value is not None:
            out["value"] = self.value if isinstance(self.value, (str, int, float, bool)) else str(self.value)
        if self.focus:
            out["focus"] = self.focus
        if self.path:
            out["path"] = self.path
        return out


@dataclass
class ResultInfo:
    iri: str
    benchmark: str
    metric: str
    value: Decimal
    pointer: str
    percent: bool = False
    extra: bool = False


@dataclass
class Mapped:
    shape: str
    graph: str
    triples: list = field(default_factory=list)  # ox.Triple
    problems: list[Problem] = field(default_factory=list)
    pointers: dict[str, str] = field(default_factory=dict)  # node IRI -> where the payload names it
    existing: set[str] = field(default_factory=set)  # IRIs of the submission that the store already has

    def nquads(self) -> str:
        g = ox.NamedNode(self.graph)
        return "".join(f"{ox.Quad(t.subject, t.predicate, t.object, g)} .\n" for t in self.triples)

    def results(self) -> list[ResultInfo]:
        by: dict[str, dict] = {}
        for t in self.triples:
            by.setdefault(t.subject.value, {}).setdefault(t.predicate.value, t.object)
        out = []
        for s, props in sorted(by.items()):
            if props.get(RDF.type) != ox.NamedNode(PWC.EvaluationResult) or PWC.value not in props:
                continue
            try:
                value = Decimal(props[PWC.value].value)
            except ArithmeticError:
                continue
            out.append(ResultInfo(s, _v(props.get(PWC.benchmark)), _v(props.get(PWC.metric)), value,
                                  self.pointers.get(s, ""), read_boolean(_v(props.get(PWC.isPercentage))),
                                  read_boolean(_v(props.get(PWC.usesExtraTrainingData)))))
        return out


def _v(term) -> str:
    return term.value if term is not None else ""


class PayloadError(PwcKgError, ValueError):
    """The body is no submission at all (unreadable, of no known shape): answered 422 with one problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class MappingTooLong(PayloadError):
    """Mapping took longer than the server allows (each name is looked up in the store): 413, naming the bound."""


# ---------------------------------------------------------------------------------------------- reading

def _too_deep() -> PayloadError:
    return PayloadError(Problem("", "body", f"the payload is nested more than {MAX_DEPTH} levels deep", kind="format"))


def check_tree(data: object, budget: int) -> None:
    """PayloadError for a parsed payload nested more than MAX_DEPTH levels deep (the mapping, and pyoxigraph's
    JSON-LD parser, recurse: deep enough, the one raises RecursionError, the other kills the process), holding
    more values than ``budget`` (YAML anchors and aliases multiply a payload; without them, a value takes at
    least a byte of the body), or with a key that is no string (YAML allows any; the archive's mappers
    know JSON's). Walks without recursion, an alias as often as it is used."""
    stack = [(data, 0, "")]
    seen = 0
    while stack:
        node, depth, at = stack.pop()
        seen += 1
        if seen > budget:
            raise PayloadError(Problem("", "body", f"the payload holds more than {budget:,} values: YAML anchors "
                                       "and aliases may not multiply it", kind="format"))
        if not isinstance(node, (dict, list, tuple, set, frozenset)):
            continue
        if depth >= MAX_DEPTH:
            raise _too_deep()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(node, dict) and not isinstance(key, str):
                raise PayloadError(Problem(at + pointer(key), at.rsplit("/", 1)[-1] or "body",
                                           f"a key must be a string, not {type(key).__name__}: {key!r}", key,
                                           kind="format"))
            stack.append((value, depth + 1, at + pointer(key)))


def read_payload(body: bytes, content_type: str) -> tuple[str, object]:
    """(shape, parsed payload) of a request body; PayloadError when it is none of the three shapes."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in TURTLE_TYPES:
        return RDF_SHAPE, ("turtle", body)
    if ctype in JSONLD_TYPES:
        try:
            check_tree(json.loads(body), len(body) + 1)
        except RecursionError:
            raise _too_deep() from None
        except ValueError:
            pass  # not JSON: pyoxigraph's parser says where
        return RDF_SHAPE, ("jsonld", body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PayloadError(Problem("", "body", f"the body is not UTF-8: {e.reason}", kind="format")) from None
    if ctype in YAML_TYPES:
        from ..sources.model_cards import YamlError, load_yaml

        try:
            data = load_yaml(text)
        except YamlError as e:
            raise PayloadError(Problem("", "body", str(e), kind="format")) from None
        except RecursionError:
            raise _too_deep() from None
        check_tree(data, len(body) + 1)
    elif ctype in JSON_TYPES:
        try:
            data = json.loads(text, parse_float=Decimal)
        except RecursionError:
            raise _too_deep() from None
        except ValueError as e:
            raise PayloadError(Problem("", "body", f"invalid JSON: {e}", kind="format")) from None
        check_tree(data, len(body) + 1)
        data = without_surrogates(data)
    else:
        raise PayloadError(Problem("", "Content-Type", f"cannot read a {ctype or 'body without a type'}: send "
                                   "application/json or application/yaml (rows or model-index), text/turtle or "
                                   "application/ld+json", value=ctype, kind="format"))
    if isinstance(data, dict) and any(k in data for k in ("@context", "@graph", "@id")):
        return RDF_SHAPE, ("jsonld", body)
    if isinstance(data, dict) and "model-index" in data:
        return MODEL_INDEX, data
    if isinstance(data, dict) and ("rows" in data or "datasets" in data):
        return ROWS, data
    if isinstance(data, list) and data and all(isinstance(d, dict) and "task" in d for d in data):
        return ROWS, data
    raise PayloadError(Problem("", "body", "not a submission: expected leaderboard rows ({\"task\", \"dataset\", "
                               "\"rows\"}), a model-index block ({\"id\", \"model-index\"}) or Turtle/JSON-LD",
                               kind="format"))


# ---------------------------------------------------------------------------------------------- references

class Resolver:
    """Names in the payload resolved against the store, and the registry seeded with what was found."""

    def __init__(self, store: ox.Store, mint: Minter, seconds: float | None = None):
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.seconds = seconds
        self.store = store
        self.backend = EmbeddedBackend(store)
        self.mint = mint
        self.registry = Registry()
        self.problems: list[Problem] = []
        self.pointers: dict[str, str] = {}
        self.computed = {mint.graph("derived"), mint.graph("entailed")}

    def select(self, name: str, bindings: dict) -> list[dict]:
        """Rows of ``queries/internal/NAME.rq`` with the bindings."""
        if self.deadline is not None and time.monotonic() > self.deadline:  # every look-up passes here
            raise MappingTooLong(Problem("", "body", f"mapping the submission took more than {self.seconds:g} s "
                                         "(each task, dataset, metric, model and paper is looked up): send it in "
                                         "smaller parts", kind="limit"))
        return self.backend.select(bind_values(load_query(f"internal/{name}").text, bindings))

    def exists(self, iri: str) -> bool:
        """Whether the graph describes the IRI (the derived graph's ranks and titles do not count)."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        for q in self.store.quads_for_pattern(node, None, None):
            # the default graph repeats the named graphs' triples (store/union.py): only they count
            if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in self.computed:
                return True
        return False

    def names(self, iri: str, prop: str = PWC.name) -> list[str]:
        rows = self.select("entity-names", {"x": ox.NamedNode(iri), "prop": ox.NamedNode(prop)})
        return sorted(r["n"].value for r in rows)

    def _find(self, kind: str, text: str, at: str, field_: str) -> str | None:
        """The IRI of the entity ``text`` names, or None for a new one; a problem when it names several or an unknown IRI."""
        try:
            # A paper by its exact title (or slug, IRI, arXiv URL): 576k titles in lower case take minutes.
            return resolve(self.backend, kind, text, any_case=kind != "Paper").value
        except EntityNotFound as e:
            msg = str(e)
            if " of the " in msg or text.strip().startswith(("http://", "https://")):
                self.problems.append(Problem(at, field_, msg, text, kind="reference"))
            return None

    @staticmethod
    def _pick(names: list[str], text: str, fits=None) -> str | None:
        fitting = [n for n in names if fits is None or fits(n)]
        for n in fitting:
            if n == text:
                return n
        for n in fitting:
            if name_key(n) == name_key(text):
                return n
        return fitting[0] if fitting else None

    def task(self, text: str, at: str, field_: str = "task") -> tuple[str, str | None]:
        iri = self._find("Task", text, at, field_)
        if iri is None:
            return text.strip(), None
        self.pointers.setdefault(iri, at)
        return self._pick(self.names(iri), text, lambda n: self.mint.task(n) == iri) or text.strip(), iri

    def dataset(self, text: str, task_iri: str | None, at: str, field_: str = "dataset") -> tuple[str, str | None]:
        """A leaderboard's dataset name: the one an existing benchmark of the task uses, else a dataset's name."""
        text = text.strip()
        if task_iri:
            for row in self.select("task-benchmarks", {"t": ox.NamedNode(task_iri)}):
                d, dn = row["d"].value, row["dn"].value
                if name_key(dn) == name_key(text) or text in (d, d.rsplit("/", 1)[-1]):
                    self._seed_dataset(dn, d, at)
                    return dn, d
        iri = self._find("Dataset", text, at, field_)
        if iri is None:
            return text, None
        name = self._pick(self.names(iri), text) or text
        self._seed_dataset(name, iri, at)
        return name, iri

    def _seed_dataset(self, name: str, iri: str, at: str) -> None:
        self.registry.remember(self.registry.dataset_by_name, name_key(name), iri)
        self.pointers.setdefault(iri, at)

    def benchmark(self, text: str, at: str) -> tuple[str, str, str, str] | None:
        """(task name, task IRI, dataset name, dataset IRI) of an existing benchmark."""
        iri = self._find("Benchmark", text, at, "benchmark")
        if iri is None:
            if not self.problems or self.problems[-1].pointer != at:
                self.problems.append(Problem(at, "benchmark", f"no benchmark is named {text!r}; name its task and "
                                             "dataset instead to start a new one", text, kind="reference"))
            return None
        for row in self.select("benchmark-names", {"b": ox.NamedNode(iri)}):
            t, d = row["t"].value, row["d"].value
            if self.mint.task(row["tn"].value) == t:
                self._seed_dataset(row["dn"].value, d, at)
                self.pointers.setdefault(iri, at)
                return row["tn"].value, t, row["dn"].value, d
        self.problems.append(Problem(at, "benchmark", f"the benchmark {iri} has no task and dataset to add rows to",
                                     text, kind="reference"))
        return None

    def metric(self, text: str, at: str, field_: str = "metrics") -> str:
        """The spelling the graph already uses for this metric (any case, slug or IRI), else the text."""
        stripped = text.strip()
        minted = self.mint.metric(stripped)
        iri = minted if self.exists(minted) else self._find("Metric", stripped, at, field_)
        if iri is None:
            return stripped
        self.pointers.setdefault(iri, at)
        names = self.names(iri)
        return self._pick(names, stripped, lambda n: self.mint.metric(n) == iri) or stripped

    def model(self, text: str, at: str, field_: str = "model") -> tuple[str, str | None]:
        """(its name, its IRI) of an existing model named by IRI, slug or label; else (text, None)."""
        stripped = text.strip()
        if not is_generic_model_name(stripped) and self.exists(self.mint.model(stripped)):
            iri = self.mint.model(stripped)
        else:
            iri = self._find("Model", stripped, at, field_)
        if iri is None:
            return stripped, None
        self.pointers.setdefault(iri, at)
        return self._pick(self.names(iri), stripped) or stripped, iri

    def model_name(self, text: str) -> str:
        """A model named as a leaderboard names it: the graph's spelling when the name is one it has."""
        stripped = text.strip()
        iri = self.mint.model(stripped)
        if is_generic_model_name(stripped) or not self.exists(iri):
            return stripped
        return self._pick(self.names(iri), stripped) or stripped

    def paper(self, text: str | None, url: str | None, at: str, field_: str) -> tuple[str | None, str | None, bool]:
        """(title, URL, known): a paper the graph has, by IRI, slug, title or arXiv URL, named by its title."""
        iri = None
        if text:
            iri = self._find("Paper", text, at, field_)
        if iri is None and url:
            arxiv = common.arxiv_id_of(url)
            if arxiv:
                rows = self.select("papers-by-arxiv-id", {"id": ox.Literal(arxiv)})
                iri = min((r["p"].value for r in rows), default=None)
            slug = common.pwc_paper_slug(url)
            if iri is None and slug and self.exists(self.mint.paper(slug)):
                iri = self.mint.paper(slug)
        if iri is None:
            return text, url, False
        titles = self.names(iri, PWC.title)
        self.pointers.setdefault(iri, at)
        if not titles:
            self.registry.papers.add(iri)
            return text, url, True
        title = self._pick(titles, text or titles[0])
        self.registry.remember(self.registry.paper_by_title, common.title_key(title), iri)
        return title, None, True


# ---------------------------------------------------------------------------------------------- mapping

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
        _map_rdf(data, resolver, mint, sid, mapped)
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
    _check_new(mapped, resolver)
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


# ---------------------------------------------------------------------------------------------- RDF

def _map_rdf(data: tuple[str, bytes], resolver: Resolver, mint: Minter, sid: str, mapped: Mapped) -> None:
    syntax, body = data
    fmt = ox.RdfFormat.TURTLE if syntax == "turtle" else ox.RdfFormat.JSON_LD
    field_ = "turtle" if syntax == "turtle" else "json-ld"
    try:
        quads = list(ox.parse(input=body, format=fmt, base_iri=mint.base))
    except (SyntaxError, ValueError, OSError) as e:
        mapped.problems.append(Problem("", field_, f"cannot parse the {field_}: {e}", kind="format"))
        return
    skolem: dict[str, ox.NamedNode] = {}

    def term(t):
        if isinstance(t, ox.BlankNode):
            if t.value not in skolem:
                skolem[t.value] = ox.NamedNode(f"{mint.base}submission/{sid}/node/{len(skolem) + 1}")
            return skolem[t.value]
        return t

    base_kinds = tuple(mint.base + k + "/" for k in SUBJECT_KINDS) + (f"{mint.base}submission/{sid}/node/",)
    out = []
    for q in quads:
        where = f"{q.subject} {q.predicate} {q.object}"
        if not isinstance(q.graph_name, ox.DefaultGraph):
            mapped.problems.append(Problem("", field_, f"named graphs are not taken: {q.graph_name}", where,
                                           kind="restriction"))
            continue
        s, p, o = term(q.subject), q.predicate, term(q.object)
        if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
            mapped.problems.append(Problem("", field_, "RDF-star triples are not taken", where, kind="restriction"))
            continue
        if not s.value.startswith(base_kinds):
            mapped.problems.append(Problem("", field_, f"a subject must be an IRI under {mint.base} of a kind pwc-kg "
                                           f"mints ({', '.join(sorted(SUBJECT_KINDS))}): {s.value}", s.value,
                                           kind="restriction"))
            continue
        pv = p.value
        of_the_ontology = pv.startswith(PWC_NS) and pv[len(PWC_NS):] in PWC and pv not in ONTOLOGY_ONLY
        if not (of_the_ontology or pv in ALLOWED_OTHER or pv.startswith(RDF_SEQ_ITEM)):
            mapped.problems.append(Problem("", field_, f"{pv} is not a term of the pwc-kg ontology", pv,
                                           kind="restriction", focus=s.value, path=pv))
            continue
        if pv in DERIVED_TERMS or (pv == RDF.type and o.value in DERIVED_TERMS):
            mapped.problems.append(Problem("", field_, f"{o.value if pv == RDF.type else pv} is computed by pwc-kg "
                                           "(derived or provenance), not submitted", where, kind="restriction",
                                           focus=s.value, path=pv))
            continue
        if isinstance(o, ox.NamedNode) and not o.value.startswith(mint.base) and safe_url(o.value) != o.value \
                and not o.value.startswith(("http://www.w3.org/", PWC_NS)):
            mapped.problems.append(Problem("", field_, f"not an absolute http(s) IRI: {o.value}", o.value,
                                           kind="restriction", focus=s.value, path=pv))
            continue
        out.append(ox.Triple(s, p, o))
    out = list(dict.fromkeys(out))
    results = {t.subject.value for t in out if t.predicate.value == RDF.type and t.object.value == PWC.EvaluationResult}
    recorded = {t.subject.value for t in out if t.predicate.value == PWC.sourceRecord}
    for r in sorted(results - recorded):
        out.append(ox.Triple(ox.NamedNode(r), ox.NamedNode(PWC.sourceRecord), ox.Literal(RDF_SOURCE_RECORD)))
    mapped.triples = out
    for t in out:
        mapped.pointers.setdefault(t.subject.value, "")


def _check_new(mapped: Mapped, resolver: Resolver) -> None:
    """Nothing new said of an entity the graph already has (but a benchmark's new metric column);
    every result new. Fills ``mapped.existing``."""
    subjects = sorted({t.subject.value for t in mapped.triples})
    existing = {s for s in subjects if resolver.exists(s)}
    mapped.existing = existing
    store = resolver.store
    result_type = ox.NamedNode(PWC.EvaluationResult)
    duplicates = {t.subject.value for t in mapped.triples
                  if t.predicate.value == RDF.type and t.object == result_type and t.subject.value in existing}
    for r in sorted(duplicates):
        mapped.problems.append(Problem(mapped.pointers.get(r, ""), "metrics", f"this result is already in the graph: {r}",
                                       kind="restriction", focus=r))
    for t in mapped.triples:
        s = t.subject.value
        if s not in existing or s in duplicates:
            continue
        if next(iter(store.quads_for_pattern(t.subject, t.predicate, t.object)), None) is not None:
            continue  # already said: harmless
        at = mapped.pointers.get(s, "")
        if t.predicate.value in NEW_ON_EXISTING and mapped.shape != RDF_SHAPE:
            continue
        mapped.problems.append(Problem(at, _field_of(t.predicate.value),
                                       f"would change the description of the existing entity {s}: "
                                       f"{_short(t.predicate.value)} {t.object}; a submission only adds results "
                                       "(name the entity as the graph does)", str(t.object), kind="restriction",
                                       focus=s, path=t.predicate.value))


def _short(iri: str) -> str:
    return "pwc:" + iri[len(PWC_NS):] if iri.startswith(PWC_NS) else f"<{iri}>"


_FIELDS = {PWC.name: "name", PWC.title: "paper_title", PWC.datasetName: "dataset", PWC.task: "task",
           PWC.dataset: "dataset", PWC.model: "model_name", PWC.modelName: "model_name", PWC.metric: "metrics"}


def _field_of(predicate: str) -> str:
    return _FIELDS.get(predicate, _short(predicate))
