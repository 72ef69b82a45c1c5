"""The ontology at its namespace (``/ontology``) and the JSON-LD context (``/ontology/context.jsonld``).

Turtle is ``ontology/pwc.ttl`` as it is; N-Triples, JSON-LD and RDF/XML are converted from it;
HTML is ``docs/ontology/index.html`` (pyLODE's documentation, see ``pwc_kg.ontology.docs``) when
it was generated, else a plain listing of the classes and properties. The context is
``ontology/context.jsonld``, else generated from the ontology the same way.
"""

from __future__ import annotations

import html
import json

import pyoxigraph as ox

from ..ontology import context_path, jsonld_context
from ..ontology.html import html_path
from ..vocab import OWL, PREFIXES, PWC_NS, RDF, RDFS, ontology_path
from ..web import HTTPError, Request, Response, html_page
from .negotiation import GRAPHS, HTML, by_name, negotiate

ONTOLOGY_FORMATS = GRAPHS + (HTML,)
# pyLODE's page carries its own inline style; nothing on it runs.
DOC_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"


def context_document() -> bytes:
    """The published context: the committed ``ontology/context.jsonld``, else generated from the ontology."""
    path = context_path()
    if path.is_file():
        return path.read_bytes()
    return (json.dumps(jsonld_context(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class Ontology:
    def handles(self, path: str) -> bool:
        return path in ("/ontology", "/ontology/", "/ontology/context.jsonld") or (
            path.startswith("/ontology.") and by_name(path.rsplit(".", 1)[1], ONTOLOGY_FORMATS) is not None)

    def __call__(self, req: Request) -> Response:
        if req.method not in ("GET", "HEAD"):
            raise HTTPError(405, f"{req.method} is not supported here", [("Allow", "GET, HEAD")])
        path = req.path
        if path == "/ontology/context.jsonld":
            return Response(200, context_document(), "application/ld+json")
        negotiated = False
        if path.startswith("/ontology."):
            fmt = next(f for f in ONTOLOGY_FORMATS if path.endswith(f.suffix))
        elif req.param("format"):
            fmt = by_name(req.param("format") or "", ONTOLOGY_FORMATS)
            if fmt is None:
                raise HTTPError(406, "unknown format: use one of " + ", ".join(f.names[0] for f in ONTOLOGY_FORMATS))
        else:
            fmt, negotiated = negotiate(req.accept, ONTOLOGY_FORMATS), True
            if fmt is None:
                raise HTTPError(406, "the ontology comes as " + ", ".join(f.media_type for f in ONTOLOGY_FORMATS),
                                [("Vary", "Accept")])
        if fmt is HTML:
            resp = self._html()
        elif fmt.name == "turtle":
            resp = Response(200, ontology_path().read_bytes(), fmt.content_type)
        else:
            quads = ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            resp = Response(200, ox.serialize(triples, format=ox.RdfFormat.from_media_type(fmt.media_type),
                                              prefixes=PREFIXES if fmt.name == "rdfxml" else None), fmt.content_type)
        resp.header("Content-Location", "/ontology" + fmt.suffix)
        if negotiated:
            resp.header("Vary", "Accept")
        return resp

    def _html(self) -> Response:
        doc = html_path()
        if doc.is_file():
            return Response(200, doc.read_bytes(), "text/html; charset=utf-8", [("Content-Security-Policy", DOC_CSP)])
        return listing()


def listing() -> Response:
    """A plain HTML listing of the ontology's classes and properties, with their labels and comments."""
    terms: dict[str, dict[str, str]] = {}
    for q in ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE):
        s = q.subject
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(PWC_NS):
            continue
        entry = terms.setdefault(s.value, {})
        if q.predicate.value == RDF.type and isinstance(q.object, ox.NamedNode):
            entry.setdefault("type", q.object.value.rsplit("#", 1)[-1])
        elif q.predicate.value in (RDFS.label, RDFS.comment) and isinstance(q.object, ox.Literal):
            entry.setdefault(q.predicate.value.rsplit("#", 1)[-1], q.object.value)
    rows = []
    for iri, entry in sorted(terms.items(), key=lambda kv: (kv[1].get("type") != OWL.Class.rsplit("#", 1)[-1], kv[0])):
        local = iri[len(PWC_NS):]
        rows.append(f'<tr id="{html.escape(local, quote=True)}"><td><code>pwc:{html.escape(local)}</code></td>'
                    f"<td>{html.escape(entry.get('type', ''))}</td><td>{html.escape(entry.get('label', ''))}</td>"
                    f"<td>{html.escape(entry.get('comment', ''))}</td></tr>")
    body = (f"<h1>The pwc-kg ontology</h1><p>Namespace <code>{html.escape(PWC_NS)}</code>. "
            '<a href="/ontology.ttl">Turtle</a> · <a href="/ontology/context.jsonld">JSON-LD context</a></p>'
            f"<table><tr><th>term</th><th>kind</th><th>label</th><th>comment</th></tr>{''.join(rows)}</table>")
    return html_page(200, "The pwc-kg ontology", body)
