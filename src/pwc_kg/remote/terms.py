"""SPARQL 1.1 JSON results (and SPARQL-star triples) to pyoxigraph terms, exactly.

Datatypes and language tags are kept; both the SPARQL 1.1 form (``literal`` with a
``datatype``) and the older ``typed-literal`` that Virtuoso sends are read.

>>> term({"type": "uri", "value": "https://example.org/a"})
<NamedNode value=https://example.org/a>
>>> term({"type": "literal", "value": "hello", "xml:lang": "en-GB"})
<Literal value=hello language=en-gb>
>>> term({"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#decimal", "value": "59.90"})
<Literal value=59.90 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>

Two normalisations, both of the lexical form only (the value is the same): Virtuoso writes
booleans as ``1``/``0``, read as ``true``/``false``; and blank node labels that are not valid
in RDF (Virtuoso's ``nodeID://b10002``) get a valid label derived from them, the same one each
time, so a blank node keeps its identity across the rows of a result.

>>> term({"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1"})
<Literal value=true datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#boolean>>
>>> term({"type": "bnode", "value": "b0"})
<BlankNode value=b0>
>>> term({"type": "bnode", "value": "nodeID://b10002"}) == term({"type": "bnode", "value": "nodeID://b10002"})
True
>>> term({"type": "literal"})
Traceback (most recent call last):
...
ValueError: a SPARQL JSON term without a value: {'type': 'literal'}
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from ..vocab import RDF, XSD

_BOOLEAN = XSD.boolean
_STRING = XSD.string
_LANG_STRING = RDF.langString


def term(binding: dict) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
    """The pyoxigraph term of one binding of a SPARQL JSON result."""
    kind = binding.get("type")
    value = binding.get("value")
    if value is None:
        raise ValueError(f"a SPARQL JSON term without a value: {binding!r}")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return blank_node(value)
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang")
        if lang:
            return ox.Literal(value, language=lang)
        datatype = binding.get("datatype")
        if not datatype or datatype == _STRING:
            return ox.Literal(value)
        if datatype == _LANG_STRING:  # a language-tagged string whose tag the server lost
            raise ValueError(f"an rdf:langString without a language tag: {binding!r}")
        if datatype == _BOOLEAN and value in ("1", "0"):
            value = "true" if value == "1" else "false"
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    if kind == "triple":  # SPARQL-star
        return ox.Triple(term(value["subject"]), term(value["predicate"]), term(value["object"]))
    raise ValueError(f"an unknown SPARQL JSON term type {kind!r}: {binding!r}")


def blank_node(label: str) -> ox.BlankNode:
    """The blank node of a server's label; a label RDF does not allow becomes a stable valid one."""
    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode("r" + hashlib.sha256(label.encode()).hexdigest()[:24])


def solutions(document: dict) -> tuple[list[str], list[dict]]:
    """(the variables, the rows of bound terms) of a SPARQL JSON SELECT result.

    >>> solutions({"head": {"vars": ["x", "y"]},
    ...            "results": {"bindings": [{"x": {"type": "literal", "value": "1",
    ...                                            "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}})
    (['x', 'y'], [{'x': <Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}])
    """
    try:
        names = list(document["head"]["vars"])
        bindings = document["results"]["bindings"]
    except (KeyError, TypeError):
        raise ValueError("not a SPARQL JSON SELECT result (no head.vars or results.bindings)") from None
    return names, [{n: term(b[n]) for n in names if n in b} for b in bindings]
