"""``/sparql`` on a real server (waitress, a free loopback port) over the LaMini fixture store.

Queried with SPARQLWrapper and rdflib's SPARQLStore as they are, and with plain HTTP: content
negotiation, the service description, the dataset rules, every status code, the limits (time,
rows, body, query length, concurrency), SERVICE and update refusals, security headers and CORS.
Answers are checked against the same query on the embedded store.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

from conftest import LAMINI_TITLE
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer
from pwc_kg.store import StoreDir
from pwc_kg.vocab import PWC

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 2,000³ rows: never ends in time
PAPER_RESULTS = (f"SELECT ?r ?v WHERE {{ ?r a <{PWC.EvaluationResult}> ; <{PWC.value}> ?v ; <{PWC.reportedIn}> ?p . "
                 f"?p <{PWC.title}> \"{LAMINI_TITLE}\" }} ORDER BY ?r")
TIMEOUT = 3.0


def fetch(url: str, *, accept: str | None = None, data: bytes | None = None, ctype: str | None = None,
          method: str | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers with lower-case names, body) of one request; errors are answers too."""
    req = urllib.request.Request(url, data=data, method=method)
    for name, value in {"Accept": accept, "Content-Type": ctype, **(headers or {})}.items():
        if value is not None:
            req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def q(url: str, query: str, **params) -> str:
    return url + "sparql?" + urllib.parse.urlencode({"query": query, **params})


@pytest.fixture(scope="module")
def server(lamini_store):
    config = ServeConfig(store=str(lamini_store), port=0, query_timeout=TIMEOUT, max_rows=1000, max_body=64 * 1024,
                         max_query_length=20_000, workers=2, max_concurrent=4, queue_timeout=1.0)
    with BackgroundServer(config) as s:
        yield s


@pytest.fixture(scope="module")
def embedded(lamini_store):
    return StoreDir(lamini_store).open()


def local(store: ox.Store, query: str):
    return store.query(query)  # the default graph: the set union of the named graphs


# --- the tools, unchanged -----------------------------------------------------------------------

def test_sparqlwrapper_select_json_matches_the_embedded_store(server, embedded):
    sw = SPARQLWrapper(server.url + "sparql")
    sw.setQuery(PAPER_RESULTS)
    sw.setReturnFormat(JSON)
    got = [(b["r"]["value"], b["v"]["value"]) for b in sw.queryAndConvert()["results"]["bindings"]]
    want = [(s["r"].value, s["v"].value) for s in local(embedded, PAPER_RESULTS)]
    assert got == want and len(got) == 44  # the seed paper's results table: 44 values


def test_sparqlwrapper_xml_csv_ask_and_post(server, embedded):
    sw = SPARQLWrapper(server.url + "sparql")
    sw.setQuery(PAPER_RESULTS)
    sw.setReturnFormat(XML)
    doc = sw.queryAndConvert()  # an xml.dom Document
    assert len(doc.getElementsByTagName("result")) == 44
    sw.setReturnFormat(CSV)
    rows = list(csv.DictReader(io.StringIO(sw.queryAndConvert().decode("utf-8"))))
    assert [r["v"] for r in rows] == [s["v"].value for s in local(embedded, PAPER_RESULTS)]
    for method in (URLENCODED, POSTDIRECTLY):
        sw = SPARQLWrapper(server.url + "sparql")
        sw.setMethod(POST)
        sw.setRequestMethod(method)
        sw.setQuery(f"ASK {{ ?p <{PWC.title}> \"{LAMINI_TITLE}\" }}")
        sw.setReturnFormat(JSON)
        assert sw.queryAndConvert()["boolean"] is True
    sw.setQuery(f"ASK {{ ?p <{PWC.title}> \"no such paper\" }}")
    assert sw.queryAndConvert()["boolean"] is False


def test_sparqlwrapper_construct_as_turtle_bytes(server, embedded):
    query = f"CONSTRUCT {{ ?r <{PWC.value}> ?v }} WHERE {{ ?r <{PWC.value}> ?v }}"
    sw = SPARQLWrapper(server.url + "sparql")
    sw.setQuery(query)
    sw.setReturnFormat(TURTLE)
    body = sw.queryAndConvert()
    assert isinstance(body, bytes)
    g = rdflib.Graph().parse(data=body, format="turtle")
    assert len(g) == len(list(local(embedded, query))) > 40


def test_rdflib_sparqlstore(server, embedded):
    g = rdflib.Graph(store=SPARQLStore(server.url + "sparql"))
    rows = list(g.query(PAPER_RESULTS))
    assert [(str(r.r), str(r.v)) for r in rows] == [(s["r"].value, s["v"].value) for s in local(embedded, PAPER_RESULTS)]
    assert g.query(f"ASK {{ ?p <{PWC.title}> \"{LAMINI_TITLE}\" }}").askAnswer is True
    built = g.query(f"CONSTRUCT {{ ?r <{PWC.value}> ?v }} WHERE {{ ?r <{PWC.value}> ?v }}").graph
    assert len(built) == 44
    assert (None, rdflib.URIRef(PWC.title), rdflib.Literal(LAMINI_TITLE)) in g  # triple patterns go through SELECT


# --- the protocol by hand ---------------------------------------------------------------------------

@pytest.mark.parametrize("accept, ctype", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("text/csv;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values; charset=utf-8"),
])
def test_select_content_negotiation(server, accept, ctype):
    status, headers, body = fetch(q(server.url, PAPER_RESULTS), accept=accept)
    assert status == 200 and headers["content-type"] == ctype
    assert "accept" in headers["vary"].lower()
    if ctype.startswith("text/csv"):  # lossy: pyoxigraph does not read it back
        assert len(list(csv.DictReader(io.StringIO(body.decode("utf-8"))))) == 44
    else:
        fmt = ox.QueryResultsFormat.from_media_type(ctype)
        assert len(list(ox.parse_query_results(body, format=fmt))) == 44


@pytest.mark.parametrize("param, value, ctype", [
    ("format", "json", "application/sparql-results+json"),
    ("format", "xml", "application/sparql-results+xml"),
    ("output", "csv", "text/csv; charset=utf-8"),
    ("results", "tsv", "text/tab-separated-values; charset=utf-8"),
    ("format", "application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_format_parameter_wins_over_accept(server, param, value, ctype):
    status, headers, _ = fetch(q(server.url, PAPER_RESULTS, **{param: value}), accept="text/csv")
    assert status == 200 and headers["content-type"] == ctype


@pytest.mark.parametrize("accept, ctype, rdflib_format", [
    (None, "text/turtle; charset=utf-8", "turtle"),
    ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_construct_and_describe_content_negotiation(server, embedded, accept, ctype, rdflib_format):
    query = f"CONSTRUCT {{ ?r <{PWC.value}> ?v ; a ?t }} WHERE {{ ?r <{PWC.value}> ?v ; a ?t }}"
    status, headers, body = fetch(q(server.url, query), accept=accept)
    assert status == 200 and headers["content-type"] == ctype
    g = rdflib.Graph().parse(data=body, format=rdflib_format)
    assert len(g) == len(list(local(embedded, query)))
    paper = next(iter(local(embedded, f"SELECT ?p WHERE {{ ?p <{PWC.title}> ?t }} LIMIT 1")))["p"].value
    status, headers, body = fetch(q(server.url, f"DESCRIBE <{paper}>"), accept=accept)
    assert status == 200 and headers["content-type"] == ctype
    assert (rdflib.URIRef(paper), None, None) in rdflib.Graph().parse(data=body, format=rdflib_format)


def test_post_form_and_direct_body(server):
    form = urllib.parse.urlencode({"query": PAPER_RESULTS}).encode()
    for data, ctype in ((form, "application/x-www-form-urlencoded"),
                        (PAPER_RESULTS.encode(), "application/sparql-query"),
                        (PAPER_RESULTS.encode(), "application/sparql-query; charset=utf-8")):
        status, headers, body = fetch(server.url + "sparql", data=data, ctype=ctype, accept="application/sparql-results+json")
        assert status == 200, body
        assert len(json.loads(body)["results"]["bindings"]) == 44


def test_default_graph_is_the_union_unless_a_dataset_is_named(server, embedded):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    graphs = {s["g"].value: int(s["n"].value) for s in
              embedded.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    papers = next(g for g in graphs if g.endswith("papers-with-abstracts.json"))
    union = int(next(iter(local(embedded, count)))["n"].value)

    def n(url, **kw):
        status, _, body = fetch(url, accept="application/sparql-results+json", **kw)
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    assert n(q(server.url, count)) == union < sum(graphs.values())  # each triple once, not once per graph
    assert n(q(server.url, count, **{"default-graph-uri": papers})) == graphs[papers]
    assert n(q(server.url, f"SELECT (COUNT(*) AS ?n) FROM <{papers}> WHERE {{ ?s ?p ?o }}")) == graphs[papers]
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert n(q(server.url, named)) == len(graphs)
    assert n(q(server.url, named, **{"named-graph-uri": papers})) == 1
    # named in a form body too
    form = urllib.parse.urlencode({"query": count, "default-graph-uri": papers}).encode()
    assert n(server.url + "sparql", data=form, ctype="application/x-www-form-urlencoded") == graphs[papers]
    status, _, body = fetch(q(server.url, count, **{"default-graph-uri": "not an iri"}))
    assert status == 400 and b"IRI" in body


def test_service_description(server, lamini_store):
    status, headers, body = fetch(server.url + "sparql", accept="text/turtle")
    assert status == 200 and headers["content-type"] == "text/turtle; charset=utf-8"
    g = rdflib.Graph().parse(data=body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    (service,) = g.subjects(rdflib.RDF.type, sd.Service)
    assert g.value(service, sd.endpoint) == rdflib.URIRef(server.url + "sparql")
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in g
    assert (service, sd.feature, sd.UnionDefaultGraph) in g
    formats = set(g.objects(service, sd.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    assert "union of all named graphs" in str(g.value(service, rdflib.RDFS.comment))
    names = {str(x) for x in g.objects(None, sd.name)}
    assert any(n.endswith("graph/source/evaluation-tables.json") for n in names)
    assert len(names) == len(list(StoreDir(lamini_store).open().named_graphs()))
    status, headers, body = fetch(server.url + "sparql", accept="application/rdf+xml")
    assert status == 200 and len(rdflib.Graph().parse(data=body, format="xml")) == len(g)


# --- refusals and errors -----------------------------------------------------------------------------

def triple_count(server) -> int:
    _, _, body = fetch(q(server.url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_updates_are_refused_and_never_run(server):
    before = triple_count(server)
    insert = "INSERT DATA { GRAPH <http://x/g> { <http://x/s> <http://x/p> <http://x/o> } }"
    attempts = [
        fetch(server.url + "sparql?" + urllib.parse.urlencode({"update": insert})),
        fetch(server.url + "sparql", data=urllib.parse.urlencode({"update": insert}).encode(),
              ctype="application/x-www-form-urlencoded"),
        fetch(server.url + "sparql", data=insert.encode(), ctype="application/sparql-update"),
        fetch(q(server.url, insert)),
        fetch(server.url + "sparql", data=b"DROP ALL", ctype="application/sparql-query"),
    ]
    for status, headers, body in attempts:
        assert status == 403, body
        assert b"read-only" in body and headers["content-type"] == "text/plain; charset=utf-8"
    assert triple_count(server) == before


@pytest.mark.parametrize("request_args, status, words", [
    (lambda u: fetch(q(u, "SELECT * WHERE { ?s ?p ")), 400, b"malformed query"),
    (lambda u: fetch(q(u, "   ")), 400, b"empty"),
    (lambda u: fetch(u + "sparql?query=ASK%7B%7D&query=ASK%7B%7D"), 400, b"one query"),
    (lambda u: fetch(u + "sparql", data=b"", ctype="application/x-www-form-urlencoded"), 400, b"no query"),
    (lambda u: fetch(u + "sparql", data=b"ASK {}", ctype="text/plain"), 415, b"application/sparql-query"),
    (lambda u: fetch(u + "sparql", data=b"\xff\xfe", ctype="application/sparql-query"), 400, b"UTF-8"),
    (lambda u: fetch(u + "sparql", method="PUT", data=b"x"), 405, b"PUT"),
    (lambda u: fetch(q(u, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"), accept="image/png"), 406, b"SELECT results"),
    (lambda u: fetch(q(u, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"), accept="application/sparql-results+json"), 406,
     b"CONSTRUCT results"),
    (lambda u: fetch(q(u, "ASK {}", format="yaml")), 406, b"unknown format"),
    (lambda u: fetch(q(u, "SELECT ?x WHERE { ?s ?p ?o }")), 422, b"1,000 rows"),
    (lambda u: fetch(q(u, "CONSTRUCT WHERE { ?s ?p ?o }")), 422, b"1,000 triples"),
    (lambda u: fetch(q(u, "SELECT * WHERE { BIND(1 AS ?x) } " + "#" * 25_000)), 414, b"20,000"),
    (lambda u: fetch(u + "sparql", data=("ASK {} " + "#" * 25_000).encode(), ctype="application/sparql-query"), 413,
     b"20,000"),
    (lambda u: fetch(u + "sparql", data=b"ASK {} #" + b"x" * 70_000, ctype="application/sparql-query"), 413,
     b"65,536"),
])
def test_errors_have_their_status_and_say_why(server, request_args, status, words):
    got, headers, body = request_args(server.url)
    assert got == status, body
    assert words in body
    assert headers["content-type"] == "text/plain; charset=utf-8"


def test_malformed_query_says_where_and_what_was_expected(server):
    status, _, body = fetch(q(server.url, "SELECT ?x WHERE { ?x ?p }"))
    assert status == 400 and b"malformed query: line 1, column " in body and b"expected" in body
    assert b"[_]" not in body  # the parser's grammar is not shown (pwc_kg.queries.syntax)


def wait_until(condition, what: str, seconds: float = 120) -> None:
    """Wait for a state, not for a time: the deadline only ends a wait for something that never comes."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)


def test_a_query_past_the_time_limit_is_stopped_and_the_next_one_works(server):
    """SLOW would run for hours: it is stopped at the limit and said so, its worker replaced. No upper bound
    on how long that took (a loaded machine is slow for no fault of the server); it cannot end before it."""
    executor = server.app.executor
    wait_until(lambda: executor.idle_workers() == 2, "both workers idle")
    replaced = executor.replaced
    started = time.monotonic()
    status, _, body = fetch(q(server.url, SLOW))
    took = time.monotonic() - started
    assert status == 504 and b"time limit" in body and f"{TIMEOUT:g} s".encode() in body
    assert took >= TIMEOUT  # stopped by its limit, not by anything sooner
    assert executor.replaced == replaced + 1  # its worker was killed: the only way to stop a pyoxigraph query
    status, _, body = fetch(q(server.url, "ASK { ?s ?p ?o }"))
    assert status == 200 and json.loads(body)["boolean"] is True
    wait_until(lambda: executor.idle_workers() == 2, "the killed worker replaced: both workers answer again")


def test_a_slow_query_does_not_starve_the_others(server):
    """While SLOW holds one worker, the other answers: quick queries are answered before SLOW ends."""
    executor = server.app.executor
    wait_until(lambda: executor.idle_workers() == 2, "both workers idle")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        slow = pool.submit(fetch, q(server.url, SLOW))
        wait_until(lambda: executor.idle_workers() < 2 or slow.done(), "the slow query holds a worker")
        quick = []  # (status, whether the slow query was still running when the quick one was answered)
        for _ in range(10):
            status, _, _ = fetch(q(server.url, PAPER_RESULTS))
            quick.append((status, not slow.done()))
            if slow.done():
                break
        assert slow.result()[0] == 504
    assert all(s == 200 for s, _ in quick), quick
    assert quick[0][1], "the first quick query waited for the slow one to end"


def test_too_many_queries_at_once_get_503(server):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = sorted(f.result()[0] for f in [pool.submit(fetch, q(server.url, SLOW)) for _ in range(8)])
    # 2 workers run (and are stopped at the time limit); the rest wait a second for a slot or a worker
    assert set(statuses) == {503, 504} and statuses.count(504) >= 2 and statuses.count(503) >= 4
    answers = []
    wait_until(lambda: answers.append(fetch(q(server.url, "ASK {}"))[0]) or answers[-1] == 200,
               "an answer once the killed workers are replaced")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICESILENT<http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "PREFIX : <http://127.0.0.1:1/> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:1/> } SERVICE ?e { ?s ?p ?o } }",
])
def test_service_is_refused_by_default(server, query):
    status, _, body = fetch(q(server.url, query))
    assert status == 403 and b"SERVICE" in body and b"disabled" in body


def test_service_words_in_strings_are_not_refused(server):
    status, _, _ = fetch(q(server.url, 'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/> {}" } # SERVICE'))
    assert status == 200


def test_workers_have_no_network_when_service_is_off(server):
    """Defence in depth: even a SERVICE the text check missed could reach nothing."""
    executor = server.app.executor
    if not executor.network_isolated:
        pytest.skip("the kernel does not let this user create a network namespace (needs CAP_SYS_ADMIN)")
    from pwc_kg.serve.worker import Job

    job = Job(str(executor.generation()), f"SELECT * WHERE {{ SERVICE <{server.url}sparql> {{ ?s ?p ?o }} }}",
              "terms", 10)
    with pytest.raises(Exception) as e:  # the text check is bypassed on purpose: the job goes straight in
        executor._run(job, 10)
    assert "unreachable" in str(e.value).lower() or "connect" in str(e.value).lower()


def test_service_to_an_allowlisted_endpoint_federates(server, lamini_store):
    """With an allowlist, SERVICE goes to listed endpoints only: here, the first server."""
    host_port = server.url.split("//")[1].rstrip("/")
    config = ServeConfig(store=str(lamini_store), port=0, service_allowlist=[host_port], query_timeout=20)
    with BackgroundServer(config, pages=False) as fed:
        query = (f"SELECT ?v WHERE {{ SERVICE <{server.url}sparql> {{ ?r <{PWC.value}> ?v ; <{PWC.reportedIn}> ?p . "
                 f"?p <{PWC.title}> \"{LAMINI_TITLE}\" }} }}")
        status, _, body = fetch(q(fed.url, query))
        assert status == 200, body
        assert len(json.loads(body)["results"]["bindings"]) == 44
        status, _, body = fetch(q(fed.url, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"))
        assert status == 403 and host_port.encode() in body


# --- headers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, accept", [
    ("sparql?query=ASK%7B%7D", None), ("sparql?query=ASK%7B", None), ("sparql", "text/turtle"),
    ("no/such/page", "text/html"), ("", "text/html"), ("ontology", "text/turtle"),
])
def test_security_headers_on_every_response(server, path, accept):
    _, headers, _ = fetch(server.url + path, accept=accept)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    if headers["content-type"].startswith("text/html"):
        assert "script-src 'self'" in csp and "style-src 'self'" in csp


def test_cors_on_sparql_only_by_default(server, lamini_store):
    origin = {"Origin": "https://app.example"}
    _, headers, _ = fetch(q(server.url, "ASK {}"), headers=origin)
    assert headers["access-control-allow-origin"] == "*"
    status, headers, _ = fetch(server.url + "sparql", method="OPTIONS",
                               headers={**origin, "Access-Control-Request-Method": "POST",
                                        "Access-Control-Request-Headers": "content-type"})
    assert status == 204 and "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()
    _, headers, _ = fetch(server.url + "ontology", headers=origin)
    assert "access-control-allow-origin" not in headers
    config = ServeConfig(store=str(lamini_store), port=0, cors_origins=["https://app.example"], sparql_cors_origin=None)
    with BackgroundServer(config, pages=False) as other:
        _, headers, _ = fetch(other.url + "ontology", headers=origin)
        assert headers["access-control-allow-origin"] == "https://app.example" and "Origin" in headers["vary"]
        _, headers, _ = fetch(other.url + "ontology", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in headers
        _, headers, _ = fetch(q(other.url, "ASK {}"), headers=origin)
        assert "access-control-allow-origin" not in headers


def test_a_browser_at_the_endpoint_gets_the_query_page(server):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, headers, body = fetch(server.url + "sparql", accept=browser)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"<form" in body and b"<textarea" in body
    status, headers, body = fetch(q(server.url, "SELECT * WHERE {"), accept=browser)
    assert status == 400 and headers["content-type"] == "text/html; charset=utf-8"  # the error, as a page
    assert b"malformed query" in body and b"<script" not in body
