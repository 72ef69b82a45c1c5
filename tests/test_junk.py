"""Junk in, nothing lost: every source format fed random and wrong-typed records.

Hypothesis writes records of every source format (the five archive files, Hugging Face model
cards, model-index files, the lineage CSV) with junk in every field: random Unicode, control
characters, ``<>"{}|\\^``, whitespace, lone surrogates (JSON allows them as escapes), a list where
a string goes, a string where a list goes, null, numbers, nested garbage, missing and extra keys,
and the archive's real junk. Two levels:

- read + map (no store, fast): each record through its reader and mapper; the N-Triples parse
  strictly, every IRI is valid, every typed literal is in its datatype's lexical space, every
  record is in the graph or in the rejects, and every field is in the graph or rejected;
- whole builds (``slow``: about 30 s for 25 builds on 2 cores, the module about 40 s): small
  archives of all formats at once through ``pwc_kg.build``; the store conforms to the shapes, its
  N-Quads dump parses in pyoxigraph, rdflib and rapper, and every metric value cell is a result or
  a reject.

``PWC_KG_JUNK_SCALE=10`` runs ten times the examples (a deeper search; about 10 minutes).

Only the documented ``SourceError`` may escape, and only for a malformed file.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pwc_kg
from pwc_kg.iri import Minter
from pwc_kg.kinds import MAPPERS, READERS
from pwc_kg.mapping.context import Context, GraphWriter, Registry, Rejects
from pwc_kg.pointers import pointer
from pwc_kg.ntriples import clean_text
from pwc_kg.sources import SourceError
from pwc_kg.sources.archive import iter_records
from pwc_kg.sources.kinds import CODE_LINKS, DATASETS, EVALUATION_TABLES, METHODS, PAPERS
from pwc_kg.sources.lineage_file import iter_lineage
from pwc_kg.sources.model_cards import read_card
from pwc_kg.sources.model_index import iter_model_index
from pwc_kg.vocab import PWC, XSD

# PWC_KG_JUNK_SCALE=20 multiplies the examples, for a deeper search than the suite's.
SCALE = float(os.environ.get("PWC_KG_JUNK_SCALE", "1"))
FAST = settings(max_examples=int(120 * SCALE), deadline=None, suppress_health_check=[HealthCheck.too_slow])
BUILDS = settings(max_examples=int(25 * SCALE), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FILE_NAMES = {PAPERS: "papers-with-abstracts.json", CODE_LINKS: "links-between-papers-and-code.json",
              METHODS: "methods.json", DATASETS: "datasets.json", EVALUATION_TABLES: "evaluation-tables.json"}
SQLI = "01/01/1967' AND 2*3*8=6*8 AND 'AncJ'='AncJ"

# ---------------------------------------------------------------- junk

NASTY = ('<>"{}|\\^`\x00\x01\x08\x0b\x0c\x1f\x7f\t\n\r \u00a0\u00ad\u200b\u200e\u2028\u2029\ufeff\ufffd'
         "\u2212%#?/:.~-_*'&;=+@!$()[],")
REAL_JUNK = ["", " ", "\t\n", SQLI, "\u2212", "--*", "Yes", "-", "?", "N/A", "null", "<script>alert(1)</script>",
             "http://", "javascript:alert(1)", "../..", "%", "%zz", "%00", "a\u0000b", "2222-01-01", "\ud800", "\udfff"]
CHARS = st.one_of(st.characters(), st.sampled_from(NASTY), st.characters(categories=["Cs"]))
TEXT = st.one_of(st.text(CHARS, max_size=10), st.sampled_from(REAL_JUNK))
NUMBER = st.one_of(st.integers(-(10**25), 10**25), st.floats(allow_nan=False, allow_infinity=False))
SCALAR = st.one_of(TEXT, NUMBER, st.booleans(), st.none())
JUNK = st.recursive(SCALAR, lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXT, c, max_size=3), max_leaves=5)


def short(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """The same strategy with a short repr: hypothesis computes reprs of strategies (for its event log), and the
    nested records' would be megabytes long."""
    return st.just(None).flatmap(lambda _: strategy)


def pool(*names: str) -> st.SearchStrategy:
    """A few names, often repeated (so joins, duplicates and cycles happen), or any text."""
    return st.one_of(st.sampled_from(names), st.sampled_from(names), TEXT)


def maybe(good: st.SearchStrategy) -> st.SearchStrategy:
    """A field's value: what the format says, or junk of any type."""
    return st.integers(0, 2).flatmap(lambda i: JUNK if i == 0 else good)


def record(fields: dict[str, st.SearchStrategy], core: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A record: each field present or missing, its value good or junk, and maybe extra keys.

    The ``core`` fields (what identifies a record, what nests) are mostly present and good, so that
    records get mapped and nested structures get deep enough to hold values.
    """
    known = st.fixed_dictionaries({k: st.integers(0, 9).flatmap(lambda i, v=v: JUNK if i == 0 else v)
                                   for k, v in fields.items() if k in core},
                                  optional={k: maybe(v) for k, v in fields.items() if k not in core})
    extra = st.dictionaries(TEXT, JUNK, max_size=2)
    return short(st.builds(lambda e, k: {**e, **k}, extra, known))


def objects(strategy: st.SearchStrategy, n: int = 2) -> st.SearchStrategy:
    """A list of objects, or (as the mappers accept too) one object alone."""
    return st.one_of(st.lists(strategy, max_size=n), strategy)


SLUG = st.text(st.one_of(st.sampled_from("abc-_19."), CHARS), min_size=1, max_size=8)
PWC_PAPER = st.one_of(st.sampled_from(["https://paperswithcode.com/paper/lamini-lm", "paperswithcode.com/paper/x/"]),
                      SLUG.map("https://paperswithcode.com/paper/".__add__))
URL = st.one_of(
    st.sampled_from(["https://arxiv.org/abs/2304.14402v3", "http://arxiv.org/pdf/1805.07499v1.pdf",
                     "https://github.com/a/b", "https://example.org/a b?q=<x>#f", "HTTPS://EXAMPLE.ORG",
                     "https://user:pw@example.org/", "http://[::1]/", "https://exa mple.org", "ftp://x/y",
                     "https://\u4f8b\u3048.jp/\u30d1\u30b9", "https://huggingface.co/org/model", "http:///x",
                     "https://example.org/%E2%82%AC/%zz"]),
    TEXT.map("https://example.org/".__add__), PWC_PAPER)
DATE = st.one_of(st.sampled_from(["2023-04-27", "2222-01-01", "2023-02-30", "1899-12-31", "0000-00-00",
                                  "2019-11-26T00:00:00Z", "2019-11-26 10:00", "27/04/2023", "2023-4-7", "",
                                  "9999-12-31", "2023-04-27\n"]), st.dates().map(str))
ARXIV = st.sampled_from(["2304.14402", "2304.14402v3", "1810.04805", "cs/0112017", "hep-th/9901001v2", "not-an-id"])
METRIC_VALUE = st.one_of(
    st.sampled_from(["90.871", "77.1%", ".3412", "0.8428 \u00b1 0.0014", "33M", "1.5B", "220k", "\u22122.5", "~257M",
                     "78.9/78.6", "-", "\u2212", "--*", "", "Yes", "?", "1e400", "12M%", "1,234.5", "85.3*",
                     "1e-30", "123456789012345678901"]),
    NUMBER, TEXT)
METRIC_NAME = pool("Accuracy", "accuracy", "Top-1 Accuracy", "EM", "F1", "", " ")
LINK = record({"title": TEXT, "url": URL})
METHOD_SUMMARY = record({
    "name": pool("Adam", "Dropout", ""), "full_name": TEXT, "description": TEXT, "introduced_year": st.integers(1800, 2300),
    "source_url": URL, "source_title": TEXT, "code_snippet_url": URL,
    "main_collection": record({"name": TEXT, "description": TEXT, "parent": TEXT, "area": TEXT})}, ("name",))
PAPER = record({
    "paper_url": PWC_PAPER, "arxiv_id": ARXIV, "nips_id": TEXT, "openreview_id": TEXT, "title": pool("A", "a.", ""),
    "abstract": TEXT, "short_abstract": TEXT, "url_abs": URL, "url_pdf": URL, "proceeding": TEXT,
    "authors": st.lists(TEXT, max_size=3), "tasks": st.lists(pool("Question Answering", ""), max_size=3), "date": DATE,
    "conference_url_abs": URL, "conference_url_pdf": URL, "conference": TEXT, "reproduces_paper": TEXT,
    "methods": objects(METHOD_SUMMARY)}, ("paper_url", "title"))
CODE_LINK = record({
    "paper_url": PWC_PAPER, "paper_title": TEXT, "paper_arxiv_id": ARXIV, "paper_url_abs": URL, "paper_url_pdf": URL,
    "repo_url": URL, "is_official": st.booleans(), "mentioned_in_paper": st.booleans(),
    "mentioned_in_github": st.booleans(), "framework": pool("pytorch", "tf", "none")}, ("repo_url", "paper_title"))
PAPER_REF = record({"title": TEXT, "url": URL})
METHOD = record({
    "url": SLUG.map("https://paperswithcode.com/method/".__add__), "name": pool("Adam", "Dropout", ""),
    "full_name": TEXT, "description": TEXT, "paper": PAPER_REF, "introduced_year": st.integers(1800, 2300),
    "source_url": URL, "source_title": TEXT, "code_snippet_url": URL, "num_papers": st.integers(-5, 10**20),
    "collections": objects(record({"collection": TEXT, "area_id": TEXT, "area": TEXT}))}, ("name", "url"))
DATASET = record({
    "url": SLUG.map("https://paperswithcode.com/dataset/".__add__), "name": pool("PIQA", SQLI, ""),
    "full_name": TEXT, "homepage": URL, "description": TEXT, "paper": PAPER_REF, "introduced_date": DATE,
    "warning": TEXT, "modalities": st.lists(TEXT, max_size=2), "languages": st.lists(TEXT, max_size=2),
    "variants": st.lists(pool("PIQA", "SQuAD1.1"), max_size=2), "num_papers": st.integers(-5, 10**6),
    "tasks": objects(record({"task": TEXT, "url": URL})),
    "data_loaders": objects(record({"url": URL, "repo": URL, "frameworks": st.lists(TEXT, max_size=2)}))},
    ("name", "url"))
def task_trees(plausible: bool) -> st.SearchStrategy:
    """Evaluation-table task trees: junk anywhere, or (``plausible``) a sound structure with junk
    only in the leaves, so that many value cells reach the graph."""
    def rec(fields: dict, core: tuple[str, ...]) -> st.SearchStrategy:
        if not plausible:
            return record(fields, core)
        sound = {k: v for k, v in fields.items() if k in core}
        return short(st.builds(lambda e, k: {**e, **k}, record({k: v for k, v in fields.items() if k not in core}),
                               st.fixed_dictionaries(sound)))

    def name(*names: str) -> st.SearchStrategy:
        return st.sampled_from(names) if plausible else pool(*names, "")

    row = rec({"model_name": name("BERT-Large", "Baseline", "Ours"), "paper_title": pool("A", ""), "paper_url": URL,
               "paper_date": DATE, "code_links": objects(LINK), "model_links": objects(LINK),
               "metrics": st.dictionaries(METRIC_NAME, METRIC_VALUE, min_size=int(plausible), max_size=3),
               "uses_additional_data": st.booleans()}, ("model_name", "metrics"))
    sota = rec({"metrics": st.lists(METRIC_NAME, max_size=3), "rows": objects(row, 3)}, ("rows",))
    subdataset = rec({"subdataset": name("dev", "test"), "description": TEXT, "sota": sota}, ("subdataset", "sota"))
    bench = rec({"dataset": name("PIQA", SQLI, "SQuAD1.1"), "description": TEXT, "dataset_links": objects(LINK),
                 "dataset_citations": objects(LINK), "sota": sota, "subdatasets": objects(subdataset, 1)},
                ("dataset", "sota"))
    fields = {"task": name("A", "B", "a", "Question Answering"), "description": TEXT,
              "categories": st.lists(TEXT, max_size=2), "synonyms": st.lists(TEXT, max_size=2),
              "source_link": LINK, "datasets": objects(bench, 2)}
    return st.recursive(rec(fields, ("task", "datasets")),
                        lambda sub: rec({**fields, "subtasks": objects(sub, 2)}, ("task", "datasets", "subtasks")),
                        max_leaves=3)


TASK = short(task_trees(False))
TABLE = short(task_trees(True))

RECORDS = {PAPERS: PAPER, CODE_LINKS: CODE_LINK, METHODS: METHOD, DATASETS: DATASET, EVALUATION_TABLES: TASK}


def write_json(path: Path, records: list, ascii_only: bool = True) -> None:
    """The records as the archive writes them: one JSON array (lone surrogates only as \\u escapes)."""
    text = json.dumps(records, ensure_ascii=ascii_only, indent=1)
    try:
        path.write_bytes(text.encode("utf-8"))
    except UnicodeEncodeError:
        path.write_text(json.dumps(records, indent=1), encoding="ascii")


# ---------------------------------------------------------------- what every output must be

IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|\\^`\x7f]+$")
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
TZ = r"(?:Z|[+-]\d{2}:\d{2})?"
X = "http://www.w3.org/2001/XMLSchema#"
LEXICAL = {
    XSD.string: None, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString": None,
    XSD.decimal: re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"),
    XSD.integer: re.compile(r"[+-]?\d+"),
    X + "nonNegativeInteger": re.compile(r"\+?\d+"),
    XSD.boolean: re.compile(r"true|false|1|0"),
    XSD.date: re.compile(rf"-?\d{{4,}}-\d{{2}}-\d{{2}}{TZ}"),
    XSD.gYear: re.compile(rf"-?\d{{4,}}{TZ}"),
    XSD.dateTime: re.compile(rf"-?\d{{4,}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?{TZ}"),
    XSD.anyURI: None,
    XSD.double: re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF|-INF|NaN"),
}


def check_term(term) -> None:
    """An IRI valid and plain ASCII; a literal in its datatype's lexical space."""
    if isinstance(term, ox.NamedNode):
        v = term.value
        assert IRI.match(v), f"invalid IRI {v!r}"
        assert v.isascii(), f"IRI not ASCII: {v!r}"
        assert not BAD_PERCENT.search(v), f"IRI with a bad percent-escape: {v!r}"
    elif isinstance(term, ox.Literal):
        dt = term.datatype.value
        assert dt in LEXICAL, f"literal of an unexpected datatype {dt}: {term}"
        pattern = LEXICAL[dt]
        if pattern is not None:
            assert pattern.fullmatch(term.value), f"ill-typed literal {term}"
        if dt == XSD.date:
            _dt.date.fromisoformat(term.value[:10])  # a real calendar day
        term.value.encode("utf-8")  # no lone surrogate got through


def check_quads(quads) -> int:
    n = 0
    for q in quads:
        for term in (q.subject, q.predicate, q.object, getattr(q, "graph_name", None)):
            if term is not None and not isinstance(term, (ox.DefaultGraph, ox.BlankNode)):
                check_term(term)
        n += 1
    return n


def check_reject_lines(rejects: list[dict], positions: set, once: bool = True) -> None:
    """Each reject names a source, a record of the input, a field, the value and a reason; once, unless
    (``once`` False) one record is read more than once (a model-index results file two models name)."""
    seen = set()
    for r in rejects:
        key = (r["source"], r["record"], r["field"], r["reason"], json.dumps(r["value"], sort_keys=True))
        assert key not in seen or not once, f"the same reject twice: {r}"
        seen.add(key)
        assert set(r) == {"source", "record", "field", "value", "reason"}, r
        assert r["source"] and r["field"] and r["reason"], r
        assert any(r["record"] == p or r["record"].startswith((p + "/", p + "#")) for p in positions), r


# ---------------------------------------------------------------- values and IRIs (beyond tests/test_values.py, test_iri.py)

@FAST
@given(st.one_of(TEXT, METRIC_VALUE, st.decimals(allow_nan=True, allow_infinity=True),
                 st.builds(lambda m, e: Decimal(m).scaleb(e), st.integers(-(10**30), 10**30), st.integers(-500, 500)),
                 TEXT.map(lambda t: "12.5" + t), TEXT.map(lambda t: t + "3.0")))
def test_a_value_is_a_rankable_decimal_with_its_raw_string_or_a_reason(raw):
    from pwc_kg.values import ValueRejected, parse_value

    try:
        v = parse_value(raw)
    except ValueRejected as e:
        assert str(e)
        return
    for number in filter(None, (v.number, v.uncertainty)):
        assert LEXICAL[XSD.decimal].fullmatch(number), number
        d = Decimal(number)
        assert abs(d) < Decimal("1e20") and -d.as_tuple().exponent <= 18  # what the store can rank
    assert v.raw == str(raw)
    if isinstance(raw, Decimal):
        assert Decimal(v.number) == raw  # a JSON number keeps its value exactly


@FAST
@given(TEXT, TEXT, URL)
def test_every_iri_a_build_mints_is_valid_ascii_and_the_same_each_time(name, other, url):
    from pwc_kg.iri import safe_url, segment

    mint = Minter()
    page = safe_url(url)
    iris = [mint.paper(name), mint.paper_arxiv(name), mint.paper_external(name), mint.method(name),
            mint.method_by_name(name), mint.dataset(name, is_slug=True), mint.dataset(name), mint.collection(name),
            mint.proceeding(name), mint.area(name), mint.hf_model(name), mint.hf_model(f"{name}/{other}"),
            mint.model(name, other), mint.benchmark(mint.task(name), mint.dataset(other)), mint.result(name, other),
            mint.graph("source/" + segment(name)), mint.code_link(mint.paper(name), url),
            mint.data_loader(mint.dataset(name), url), mint.subdataset(mint.dataset(name), other)]
    if page:
        iris.append(mint.repository(page))
    for iri in iris:
        check_term(ox.NamedNode(iri))
    assert iris[:5] == [mint.paper(name), mint.paper_arxiv(name), mint.paper_external(name), mint.method(name),
                        mint.method_by_name(name)]


# ---------------------------------------------------------------- read + map, without a store

@dataclass
class Mapped:
    records: list  # as the reader handed them over
    mapped: list[bool]  # what the mapper returned for each
    triples: list
    rejects: list[dict]
    objects: dict = field(default_factory=dict)  # predicate -> set of object values

    def rejected(self, record: str, field_: str) -> bool:
        return any(r["record"] == record and r["field"] == field_ for r in self.rejects)

    def has(self, predicate: str, value: str) -> bool:
        return value in self.objects.get(predicate, ())


def read_and_map(kind: str, path: Path, work: Path) -> Mapped:
    """Read a source with its reader and map it with its mapper; the output parsed strictly."""
    out = io.StringIO()
    chunks: list[Path] = []
    writer = GraphWriter("https://example.org/graph", work, "t", chunks.append)
    ctx = Context(source=path.name, graph=writer, rejects=Rejects(out), mint=Minter(), registry=Registry())
    records, mapped = [], []
    for index, rec in READERS[kind](path):
        if not isinstance(rec, dict):
            continue  # the build refuses the file (tested below)
        records.append((index, rec))
        mapped.append(MAPPERS[kind](ctx, index, rec))
    writer.close()
    triples = [t for chunk in chunks for t in ox.parse(path=str(chunk), format=ox.RdfFormat.N_TRIPLES)]
    rejects = [json.loads(line) for line in out.getvalue().splitlines()]
    objects: dict[str, set] = {}
    for t in triples:
        objects.setdefault(t.predicate.value, set()).add(t.object.value)
    return Mapped(records, mapped, triples, rejects, objects)


def check_mapped(m: Mapped, positions: set | None = None, place=pointer, once: bool = True) -> None:
    """Valid terms, sound reject lines, and a reject for every record not mapped (``place``: a record's
    position as rejects name it)."""
    check_quads(m.triples)
    check_reject_lines(m.rejects, positions or {place(i) for i, _ in m.records}, once)
    for (index, _), ok in zip(m.records, m.mapped):
        if not ok:
            where = place(index)
            assert any(r["record"] == where or r["record"].startswith((where + "/", where + "#")) for r in m.rejects), where


def is_number(v) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def expect_text(m: Mapped, ptr: str, rec: dict, key: str, predicate: str) -> None:
    """A text field: its stripped text in the graph, or the field rejected; nothing lost silently."""
    v = rec.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return
    if isinstance(v, str) or is_number(v):
        text = clean_text(v.strip() if isinstance(v, str) else str(v))
        assert m.has(predicate, text) or m.rejected(ptr, key), (ptr, key, v)
    else:
        assert m.rejected(ptr, key), (ptr, key, v)


def expect_texts(m: Mapped, ptr: str, rec: dict, key: str, predicate: str) -> None:
    v = rec.get(key)
    if v is None:
        return
    if not isinstance(v, list):
        assert m.rejected(ptr, key), (ptr, key, v)
        return
    for i, item in enumerate(v):
        if isinstance(item, str):
            if item.strip():
                assert m.has(predicate, clean_text(item.strip())), (ptr, key, item)
        elif item is not None:
            assert m.rejected(ptr + pointer(key, i), key), (ptr, key, i, item)


def expect_url(m: Mapped, ptr: str, rec: dict, key: str, predicate: str) -> None:
    from pwc_kg.iri import safe_url

    v = rec.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return
    url = safe_url(v.strip()) if isinstance(v, str) else None
    assert (url is not None and m.has(predicate, url)) or m.rejected(ptr, key), (ptr, key, v)


def expect_repository(m: Mapped, ptr: str, rec: dict, key: str, predicate: str) -> None:
    """A repository URL: in the graph, or rejected. Spellings of one repository (case, a trailing slash,
    '.git') are one Repository, which keeps the first."""
    from pwc_kg.iri import safe_url

    def key_of(url: str) -> str:
        return url.rstrip("/").removesuffix(".git").casefold()

    v = rec.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return
    url = safe_url(v.strip()) if isinstance(v, str) else None
    known = {key_of(u) for u in m.objects.get(predicate, ())}
    assert (url is not None and key_of(url) in known) or m.rejected(ptr, key), (ptr, key, v)


def expect_arxiv(m: Mapped, ptr: str, rec: dict, key: str, predicate: str | None) -> None:
    """An arXiv id: in the graph without its version (unless ``predicate`` is None), or rejected."""
    from pwc_kg.mapping.common import clean_arxiv_id

    v = rec.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return
    arxiv = clean_arxiv_id(v if isinstance(v, str) else str(v) if is_number(v) else None)
    if arxiv is None:
        assert m.rejected(ptr, key), (ptr, key, v)
    elif predicate is not None:
        assert m.has(predicate, arxiv) or m.rejected(ptr, key), (ptr, key, v)


def expect_typed(m: Mapped, ptr: str, rec: dict, key: str, predicate: str) -> None:
    """A date, number or flag: some value under the predicate, or the field rejected."""
    v = rec.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return
    assert predicate in m.objects or m.rejected(ptr, key), (ptr, key, v)


RULES = {
    PAPERS: [(expect_text, "title", PWC.title), (expect_text, "abstract", PWC.abstract),
             (expect_text, "nips_id", PWC.nipsId), (expect_text, "openreview_id", PWC.openreviewId),
             (expect_text, "conference", PWC.conferencePaperId), (expect_text, "reproduces_paper", PWC.reproducesPaper),
             (expect_text, "proceeding", PWC.name), (expect_url, "url_abs", PWC.abstractPage),
             (expect_url, "url_pdf", PWC.pdf), (expect_url, "conference_url_abs", PWC.conferenceAbstractPage),
             (expect_url, "conference_url_pdf", PWC.conferencePdf), (expect_typed, "date", PWC.publicationDate),
             (expect_texts, "authors", PWC.name), (expect_texts, "tasks", PWC.name),
             (expect_arxiv, "arxiv_id", PWC.arxivId)],
    CODE_LINKS: [(expect_repository, "repo_url", PWC.url), (expect_arxiv, "paper_arxiv_id", None),  # a code link only names its paper (expect_text, "framework", PWC.framework),
                 (expect_typed, "is_official", PWC.isOfficial), (expect_typed, "mentioned_in_paper", PWC.mentionedInPaper),
                 (expect_typed, "mentioned_in_github", PWC.mentionedInRepository)],
    METHODS: [(expect_text, "name", PWC.name), (expect_text, "full_name", PWC.fullName),
              (expect_text, "description", PWC.description), (expect_text, "source_title", PWC.sourceTitle),
              (expect_url, "source_url", PWC.sourceUrl), (expect_url, "code_snippet_url", PWC.codeSnippet),
              (expect_typed, "introduced_year", PWC.introducedYear), (expect_typed, "num_papers", PWC.paperCount)],
    DATASETS: [(expect_text, "name", PWC.name), (expect_text, "full_name", PWC.fullName),
               (expect_text, "description", PWC.description), (expect_text, "warning", PWC.warning),
               (expect_url, "homepage", PWC.homepage), (expect_typed, "introduced_date", PWC.introducedDate),
               (expect_texts, "modalities", PWC.modality), (expect_texts, "languages", PWC.language),
               (expect_texts, "variants", PWC.variant), (expect_typed, "num_papers", PWC.paperCount)],
}


@pytest.mark.parametrize("kind", [PAPERS, CODE_LINKS, METHODS, DATASETS])
@FAST
@given(data=st.data())
def test_every_field_of_every_record_is_in_the_graph_or_rejected(kind, data):
    records = data.draw(st.lists(RECORDS[kind], max_size=4), label="records")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / FILE_NAMES[kind]
        write_json(path, records, data.draw(st.booleans(), label="ascii"))
        m = read_and_map(kind, path, Path(tmp))
    assert len(m.records) == len(records)
    check_mapped(m)
    for (index, rec), ok in zip(m.records, m.mapped):
        if ok:
            for rule, key, predicate in RULES[kind]:
                rule(m, pointer(index), rec, key, predicate)


def items(value, at: str) -> list[tuple[str, dict]]:
    """The objects of a list, with their pointers; one object where a list goes is read as that one item."""
    if isinstance(value, list):
        return [(at + pointer(i), v) for i, v in enumerate(value) if isinstance(v, dict)]
    return [(at, value)] if isinstance(value, dict) else []


def cells(node, ptr: str = "", row: bool = False):
    """JSON Pointers of the metric value cells of an evaluation-tables structure."""
    if row:
        metrics = node.get("metrics")
        return [ptr + pointer("metrics", name) for name in metrics] if isinstance(metrics, dict) else []
    out = []
    for key in ("datasets", "subdatasets", "subtasks"):
        for at, item in items(node.get(key), ptr + pointer(key)):
            out += cells(item, at)
    sota = node.get("sota")
    if isinstance(sota, dict):
        for at, item in items(sota.get("rows"), ptr + pointer("sota", "rows")):
            out += cells(item, at, row=True)
    return out


@FAST
@given(st.lists(st.one_of(TASK, TABLE), max_size=3))
def test_every_metric_value_cell_is_a_result_or_a_reject(tasks):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / FILE_NAMES[EVALUATION_TABLES]
        write_json(path, tasks)
        m = read_and_map(EVALUATION_TABLES, path, Path(tmp))
    check_mapped(m)
    expected = [c for index, rec in m.records for c in cells(rec, pointer(index))]
    in_graph = m.objects.get(PWC.sourceRecord, set())
    rejected = {r["record"] for r in m.rejects}
    for cell in expected:
        # a pointer with a lone surrogate (a metric named so) is stored with U+FFFD, as any literal
        mapped = clean_text(cell) in in_graph
        assert mapped != (cell in rejected), f"{cell!a}: in the graph {mapped}, rejected {cell in rejected}"
    assert in_graph <= {clean_text(c) for c in expected}  # every result points at a real cell


# ---------------------------------------------------------------- model cards, model-index files, the lineage file

HF_ID = pool("meta-llama/Llama-2-7b-hf", "org/model", "MBZUAI/LaMini-GPT-1.5B", "gpt2", "https://huggingface.co/org/model",
             "org/model/extra", "../x", "a--b", "org/ model", "https://example.org/m")
CARD_METRIC = record({"type": pool("accuracy", "f1"), "name": pool("Accuracy", "F1", ""), "value": METRIC_VALUE}, ("value",))
CARD_RESULT = record({
    "task": record({"type": pool("text-generation", "question-answering"), "name": pool("Question Answering", "")}),
    "dataset": record({"type": pool("piqa", "squad"), "name": pool("PIQA", SQLI, ""), "config": pool("default", "v1")}),
    "metrics": objects(CARD_METRIC, 3)}, ("task", "dataset", "metrics"))
FRONT_MATTER = record({
    "base_model": st.one_of(HF_ID, st.lists(HF_ID, max_size=3)),
    "base_model_relation": pool("finetune", "adapter", "merge", "quantized", "distill", "FINETUNE"),
    "tags": st.one_of(st.lists(pool("lora", "gguf", "peft"), max_size=3), TEXT), "library_name": pool("peft", "gguf", "transformers"),
    "datasets": st.one_of(st.lists(pool("piqa", "squad"), max_size=2), pool("piqa")),
    "model-index": objects(record({"name": TEXT, "results": objects(CARD_RESULT, 2)}, ("results",)), 2)},
    ("model-index",))
CARD_FOLDER = st.one_of(st.sampled_from(["org/model", "MBZUAI/LaMini-GPT-1.5B", "solo", "a b/c", "x/\u00fc", "org/a--b",
                                         "o/m/deeper", "org/m\u2028x", "org/-x"]),
                        st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="/\x00"), min_size=1,
                                max_size=8).filter(lambda s: not s.startswith(".")).map("org/".__add__))  # hidden folders are skipped
CARD_TEXT = st.one_of(
    FRONT_MATTER.map(lambda fm: "---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n# A model\n"),
    TEXT.map(lambda t: f"---\n{t}\n---\n"), st.just("# no front matter\n"), st.just("---\nbase_model: gpt2\n"),
    st.just("---\n- a list\n---\n"), st.just("---\n42\n---\n"))


def write_cards(folder: Path, cards: list[tuple[str, str | bytes]]) -> int:
    """Cards at their folders (the model id is the path); one good card, so the folder is a card folder.
    Returns the number of cards (a later card at the same folder replaces an earlier one)."""
    written = set()
    for path, text in [("org/good", "---\nbase_model: gpt2\n---\n"), *cards]:
        card = folder / path / "README.md"
        card.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")  # a surrogate: not UTF-8
        card.write_bytes(data)
        written.add(card)
    return len(written)


CARDS = st.lists(st.tuples(CARD_FOLDER, st.one_of(CARD_TEXT, st.binary(max_size=20).map(b"---\n".__add__))),
                 max_size=4)

MI_PATH = st.sampled_from(["a.yml", "missing.yml", "../outside.yml", "*.yml", "sub/*.yaml", "", "/etc/passwd", "a.md",
                           "a.json", "sub"])
MI_RESULT = record({"Task": pool("Image Classification", ""), "Dataset": pool("ImageNet", "ImageNet-1k", ""),
                    "Metrics": st.one_of(st.dictionaries(METRIC_NAME, METRIC_VALUE, max_size=3),
                                         st.lists(st.dictionaries(METRIC_NAME, METRIC_VALUE, max_size=2), max_size=2))},
                   ("Task", "Dataset", "Metrics"))
MI_METADATA = record({"Parameters": METRIC_VALUE, "FLOPs": METRIC_VALUE, "Training Data": st.one_of(TEXT, st.lists(TEXT)),
                      "Training Techniques": st.one_of(TEXT, st.lists(TEXT, max_size=2))})
MI_MODEL = record({
    "Name": pool("LaMini-GPT 1.5B", "ResNet-50", "Baseline", ""), "Metadata": st.one_of(MI_METADATA, MI_PATH),
    "Paper": st.one_of(URL, ARXIV, TEXT, record({"Title": TEXT, "URL": URL})), "Weights": URL,
    "In Collection": pool("ResNet", "Nope"), "Converted From": record({"Weights": URL, "Code": URL}),
    "Downstream": st.one_of(TEXT, st.lists(pool("ResNet-50-ft"), max_size=2)),
    "Results": st.one_of(st.lists(st.one_of(MI_RESULT, MI_PATH), max_size=2), MI_RESULT, MI_PATH)},
    ("Name", "Results"))
MI_COLLECTION = record({"Name": pool("ResNet", ""), "Metadata": MI_METADATA, "Results": st.lists(MI_RESULT, max_size=1)},
                       ("Name",))
MODEL_INDEX = record({"Models": st.one_of(st.lists(st.one_of(MI_MODEL, MI_PATH), max_size=3), MI_MODEL),
                      "Collections": st.lists(st.one_of(MI_COLLECTION, MI_PATH), max_size=2),
                      "Import": st.one_of(st.lists(MI_PATH, max_size=2), MI_PATH)}, ("Models",))


def yaml_text(value) -> str:
    try:
        return yaml.safe_dump(value, allow_unicode=True)
    except yaml.YAMLError:
        return "{}"


def write_model_index(folder: Path, index: dict, extra: dict[str, object]) -> Path:
    """``model-index.yml`` and the files it may import: YAML, JSON and Markdown, each holding anything."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "model-index.yml").write_text(yaml_text(index), encoding="utf-8", errors="surrogateescape")
    for name, value in extra.items():
        if name.endswith(".json"):
            text = json.dumps(value)
        elif name.endswith(".md"):
            text = f"# notes\n<!--\nType: model-index\n{yaml_text(value)}-->\n"
        else:
            text = yaml_text(value)
        (folder / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    return folder


MI_FILES = st.fixed_dictionaries({}, optional={
    "a.yml": st.one_of(MI_MODEL, st.lists(MI_MODEL, max_size=2), MODEL_INDEX, JUNK),
    "a.json": st.one_of(MI_MODEL, st.lists(MI_RESULT, max_size=2), JUNK),
    "a.md": st.one_of(MI_MODEL, MODEL_INDEX, JUNK), "sub/b.yaml": st.one_of(st.lists(MI_RESULT, max_size=2), JUNK)})
CSV_TEXT = TEXT.filter(lambda s: "\x00" not in s and not any("\ud800" <= c <= "\udfff" for c in s))
LINEAGE_ROW = st.lists(st.one_of(
    st.sampled_from(["org/model", "gpt2", "LaMini-GPT 1.5B", "https://huggingface.co/meta-llama/Llama-2-7b-hf",
                     "http://example.org/m", "http://bad url", "finetune", "distill", "same_as", "Same As", "bogus", "",
                     "# a comment"]), CSV_TEXT), max_size=6)


def write_lineage(path: Path, rows: list[list[str]], header: tuple = ("child", "relation", "parent", "source", "note")) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def card_cells(position: str, rec: dict) -> list[str]:
    """The metric value cells of one card's model-index, walked as the mapper walks it."""
    fm = rec.get("front_matter")
    if not isinstance(fm, dict) or "error" in rec:
        return []
    at = position + "#"
    return [p for ep, entry in items(fm.get("model-index"), at + pointer("model-index"))
            for rp, result in items(entry.get("results"), ep + pointer("results"))
            for p, _ in items(result.get("metrics"), rp + pointer("metrics"))]


@FAST
@given(CARDS)
def test_every_card_is_a_model_or_a_reject_and_every_card_value_a_result_or_a_reject(cards):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cards"
        n = write_cards(folder, cards)
        (Path(tmp) / "out").mkdir()
        m = read_and_map("model-cards", folder, Path(tmp) / "out")
    assert len(m.records) == n
    check_mapped(m, place=str)
    ids = m.objects.get(PWC.huggingFaceId, set())
    for (position, rec), ok in zip(m.records, m.mapped):
        if ok:
            assert rec["id"] in ids
    expected = [c for position, rec in m.records for c in card_cells(position, rec)]
    in_graph = m.objects.get(PWC.sourceRecord, set())
    rejected = {r["record"] for r in m.rejects}
    for cell in expected:
        assert (clean_text(cell) in in_graph) != (cell in rejected), cell
    assert in_graph <= {clean_text(c) for c in expected}


def index_cells(rec: dict) -> list[str]:
    """The metric value cells of a model-index model, at the positions the reader gave its results."""
    out = []
    for result, at in zip(rec.get("Results") or [], rec.get("_results_at") or []):
        keys = {k.strip().lower(): k for k in result if isinstance(k, str)} if isinstance(result, dict) else {}
        key = keys.get("metrics")
        metrics = result.get(key) if key else None
        if isinstance(metrics, dict):
            out += [at + pointer(key, name) for name in metrics]
        elif isinstance(metrics, list):
            out += [at + pointer(key, i, name) for i, item in enumerate(metrics) if isinstance(item, dict) for name in item]
    return out


@FAST
@given(MODEL_INDEX, MI_FILES)
def test_every_model_index_model_and_value_is_in_the_graph_or_rejected(index, extra):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_model_index(Path(tmp) / "mi", index, extra)
        (Path(tmp) / "out").mkdir()
        files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        try:
            m = read_and_map("model-index", folder / "model-index.yml", Path(tmp) / "out")
        except SourceError as e:  # only the root file unreadable
            assert e.path.endswith("model-index.yml") and e.position == "file", e
            return
    check_mapped(m, files, place=str, once=False)  # a reject names a place in one of the index's files
    expected = [c for _, rec in m.records for c in index_cells(rec)]
    in_graph = m.objects.get(PWC.sourceRecord, set())
    rejected = {r["record"] for r in m.rejects}
    for cell in expected:
        assert (clean_text(cell) in in_graph) or (cell in rejected), cell
    assert in_graph <= {clean_text(c) for c in expected}


@FAST
@given(st.lists(LINEAGE_ROW, max_size=5))
def test_every_lineage_row_is_an_edge_or_a_reject(rows):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_lineage(Path(tmp) / "lineage.csv", rows)
        m = read_and_map("lineage", path, Path(tmp))
    check_mapped(m, place="line {}".format)
    edges = sum(1 for t in m.triples if t.predicate.value in (PWC.derivedFrom, "http://www.w3.org/2002/07/owl#sameAs"))
    assert edges >= sum(m.mapped)  # a mapped row is at least one edge


# ---------------------------------------------------------------- whole files of junk: records or a SourceError

JSON_BYTES = st.one_of(
    st.binary(max_size=40), st.binary(max_size=40).map(b"[".__add__),
    JUNK.map(lambda v: json.dumps(v).encode()), st.lists(JUNK, max_size=3).map(lambda v: json.dumps(v).encode()),
    st.lists(JUNK, min_size=1, max_size=3).map(lambda v: json.dumps(v).encode()[:-1]),  # cut short
    st.sampled_from([b"", b"\xef\xbb\xbf[]", b"[{}, 1, null]", b'[{"a": NaN}]', b"[{\"a\": \"\xff\"}]", b"\x1f\x8b junk",
                     b'[{"a": "\\ud800"}, {"b": "\\udc00\\ud800"}]', b'[{"a": 1e999999}]', b"[" * 5000 + b"]" * 5000]))


@FAST
@given(JSON_BYTES, st.booleans())
def test_any_bytes_in_an_archive_file_are_records_or_a_source_error(data, compress):
    import gzip

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "methods.json"
        path.write_bytes(gzip.compress(data)[: len(data) + 20] if compress else data)
        try:
            records = list(iter_records(path))
        except SourceError as e:
            assert e.path == str(path) and e.position and e.message
            return
    assert [i for i, _ in records] == list(range(len(records)))


@FAST
@given(st.one_of(st.text(max_size=80), st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
                 st.lists(LINEAGE_ROW, max_size=3).map(lambda rows: "\n".join(",".join(r) for r in rows))))
def test_any_text_in_a_lineage_file_is_rows_or_a_source_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lineage.csv"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        try:
            rows = list(iter_lineage(path))
        except SourceError as e:
            assert e.path == str(path) and e.position and e.message
            return
    assert all(isinstance(n, int) and isinstance(r, dict) for n, r in rows)


@FAST
@given(st.one_of(st.binary(max_size=60), CARD_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_any_bytes_in_a_model_card_are_fields_or_a_reason(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "README.md"
        path.write_bytes(data)
        card = read_card(path, "org/model")
    assert card["id"] == "org/model"
    assert isinstance(card.get("front_matter"), dict) or card["error"]


@FAST
@given(st.one_of(st.text(max_size=60), MODEL_INDEX.map(yaml_text)), MI_FILES)
def test_any_text_in_a_model_index_is_models_or_a_source_error(text, extra):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_model_index(Path(tmp) / "mi", {}, extra)
        (folder / "model-index.yml").write_text(text, encoding="utf-8", errors="surrogateescape")
        try:
            models = list(iter_model_index(folder))
        except SourceError as e:
            assert e.position == "file" and e.message
            return
    assert all(isinstance(p, str) and isinstance(r, dict) for p, r in models)


# ---------------------------------------------------------------- whole builds

RAPPER = shutil.which("rapper")
# The archive's own junk, in every build: a paper dated 2222, a dataset named by an SQL-injection probe,
# a task named "", tasks that are their own ancestors (directly, through a longer cycle in one record,
# and through a cycle across records), and the metric values "−", "--*" and "Yes".
REAL_JUNK_RECORDS = {
    PAPERS: [{"paper_url": "https://paperswithcode.com/paper/from-the-future", "title": "A paper from the future",
              "date": "2222-01-01", "authors": ["A. Author"]}],
    DATASETS: [{"url": "https://paperswithcode.com/dataset/sqli", "name": SQLI, "full_name": SQLI, "description": SQLI}],
    # one good record each: a source whose every record is rejected fails the build (tests/test_archive_layouts.py)
    METHODS: [{"url": "https://paperswithcode.com/method/adam", "name": "Adam"}],
    CODE_LINKS: [{"paper_url": "https://paperswithcode.com/paper/a-paper-with-code", "paper_title": "A paper with code",
                  "repo_url": "https://github.com/example/code"}],
    EVALUATION_TABLES: [
        {"task": "", "datasets": [{"dataset": "PIQA", "sota": {"metrics": ["Accuracy"],
                                                                "rows": [{"model_name": "X", "metrics": {"Accuracy": "1"}}]}}]},
        {"task": "Loop", "subtasks": [{"task": "Loop"}]},
        {"task": "Ring A", "subtasks": [{"task": "Ring B", "subtasks": [{"task": "Ring C", "subtasks": [{"task": "Ring A"}]}]}]},
        {"task": "Ring C", "subtasks": [{"task": "Ring D"}]},
        {"task": "Ring D", "subtasks": [{"task": "Ring A"}]},
        {"task": "Question Answering", "datasets": [{"dataset": SQLI, "sota": {
            "metrics": ["Accuracy", "F1", "EM"],
            "rows": [{"model_name": "M", "paper_title": "A paper from the future", "paper_date": "2222-01-01",
                      "metrics": {"Accuracy": "\u2212", "F1": "--*", "EM": "Yes", "Acc": "71.3"}}]}}]},
    ],
}


def build_junk(tmp: Path, archive: dict[str, list], cards=(), index=None, mi_files=None, lineage=()) -> tuple:
    """Write an archive of every format and build it; the report and the store."""
    folder = tmp / "archive"
    folder.mkdir()
    for kind, records in archive.items():
        write_json(folder / FILE_NAMES[kind], records)
    sources = [folder]
    write_cards(tmp / "cards", list(cards))
    sources.append(tmp / "cards")
    if index is not None:
        from pwc_kg.sources.model_cards import YamlError, load_yaml

        folder = write_model_index(tmp / "mi", index, mi_files or {})
        try:
            load_yaml((folder / "model-index.yml").read_text(encoding="utf-8"))
        except YamlError:  # a root that does not parse fails the build (tested above): not here
            (folder / "model-index.yml").write_text("Models: []\n")
        sources.append(folder)
    sources.append(write_lineage(tmp / "lineage.csv", list(lineage)))
    report = pwc_kg.build(sources, tmp / "store", allow_violations=True)
    if report.violations:
        pytest.fail((tmp / "store" / report.generation / "validation.txt").read_text())
    return report, pwc_kg.open_store(tmp / "store")


def check_store(tmp: Path, report, kg, archive: dict[str, list]) -> None:
    """What every build must give, whatever went in."""
    store = kg.store
    n = check_quads(store)
    dump = store.dump(format=ox.RdfFormat.N_QUADS)
    assert sum(1 for _ in ox.parse(dump, format=ox.RdfFormat.N_QUADS)) == n  # pyoxigraph, strict
    import rdflib

    ds = rdflib.Dataset()
    ds.parse(data=dump.decode("utf-8"), format="nquads")
    assert sum(1 for _ in ds.quads((None, None, None, None))) == n
    if RAPPER:
        (tmp / "dump.nq").write_bytes(dump)
        run = subprocess.run([RAPPER, "-i", "nquads", "-c", str(tmp / "dump.nq")], capture_output=True, text=True)
        assert run.returncode == 0 and "Error" not in run.stderr and "Warning" not in run.stderr, run.stderr
        assert f"returned {n} triple" in run.stderr, run.stderr
    by_name = {s.name: s for s in report.sources}
    for kind, records in archive.items():
        assert by_name[FILE_NAMES[kind]].records == len(records)
    lines = (tmp / "store" / "current" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == report.rejects
    rejects = [json.loads(line) for line in lines]
    shared = [r for r in rejects if r["source"] == "model-index.yml"]  # its results files may serve two models
    check_reject_lines([r for r in rejects if r not in shared], {r["record"] for r in rejects})
    check_reject_lines(shared, {r["record"] for r in shared}, once=False)
    # every metric value cell of the evaluation tables: a result or a reject
    tables = iter_records(tmp / "archive" / FILE_NAMES[EVALUATION_TABLES])  # as the build read them
    expected = {c for i, rec in tables if isinstance(rec, dict) for c in cells(rec, pointer(i))}
    source = by_name[FILE_NAMES[EVALUATION_TABLES]].graph
    in_graph = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(PWC.sourceRecord), None,
                                                               ox.NamedNode(source))}
    rejected = {r["record"] for r in rejects if r["source"] == FILE_NAMES[EVALUATION_TABLES]}
    for cell in expected:
        assert (clean_text(cell) in in_graph) != (cell in rejected), cell
    assert not kg.sparql(f"SELECT ?t WHERE {{ ?t <{PWC.subtaskOf}>+ ?t }}"), "a task is its own ancestor"


@pytest.mark.slow
@BUILDS
@given(data=st.data())
def test_a_junk_archive_of_every_format_builds_conforms_and_parses_strictly(data):
    """About 1 s an example (build, validation, three parsers): 25-40 s on 2 cores."""
    archive = {}
    for kind, strategy in RECORDS.items():
        if kind == EVALUATION_TABLES:
            strategy = st.one_of(TASK, TABLE)
        archive[kind] = data.draw(st.lists(strategy, max_size=3), label=kind) + REAL_JUNK_RECORDS[kind]
    cards = data.draw(CARDS, label="cards")
    index = data.draw(st.one_of(st.none(), MODEL_INDEX), label="model index")
    mi_files = data.draw(MI_FILES, label="model-index files")
    lineage = data.draw(st.lists(LINEAGE_ROW, max_size=4), label="lineage rows")
    with tempfile.TemporaryDirectory() as tmp:
        report, kg = build_junk(Path(tmp), archive, cards, index, mi_files, lineage)
        check_store(Path(tmp), report, kg, archive)


def test_the_archive_s_own_junk_is_kept_refused_or_cut_as_documented(tmp_path):
    archive = {k: list(v) for k, v in REAL_JUNK_RECORDS.items()}
    report, kg = build_junk(tmp_path, archive)
    check_store(tmp_path, report, kg, archive)
    rejects = [json.loads(line) for line in (tmp_path / "store" / "current" / "rejects.jsonl").read_text().splitlines()]

    def reasons(source: str, record: str, field_: str) -> list[str]:
        return [r["reason"] for r in rejects if (r["source"], r["record"], r["field"]) == (source, record, field_)]

    tables, papers = FILE_NAMES[EVALUATION_TABLES], FILE_NAMES[PAPERS]
    # a date after next year is refused (docs/archive-formats.md), its record kept
    assert any("out of range" in r for r in reasons(papers, "/0", "date"))
    assert kg.sparql(f'SELECT ?p WHERE {{ ?p <{PWC.title}> "A paper from the future" }}')
    assert not kg.sparql(f"SELECT ?d WHERE {{ ?p <{PWC.publicationDate}> ?d }}")
    assert any("out of range" in r for r in reasons(tables, "/5/datasets/0/sota/rows/0", "paper_date"))
    # the probe is a name like any other, stored as it is
    assert len(kg.sparql(f"SELECT DISTINCT ?d WHERE {{ ?d a <{PWC.Dataset}> ; <{PWC.name}> {ox.Literal(SQLI)} }}")) == 1
    # a task named "": rejected with every value below it
    assert reasons(tables, "/0", "task") and reasons(tables, "/0/datasets/0/sota/rows/0/metrics/Accuracy", "task")
    # own ancestors: directly, through a cycle in one record, and through one across records
    for record in ("/1/subtasks/0", "/2/subtasks/0/subtasks/0/subtasks/0", "/4/subtasks/0"):
        assert any("own ancestor" in r for r in reasons(tables, record, "task")), record
    # "−", "--*" and "Yes" are no numbers; "71.3" beside them is
    cell = "/5/datasets/0/sota/rows/0/metrics/"
    for metric, raw in (("Accuracy", "\u2212"), ("F1", "--*"), ("EM", "Yes")):
        assert reasons(tables, cell + metric, "metrics") == [f"no number in {raw!r}"]
    assert kg.sparql(f'SELECT ?r WHERE {{ ?r <{PWC.sourceRecord}> "{cell}Acc" ; <{PWC.value}> 71.3 }}')


@pytest.mark.skipif(RAPPER is None, reason="rapper (raptor2-utils) is not installed")
def test_the_dump_of_the_junk_build_parses_in_rapper(tmp_path):
    archive = {k: list(v) for k, v in REAL_JUNK_RECORDS.items()}
    archive[PAPERS].append({"paper_url": "https://paperswithcode.com/paper/x", "title": 'q"<>{}|\\^`\x00\x7f\u2028',
                            "abstract": "\ud800 lone", "authors": ["\t \n"]})
    _, kg = build_junk(tmp_path, archive)
    (tmp_path / "dump.nq").write_bytes(kg.store.dump(format=ox.RdfFormat.N_QUADS))
    run = subprocess.run([RAPPER, "-i", "nquads", "-c", str(tmp_path / "dump.nq")], capture_output=True, text=True)
    assert run.returncode == 0 and "Error" not in run.stderr, run.stderr
    assert f"returned {len(kg.store)} triples" in run.stderr


# ---------------------------------------------------------------- regressions: the bugs these tests found

def map_file(tmp_path: Path, kind: str, records: list) -> Mapped:
    path = tmp_path / FILE_NAMES[kind]
    write_json(path, records)
    return read_and_map(kind, path, tmp_path)


def test_regression_a_lone_surrogate_escape_failed_the_whole_file_as_not_utf8(tmp_path):
    path = tmp_path / "methods.json"
    path.write_text('[{"name": "A"}, {"name": "B\\udc00", "x\\ud800": 1}, {"name": "C"}]')
    records = list(iter_records(path))
    assert records == [(0, {"name": "A"}), (1, {"name": "B\\udc00", "x\\ud800": 1}), (2, {"name": "C"})]
    records[1][1]["name"].encode("utf-8")  # the escape as six characters: valid UTF-8 from here on


def test_regression_an_arxiv_id_that_is_no_arxiv_id_was_dropped_silently(tmp_path):
    m = map_file(tmp_path, PAPERS, [{"title": "T", "arxiv_id": "see the paper"}])
    assert m.rejected("/0", "arxiv_id")
    m = map_file(tmp_path, CODE_LINKS, [{"paper_title": "T", "paper_arxiv_id": "n/a", "repo_url": "https://github.com/a/b"}])
    assert m.rejected("/0", "paper_arxiv_id")


def test_regression_a_url_or_slug_with_a_lone_surrogate_crashed_the_mapping():
    from pwc_kg.iri import safe_url, segment

    for iri in (safe_url("https://example.org/\udc00"), Minter().paper("a\udc00b"), Minter().method("\ud800")):
        ox.NamedNode(iri)
        assert iri.isascii()
    assert Minter().paper("a\udc00") != Minter().paper("a\udc01")
    assert segment("\udc00") == "%ED%B0%80"


def test_regression_a_wrong_field_read_twice_was_rejected_twice(tmp_path):
    m = map_file(tmp_path, PAPERS, [{"title": "T", "url_abs": ["x"], "arxiv_id": ["y"]}])
    assert [r["field"] for r in m.rejects].count("url_abs") == 1
    assert [r["field"] for r in m.rejects].count("arxiv_id") == 1


def test_regression_reject_lines_broke_on_line_separators_and_surrogates():
    out = io.StringIO()
    Rejects(out).add("s.json", "/0", "title", ["a\u2028b", "c\x85d", "e\u2029f", "\udc00"], "expected a string")
    (line,) = out.getvalue().splitlines()
    assert json.loads(line)["value"] == ["a\u2028b", "c\x85d", "e\u2029f", "\udc00"]
    line.encode("utf-8")


def test_regression_a_method_url_with_iri_characters_made_an_invalid_page_iri_and_failed_the_load(tmp_path):
    (tmp_path / "a").mkdir()
    write_json(tmp_path / "a" / "methods.json", [{"url": "https://paperswithcode.com/method/a<b>{c}", "name": "M"}])
    pwc_kg.build([tmp_path / "a"], tmp_path / "store")
    pages = pwc_kg.open_store(tmp_path / "store").sparql(f"SELECT ?p WHERE {{ ?m <{PWC.pwcPage}> ?p }}")
    assert [r["p"].value for r in pages] == ["https://paperswithcode.com/method/a%3Cb%3E%7Bc%7D"]


def test_regression_one_object_where_a_list_goes_got_the_pointer_of_a_list_item(tmp_path):
    table = {"task": "T", "datasets": {"dataset": "D", "sota": {"rows": {"model_name": "M", "metrics": {"Acc": "1"}}}}}
    m = map_file(tmp_path, EVALUATION_TABLES, [table])
    assert m.objects[PWC.sourceRecord] == {"/0/datasets/sota/rows/metrics/Acc"}


def test_regression_values_below_an_unmapped_task_given_as_one_object_were_not_accounted_for(tmp_path):
    table = {"task": "", "datasets": {"dataset": "D", "sota": {"rows": [{"metrics": {"Acc": "1"}}]}}}
    m = map_file(tmp_path, EVALUATION_TABLES, [table, {"task": "T", "datasets": [table["datasets"]]}])
    assert m.rejected("/0/datasets/sota/rows/0/metrics/Acc", "task")
    assert m.rejected("/1/datasets/0/sota/rows/0/metrics/Acc", "model_name")  # a row without the key


def test_regression_a_code_link_with_an_empty_repository_url_was_dropped_silently(tmp_path):
    m = map_file(tmp_path, CODE_LINKS, [{"paper_title": "T", "repo_url": " "}])
    assert m.mapped == [False] and m.rejected("/0", "repo_url")


def test_regression_a_task_cycle_across_records_made_tasks_their_own_ancestors(tmp_path):
    m = map_file(tmp_path, EVALUATION_TABLES, [{"task": "A", "subtasks": [{"task": "B"}]},
                                               {"task": "B", "subtasks": [{"task": "C", "subtasks": [{"task": "A"}]}]}])
    assert m.rejected("/1/subtasks/0/subtasks/0", "task")
    assert sum(1 for t in m.triples if t.predicate.value == PWC.subtaskOf) == 2  # B under A, C under B


def test_regression_the_values_of_a_card_at_no_model_id_were_not_accounted_for(tmp_path):
    write_cards(tmp_path / "cards", [("a b/c", "---\nmodel-index:\n- results:\n  - task: {type: t}\n"
                                                "    dataset: {type: d}\n    metrics: [{type: acc, value: 1}]\n---\n")])
    (tmp_path / "out").mkdir()
    m = read_and_map("model-cards", tmp_path / "cards", tmp_path / "out")
    assert m.rejected("a b/c/README.md#/model-index/0/results/0/metrics/0", "metrics")


def test_regression_a_collection_glob_that_matched_the_index_itself_recursed_without_end(tmp_path):
    (tmp_path / "model-index.yml").write_text("Collections:\n- '*.yml'\n- '*.yml'\n- {Name: C}\nModels: [{Name: M, In Collection: C}]\n")
    assert [r["Name"] for _, r in iter_model_index(tmp_path)] == ["M"]


def test_regression_a_model_index_path_with_a_nul_crashed_the_reader(tmp_path):
    (tmp_path / "model-index.yml").write_text('Models: ["a\\0b"]\nImport: "\\0"\n')
    errors = [r for _, r in iter_model_index(tmp_path)]
    assert len(errors) == 2 and all("NUL" in e["error"] for e in errors)


def test_regression_unreadable_results_of_one_model_were_rejected_alike_under_the_model(tmp_path):
    (tmp_path / "model-index.yml").write_text("Models:\n- Name: M\n  In Collection: [X, X]\n  Results: ['', nope.yml]\n")
    (tmp_path / "out").mkdir()
    m = read_and_map("model-index", tmp_path / "model-index.yml", tmp_path / "out")
    places = sorted(r["record"] for r in m.rejects if r["field"] == "Results")
    assert places == ["model-index.yml#/Models/0/Results/0", "model-index.yml#/Models/0/Results/1"]
    assert [r["field"] for r in m.rejects].count("In Collection") == 1  # one collection named twice
