"""The JSON-LD 1.1 context of the pwc-kg ontology, generated from ``ontology/pwc.ttl``.

The context declares the ontology file's prefixes, names every class by its short name and
every property by its short name with the ``@type`` its ``rdfs:range`` gives: ``@id`` for an
object property (its values are IRIs), the range's datatype for a datatype property.

>>> ctx = jsonld_context()["@context"]
>>> ctx["@version"], ctx["pwc"]
(1.1, 'https://w3id.org/pwc-kg/ontology#')
>>> ctx["Paper"], ctx["author"], ctx["publicationDate"]
('pwc:Paper', {'@id': 'pwc:author', '@type': '@id'}, {'@id': 'pwc:publicationDate', '@type': 'xsd:date'})

A string-valued property has no ``@type``: in RDF 1.1 a plain string *is* an ``xsd:string``,
and typing it would make JSON-LD processors emit ``"..."^^xsd:string``, which some RDF
libraries (rdflib) keep apart from the plain literal the graph holds.

>>> ctx["title"]
{'@id': 'pwc:title'}
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .. import resources
from ..errors import PwcKgError
from ..vocab import OWL, PWC_NS, RDF, RDFS, XSD, ontology_path

KINDS = {OWL.Class: "class", OWL.ObjectProperty: "object", OWL.DatatypeProperty: "datatype"}


class ContextError(PwcKgError, ValueError):
    """The ontology cannot be written as a JSON-LD context (a short name that is ambiguous)."""


def context_path() -> Path:
    """The committed context: in a source checkout ``ontology/context.jsonld``, in a wheel the packaged copy."""
    return resources.path("ontology/context.jsonld")


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):  # the longest namespace wins
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@lru_cache(maxsize=4)  # keyed by the file's mtime too: an edited ontology is read again
def _read(path: str, mtime_ns: int) -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    parser = ox.parse(path=path, format=ox.RdfFormat.TURTLE)
    kinds: dict[str, str] = {}
    ranges: dict[str, list[str]] = {}
    for quad in parser:
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(PWC_NS):
            continue
        if p == RDF.type and o.value in KINDS:
            kinds[s.value] = KINDS[o.value]
        elif p == RDFS.range and isinstance(o, ox.NamedNode):
            ranges.setdefault(s.value, []).append(o.value)
    return dict(parser.prefixes), kinds, ranges


def jsonld_context(path: str | Path | None = None) -> dict:
    """The context document (``{"@context": {...}}``) for the ontology at ``path`` (default: ``ontology/pwc.ttl``)."""
    path = Path(path or ontology_path())
    prefixes, kinds, ranges = _read(str(path), path.stat().st_mtime_ns)
    ctx: dict = {"@version": 1.1}
    ctx.update(sorted(prefixes.items()))
    terms: dict = {}
    for iri, kind in kinds.items():
        name = iri[len(PWC_NS):]
        if name in prefixes:  # a term named like a prefix would turn every compact IRI of that prefix into nonsense
            raise ContextError(f"{path}: the short name {name!r} of <{iri}> is also a prefix")
        term_id = "pwc:" + name
        if kind == "class":
            terms[name] = term_id
            continue
        definition = {"@id": term_id}
        rng = ranges.get(iri, [])
        if kind == "object":
            definition["@type"] = "@id"
        elif len(rng) == 1 and rng[0] != XSD.string:
            definition["@type"] = _compact(rng[0], prefixes)
        terms[name] = definition
    ctx.update(sorted(terms.items(), key=lambda kv: (kv[0].lower(), kv[0])))
    return {"@context": ctx}


def context_text(path: str | Path | None = None) -> str:
    """The context as the committed file holds it: indented JSON, keys in a stable order, a final newline."""
    return json.dumps(jsonld_context(path), indent=2, ensure_ascii=False) + "\n"
