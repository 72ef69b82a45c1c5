"""JSON-LD written as a stream of node objects, compacted with the pwc-kg context.

pyoxigraph's JSON-LD serialiser writes full IRIs and no context of ours, and rdflib's compacts
only a graph it holds in memory; so this writer compacts each subject's statements itself, one
node object at a time, one named graph after the other::

    {"@context": ...,
     "@graph": [
      {"@id": "https://w3id.org/pwc-kg/resource/graph/source/papers-with-abstracts.json", "@graph": [
       {"@id": "https://w3id.org/pwc-kg/resource/paper/lamini-lm...", "@type": "Paper", "title": "LaMini-LM ...", ...},
       ...]},
      ...]}

A predicate the context names is written under its short name when the value has the form the
term's ``@type`` coerces to (an IRI for ``@id``, a literal of that datatype); any other statement
is written under the compact IRI (``schema:name``, ``rdf:_1``) with an explicit value object, so a
JSON-LD processor expands the file to exactly the store's quads.

The context is embedded by default, so that a reader with no network expands the file; with
``link`` the file refers to it by its published IRI (:data:`CONTEXT_IRI`) instead.

>>> from pwc_kg.vocab import PWC, PWC_NS
>>> c = Compactor({"pwc": PWC_NS, "xsd": "http://www.w3.org/2001/XMLSchema#",
...                "Paper": "pwc:Paper", "value": {"@id": "pwc:value", "@type": "xsd:decimal"}})
>>> v = ox.NamedNode(PWC.value)
>>> c.entry(v, ox.Literal("72.2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
('value', '72.2')
>>> c.entry(v, ox.Literal("n/a"))
('pwc:value', 'n/a')
"""

from __future__ import annotations

import json
from typing import BinaryIO

import pyoxigraph as ox

from ..ontology import context_path
from ..vocab import RDF, XSD
from .stream import Block

CONTEXT_IRI = "https://w3id.org/pwc-kg/ontology/context.jsonld"
RDF_TYPE = ox.NamedNode(RDF.type)


def load_context() -> dict:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    return json.loads(context_path().read_text(encoding="utf-8"))["@context"]


class Compactor:
    """Chooses, for each statement, the key and the JSON value that expand back to it."""

    def __init__(self, context: dict):
        self.prefixes: dict[str, str] = {}
        for key, value in context.items():
            if isinstance(value, str) and not key.startswith("@") and value.endswith(("/", "#")) and ":" in value:
                self.prefixes[key] = value
        by_length = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        self._namespaces = [(ns, prefix) for prefix, ns in by_length]
        self.classes: dict[str, str] = {}  # class IRI → short name
        self.properties: dict[str, tuple[str, str | None]] = {}  # property IRI → (short name, coerced @type)
        for key, value in context.items():
            if key.startswith("@") or key in self.prefixes:
                continue
            if isinstance(value, str):
                self.classes[self.expand(value)] = key
            elif isinstance(value, dict) and "@id" in value:
                coerced = value.get("@type")
                self.properties[self.expand(value["@id"])] = (
                    key, coerced if coerced in (None, "@id") else self.expand(coerced))
        self._keys: dict[str, str] = {}

    def expand(self, text: str) -> str:
        prefix, sep, local = text.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return text

    def compact_iri(self, iri: str) -> str:
        """``prefix:local`` where a prefix fits, else the IRI itself."""
        found = self._keys.get(iri)
        if found is None:
            found = iri
            for ns, prefix in self._namespaces:
                if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                    found = f"{prefix}:{iri[len(ns):]}"
                    break
            self._keys[iri] = found
        return found

    def type_name(self, cls: ox.NamedNode) -> str:
        return self.classes.get(cls.value) or self.compact_iri(cls.value)

    def entry(self, p: ox.NamedNode, o) -> tuple[str, object]:
        """(key, value) of one statement of a node object."""
        term = self.properties.get(p.value)
        if term is not None:
            name, coerced = term
            if coerced == "@id":
                if not isinstance(o, ox.Literal):
                    return name, _ref(o)
            elif coerced is not None:
                if isinstance(o, ox.Literal) and o.language is None and o.datatype.value == coerced:
                    return name, o.value
            else:
                return name, self.value(o)
        return self.compact_iri(p.value), self.value(o)

    def value(self, o) -> object:
        """The value object of a term under a key that coerces nothing."""
        if isinstance(o, ox.Literal):
            if o.language is not None:
                return {"@value": o.value, "@language": o.language}
            if o.datatype.value == XSD.string:
                return o.value
            return {"@value": o.value, "@type": self.compact_iri(o.datatype.value)}
        return {"@id": _ref(o)}

    def node(self, block: Block) -> dict:
        node: dict = {"@id": _ref(block.subject)}
        types: list[str] = []
        for p, o in block.statements:
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                types.append(self.type_name(o))
                continue
            key, value = self.entry(p, o)
            if key in node:
                old = node[key]
                if isinstance(old, list):
                    old.append(value)
                else:
                    node[key] = [old, value]
            else:
                node[key] = value
        if types:
            node["@type"] = types[0] if len(types) == 1 else types
            node = {"@id": node.pop("@id"), "@type": node.pop("@type"), **node}
        return node


def _ref(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


class JsonLdWriter:
    """Writes blocks (graph by graph) as one JSON-LD document; ``close()`` ends it."""

    def __init__(self, out: BinaryIO, context: dict, *, link_context: bool = False):
        self.out = out
        self.compactor = Compactor(context)
        self._graph: object = _NONE
        self._first_top = True
        self._first_in_graph = True
        header = json.dumps(CONTEXT_IRI if link_context else context, ensure_ascii=False, indent=1)
        self._write('{"@context": ' + header + ',\n "@graph": [')

    def _write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def write(self, block: Block) -> None:
        if block.graph != self._graph:
            self._end_graph()
            self._graph = block.graph
            if not isinstance(block.graph, ox.DefaultGraph):
                self._write(("\n  " if self._first_top else ",\n  ") + '{"@id": ' + json.dumps(_ref(block.graph))
                            + ', "@graph": [')
                self._first_top = False
                self._first_in_graph = True
        line = json.dumps(self.compactor.node(block), ensure_ascii=False)
        if isinstance(block.graph, ox.DefaultGraph):
            self._write(("\n  " if self._first_top else ",\n  ") + line)
            self._first_top = False
        else:
            self._write(("\n   " if self._first_in_graph else ",\n   ") + line)
            self._first_in_graph = False

    def _end_graph(self) -> None:
        if self._graph is not _NONE and not isinstance(self._graph, ox.DefaultGraph):
            self._write("\n  ]}")

    def close(self) -> None:
        self._end_graph()
        self._write("\n ]\n}\n")


_NONE = object()
