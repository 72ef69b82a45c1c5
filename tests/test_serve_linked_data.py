"""Linked data on a real server: every kind of IRI pwc-kg mints dereferences, in every format.

Each description is parsed with rdflib and checked against the store: the entity's own triples
(all of them), the labels of what it links to, and the same graph whatever the format. Also the
ontology at its namespace, the JSON-LD context, the VoID/DCAT description with its dumps, 404s,
and a store built with the server's own address as its base IRI (its IRIs are the URLs).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import socket
import subprocess
import urllib.parse

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import pwc_kg
from conftest import LAMINI, LAMINI_TITLE
from pwc_kg.serve.config import ServeConfig
from pwc_kg.serve.server import BackgroundServer
from pwc_kg.store import StoreDir
from pwc_kg.vocab import PWC, PWC_NS, RDFS, SKOS
from test_serve_sparql import fetch

BASE = "https://w3id.org/pwc-kg/resource/"
FORMATS = [("text/turtle", "text/turtle; charset=utf-8", "turtle", ".ttl", "turtle"),
           ("application/n-triples", "application/n-triples", "nt", ".nt", "ntriples"),
           ("application/ld+json", "application/ld+json", "json-ld", ".jsonld", "jsonld"),
           ("application/rdf+xml", "application/rdf+xml", "xml", ".rdf", "rdfxml")]
# Every class of entity a build mints an IRI for (and the build's agent, which has no pwc class).
KINDS = ["Paper", "Author", "Task", "Area", "Dataset", "DataLoader", "Method", "MethodCollection", "Repository",
         "CodeLink", "Model", "Metric", "Benchmark", "EvaluationResult", "Leaderboard", "Record", "SourceGraph",
         "Source", "Build", "Derivation"]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LABEL_PROPERTIES = {RDFS.label, SKOS.prefLabel, "http://schema.org/name", PWC.name, PWC.title}


@pytest.fixture(scope="module")
def server(lamini_store):
    with BackgroundServer(ServeConfig(store=str(lamini_store), port=0)) as s:
        yield s


@pytest.fixture(scope="module")
def embedded(lamini_store):
    return StoreDir(lamini_store).open()


def instance(store: ox.Store, kind: str) -> str:
    rows = list(store.query(f"SELECT ?x WHERE {{ ?x a <{PWC[kind]}> FILTER(isIRI(?x)) }} ORDER BY ?x LIMIT 1",
                            use_default_graph_as_union=True))
    assert rows, f"the fixture store has no {kind}"
    return rows[0]["x"].value


def own_triples(store: ox.Store, iri: str) -> set:
    rows = store.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True,
                       substitutions={ox.Variable("s"): ox.NamedNode(iri)})
    return {(r["p"].value, key(r["o"])) for r in rows if not isinstance(r["o"], ox.BlankNode)}


def key(term) -> tuple:
    """A comparable form of a pyoxigraph or rdflib term."""
    if isinstance(term, (ox.NamedNode, rdflib.URIRef)):
        return ("iri", str(term.value if isinstance(term, ox.NamedNode) else term))
    if isinstance(term, ox.Literal):  # as rdflib reads it (rdflib normalises some lexical forms)
        dt = None if term.language or term.datatype.value == XSD_STRING else rdflib.URIRef(term.datatype.value)
        return ("lit", rdflib.Literal(term.value, lang=term.language, datatype=dt))
    if isinstance(term, rdflib.Literal):
        if term.datatype is not None and str(term.datatype) == XSD_STRING:
            term = rdflib.Literal(str(term))
        return ("lit", term)
    return ("blank",)


def parse(body: bytes, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=fmt)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_dereferences_in_every_format(server, embedded, kind):
    iri = instance(embedded, kind)
    path = "/" + iri[len(BASE):]
    want = own_triples(embedded, iri)
    graphs = []
    for accept, ctype, rdflib_format, suffix, name in FORMATS:
        for url, kwargs in ((server.url + path[1:], {"accept": accept}), (server.url + path[1:] + suffix, {}),
                            (server.url + path[1:] + "?format=" + name, {})):
            status, headers, body = fetch(url, **kwargs)
            assert status == 200, (url, body)
            assert headers["content-type"] == ctype
            assert headers["content-location"] == path + suffix
            assert ("accept" in headers.get("vary", "").lower()) == ("accept" in kwargs)
            g = parse(body, rdflib_format)
            got = {(str(p), key(o)) for p, o in g.predicate_objects(rdflib.URIRef(iri)) if not isinstance(o, rdflib.BNode)}
            assert got == want, (kind, url)
            graphs.append(g)
    for g in graphs[1:]:
        assert isomorphic(g, graphs[0])


def test_labels_of_linked_entities_and_lists_come_along(server, embedded):
    result = instance(embedded, "EvaluationResult")
    g = parse(fetch(server.url + result[len(BASE):], accept="text/turtle")[2], "turtle")
    for o in g.objects(rdflib.URIRef(result), None):
        if not isinstance(o, rdflib.URIRef):
            continue
        want = {(p, key(l)) for p, l in ((r["p"].value, r["l"]) for r in embedded.query(
            "SELECT ?o ?p ?l WHERE { ?o ?p ?l }", use_default_graph_as_union=True,
            substitutions={ox.Variable("o"): ox.NamedNode(str(o))})) if p in LABEL_PROPERTIES}
        got = {(str(p), key(l)) for p, l in g.predicate_objects(o)}
        assert got == want, o
    # a paper's authors are an rdf:Seq (its own '#authors' IRI): it comes whole, and the authors' names with it
    paper = next(iter(embedded.query(f'SELECT ?p WHERE {{ ?p <{PWC.title}> "{LAMINI_TITLE}" }}',
                                     use_default_graph_as_union=True)))["p"].value
    g = parse(fetch(server.url + paper[len(BASE):], accept="text/turtle")[2], "turtle")
    seq = g.value(rdflib.URIRef(paper), rdflib.URIRef(PWC.authorList))
    assert seq == rdflib.URIRef(paper + "#authors")
    authors = [o for p, o in g.predicate_objects(seq) if str(p).startswith(str(rdflib.RDF) + "_")]
    assert len(authors) >= 5 and all(g.value(a, rdflib.URIRef(PWC.name)) for a in authors)
    bench = instance(embedded, "Benchmark")  # its metric columns in order: its own '#metrics' rdf:Seq
    g = parse(fetch(server.url + bench[len(BASE):], accept="text/turtle")[2], "turtle")
    seq = g.value(rdflib.URIRef(bench), rdflib.URIRef(PWC.metricColumns))
    assert seq == rdflib.URIRef(bench + "#metrics")
    assert g.value(seq, rdflib.RDF["_1"]) is not None


def test_jsonld_is_compacted_with_the_published_context(server, embedded):
    paper = next(iter(embedded.query(f'SELECT ?p WHERE {{ ?p <{PWC.title}> "{LAMINI_TITLE}" }}',
                                     use_default_graph_as_union=True)))["p"].value
    status, _, body = fetch(server.url + paper[len(BASE):] + ".jsonld")
    doc = json.loads(body)
    _, _, context = fetch(server.url + "ontology/context.jsonld")
    assert doc["@context"] == json.loads(context)["@context"]
    node = next(n for n in doc["@graph"] if n["@id"] == paper)
    assert node["@type"] == "Paper" and node["title"] == LAMINI_TITLE


def test_unknown_iris_are_404(server):
    for path in ("paper/no-such-paper", "task/no-such-task.ttl", "result/0000", "benchmark/x?format=nt"):
        status, headers, body = fetch(server.url + path, accept="text/turtle")
        assert status == 404 and headers["content-type"] == "text/plain; charset=utf-8"
        assert b"no resource" in body
    status, headers, body = fetch(server.url + "paper/no-such-paper", accept="text/html")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    status, _, _ = fetch(server.url + "nothing-minted-here/x", accept="text/turtle")
    assert status == 404
    status, _, body = fetch(server.url + "task/question-answering", accept="image/png")
    assert status == 406
    status, _, body = fetch(server.url + "task/question-answering?format=yaml")
    assert status == 406 and b"unknown format" in body
    status, headers, _ = fetch(server.url + "task/question-answering", method="POST", data=b"x")
    assert status == 405 and "GET" in headers["allow"]


def test_html_for_browsers(server, embedded):
    task = instance(embedded, "Task")
    status, headers, body = fetch(server.url + task[len(BASE):],
                                  accept="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    name = next(iter(embedded.query(f"SELECT ?n WHERE {{ <{task}> <{PWC.name}> ?n }}",
                                    use_default_graph_as_union=True)))["n"].value
    assert html.escape(name).encode() in body and "accept" in headers["vary"].lower()
    assert "script-src 'self'" in headers["content-security-policy"]


def test_plain_html_escapes_everything(server):
    """The fallback page (for IRIs without a page of their own) escapes what the data holds."""
    from pwc_kg.serve.linked_data import LinkedData

    triples = [ox.Triple(ox.NamedNode("http://x/e"), ox.NamedNode(RDFS.label), ox.Literal("<script>alert(1)</script>")),
               ox.Triple(ox.NamedNode("http://x/e"), ox.NamedNode("http://x/p"), ox.Literal("' OR 1=1; --\"><img>"))]
    ld = LinkedData(server.app.site)
    ld.triples = lambda iri: triples
    body = ld.plain_html("http://x/e").body.decode()
    assert "<script>" not in body and "&lt;script&gt;" in body and "<img>" not in body


def test_percent_encoded_iris(quirks_store):
    store = StoreDir(quirks_store).open()
    rows = list(store.query('SELECT DISTINCT ?x WHERE { ?x ?p ?o FILTER(CONTAINS(STR(?x), "%")) } ORDER BY ?x LIMIT 3',
                            use_default_graph_as_union=True))
    assert rows, "the quirks fixture mints IRIs with percent-encoding"
    with BackgroundServer(ServeConfig(store=str(quirks_store), port=0), pages=False) as s:
        for row in rows:
            iri = row["x"].value
            path = iri[len(BASE):]
            for variant in (path, _lower_escapes(path)):  # clients may write escapes in lower case
                status, _, body = fetch(s.url + variant, accept="application/n-triples")
                assert status == 200, (variant, body)
                assert f"<{iri}>".encode() in body


def _lower_escapes(path: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), path)


def test_ontology_at_its_namespace(server):
    status, headers, body = fetch(server.url + "ontology", accept="text/turtle")
    assert status == 200 and headers["content-type"] == "text/turtle; charset=utf-8"
    g = parse(body, "turtle")
    assert (rdflib.URIRef(PWC.Paper), rdflib.RDF.type, rdflib.OWL.Class) in g
    for suffix, fmt in ((".nt", "nt"), (".rdf", "xml"), (".jsonld", "json-ld"), (".ttl", "turtle")):
        status, _, body = fetch(server.url + "ontology" + suffix)
        assert status == 200 and isomorphic(parse(body, fmt), g), suffix
    for path in ("ontology", "ontology/"):
        status, headers, body = fetch(server.url + path, accept="text/html")
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert b"Paper" in body
    status, headers, body = fetch(server.url + "ontology/context.jsonld")
    assert status == 200 and headers["content-type"] == "application/ld+json"
    ctx = json.loads(body)["@context"]
    assert ctx["pwc"] == PWC_NS and ctx["Paper"] == "pwc:Paper"


def test_void_describes_the_dataset_endpoint_and_dumps(lamini_store, tmp_path, embedded):
    from pwc_kg.export import export

    dumps = tmp_path / "dumps"
    dumps.mkdir()
    export(str(lamini_store), str(dumps / "pwc-kg.nq.gz"))
    with BackgroundServer(ServeConfig(store=str(lamini_store), port=0, dumps=str(dumps)), pages=False) as s:
        for path in (".well-known/void", "dataset"):
            status, headers, body = fetch(s.url + path, accept="text/turtle")
            assert status == 200 and headers["content-type"] == "text/turtle; charset=utf-8", body
            g = parse(body, "turtle")
            void = rdflib.Namespace("http://rdfs.org/ns/void#")
            dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
            ds = rdflib.URIRef(BASE + "dataset")
            assert (ds, rdflib.RDF.type, void.Dataset) in g and (ds, rdflib.RDF.type, dcat.Dataset) in g
            assert g.value(ds, void.sparqlEndpoint) == rdflib.URIRef(s.url + "sparql")
            triples = len(list(embedded.quads_for_pattern(None, None, None, ox.DefaultGraph())))  # distinct
            assert int(g.value(ds, void.triples)) == triples
            (dist,) = g.objects(ds, dcat.distribution)
            assert str(dist) == s.url + "dumps/pwc-kg.nq.gz"
            sha = next(g.objects(None, rdflib.URIRef("http://spdx.org/rdf/terms#checksumValue")))
            data = (dumps / "pwc-kg.nq.gz").read_bytes()
            assert str(sha) == hashlib.sha256(data).hexdigest()
            assert int(g.value(dist, dcat.byteSize)) == len(data)
        status, headers, body = fetch(s.url + "dumps/pwc-kg.nq.gz")
        assert status == 200 and body == data and headers["content-type"] == "application/gzip"
        assert fetch(s.url + "dumps/../build.json")[0] == 404
        assert fetch(s.url + "dumps/pwc-kg.nq.gz.void.ttl")[0] == 404
        status, headers, body = fetch(s.url + ".well-known/void", accept="application/ld+json")
        assert status == 200 and isomorphic(parse(body, "json-ld"), g)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_iris_are_urls_when_the_store_is_built_with_the_servers_base(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    store = tmp_path / "store"
    pwc_kg.build([str(LAMINI)], store, base_iri=base, validate=False)
    with BackgroundServer(ServeConfig(store=str(store), port=port)) as s:
        assert s.url == base
        db = StoreDir(store).open()
        for kind in ("Paper", "Task", "Dataset", "Method", "Model", "Benchmark", "EvaluationResult", "Metric"):
            iri = instance(db, kind)
            assert iri.startswith(base)
            status, headers, body = fetch(iri, accept="text/turtle")  # the IRI itself
            assert status == 200, iri
            assert (rdflib.URIRef(iri), None, None) in parse(body, "turtle")
        status, _, body = fetch(base + "sparql", accept="text/turtle")
        assert f"<{base}sparql>".encode() in body


def test_junk_names_come_out_escaped_in_every_format(quirks_store):
    """The quirks fixture's worst names (markup, quotes, braces, control characters, an SQL-injection probe)
    dereference in every format, read back by strict parsers (rdflib; rapper when installed) as the same graph."""
    store = StoreDir(quirks_store).open()
    junk = re.compile(r"[<>\"'{}|\\^`\x00-\x1f]|AND 2\*3")
    rows = store.query(f"SELECT DISTINCT ?x ?n WHERE {{ ?x <{PWC.name}>|<{PWC.title}> ?n FILTER(isIRI(?x)) }}",
                       use_default_graph_as_union=True)
    entities = sorted({r["x"].value for r in rows if junk.search(r["n"].value) and r["x"].value.startswith(BASE)})
    assert len(entities) >= 3
    rapper = shutil.which("rapper")
    with BackgroundServer(ServeConfig(store=str(quirks_store), port=0), pages=False) as s:
        refused = 0
        for iri in entities:
            graphs = []
            for accept, _, rdflib_format, _, name in FORMATS:
                status, _, body = fetch(s.url + iri[len(BASE):], accept=accept)
                if name == "rdfxml" and any(NOT_XML.search(str(o)) for o in graphs[0].objects()):
                    # XML 1.0 cannot carry a BEL or a NUL, even escaped: refused, not sent broken
                    assert status == 406 and b"cannot carry" in body, (iri, body)
                    refused += 1
                    continue
                assert status == 200, (iri, body)
                graphs.append(parse(body, rdflib_format))
                if rapper and name in ("turtle", "ntriples", "rdfxml"):
                    syntax = {"turtle": "turtle", "ntriples": "ntriples", "rdfxml": "rdfxml"}[name]
                    done = subprocess.run([rapper, "-q", "-i", syntax, "-c", "-", iri], input=body, capture_output=True)
                    assert done.returncode == 0, (iri, name, done.stderr)
            assert all(isomorphic(g, graphs[0]) for g in graphs[1:]), iri
            assert own_triples(store, iri) == {(str(p), key(o)) for p, o in graphs[0].predicate_objects(rdflib.URIRef(iri))
                                               if not isinstance(o, rdflib.BNode)}
        assert refused >= 1  # the fixture has such characters: the refusal was exercised
        query = f"SELECT ?t WHERE {{ ?p <{PWC.title}> ?t }}"
        status, _, body = fetch(s.url + "sparql?" + urllib.parse.urlencode({"query": query}),
                                accept="application/sparql-results+xml")
        assert status == 406 and b"XML cannot carry" in body
        status, _, body = fetch(s.url + "sparql?" + urllib.parse.urlencode({"query": query}))
        assert status == 200 and rb"\u0007" in body  # JSON carries it, escaped


def test_the_description_query_carries_exactly_the_labels_linked_data_shows():
    """linked-data-description.rq names the label properties in its text; they are LABELS, no more, no fewer."""
    from pwc_kg.queries import load_query
    from pwc_kg.serve.linked_data import LABELS

    store = ox.Store()
    s, o = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/o")
    store.add(ox.Quad(s, ox.NamedNode(PWC.model), o))
    for p in (*LABELS, PWC.description, SKOS.altLabel):
        store.add(ox.Quad(o, ox.NamedNode(p), ox.Literal(p)))
    said = {t.predicate.value for t in store.query(load_query("internal/linked-data-description").text,
                                                    substitutions={ox.Variable("s"): s}) if t.subject == o}
    assert said == set(LABELS)
