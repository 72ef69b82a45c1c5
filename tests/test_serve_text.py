"""What the endpoint reads from a request before anything runs: the query's form, dataset and SERVICE
targets (serve/query_text.py), and the format it answers in (serve/negotiation.py).

The SERVICE cases are checked against pyoxigraph itself: every query the scan lets through as
"no SERVICE" must be one pyoxigraph does not run a SERVICE for (it would send HTTP requests).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pwc_kg.serve.negotiation import GRAPHS, HTML, RESULTS, by_name, negotiate, parse_accept, prefers_html
from pwc_kg.serve.query_text import analyze, service_allowed

# Ways of writing a SERVICE clause that pyoxigraph 0.5 accepts (its parser matches keywords as prefixes).
# Port 9 (discard) is one pyoxigraph refuses to connect to, so running these sends nothing anywhere.
EVIL = "http://127.0.0.1:9/sparql"
SERVICE_SPELLINGS = [
    f"SELECT * WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SeRvIcE SILENT <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE<{EVIL}>{{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICESILENT<{EVIL}> {{ ?s ?p ?o }} }}",
    "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
    "PREFIX e: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE SILENTe:sparql { ?s ?p ?o } }",
    f"SELECT * WHERE {{ SERVICE # a comment\n <{EVIL}> {{ ?s ?p ?o }} }}",
    "BASE <http://127.0.0.1:9/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    r"SELECT * WHERE { SERVICE <http://127.0.0.1:\u0039/sparql> { ?s ?p ?o } }",
    f"SELECT * WHERE {{ ?a ?b ?c.SERVICE<{EVIL}>{{}} }}",
    f"SELECT * WHERE {{ {{}}SERVICE<{EVIL}>{{}} }}",
    f"SELECT * WHERE {{ ?s ?p '''SERVICE <http://a/>''' SERVICE <{EVIL}> {{}} }}",
]


@pytest.mark.parametrize("query", SERVICE_SPELLINGS)
def test_every_spelling_of_service_is_seen_and_resolved(query):
    shape = analyze(query)
    assert EVIL in shape.services and set(shape.services) <= {EVIL, None}, query  # None: rdflib cannot parse it
    assert not service_allowed(shape.services[0], ["query.wikidata.org"])
    # and pyoxigraph does treat it as a SERVICE (it tries port 9, or SILENT swallows the refusal)
    store = ox.Store()
    try:
        list(store.query(query))
    except OSError as e:
        assert "port 9" in str(e)


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service <http://schema.org/serviceType> ?t }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> { }" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> { }",
    "SELECT * WHERE { ?s ?p <http://ex/SERVICE> }",
    "SELECT * WHERE { ?s ?p '''it's a \"SERVICE\" <http://127.0.0.1:9/>''' }",
])
def test_service_in_strings_iris_comments_and_names_is_not_a_service(query):
    assert analyze(query).services == []
    list(ox.Store().query(query))  # runs without any SERVICE call


def test_variable_or_relative_service_targets_are_unresolvable():
    assert analyze("SELECT * WHERE { VALUES ?e { <http://x/> } SERVICE ?e { } }").services == [None]
    assert analyze("SELECT * WHERE { SERVICE <relative> { } }").services == [None]
    assert analyze("SELECT * WHERE { SERVICE undeclared:x { } }").services == [None]
    assert not service_allowed(None, ["*"])


def test_allowlist_entries():
    assert service_allowed("https://query.wikidata.org/sparql", ["query.wikidata.org"])
    assert service_allowed("http://127.0.0.1:8890/sparql", ["127.0.0.1:8890"])
    assert not service_allowed("http://127.0.0.1:8891/sparql", ["127.0.0.1:8890"])
    assert service_allowed("http://h.example/sparql?x=1", ["http://h.example/sparql"])
    assert not service_allowed("http://h.example/sparqlx", ["http://h.example/sparql"])
    assert not service_allowed("http://h.example.evil/sparql", ["http://h.example"])
    assert not service_allowed("ftp://query.wikidata.org/sparql", ["query.wikidata.org"])
    assert not service_allowed("http://QUERY.wikidata.org.evil/", ["query.wikidata.org"])


@pytest.mark.parametrize("query, form, dataset", [
    ("PREFIX x: <http://x/> SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
    ("ASK { }", "ASK", False),
    ("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
    ("DESCRIBE <http://x/>", "DESCRIBE", False),
    ("SELECT * FROM <http://g/> WHERE { ?s ?p ?o }", "SELECT", True),
    ("SELECT * FROM NAMED <http://g/> WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT", True),
    ("SELECT * WHERE { ?s <http://ex/from> ?o }", "SELECT", False),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "INSERT", False),
    ("PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }", "DELETE", False),
    ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", False),
    ("LOAD <http://x/data.ttl>", "LOAD", False),
    ("CLEAR ALL", "CLEAR", False),
    ("DROP GRAPH <http://g/>", "DROP", False),
])
def test_form_and_dataset(query, form, dataset):
    shape = analyze(query)
    assert (shape.form, shape.has_dataset) == (form, dataset)
    assert shape.is_update == (form in ("INSERT", "DELETE", "WITH", "LOAD", "CLEAR", "DROP"))


def test_accept_parsing_and_quality():
    assert parse_accept(None) == [("*/*", 1.0)]
    assert parse_accept("text/csv;q=0.5, text/*;q=bad") == [("text/csv", 0.5), ("text/*", 0.0)]
    assert negotiate("application/sparql-results+xml", RESULTS).name == "xml"
    assert negotiate("application/json", RESULTS).name == "json"
    assert negotiate("text/csv;q=0.5, text/tab-separated-values", RESULTS).name == "tsv"
    assert negotiate("text/*", RESULTS).name == "csv"
    assert negotiate("*/*", RESULTS).name == "json"
    assert negotiate("", GRAPHS).name == "turtle"
    assert negotiate("application/rdf+xml;q=0.9, text/turtle;q=0.1", GRAPHS).name == "rdfxml"
    assert negotiate("text/turtle;q=0", GRAPHS) is None
    assert negotiate("text/turtle;q=0, */*", GRAPHS).name == "ntriples"
    assert negotiate("image/png", RESULTS) is None
    assert negotiate("application/sparql-results+json", GRAPHS) is None


def test_what_tools_send():
    # SPARQLWrapper's Accept headers, and rdflib SPARQLStore's
    assert negotiate("application/sparql-results+json,application/json,text/javascript,application/javascript",
                     RESULTS).name == "json"
    assert negotiate("application/turtle,text/turtle", GRAPHS).name == "turtle"
    assert negotiate("application/ld+json,application/x-json+ld", GRAPHS).name == "jsonld"
    assert negotiate("application/sparql-results+xml, application/rdf+xml", RESULTS).name == "xml"
    assert negotiate("application/sparql-results+xml, application/rdf+xml", GRAPHS).name == "rdfxml"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    assert prefers_html(browser) and not prefers_html("*/*") and not prefers_html("text/turtle")
    assert negotiate(browser, GRAPHS + (HTML,)) is HTML


def test_format_parameter_names():
    assert by_name("json", RESULTS).name == "json" and by_name("json", GRAPHS).name == "jsonld"
    assert by_name("xml", GRAPHS).name == "rdfxml" and by_name("rdf+xml", GRAPHS).name == "rdfxml"
    assert by_name("text/csv", RESULTS).name == "csv" and by_name("TSV", RESULTS).name == "tsv"
    assert by_name("n3", GRAPHS).name == "turtle" and by_name("nt", GRAPHS).name == "ntriples"
    assert by_name("html", RESULTS) is None and by_name("yaml", GRAPHS) is None
