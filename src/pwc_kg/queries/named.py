"""Named queries: ``queries/NAME.rq`` files whose header comment documents them.

A header declares each parameter on a line ``# @param NAME KIND  description``, or
``# @param NAME=?VAR KIND ...`` when it binds a variable of another name (``KIND?`` when it
may be left out, and the variable then stays unbound): KIND is an
entity class (Paper, Task, Dataset, Metric, Model, Method, Benchmark, EvaluationResult), whose
value may be a label, a slug or an IRI, or a literal type (string, integer, decimal, date, boolean).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import resources

_PARAM = re.compile(r"^#\s*@param\s+(\w+)(?:=\?(\w+))?\s+(\w+)(\?)?\s*(.*)$")
ENTITY_KINDS = {"Paper", "Task", "Dataset", "Metric", "Model", "Method", "Benchmark", "EvaluationResult"}
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
    summary: str
    params: tuple[Param, ...] = field(default_factory=tuple)


def queries_dir() -> Path:
    """The named queries' folder: in a source checkout ``queries/``, in a wheel the packaged copy."""
    return resources.folder("queries")


def parse_query(name: str, text: str, path: Path) -> NamedQuery:
    params = []
    summary = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _PARAM.match(line)
        if m:
            kind = m[3]
            if kind not in ENTITY_KINDS | LITERAL_KINDS:
                raise ValueError(f"{path}: parameter {m[1]} has an unknown kind {kind!r}")
            params.append(Param(m[1], kind, m[5].strip(), bool(m[4]), m[2] or ""))
        elif not summary:
            summary = line.lstrip("# ").split(":", 1)[-1].strip()
    return NamedQuery(name, path, text, summary, tuple(params))


def load_query(spec: str, stdin_text: str | None = None) -> NamedQuery:
    """A query by name (``queries/NAME.rq``), by path to a ``.rq`` file, or ``-`` for standard input."""
    if spec == "-":
        return parse_query("stdin", stdin_text or "", Path("-"))
    path = Path(spec)
    if spec.endswith(".rq") and path.is_file():
        return parse_query(path.stem, path.read_text(encoding="utf-8"), path)
    named = queries_dir() / f"{spec}.rq"
    if re.fullmatch(r"[\w\-]+", spec) and named.is_file():
        return parse_query(spec, named.read_text(encoding="utf-8"), named)
    known = ", ".join(q.name for q in list_queries())
    raise FileNotFoundError(f"no query {spec!r}: give a name ({known}), a path to a .rq file, or -")


def list_queries() -> list[NamedQuery]:
    return [parse_query(p.stem, p.read_text(encoding="utf-8"), p) for p in sorted(queries_dir().glob("*.rq"))]
