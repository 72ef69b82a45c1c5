"""The shapes' value tests run on the lines as the mapping writes them, to spare the store a scan.

A value test (``sh:datatype``, ``sh:nodeKind``, ``sh:pattern``, ``sh:minLength``,
``sh:minInclusive``, ``sh:maxInclusive``) looks at one value at a time. In the store it costs a
scan of every triple of its path and a decode of every value: most of a full validation. A full
build writes every line of its source graphs through ``GraphWriter`` anyway, so
:class:`ValueChecks` tests each value there, in Python, against every test of its path (whatever
the subject's class: the line does not say), and keeps the subjects whose value fails one as
suspects. The store then runs the compiled SPARQL of those tests on the suspects only (and on the
graphs no stream covered: ontology, provenance, derived, submissions), so the verdict is still
SPARQL's; the Python tests only have to never pass a value SPARQL would fail. Where they could
differ they fail the value instead: a pattern is tried in Python only on printable ASCII text (no
line ends, where ``$`` differs, nor Unicode spaces, where ``\\s`` does), a date only in its plain
``YYYY-MM-DD`` form. A test the module cannot run that way leaves its path to the full scan.

>>> from pwc_kg.validation.compiler import compile_shapes
>>> checks = ValueChecks(compile_shapes())
>>> P = "https://w3id.org/pwc-kg/ontology#"
>>> checks.see("https://x/r1", P + "value", '"90.1"^^<http://www.w3.org/2001/XMLSchema#decimal>', "")
>>> checks.see("https://x/r2", P + "value", '"90.1"', "")
>>> checks.see("https://x/p", P + "arxivId", '"2304.14402"', "")
>>> checks.see("https://x/q", P + "arxivId", '"2304.1"', "")
>>> sorted(s for ss in checks.suspects.values() for s in ss)
['https://x/q', 'https://x/r2']
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

from .compiler import shapes_path
from .shacl import LEXICAL, RDF_LANG_STRING, SH, XSD, Constraint

MAX_SUSPECTS = 10_000  # per path; past that the store scans the path in full
_LEXICAL = {datatype: re.compile(pattern) for datatype, pattern in LEXICAL.items()}  # matched in full
_PLAIN_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_NUMERIC = {XSD + t for t in ("decimal", "integer", "double", "float", "long", "int", "short", "byte",
                              "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                              "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_INTEGER_TYPES = _NUMERIC - {XSD + "decimal", XSD + "double", XSD + "float"}
_NUMBER_LEXICAL = {
    **{t: _LEXICAL[XSD + "integer"] for t in _INTEGER_TYPES},
    XSD + "decimal": _LEXICAL[XSD + "decimal"],
    XSD + "double": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"),
    XSD + "float": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"),
}
_PRINTABLE = re.compile(r"[ -~]*")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class Term:
    """An N-Triples term as written: its kind, lexical form (unescaped) and datatype."""

    __slots__ = ("kind", "text", "datatype")

    def __init__(self, written: str):
        if written.startswith("<"):
            self.kind, self.text, self.datatype = "IRI", written[1:-1], None
        elif written.startswith("_:"):
            self.kind, self.text, self.datatype = "BlankNode", written[2:], None
        else:
            end = written.rfind('"')
            lexical = written[1:end]
            self.kind = "Literal"
            self.text = _ESCAPE.sub(_unescape, lexical) if "\\" in lexical else lexical
            rest = written[end + 1:]
            if rest.startswith("^^<"):
                self.datatype = rest[3:-1]
            elif rest.startswith("@"):
                self.datatype = RDF_LANG_STRING
            else:
                self.datatype = XSD + "string"


def _unescape(m: re.Match) -> str:
    code = m.group(1)
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _SIMPLE_ESCAPES.get(code, "\\" + code)


Test = Callable[[str], bool]  # on a term as written; True: the value passes for sure


def _on_term(test: Callable[[Term], bool]) -> Test:
    return lambda written: test(Term(written))


def _plain(written: str) -> bool:
    """A plain literal (``"..."``, an xsd:string), as the mapping writes most text."""
    return written[0] == '"' and written[-1] == '"'


def _datatype(dt: str) -> Test | None:
    if dt == XSD + "string":
        return lambda o: _plain(o) or _on_term(lambda t: t.datatype == dt)(o)
    suffix = f'"^^<{dt}>'
    lexical = _LEXICAL.get(dt)
    if lexical is not None:  # an escape in the lexical form fails the match: a suspect, checked by the store
        return lambda o: o.endswith(suffix) and o[0] == '"' and lexical.fullmatch(o[1:-len(suffix)]) is not None
    if dt == XSD + "date":
        return lambda o: o.endswith(suffix) and o[0] == '"' and _plain_date(o[1:-len(suffix)])
    if dt == RDF_LANG_STRING:
        return _on_term(lambda t: t.datatype == dt)
    return None  # other datatypes (dateTime, double, ...): the store scans the path


def _plain_date(text: str) -> bool:
    m = _PLAIN_DATE.fullmatch(text)
    if m is None:
        return False
    try:
        _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return False
    return True


def _node_kind(kind: str) -> Test | None:
    firsts = {"IRI": "<", "Literal": '"', "BlankNode": "_", "BlankNodeOrIRI": "_<", "IRIOrLiteral": '<"'}.get(kind)
    if firsts is None:
        return None
    return lambda o: o[0] in firsts


def _pattern(pattern: str, flags: str) -> Test | None:
    if flags:
        return None
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    return _on_term(lambda t: t.kind != "BlankNode" and _PRINTABLE.fullmatch(t.text) is not None and
                    compiled.search(t.text) is not None)


def _min_length(n: int) -> Test:
    def test(o: str) -> bool:
        if (o[0] == "<" or _plain(o)) and "\\" not in o:
            return len(o) - 2 >= n  # no escape: the characters between the delimiters are the text
        t = Term(o)
        return t.kind != "BlankNode" and len(t.text) >= n

    return test


def _bound(value: str, lower: bool) -> Test | None:
    try:
        bound = Decimal(value)
    except InvalidOperation:
        return None

    def test(t: Term) -> bool:
        if t.kind != "Literal" or t.datatype not in _NUMERIC:
            return False
        # Only a value in its datatype's lexical space: SPARQL cannot compare "0."^^xsd:integer and fails it.
        if not _NUMBER_LEXICAL[t.datatype].fullmatch(t.text):
            return False
        try:
            v = Decimal(t.text)
        except InvalidOperation:
            return False
        if not v.is_finite():
            return False
        return v >= bound if lower else v <= bound

    return _on_term(test)


def python_test(c: Constraint) -> Test | None:
    """The constraint's value test in Python on a term as N-Triples writes it, or None where it cannot be run
    exactly or more strictly."""
    if c.component == "datatype":
        return _datatype(c.value)
    if c.component == "nodeKind":
        return _node_kind(c.value.removeprefix(SH))
    if c.component == "pattern":
        return _pattern(c.value, c.flags)
    if c.component == "minLength":
        return _min_length(int(c.value))
    if c.component in ("minInclusive", "maxInclusive"):
        return _bound(c.value, c.component == "minInclusive")
    return None


def shapes_digest(path: Path | None = None) -> str:
    """What the suspects a build kept were found with: the shapes file and these tests' code, hashed
    (a fixed test must not trust what the broken one passed)."""
    h = hashlib.sha256(Path(path or shapes_path()).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


class ValueChecks:
    """Value tests per path, run on lines as they are written; ``suspects``: path → subjects that failed one.

    A build runs one per source graph and keeps what it found with the source's state
    (:meth:`to_json`); the next build merges those of the sources it does not read again
    (:meth:`merge`), so their graphs need no scan either.
    """

    def __init__(self, constraints: list[Constraint], digest: str = ""):
        self.constraints = constraints
        self.digest = digest
        tests: dict[str, dict[tuple[str, str, str], Test]] = {}
        unstreamable: set[str] = set()
        for c in constraints:
            if not c.test:
                continue
            test = python_test(c)
            if test is None:
                unstreamable.add(c.path)
            else:
                tests.setdefault(c.path, {})[(c.component, c.value, c.flags)] = test
        self.tests = {p: tuple(ts.values()) for p, ts in tests.items() if p not in unstreamable}
        self.paths = frozenset(self.tests)  # the paths whose values the stream checks
        self.predicates = self.paths
        self.graphs: set[str] = set()  # the graphs every line of which was shown to :meth:`see`
        self.suspects: dict[str, set[str]] = {}
        self.overflow: set[str] = set()  # paths with too many suspects: scanned in full

    def fresh(self) -> "ValueChecks":
        """The same tests, nothing found yet: one source's run, merged back with :meth:`merge`."""
        return ValueChecks(self.constraints, self.digest)

    def to_json(self) -> dict:
        return {"shapes": self.digest, "paths": sorted(self.paths), "overflow": sorted(self.overflow),
                "suspects": {p: sorted(ss) for p, ss in sorted(self.suspects.items())}}

    def merge(self, found: dict, graph: str) -> bool:
        """Take in what another run found on every line of ``graph``; False (nothing taken) when it ran
        with other shapes or tests: the graph is then scanned in full."""
        if found.get("shapes") != self.digest or set(found.get("paths", ())) != set(self.paths):
            return False
        for p, subjects in found.get("suspects", {}).items():
            mine = self.suspects.setdefault(p, set())
            mine.update(subjects)
            if len(mine) > MAX_SUSPECTS:
                self.overflow.add(p)
        self.overflow.update(found.get("overflow", ()))
        self.graphs.add(graph)
        return True

    def see(self, s: str, p: str, o: str, line: str) -> None:
        """A line of predicate ``p``: subject IRI ``s``, object as written ``o``."""
        for test in self.tests[p]:
            if not test(o):
                found = self.suspects.setdefault(p, set())
                if len(found) < MAX_SUSPECTS:
                    found.add(s)
                else:
                    self.overflow.add(p)
                return
