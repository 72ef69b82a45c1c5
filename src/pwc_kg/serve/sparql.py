"""``/sparql``: the SPARQL 1.1 Protocol (query only) and the endpoint's service description.

- Query by ``GET ?query=``, by ``POST`` of a form (``query=``), or by ``POST`` of an
  ``application/sparql-query`` body; ``default-graph-uri`` and ``named-graph-uri`` name the
  dataset (then only the graphs named are in it).
- The default graph, for every query that names no dataset (no ``FROM``, no protocol
  parameters): the union of all the store's named graphs (one per source file, the ontology,
  provenance, the derived leaderboards), each triple once: the store keeps that set as its own
  default graph (store/union.py).
- Results by content negotiation, or a ``format=``/``output=``/``results=`` parameter (a short
  name or a media type): SPARQL JSON (the default), XML, CSV, TSV for SELECT and ASK; Turtle (the
  default), N-Triples, JSON-LD, RDF/XML for CONSTRUCT and DESCRIBE.
- Read-only: an update (``update=``, ``application/sparql-update``, or an update in ``query=``)
  gets 403 and is never run.
- Relative IRIs in a query resolve against the endpoint's own URL (``BASE`` in the query first).
  ``/sparql/`` is the same endpoint.
- ``SERVICE`` is decided on the parsed query (serve/query_text.py) and refused (403) unless its
  target is on the allowlist.
- Statuses: 400 malformed query (the parser's message) or bad parameters; 403 update or SERVICE
  not allowed; 405 other methods; 406 no acceptable format; 413 body or query too large (414
  for a GET); 415 unknown body type or a charset other than UTF-8; 422 too many results; 503 too
  busy; 504 past the time limit.
- ``GET`` with no query: the service description (``sd:``), or for a browser YASGUI (pages/query.py).
- A browser's query (its Accept prefers HTML to every SPARQL format, and no ``format=``): the results
  as an HTML table, paged (``page``, ``per_page``), with links to the same results as JSON, CSV, XML
  (an API client sending ``*/*`` or a SPARQL media type gets the SPARQL formats, as ever).
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from ..queries.named import load_query
from ..vocab import PREFIXES, RDF, RDFS, XSD, ClosedNamespace
from ..web import HTTPError, Request, Response
from .executor import Dataset, QueryError
from .negotiation import FORMAT_PARAMS, GRAPHS, RESULTS, Format, by_name, negotiate, prefers_html, prefers_html_results
from .query_text import analyze

SD = ClosedNamespace("http://www.w3.org/ns/sparql-service-description#", frozenset({
    "Service", "endpoint", "supportedLanguage", "SPARQL11Query", "resultFormat", "feature", "UnionDefaultGraph",
    "BasicFederatedQuery", "defaultDataset", "Dataset", "defaultGraph", "Graph", "namedGraph", "NamedGraph", "name",
    "graph", "defaultEntailmentRegime"}))
VOID = ClosedNamespace("http://rdfs.org/ns/void#", frozenset({"triples"}))
ENTAILMENT_SIMPLE = "http://www.w3.org/ns/entailment/Simple"
FORMATS_NS = "http://www.w3.org/ns/formats/"

DEFAULT_GRAPH_RULE = ("The default graph of a query that names no dataset (no FROM, no default-graph-uri or "
                      "named-graph-uri) is the union of all named graphs, each triple once. "
                      "Read-only: updates are refused.")


class SparqlEndpoint:
    def __init__(self, site, pages=None):
        self.site = site
        self.pages = pages
        self.config = site.config

    def __call__(self, req: Request) -> Response:
        if req.method == "OPTIONS":
            return Response(204, b"", "text/plain; charset=utf-8",
                            [("Allow", "GET, HEAD, POST, OPTIONS"), ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                             ("Access-Control-Allow-Headers", "Accept, Content-Type"), ("Access-Control-Max-Age", "86400")])
        if req.method not in ("GET", "HEAD", "POST"):
            raise HTTPError(405, f"{req.method} is not supported here: query with GET or POST",
                            [("Allow", "GET, HEAD, POST, OPTIONS")])
        params, query = self._read(req)
        if query is None:
            return self._description(req)
        if len(query) > self.config.max_query_length:
            status = 414 if req.method != "POST" else 413
            raise HTTPError(status, f"the query has {len(query):,} characters; this server takes at most "
                                    f"{self.config.max_query_length:,}")
        dataset = _dataset(params)
        if self._wants_table(req, params):
            return self._table(params, query, dataset)
        shape = analyze(query)
        results_fmt, graph_fmt, negotiated = self._formats(req, params, shape.form)
        try:
            answer = self.site.executor.serialize(
                query, results_format=results_fmt.media_type if results_fmt else None,
                graph_format=graph_fmt.media_type if graph_fmt else None, dataset=dataset)
        except QueryError as e:
            raise HTTPError(e.status, str(e) if e.status != 400 else f"malformed query: {e}") from None
        fmt = graph_fmt if answer.kind == "graph" else results_fmt
        resp = Response(200, answer.body, fmt.content_type, [("PWC-KG-Generation", answer.generation)])
        if negotiated:
            resp.header("Vary", "Accept")
        return resp

    # --- the request ------------------------------------------------------------------------
    def _read(self, req: Request) -> tuple[dict[str, list[str]], str | None]:
        """(all parameters, the query text or None)."""
        params = {k: list(v) for k, v in req.query.items()}
        if req.method == "POST":
            ctype = req.content_type
            if ctype == "application/sparql-update":
                raise HTTPError(403, "SPARQL Update is refused: this endpoint is read-only")
            if ctype == "application/x-www-form-urlencoded":
                for k, v in req.form(self.config.max_body).items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-query":
                charset = _charset(req.header("Content-Type") or "")
                if charset not in (None, "utf-8", "utf8"):
                    raise HTTPError(415, f"a SPARQL query is sent in UTF-8, not {charset}")
                try:
                    params.setdefault("query", []).append(req.body(self.config.max_body).decode("utf-8"))
                except UnicodeDecodeError:
                    raise HTTPError(400, "the query body is not UTF-8") from None
            else:
                raise HTTPError(415, f"a POST to /sparql takes application/sparql-query or "
                                     f"application/x-www-form-urlencoded, not {ctype or 'no Content-Type'}")
        if "update" in params:
            raise HTTPError(403, "SPARQL Update is refused: this endpoint is read-only")
        queries = params.get("query", [])
        if len(queries) > 1:
            raise HTTPError(400, "one query per request: the request has several query parameters")
        if not queries:
            if req.method == "POST":
                raise HTTPError(400, "the request has no query (a query= parameter or an application/sparql-query body)")
            return params, None
        if not queries[0].strip():
            raise HTTPError(400, "the query is empty")
        return params, queries[0]

    def _formats(self, req: Request, params: dict, form: str | None) -> tuple[Format | None, Format | None, bool]:
        """(the results format, the graph format, whether Accept chose them); 406 when the query's kind has none."""
        named = next((params[p][0] for p in FORMAT_PARAMS if params.get(p) and params[p][0].strip()), None)
        if named is not None:
            results, graph = by_name(named, RESULTS), by_name(named, GRAPHS)
            if results is None and graph is None:
                raise HTTPError(406, f"unknown format {named!r}: use one of "
                                     + ", ".join(f.names[0] for f in RESULTS + GRAPHS) + " or a media type")
            negotiated = False
        else:
            results, graph = negotiate(req.accept, RESULTS), negotiate(req.accept, GRAPHS)
            negotiated = True
        if form in ("SELECT", "ASK") and results is None:
            raise HTTPError(406, f"{form} results come as " + ", ".join(f.media_type for f in RESULTS)
                                 + f"; the request accepts none of them (Accept: {req.accept})")
        if form in ("CONSTRUCT", "DESCRIBE") and graph is None:
            raise HTTPError(406, f"{form} results come as " + ", ".join(f.media_type for f in GRAPHS)
                                 + f"; the request accepts none of them (Accept: {req.accept})")
        return results, graph, negotiated

    # --- a browser: the results as a table ----------------------------------------------------
    def _wants_table(self, req: Request, params: dict) -> bool:
        """A browser's navigation (its Accept prefers HTML to every SPARQL format) naming no format=."""
        named = any(params.get(p) and params[p][0].strip() for p in FORMAT_PARAMS)
        return self.pages is not None and not named and prefers_html_results(req.accept)

    def _table(self, params: dict, query: str, dataset: Dataset | None) -> Response:
        """The results as an HTML page (pages/query.py ``results_page``), from the same JSON or N-Triples
        the endpoint would send, with links to download them in the SPARQL formats."""
        from .pages.about import SPARQL_BROWSER
        from .pages.query import ResultTable, json_cell
        from .worker import term_json

        try:
            answer = self.site.executor.serialize(query, results_format="application/sparql-results+json",
                                                  graph_format="application/n-triples", dataset=dataset)
        except QueryError as e:
            raise HTTPError(e.status, str(e) if e.status != 400 else f"malformed query: {e}") from None
        links = self.pages.links()
        columns, rows, boolean = [], [], None
        if answer.kind == "graph":
            columns = ["subject", "predicate", "object"]
            rows = [[json_cell(term_json(t), links) for t in (q.subject, q.predicate, q.object)]
                    for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
            formats = [(f.name, f.names[0]) for f in GRAPHS]
        else:
            data = json.loads(answer.body)
            if answer.kind == "ask":
                boolean = bool(data.get("boolean"))
            else:
                columns = list(data["head"]["vars"])
                rows = [[json_cell(b.get(c), links) for c in columns] for b in data["results"]["bindings"]]
            formats = [(f.name, f.names[0]) for f in RESULTS]
        table = ResultTable(query, answer.kind, columns, rows, boolean, answer.generation,
                            {k: list(v) for k, v in params.items()}, formats)
        status, body, ctype, headers = self.pages.respond(SPARQL_BROWSER, {**table.params, "_table": [table]})
        return Response(status, body, ctype, list(headers) + [("Vary", "Accept"),
                                                              ("PWC-KG-Generation", answer.generation)])

    # --- the service description ----------------------------------------------------------
    def _description(self, req: Request) -> Response:
        if self.pages is not None and prefers_html(req.accept):
            from .pages.about import SPARQL_BROWSER

            page = self.pages.respond(SPARQL_BROWSER, {k: list(v) for k, v in req.query.items()})
            if page is not None:
                status, body, ctype, headers = page
                return Response(status, body, ctype, list(headers) + [("Vary", "Accept")])
        fmt = by_name(req.param("format") or "", GRAPHS) or negotiate(req.accept, GRAPHS)
        if fmt is None:
            raise HTTPError(406, "the service description comes as " + ", ".join(f.media_type for f in GRAPHS))
        body = ox.serialize(service_description(self.site), format=ox.RdfFormat.from_media_type(fmt.media_type),
                            prefixes={"sd": SD._base, "void": VOID._base, **PREFIXES} if fmt.name == "turtle" else None)
        return Response(200, body, fmt.content_type, [("Vary", "Accept")])


def _charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type, lower case, or None."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _dataset(params: dict[str, list[str]]) -> Dataset | None:
    default, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    if not default and not named:
        return None
    for iri in default + named:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HTTPError(400, f"default-graph-uri and named-graph-uri take IRIs, not {iri!r}") from None
    return Dataset(default, named)


def service_description(site) -> list[ox.Triple]:
    """The endpoint described with the SPARQL 1.1 Service Description vocabulary."""
    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD.integer))

    service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    out = [
        ox.Triple(service, n(RDF.type), n(SD.Service)),
        ox.Triple(service, n(SD.endpoint), n(site.url("/sparql"))),
        ox.Triple(service, n(SD.supportedLanguage), n(SD.SPARQL11Query)),
        ox.Triple(service, n(SD.feature), n(SD.UnionDefaultGraph)),
        ox.Triple(service, n(SD.defaultEntailmentRegime), n(ENTAILMENT_SIMPLE)),
        ox.Triple(service, n(RDFS.label), ox.Literal("pwc-kg SPARQL endpoint")),
        ox.Triple(service, n(RDFS.comment), ox.Literal(DEFAULT_GRAPH_RULE + " " + limits_text(site.config))),
        ox.Triple(service, n(SD.defaultDataset), dataset),
        ox.Triple(dataset, n(RDF.type), n(SD.Dataset)),
        ox.Triple(dataset, n(SD.defaultGraph), default),
        ox.Triple(default, n(RDF.type), n(SD.Graph)),
        ox.Triple(default, n(RDFS.comment), ox.Literal("the union of the named graphs")),
    ]
    if site.config.service_allowlist:
        out.append(ox.Triple(service, n(SD.feature), n(SD.BasicFederatedQuery)))
    for fmt in RESULTS + GRAPHS:
        iri = (ox.QueryResultsFormat.from_media_type(fmt.media_type) if fmt in RESULTS
               else ox.RdfFormat.from_media_type(fmt.media_type)).iri
        out.append(ox.Triple(service, n(SD.resultFormat), n(iri)))
    total = site.build_info.get("triples")
    if isinstance(total, int):
        out.append(ox.Triple(default, n(VOID.triples), integer(total)))
    for graph, triples in named_graphs(site):
        ng, g = ox.BlankNode(), ox.BlankNode()
        out += [ox.Triple(dataset, n(SD.namedGraph), ng), ox.Triple(ng, n(RDF.type), n(SD.NamedGraph)),
                ox.Triple(ng, n(SD.name), n(graph)), ox.Triple(ng, n(SD.graph), g), ox.Triple(g, n(RDF.type), n(SD.Graph))]
        if triples is not None:
            out.append(ox.Triple(g, n(VOID.triples), integer(triples)))
    return out


def named_graphs(site) -> list[tuple[str, int | None]]:
    """The store's named graphs with their triple counts where the build recorded them."""
    def compute() -> list[tuple[str, int | None]]:
        counts: dict[str, int | None] = {}
        for src in site.build_info.get("sources", []):
            if isinstance(src, dict) and src.get("graph"):
                counts[src["graph"]] = src.get("triples")
        for row in site.select(load_query("internal/named-graphs").text, max_rows=100_000):
            counts.setdefault(row["g"].value, None)
        derived = site.build_info.get("derived", {})
        for g in counts:
            if g.endswith("/graph/derived") and isinstance(derived, dict) and derived.get("triples"):
                counts[g] = derived["triples"]
        return sorted(counts.items())
    return site.per_generation("named-graphs", compute)


def limits_text(config) -> str:
    service = ("SERVICE is allowed only to: " + ", ".join(config.service_allowlist)) if config.service_allowlist \
        else "SERVICE (federated query) is disabled."
    return (f"Limits: {config.query_timeout:g} s per query, {config.max_rows:,} results, "
            f"{config.max_query_length:,} characters of query, {config.max_body:,} bytes of request body, "
            f"{config.max_concurrent} queries at once. {service}")

