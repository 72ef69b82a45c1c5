"""What the SHACL compiler, its constraint components and the engine share (as pySHACL keeps one consts module).

The SHACL and XSD terms the validation reads; the lexical spaces of the datatypes it checks, stated
once (the compiled engine writes them as SPARQL ``REGEX``, ``values.py`` matches them in Python); the
compiled ``Constraint``; the one error; and the small readers of a shapes graph's terms.

>>> sparql_lexical(XSD + "boolean")
'^(true|false|1|0)$'
>>> re.fullmatch(LEXICAL[XSD + "decimal"], "-1.5") is not None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import PwcKgError
from ..vocab import OWL, RDF, RDFS, SH_NS, XSD_NS

# The terms as the compiler writes them into SPARQL (prefix + local name), from the vocabularies' namespaces.
SH = SH_NS
XSD = XSD_NS
RDF_TYPE = RDF.type
RDF_LANG_STRING = RDF.langString
SUBCLASS = RDFS.subClassOf
RDFS_CLASS = RDFS.Class
OWL_CLASS = OWL.Class

# How to tell a well-formed literal of a datatype: its lexical space as a regular expression (matched in
# full), or a cast that fails on an ill-formed one (dates, where the calendar matters).
LEXICAL = {
    XSD + "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    XSD + "integer": r"[+-]?[0-9]+",
    XSD + "boolean": r"true|false|1|0",
    XSD + "gYear": r"-?([1-9][0-9]{4,}|[0-9]{4})(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?",
}
CASTS = {XSD + "date", XSD + "dateTime", XSD + "double", XSD + "float"}
# xsd types pyoxigraph stores as xsd:integer (their datatype is lost) and others whose lexical space is not checked.
REWRITTEN = {XSD + t for t in ("long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
                               "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                               "unsignedShort", "unsignedByte")}
NO_LEXICAL_CHECK_NEEDED = {XSD + "string", RDF_LANG_STRING}
NODE_KINDS = {"IRI": "isIRI(?value)", "Literal": "isLiteral(?value)", "BlankNode": "isBlank(?value)",
              "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
              "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
              "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))"}


def sparql_lexical(datatype: str) -> str:
    """A datatype's lexical space as the body of a SPARQL string for ``REGEX`` (anchored, backslashes escaped)."""
    return "^(" + LEXICAL[datatype].replace("\\", "\\\\") + ")$"


@dataclass(frozen=True)
class Constraint:
    shape: str
    target: str
    path: str
    component: str  # the local name of the constraint component, e.g. "minCount"
    value: str  # the constraint parameter as written
    query: str  # SELECT ?focus ?value of the violations, with __SUBCLASSES<class>__ placeholders
    message: str
    test: str = ""  # for checks of one value at a time on an IRI path: the FILTER expression that flags a bad ?value
    flags: str = ""  # a pattern's sh:flags
    focus: str = ""  # the graph pattern that binds ?focus to the focus nodes (with placeholders)
    result_path: str | None = None  # the result path as a SPARQL path (None: a constraint of a node shape)
    value_is: str = "value"  # the result's sh:value: ?value, the focus node ("focus") or none ("")


class UnsupportedShape(PwcKgError, ValueError):
    """A shape uses a SHACL feature the compiler cannot check exactly."""


def subclasses(iri: str) -> str:
    """The placeholder for a class and its subclasses (resolved at validation time, in the data)."""
    return f"__SUBCLASSES<{iri}>__"


SUBCLASSES = re.compile(r"__SUBCLASSES<([^>]*)>__")


def term(t: ox.NamedNode | ox.Literal) -> str:
    return str(t)


def literal_ok(t) -> str:
    """A shapes-graph term as a SPARQL constant; blank nodes have none."""
    if isinstance(t, ox.BlankNode):
        raise UnsupportedShape("a blank node as a parameter value is not supported by the compiled engine")
    return term(t)


def constant(t, shape: str, local: str) -> str:
    """A term compared as a term (sh:in, sh:hasValue) with the data as the store keeps it. The store writes
    literals in canonical form ("01"^^xsd:integer as "1", "5"^^xsd:int as "5"^^xsd:integer), so a constant
    that is not in that form could never be told from the one the store made of it: refused."""
    text = literal_ok(t)
    if isinstance(t, ox.Literal):
        scratch = ox.Store()
        scratch.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:x"), t, ox.DefaultGraph()))
        stored = [q.object for q in scratch]
        if stored != [t]:
            raise UnsupportedShape(f"{shape}: sh:{local} {text} is not supported by the compiled engine: the store "
                                   f"keeps that literal as {stored[0]}, so the two cannot be told apart")
    return text


def int_param(t, shape: str, local: str) -> int:
    if not (isinstance(t, ox.Literal) and re.fullmatch(r"\+?[0-9]+", t.value)):
        raise UnsupportedShape(f"{shape}: sh:{local} {t} is not a non-negative integer")
    return int(t.value)


def is_true(t) -> bool:
    """SHACL switches a boolean parameter on with the literal true only ("1"^^xsd:boolean is not it)."""
    return t == ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))


def name_of(t) -> str:
    return t.value if isinstance(t, ox.NamedNode) else str(t)
