"""The SHACL shapes by example, LinkML-style: shapes/examples/valid conforms, invalid/ fails.

Every file in ``valid/`` must conform under both engines: the compiled one
(``validate_store``, the shapes as SPARQL over a pyoxigraph store, the example and the ontology
each in a named graph) and the reference one (pySHACL, ``validate_with_pyshacl``).

Every file in ``invalid/`` breaks exactly one constraint and says which on its first line::

    # expect: <focus IRI> <path IRI> <Component>

(``<Component>`` is the SHACL constraint component without "ConstraintComponent", e.g.
``MinCount``; for a constraint of the node shape itself, such as ``sh:or``, the path is ``-``.)
Both engines must report non-conformance and exactly that one violation, nothing else: an
example that breaks two things proves nothing about either.

Where an engine is known to be wrong on an example, that one test is a strict xfail saying
why (``KNOWN`` below); the example stays, so a fix shows up as an XPASS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from pwc_kg.validation import validate_store, validate_with_pyshacl
from pwc_kg.vocab import ontology_path

EXAMPLES = Path(__file__).resolve().parents[1] / "shapes" / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))

EXPECT = re.compile(r"^# expect: (?P<focus>\S+) (?P<path>\S+) (?P<component>[A-Z][A-Za-z]+)\s*$")
NODE_LEVEL = "-"  # the path written for a constraint of the node shape itself (sh:or)
COMPONENTS = {"MinCount", "MaxCount", "Datatype", "Class", "NodeKind", "Pattern", "MinLength",
              "MinInclusive", "MaxInclusive", "Or"}

# (engine, file name) -> why that engine is wrong on that example. Each is a strict xfail.
KNOWN = {
    ("pyshacl", "result-value-exponent.ttl"): (
        "pySHACL (rdflib) reads xsd:decimal with Python's Decimal(), which accepts an exponent, so "
        "'1.5E+9'^^xsd:decimal counts as well-formed and pySHACL conforms. The xsd:decimal lexical "
        "space has no exponent; the compiled engine's cast xsd:decimal(STR(?value)) fails and it "
        "reports the Datatype violation."
    ),
    ("pyshacl", "paper-arxiv-id-trailing-newline.ttl"): (
        "pySHACL runs sh:pattern with Python re.search, where '$' also matches before a final "
        "newline, so '1810.04805\\n' matches the arXiv id pattern and pySHACL conforms. SHACL uses "
        "SPARQL REGEX (XPath fn:matches), where '$' matches only at the end: the compiled engine "
        "reports the Pattern violation."
    ),
    ("pyshacl", "paper-date-with-time.ttl"): (
        "rdflib parses '2017-06-12T00:00:00'^^xsd:date as the date 2017-06-12 and does not mark it "
        "ill-typed, so pySHACL conforms. A time is no part of the xsd:date lexical space; the "
        "compiled engine's xsd:date cast fails and it reports the Datatype violation."
    ),
    ("compiled", "dataset-paper-count-xsd-int.ttl"): (
        "pyoxigraph's Store rewrites the datatype of xsd:int literals (also xsd:short, "
        "xsd:nonNegativeInteger, ...) to xsd:integer when it stores them, so datatype(?value) is "
        "xsd:integer and the compiled engine conforms. pySHACL sees xsd:int and reports Datatype."
    ),
}


@dataclass(frozen=True)
class Expectation:
    focus: str
    path: str
    component: str

    def matches(self, focus: str, path: str | None, component: str) -> bool:
        return (
            focus == self.focus
            and component.lower() == self.component.lower()
            and (self.path == NODE_LEVEL or path == self.path)
        )

    def __str__(self) -> str:
        return f"{self.focus} {self.path} {self.component}"


def expectation(path: Path) -> Expectation:
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    m = EXPECT.match(first)
    assert m, f"{path.name}: the first line must be '# expect: <focus IRI> <path IRI or -> <Component>', not {first!r}"
    return Expectation(m["focus"], m["path"], m["component"])


def cases(files: list[Path], engine: str) -> list:
    out = []
    for f in files:
        reason = KNOWN.get((engine, f.name))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(f, id=f.name, marks=marks))
    return out


def compiled(path: Path):
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:example"))
    store.load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:ontology"))
    return validate_store(store)


def reference(path: Path) -> tuple[bool, list[tuple[str, str, str]], str]:
    return validate_with_pyshacl(rdflib.Graph().parse(str(path), format="turtle"))


# ---------------------------------------------------------------- the examples themselves


def test_examples_exist():
    assert VALID, f"no valid examples in {EXAMPLES / 'valid'}"
    assert INVALID, f"no invalid examples in {EXAMPLES / 'invalid'}"


def test_every_invalid_example_says_what_it_breaks():
    for f in INVALID:
        exp = expectation(f)
        assert exp.component in COMPONENTS, f"{f.name}: unknown component {exp.component!r}"
        assert exp.focus.startswith("https://w3id.org/pwc-kg/resource/"), f"{f.name}: focus {exp.focus}"
        assert exp.path == NODE_LEVEL or exp.path.startswith("https://w3id.org/pwc-kg/ontology#"), (
            f"{f.name}: path {exp.path}"
        )
        assert (exp.path == NODE_LEVEL) == (exp.component == "Or"), f"{f.name}: only sh:or is node-level here"


def test_invalid_examples_cover_the_components():
    covered = {expectation(f).component for f in INVALID}
    missing = COMPONENTS - {"MaxInclusive"} - covered  # no shape uses sh:maxInclusive
    assert not missing, f"no invalid example for {sorted(missing)}"


# ---------------------------------------------------------------- valid: both engines conform


@pytest.mark.parametrize("path", cases(VALID, "compiled"))
def test_valid_example_conforms_compiled(path: Path):
    result = compiled(path)
    assert result.conforms, result.text()


@pytest.mark.parametrize("path", cases(VALID, "pyshacl"))
def test_valid_example_conforms_pyshacl(path: Path):
    conforms, found, text = reference(path)
    assert conforms and not found, text


# ---------------------------------------------------------------- invalid: exactly the one violation


@pytest.mark.parametrize("path", cases(INVALID, "compiled"))
def test_invalid_example_fails_as_stated_compiled(path: Path):
    exp = expectation(path)
    result = compiled(path)
    assert not result.conforms, f"{path.name} conforms; expected {exp}"
    got = [(v.focus, v.path, v.component) for v in result.samples]
    assert any(exp.matches(*v) for v in got), f"{path.name}: expected {exp}, got {got}\n{result.text()}"
    assert result.count == 1 and len(got) == 1, (
        f"{path.name}: expected only {exp}, got {result.count} violations\n{result.text()}"
    )


@pytest.mark.parametrize("path", cases(INVALID, "pyshacl"))
def test_invalid_example_fails_as_stated_pyshacl(path: Path):
    exp = expectation(path)
    conforms, found, text = reference(path)
    assert not conforms, f"{path.name} conforms; expected {exp}"
    assert any(exp.matches(*v) for v in found), f"{path.name}: expected {exp}, got {found}\n{text}"
    assert len(found) == 1, f"{path.name}: expected only {exp}, got {found}\n{text}"
    # ``found`` is deduplicated and leaves out results without a path: count the report's results too.
    m = re.search(r"Results \((\d+)\)", text)
    assert m is None or int(m.group(1)) == 1, f"{path.name}: expected only {exp}\n{text}"
