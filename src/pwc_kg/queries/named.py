"""Named queries: ``queries/NAME.rq`` files whose header comment documents them.

A header declares each parameter on a line ``# @param NAME KIND  description``, or
``# @param NAME=?VAR KIND ...`` when it binds a variable of another name (``KIND?`` when it
may be left out, and the variable then stays unbound): KIND is an entity class (a kind of
``pwc_kg.entities`` a parameter may name: Paper, Task, Dataset, Metric, Model, Method, Benchmark,
EvaluationResult), whose value may be a label, a slug or an IRI, or a literal type (string, integer,
decimal, date, boolean).
A line indented under a ``@param`` line goes on with its description.

The header's first lines, up to the first ``@param`` or ``Columns:`` line (or an empty ``#`` line),
are the query's description (``summary``), its name and colon left out; ``Columns:`` and the lines
indented under it say what it answers (``columns``). Notes after that (a line starting ``# (``) are
for whoever reads the SPARQL.

>>> q = parse_query("demo", '''# demo: the first sentence,
... # and the rest of it.
... # @param task Task  the task
... #        (name, slug or IRI)
... # Columns: benchmark,
... #          results
... # (a note)
... SELECT * WHERE { ?s ?p ?o }''', Path("demo.rq"))
>>> q.summary
'the first sentence, and the rest of it.'
>>> q.params[0].description, q.columns
('the task (name, slug or IRI)', 'benchmark, results')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import resources
from ..entities import KINDS

_PARAM = re.compile(r"^#\s*@param\s+(\w+)(?:=\?(\w+))?\s+(\w+)(\?)?\s*(.*)$")
ENTITY_KINDS = frozenset(k.cls for k in KINDS if k.named)
LITERAL_KINDS = {"string", "integer", "decimal", "date", "boolean"}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    description: str
    optional: bool = False  # declared as KIND? : left unbound when not given
    var: str = ""  # the SPARQL variable it binds (NAME=?VAR in the header), by default ?NAME

    @property
    def variable(self) -> str:
        return self.var or self.name


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    text: str
    summary: str  # the description: every line of it, joined
    params: tuple[Param, ...] = field(default_factory=tuple)
    columns: str = ""  # what the header's Columns: says


def queries_dir() -> Path:
    """The named queries' folder: in a source checkout ``queries/``, in a wheel the packaged copy."""
    return resources.folder("queries")


def parse_query(name: str, text: str, path: Path) -> NamedQuery:
    params: list[Param] = []
    summary: list[str] = []
    columns: list[str] = []
    part = "summary"  # the part of the header a line belongs to: summary, param, columns, notes
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        m = _PARAM.match(line)
        if m:
            kind = m[3]
            if kind not in ENTITY_KINDS | LITERAL_KINDS:
                raise ValueError(f"{path}: parameter {m[1]} has an unknown kind {kind!r}")
            params.append(Param(m[1], kind, m[5].strip(), bool(m[4]), m[2] or ""))
            part = "param"
        elif body.startswith("Columns:"):
            columns.append(body.removeprefix("Columns:").strip())
            part = "columns"
        elif part == "param" and body and line.startswith("#  "):  # indented: the parameter's description goes on
            last = params[-1]
            params[-1] = Param(last.name, last.kind, f"{last.description} {body}".strip(), last.optional, last.var)
        elif part == "columns" and body and line.startswith("#  "):
            columns.append(body)
        elif part == "summary" and body and not body.startswith("("):
            if not summary and body.startswith(f"{name}:"):
                body = body.removeprefix(f"{name}:").strip()
            summary.append(body)
        else:
            part = "notes"
    return NamedQuery(name, path, text, " ".join(summary), tuple(params), " ".join(columns))


def load_query(spec: str, stdin_text: str | None = None) -> NamedQuery:
    """A query by name (``queries/NAME.rq``), by path to a ``.rq`` file, or ``-`` for standard input."""
    if spec == "-":
        return parse_query("stdin", stdin_text or "", Path("-"))
    path = Path(spec)
    if spec.endswith(".rq") and path.is_file():
        return parse_query(path.stem, path.read_text(encoding="utf-8"), path)
    named = queries_dir() / f"{spec}.rq"
    if re.fullmatch(r"(internal/)?[\w\-]+", spec) and named.is_file():  # internal/: the code's own, unlisted
        return parse_query(spec, named.read_text(encoding="utf-8"), named)
    known = ", ".join(q.name for q in list_queries())
    raise FileNotFoundError(f"no query {spec!r}: give a name ({known}), a path to a .rq file, or -")


def list_queries() -> list[NamedQuery]:
    return [parse_query(p.stem, p.read_text(encoding="utf-8"), p) for p in sorted(queries_dir().glob("*.rq"))]
