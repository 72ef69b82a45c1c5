"""Running a named query on a backend and formatting its rows (table, json, csv, tsv)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pyoxigraph as ox

from ..errors import SettingError
from ..store.union import check_default
from ..vocab import XSD
from .binding import bind_values
from .named import ENTITY_KINDS, NamedQuery
from .resolve import resolve

_NUMERIC = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.long, XSD.int}
_LITERAL_TYPES = {"integer": XSD.integer, "decimal": XSD.decimal, "date": XSD.date, "boolean": XSD.boolean}


class EmbeddedBackend:
    """Queries a pyoxigraph store over the union of its named graphs: its default graph, which holds
    every distinct triple of the named graphs once (store/union.py)."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._checked = False

    def run(self, query: str) -> tuple[list[str], list[dict]]:
        """(the SELECT's variables, its rows of bound terms)."""
        if not self._checked:  # a store built before the default graph was kept would answer nothing
            check_default(self.store)
            self._checked = True
        result = self.store.query(query)
        names = [v.value for v in result.variables]
        return names, [{n: row[n] for n in names if row[n] is not None} for row in result]

    def select(self, query: str) -> list[dict]:
        return self.run(query)[1]


def bind_params(backend, query: NamedQuery, params: dict[str, str]) -> str:
    """The query text with each declared parameter resolved and bound; unknown or missing ones raise."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise SettingError(f"query {query.name} takes no parameter {', '.join(unknown)} "
                           f"(it takes: {', '.join(declared) or 'none'})", option="param")
    bindings = {}
    for name, p in declared.items():
        if name not in params or params[name] is None:
            if p.optional or query.path.name == "-":
                continue
            raise SettingError(f"query {query.name} needs its parameter {name} ({p.kind}: {p.description})",
                              option="param")
        value = params[name]
        if isinstance(value, (ox.NamedNode, ox.Literal, list)):
            bindings[p.variable] = value  # already terms (e.g. a model and its owl:sameAs aliases)
        elif p.kind in ENTITY_KINDS:
            bindings[p.variable] = resolve(backend, p.kind, value)
        elif p.kind == "string":
            bindings[p.variable] = ox.Literal(value)
        else:
            bindings[p.variable] = ox.Literal(_lexical(value, p.kind), datatype=ox.NamedNode(_LITERAL_TYPES[p.kind]))
    # A backend may ask for one VALUES block per variable (Virtuoso: see bind_values)
    return bind_values(query.text, bindings, joint=getattr(backend, "joint_values", True))


def _lexical(value, kind: str) -> str:
    if kind == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        if str(value).lower() not in ("true", "false"):
            raise ValueError(f"a boolean parameter takes true or false, not {value!r}")
        return str(value).lower()
    if kind == "date":
        import datetime as _dt

        try:
            return _dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(f"a date parameter takes YYYY-MM-DD, not {value!r}") from None
    if kind in ("integer", "decimal"):
        from decimal import Decimal, InvalidOperation

        try:
            d = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"an {kind} parameter takes a number, not {value!r}") from None
        return str(int(d)) if kind == "integer" else format(d, "f")
    return str(value)


def run_query(backend, query: NamedQuery, params: dict | None = None) -> tuple[list[str], list[dict]]:
    """(column names, rows of Python values) of a named query with its parameters bound."""
    text = bind_params(backend, query, params or {}) if query.params or params else query.text
    columns, rows = backend.run(text)
    return columns, [{c: to_python(row[c]) if c in row else None for c in columns} for row in rows]


def run_text(backend, text: str) -> list[dict]:
    """Rows of Python values (every projected variable a key, None when unbound) of a query already bound."""
    columns, rows = backend.run(text)
    return [{c: to_python(row[c]) if c in row else None for c in columns} for row in rows]


def to_python(term) -> object:
    """Numbers as numbers (int when whole), booleans as booleans, everything else as its string."""
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt in _NUMERIC:
            try:
                d = Decimal(term.value)
            except ArithmeticError:
                return term.value
            return int(d) if d == d.to_integral_value() and "e" not in term.value.lower() else float(d)
        if dt == XSD.boolean:
            return term.value in ("true", "1")
        return term.value
    return term.value


def format_rows(columns: list[str], rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r.get(c) is None else _cell(r.get(c)) for c in columns])
        return buf.getvalue()
    if fmt == "table":
        return _table(columns, [[_cell(r.get(c)) for c in columns] for r in rows])
    raise ValueError(f"unknown format {fmt!r} (table, json, csv, tsv)")


PROSE_WIDTH = 60  # text with spaces longer than this is cut in a table, with a mark; identifiers never are
CUT = "…"


def _table(columns: list[str], cells: list[list[str]]) -> str:
    """Aligned columns. A value with no space in it (an IRI, a sha256, a number, a slug) is shown whole,
    however long, so that what is copied from the table is the value. Text with spaces (a title) longer
    than PROSE_WIDTH is cut and ends in "…"; a line after the row count says so and how to get it whole.

    >>> print(_table(["sha256", "title"], [["ab" * 40, "word " * 20]]), end="")  # doctest: +NORMALIZE_WHITESPACE
    sha256                                                                            title
    --------------------------------------------------------------------------------  ------------------------------------------------------------
    abababababababababababababababababababababababababababababababababababababababab  word word word word word word word word word word word word…
    (1 row)
    (1 cell cut at 60 characters, marked …: --format tsv, csv or json shows every value whole)
    """
    cut = 0
    shown = []
    for row in cells:
        out = []
        for v in row:
            v = " ".join(v.splitlines()) if "\n" in v or "\r" in v else v  # one line per row
            if len(v) > PROSE_WIDTH and any(ch.isspace() for ch in v):
                v = v[:PROSE_WIDTH - 1].rstrip() + CUT
                cut += 1
            out.append(v)
        shown.append(out)
    widths = [max([len(c)] + [len(row[i]) for row in shown]) for i, c in enumerate(columns)]

    def line(values):
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])] + [line(row) for row in shown]
    n = len(cells)
    out.append(f"({n} row{'s' if n != 1 else ''})")
    if cut:
        out.append(f"({cut} cell{'s' if cut != 1 else ''} cut at {PROSE_WIDTH} characters, marked {CUT}: "
                   "--format tsv, csv or json shows every value whole)")
    return "\n".join(out) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
