"""Linked data: every IRI pwc-kg mints dereferences to its description.

A request path ``/paper/x`` names the IRI ``{store base}paper/x`` (the base the store was
built with, from its ``build.json``), so a store built with the default
``https://w3id.org/pwc-kg/resource/`` base serves its IRIs here all the same; with
``--base-iri`` set to the server's address the IRIs are the URLs themselves.

The description of an entity: every triple with it as subject (from all graphs, as triples),
the nodes it holds (blank nodes and its own hash IRIs, such as a paper's ``#authors``
sequence: lists followed to their end), and the labels (rdfs:label, skos:prefLabel,
schema:name, pwc:name, pwc:title) of every IRI it links to, directly or through those nodes.

Formats: HTML for browsers (the pages), Turtle (the default), N-Triples, JSON-LD (compacted
with the published context, ``/ontology/context.jsonld``, embedded) and RDF/XML, by ``Accept``,
by ``?format=``, or by a suffix (``/paper/x.ttl``, ``.nt``, ``.jsonld``, ``.rdf``, ``.html``).
The answer is a direct 200 (no 303: the IRIs have no fragment and name the description's
subject, as in most linked-data servers since httpRange-14 was relaxed), with
``Content-Location`` naming the variant, ``Link`` headers to the other variants and ``Vary:
Accept``. An IRI the store does not hold is a 404.
"""

from __future__ import annotations

import html
import io
from urllib.parse import quote, unquote

import pyoxigraph as ox

from ..entities import SEGMENTS
from ..export.jsonld import JsonLdWriter
from ..export.stream import Block
from ..ontology import jsonld_context
from ..queries import load_query
from ..vocab import PREFIXES, PWC, RDFS, SCHEMA, SKOS
from ..web import HTTPError, Request, Response, error_page, html_page
from .executor import QueryError
from .negotiation import GRAPHS, HTML, Format, by_name, negotiate, xml_unsafe
from .site import Site

# The labels a description carries of the IRIs it links to (linked-data-description.rq asks for these).
LABELS = (RDFS.label, SKOS.prefLabel, SCHEMA.name, PWC.name, PWC.title)
LINKED_FORMATS = GRAPHS + (HTML,)


class LinkedData:
    def __init__(self, site: Site, pages=None):
        self.site = site
        self.pages = pages

    def handles(self, path: str) -> bool:
        parts = path.lstrip("/").split("/", 1)
        return len(parts) == 2 and parts[0] in SEGMENTS and bool(parts[1])

    def __call__(self, req: Request) -> Response:
        if req.method not in ("GET", "HEAD"):
            raise HTTPError(405, f"{req.method} is not supported here", [("Allow", "GET, HEAD")])
        path = req.path
        fmt, stem = self._suffix(path)
        # '/paper/x.ttl' is the Turtle of '/paper/x', unless the store has an IRI ending in '.ttl'
        found = self._find([stem, path] if fmt is not None else [path])
        negotiated = fmt is None or found == path
        if negotiated:
            fmt = self._negotiated(req)
        if found is None:
            if fmt is HTML:
                return self._html_404(req, path)
            raise HTTPError(404, f"no resource {self.site.iri_for(path)} in this knowledge graph")
        iri = self.site.iri_for(found)
        local = self.site.local_path(iri) or found
        if fmt is HTML:
            resp = self._html(req, local, iri)
        else:
            resp = Response(200, self.describe(iri, fmt), fmt.content_type)
        resp.headers += [("Content-Location", local + fmt.suffix), ("Link", _alternates(local))]
        if negotiated and not req.param("format"):
            resp.header("Vary", "Accept")
        return resp

    # --- which resource, which format ---------------------------------------------------------
    @staticmethod
    def _suffix(path: str) -> tuple[Format | None, str]:
        """(the format a suffix names, the path without it), or (None, path)."""
        for fmt in LINKED_FORMATS:
            if path.endswith(fmt.suffix) and len(path) > len(fmt.suffix):
                return fmt, path[: -len(fmt.suffix)]
        return None, path

    def _negotiated(self, req: Request) -> Format:
        named = req.param("format")
        if named:
            fmt = by_name(named, LINKED_FORMATS)
            if fmt is None:
                raise HTTPError(406, f"unknown format {named!r}: use one of "
                                     + ", ".join(f.names[0] for f in LINKED_FORMATS))
            return fmt
        fmt = negotiate(req.accept, LINKED_FORMATS)
        if fmt is None:
            raise HTTPError(406, "a resource comes as " + ", ".join(f.media_type for f in LINKED_FORMATS)
                                 + f"; the request accepts none of them (Accept: {req.accept})", [("Vary", "Accept")])
        return fmt

    def _find(self, paths: list[str]) -> str | None:
        """The first of the paths whose IRI the store holds (as a subject), in one query; each path also
        as pwc-kg would have encoded it. Returns that path, canonical form if that is the one held."""
        candidates: dict[str, str] = {}
        for p in paths:
            for form in (p, _canonical(p)):
                candidates.setdefault(self.site.iri_for(form), form)
        nodes = []
        for candidate in candidates:
            try:
                nodes.append(ox.NamedNode(candidate))
            except ValueError:
                continue
        if not nodes:
            return None
        rows = self._run(lambda: self.site.select(load_query("internal/subjects-held").text, {"s": nodes}))
        held = {r["s"].value for r in rows}
        return next((form for iri, form in candidates.items() if iri in held), None)

    def _run(self, fn):
        try:
            return fn()
        except QueryError as e:
            raise HTTPError(e.status, str(e)) from None

    # --- the description ------------------------------------------------------------------------
    def triples(self, iri: str) -> list[ox.Triple]:
        return self._run(lambda: self.site.executor.terms(
            load_query("internal/linked-data-description").text, substitutions={"s": ox.NamedNode(iri)}).triples)

    def describe(self, iri: str, fmt: Format) -> bytes:
        triples = _dedupe(self.triples(iri))
        if fmt.name == "jsonld":
            return compact_jsonld(triples)
        rdf_format = ox.RdfFormat.from_media_type(fmt.media_type)
        prefixes = PREFIXES if fmt.name in ("turtle", "rdfxml") else None
        body = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
        bad = xml_unsafe(body) if fmt.name == "rdfxml" else None
        if bad is not None:
            raise HTTPError(406, f"{iri} holds the character {bad}, which RDF/XML cannot carry: "
                                 "ask for Turtle, N-Triples or JSON-LD", [("Vary", "Accept")])
        return body

    def _html(self, req: Request, local: str, iri: str) -> Response:
        if self.pages is not None:
            page = self.pages.render(local, {k: list(v) for k, v in req.query.items()})
            if page is not None:
                status, body = page
                return Response(status, body.encode("utf-8"), "text/html; charset=utf-8")
        return self.plain_html(iri)

    def plain_html(self, iri: str) -> Response:
        """A table of the description, everything escaped: until (or where) the pages have no page for it."""
        triples = _dedupe(self.triples(iri))
        labels = {t.subject.value: t.object.value for t in triples
                  if t.subject.value != iri and t.predicate.value in LABELS and isinstance(t.object, ox.Literal)}
        rows = []
        for t in triples:
            if t.subject.value != iri:
                continue
            rows.append(f"<tr><td>{self._link(t.predicate.value, {})}</td><td>{self._cell(t.object, labels)}</td></tr>")
        title = next((t.object.value for t in triples if t.subject.value == iri and t.predicate.value in LABELS), iri)
        body = (f"<h1>{html.escape(title)}</h1><p><code>{html.escape(iri)}</code></p>"
                f"<table><tr><th>property</th><th>value</th></tr>{''.join(rows)}</table>")
        return html_page(200, title, body)

    def _cell(self, term, labels: dict) -> str:
        if isinstance(term, ox.NamedNode):
            return self._link(term.value, labels)
        if isinstance(term, ox.Literal):
            return html.escape(term.value)
        return html.escape(str(term))

    def _link(self, iri: str, labels: dict) -> str:
        href = self.site.page_for(iri)
        text = labels.get(iri, iri)
        return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'

    def _html_404(self, req: Request, path: str) -> Response:
        if self.pages is not None:
            page = self.pages.render(path, {k: list(v) for k, v in req.query.items()})
            if page is not None and page[0] == 404:
                return Response(404, page[1].encode("utf-8"), "text/html; charset=utf-8")
        return error_page(404, f"There is no {path.lstrip('/').split('/')[0]} at {path} in this knowledge graph.")


def _canonical(path: str) -> str:
    """The path with each segment percent-encoded as pwc-kg mints them (a client may have decoded some)."""
    return "/".join(quote(unquote(seg), safe="-._~") for seg in path.split("/"))


def _dedupe(triples: list[ox.Triple]) -> list[ox.Triple]:
    return list(dict.fromkeys(triples))


def _alternates(local: str) -> str:
    return ", ".join(f'<{quote(local, safe="/%-._~!$&()*+,;=:@")}{f.suffix}>; rel="alternate"; type="{f.media_type}"'
                     for f in LINKED_FORMATS)


def compact_jsonld(triples: list[ox.Triple]) -> bytes:
    """JSON-LD compacted with the published context (embedded), one node object per subject."""
    out = io.BytesIO()
    writer = JsonLdWriter(out, jsonld_context()["@context"])
    blocks: dict = {}
    for t in triples:
        blocks.setdefault(t.subject, []).append((t.predicate, t.object))
    for subject, statements in blocks.items():
        writer.write(Block(ox.DefaultGraph(), subject, statements))
    writer.close()
    return out.getvalue()
