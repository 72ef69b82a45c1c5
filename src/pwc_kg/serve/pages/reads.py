"""What the pages read from the store: a handful of bounded queries per page.

Every query names its subject through a ``VALUES`` binding and keeps its OPTIONALs to one triple
pattern on a bound subject (Oxigraph evaluates larger OPTIONAL groups over the whole store).
Queries run through ``site.select``, with the server's time and row limits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import pyoxigraph as ox

from ...errors import PwcKgError
from ...queries import bind_values, load_query
from ...queries.binding import bind_where_named
from ...queries.run import bind_params
from ...vocab import PWC, RDF, RDF_SEQ_ITEM, SKOS

LABELS = (SKOS.prefLabel, PWC.name, PWC.title)  # a metric's preferred spelling before its others
LIST_LIMIT = 500  # rows a page lists at most where it does not page them (a task's subtasks, ...)
PER_PAGE = 100  # rows of a paged list, unless ?per_page= says otherwise
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000  # enough for every paper one a page (576k); past it a 400, not an offset to count to
MAX_VALUE = 500  # characters of a parameter's value; longer is a 400


class BadParam(PwcKgError, ValueError):
    """A page parameter the page cannot take: ``status`` 400 (malformed) or 404 (a page past the last)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def param(params: dict[str, list[str]], name: str) -> str:
    """The value of a page parameter, stripped ('' when it is not given). BadParam (400) when it is given
    twice, is longer than MAX_VALUE, or is not text (a lone surrogate: neither SQLite nor SPARQL takes it).

    >>> param({"sort": [" papers "]}, "sort"), param({}, "sort")
    ('papers', '')
    >>> param({"sort": ["a", "b"]}, "sort")
    Traceback (most recent call last):
    ...
    pwc_kg.serve.pages.reads.BadParam: sort is given 2 times; give it once
    """
    values = params.get(name) or [""]
    if len(values) > 1:
        raise BadParam(400, f"{name} is given {len(values)} times; give it once")
    value = values[0].strip()
    if len(value) > MAX_VALUE:
        raise BadParam(400, f"the {name} given is longer than {MAX_VALUE} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadParam(400, f"the {name} given is not text") from None
    return value


def number(params: dict[str, list[str]], name: str, default: int, most: int) -> int:
    """A whole-number parameter from 1 to ``most`` (``default`` when not given); BadParam (400) otherwise.

    >>> number({"page": ["²"]}, "page", 1, 10)
    Traceback (most recent call last):
    ...
    pwc_kg.serve.pages.reads.BadParam: page must be a whole number from 1 to 10, not '²'
    """
    text = param(params, name)
    if not text:
        return default
    # ASCII digits only ('²'.isdigit() is true, int('²') fails); nine at most: no huge number is parsed
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or not 1 <= int(text) <= most:
        raise BadParam(400, f"{name} must be a whole number from 1 to {most:,}, not {text[:40]!r}")
    return int(text)


def choice(params: dict[str, list[str]], name: str, choices, default: str) -> str:
    """A parameter that takes one of ``choices`` (``default`` when not given); BadParam (400) otherwise."""
    text = param(params, name)
    if not text:
        return default
    if text not in choices:
        raise BadParam(400, f"{name} must be one of {', '.join(choices)}, not {text[:40]!r}")
    return text


def href(path: str, params: dict) -> str:
    """``path?params`` with the parameters that have a value, in a stable order: the one form of a page's links.

    >>> href("/papers", {"task": "qa", "method": None, "page": 2}), href("/papers", {"task": ""})
    ('/papers?task=qa&page=2', '/papers')
    """
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")])
    return f"{path}?{query}" if query else path


def check_page(page: int, per_page: int, total: int) -> None:
    """BadParam (404) for a page past the last of a list of ``total`` rows (page 1 is always there)."""
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        raise BadParam(404, f"page {page}: there {'is' if pages == 1 else 'are'} {pages:,} "
                            f"page{'' if pages == 1 else 's'} of {per_page}")


@dataclass
class Paging:
    """Where a page is in a list: ``?page=N&per_page=M`` (1-based; per_page from 1 to MAX_PER_PAGE).

    ``keep`` holds the page's other parameters, so that the links to other pages are stable URLs.

    >>> p = Paging.of({"page": ["2"], "per_page": ["10"]}, keep={"metric": "f1"})
    >>> p.offset, p.query(3)
    (10, 'metric=f1&page=3&per_page=10')
    >>> p.total = 25; p.pages, p.first, p.last
    (3, 11, 20)
    >>> Paging.of({"page": ["x"]})
    Traceback (most recent call last):
    ...
    pwc_kg.serve.pages.reads.BadParam: page must be a whole number from 1 to 1,000,000, not 'x'
    """

    page: int = 1
    per_page: int = PER_PAGE
    default: int = PER_PAGE
    keep: dict = field(default_factory=dict)
    total: int = 0
    prefix: str = ""  # of the parameters' names, when a page has two paged lists ("subsets_page")
    linked: bool = True  # whether the pager links the other pages (their view is given its parameters)
    more: bool = False  # the list goes on past ``total`` (counted up to a bound): its last page is not known
    sizes: tuple[int, ...] = ()  # the page sizes the pager offers a link to

    @staticmethod
    def of(params: dict[str, list[str]] | None, default: int = PER_PAGE, keep: dict | None = None,
           prefix: str = "", sizes: tuple[int, ...] = ()) -> "Paging":
        """The paging that ``params`` ask for; raises BadParam (400) on a malformed one.

        ``params`` None: the view is not given the page's parameters (its caller passes none): the first
        LIST_LIMIT rows, and a pager that says how many there are but links no other page.
        """
        if params is None:
            return Paging(1, LIST_LIMIT, LIST_LIMIT, prefix=prefix, linked=False)
        return Paging(number(params, f"{prefix}page", 1, MAX_PAGE),
                      number(params, f"{prefix}per_page", default, MAX_PER_PAGE),
                      default, {k: v for k, v in (keep or {}).items() if v}, prefix=prefix, sizes=sizes)

    def keeping(self, **params) -> "Paging":
        """The same paging, its links keeping these parameters (those set) as well."""
        return replace(self, keep={**self.keep, **{k: v for k, v in params.items() if v}})

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        """The number of pages (with ``more``: at least one past this one)."""
        counted = max(1, math.ceil(self.total / self.per_page))
        return max(counted, self.page + 1) if self.more else counted

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when the list is empty)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.per_page, self.total)

    def check(self, total: int, more: bool = False) -> "Paging":
        """Notes the list's length; raises BadParam (404) for a page past the last (with ``more``, the list
        goes on past ``total`` rows: no page is known to be past its end)."""
        self.total, self.more = total, more
        if not more:
            check_page(self.page, self.per_page, total)
        return self

    def _args(self, page: int, per_page: int | None) -> dict:
        """The parameters of a page of the same list (``per_page`` rows a page, this one's by default): the
        first page without a page number, the default size without a size (one URL a page)."""
        per_page = per_page or self.per_page
        args = dict(self.keep)
        if page > 1:
            args[f"{self.prefix}page"] = page
        if per_page != self.default:
            args[f"{self.prefix}per_page"] = per_page
        return args

    def query(self, page: int, per_page: int | None = None) -> str:
        """The query string of a page of the same list (see ``_args``)."""
        return urlencode(self._args(page, per_page))

    def href(self, base: str, page: int, per_page: int | None = None) -> str:
        """The URL of a page of the list at ``base`` (see ``_args``)."""
        return href(base, self._args(page, per_page))

    def window(self, pages: int = 2) -> list[int | None]:
        """The page numbers a pager links: the first, the last, and those near this one (None: a gap)."""
        shown = sorted({1, self.pages, *range(max(1, self.page - pages), min(self.pages, self.page + pages) + 1)})
        out: list[int | None] = []
        for n in shown:
            if out and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def kept(params: dict[str, list[str]], *names: str) -> dict[str, str]:
    """The first value of each of the named parameters that is given (what links to other pages keep)."""
    return {n: params[n][0] for n in names if params.get(n) and params[n][0]}


def bad_request(error: BadParam, template: str, **context) -> "Page":
    """The page of a bad parameter: its status (400 or 404) and what was wrong, on the page's own template."""
    from .page import Page

    return Page(error.status, template, {**context, "bad": str(error)})


def projected(query: str) -> list[str]:
    """The variables a SELECT projects, in order (for a table's columns), from its text.

    >>> projected("PREFIX a: <x#> SELECT DISTINCT ?b (COUNT(?c) AS ?n) ?d WHERE { ?b ?c ?d }")
    ['b', 'n', 'd']
    """
    m = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", re.sub(r"(?m)(^|\s)#[^\n]*", r"\1", query), re.I | re.S)
    if not m:
        return []
    clause = re.sub(r"\((?:[^()]|\([^()]*\))*\bAS\s+\?(\w+)\s*\)", r" ?\1 ", m[1], flags=re.I)
    return re.findall(r"\?(\w+)", clause)


@dataclass
class Value:
    term: ox.NamedNode | ox.Literal | ox.BlankNode
    label: str | None = None  # the name or title of an IRI value

    @property
    def text(self) -> str:
        return self.label or self.term.value

    @property
    def is_iri(self) -> bool:
        return isinstance(self.term, ox.NamedNode)


@dataclass
class Entity:
    """An IRI and its own triples: property IRI -> values (labels of IRI values included)."""

    iri: str
    props: dict[str, list[Value]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.props)

    def all(self, prop: str) -> list[Value]:
        return self.props.get(prop, [])

    def first(self, prop: str) -> Value | None:
        values = self.all(prop)
        return values[0] if values else None

    def text(self, prop: str) -> str | None:
        v = self.first(prop)
        return v.text if v else None

    def types(self) -> set[str]:
        return {v.term.value for v in self.all(RDF.type)}

    @property
    def label(self) -> str:
        for p in LABELS:
            values = sorted(v.term.value for v in self.all(p))
            if values:
                return values[0]
        return self.iri


class Reads:
    """The store, as the pages see it: through ``site.select`` (its limits apply)."""

    def __init__(self, site):
        self.site = site

    def select(self, query: str, bindings: dict | None = None) -> list[dict]:
        """Rows of bound terms (a variable left unbound is absent from its row)."""
        return self.site.select(query, bindings or None)

    def table(self, query: str) -> tuple[list[str], list[dict]]:
        """(the columns, the rows) of any SELECT: columns in the order the query projects them."""
        rows = self.select(query)
        seen = {k for row in rows for k in row}
        columns = [v for v in projected(query) if v in seen]
        return columns + sorted(seen - set(columns)), rows

    def internal(self, name: str, bindings: dict, limit: int | None = None, offset: int = 0) -> list[dict]:
        """Rows of a site-internal query (``queries/internal/NAME.rq``), its parameters bound as VALUES where the
        query names them (``bind_where_named``: in its sub-SELECTs too); a page of them when ``limit`` is given
        (LIMIT and OFFSET are whole numbers, checked as such)."""
        text = bind_where_named(load_query(f"internal/{name}").text, bindings)
        if limit is not None:
            if type(limit) is not int or type(offset) is not int or limit < 0 or offset < 0:
                raise TypeError(f"limit and offset must be whole numbers, not {limit!r} and {offset!r}")
            text = f"{text.rstrip()}\nLIMIT {limit} OFFSET {offset}\n"
        return self.select(text)

    def named(self, name: str, **params) -> list[dict]:
        """Rows of a named query (``queries/NAME.rq``); parameters as terms or as names to resolve."""
        query = load_query(name)
        text = bind_params(self, query, params) if params else query.text
        return self.select(text)

    def entity(self, iri: str) -> Entity:
        out = Entity(iri)
        for row in self.internal("describe", {"s": ox.NamedNode(iri)}):
            label = row.get("pref") or row.get("name") or row.get("title")
            values = out.props.setdefault(row["p"].value, [])
            for v in values:
                if v.term == row["o"]:
                    if label is not None and (v.label is None or label.value < v.label):
                        v.label = label.value
                    break
            else:
                values.append(Value(row["o"], label.value if label is not None else None))
        for values in out.props.values():
            values.sort(key=lambda v: (v.text.casefold(), v.term.value))
        return out

    def incoming(self, iri: str) -> list[tuple[str, Value]]:
        """(property, subject) of the triples that point at the IRI, at most 200 (queries/internal/incoming.rq)."""
        seen: dict[tuple[str, str], Value] = {}
        for row in self.internal("incoming", {"o": ox.NamedNode(iri)}):
            label = row.get("name") or row.get("title")
            key = (row["p"].value, row["s"].value)
            if key not in seen or (label is not None and seen[key].label is None):
                seen[key] = Value(row["s"], label.value if label is not None else None)
        return sorted(seen.items(), key=lambda kv: (kv[0][0], kv[1].text.casefold()))

    def seq(self, iri: str) -> list[Value]:
        """The members of an rdf:Seq in order (a paper's authors, a benchmark's metric columns)."""
        entity = self.entity(iri)
        members = [(int(p[len(RDF_SEQ_ITEM):]), v[0]) for p, v in entity.props.items()
                   if p.startswith(RDF_SEQ_ITEM) and p[len(RDF_SEQ_ITEM):].isdigit() and v]
        return [v for _, v in sorted(members, key=lambda m: m[0])]

    def labels(self, iris: list[str]) -> dict[str, str]:
        """The name or title of each IRI (one query for all of them)."""
        out: dict[str, str] = {}
        for iri, props in self.props_of(iris, [PWC.name, PWC.title]).items():
            label = props.get(PWC.name) or props.get(PWC.title)
            if label is not None:
                out[iri] = label
        return out

    def props_of(self, iris: list[str], props: list[str]) -> dict[str, dict[str, str]]:
        """Some properties of several subjects at once: subject -> property -> value (the least, if several).

        One OPTIONAL per property on the bound subjects: Oxigraph answers that from the subjects,
        where a ``VALUES ?p`` over ``?s ?p ?o`` would scan the whole store.
        """
        if not iris:
            return {}
        optionals = " ".join(f"OPTIONAL {{ ?s <{p}> ?o{i} }}" for i, p in enumerate(props))
        rows = self.select(bind_values(f"SELECT DISTINCT * WHERE {{ {optionals} }}",
                                       {"s": [ox.NamedNode(i) for i in sorted(set(iris))]}))
        out: dict[str, dict[str, str]] = {}
        for row in rows:
            d = out.setdefault(row["s"].value, {})
            for i, p in enumerate(props):
                value = row.get(f"o{i}")
                if value is not None and (p not in d or value.value < d[p]):
                    d[p] = value.value
        return out
