"""A submission's payload: its three shapes and their media types, read (and its nesting checked) before it is
mapped; what its mapping gives (``Mapped``, with each result as a ``ResultInfo``) and what is wrong with it
(each ``Problem`` naming the payload field by a JSON Pointer; ``PayloadError`` when it is no submission at all).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from ..errors import PwcKgError
from ..pointers import pointer
from ..sources.archive import without_surrogates
from ..values import read_boolean
from ..vocab import PWC, RDF


ROWS, MODEL_INDEX, RDF_SHAPE = "rows", "model-index", "rdf"
SHAPES = (ROWS, MODEL_INDEX, RDF_SHAPE)
TURTLE_TYPES = {"text/turtle", "application/x-turtle"}
JSONLD_TYPES = {"application/ld+json"}
JSON_TYPES = {"application/json", "text/json", ""}
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
FORM_TYPES = {"application/x-www-form-urlencoded"}
MAX_DEPTH = 32  # levels of nesting a JSON or YAML payload may have (an archive task record with subtasks: ~12)
RDF_SOURCE_RECORD = "payload#/"  # an RDF payload has no finer pointer: the result came from the payload as a whole


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
