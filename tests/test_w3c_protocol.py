"""The SPARQL 1.1 Protocol, by the W3C's own tests (github w3c/rdf-tests, sparql/sparql11/protocol).

The suite is read from ``<repo>/../shared/conformance/sparql11-protocol`` (manifest.ttl and the
data files it names; see ../shared/conformance/SOURCE.txt); where that folder is absent its tests
skip with that reason. Every request of every test is sent as the manifest gives it (method, path,
headers, body in its character encoding) to a ``pwc-kg serve`` started here on a free loopback
port over a store that holds the suite's graphs (data1-3.nt, each in the named graph the
manifest's ``ut:graphData`` labels it with, their union as the default graph, as a build makes it).

- query tests (``query_*``): the status, format and boolean the manifest expects;
- bad-request tests (``bad_*``): a 4xx, as the manifest expects, and the status README documents;
- update tests (``update_*``): the endpoint is read-only, so the update is refused with 403
  ("SPARQL Update is refused: this endpoint is read-only") and the manifest's later queries see
  the store unchanged.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import signal
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection

from pwc_kg.store import StoreDir

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO.parent / "shared" / "conformance" / "sparql11-protocol"
ABSENT = f"the W3C SPARQL 1.1 Protocol suite is not at {SUITE} (see ../shared/conformance/SOURCE.txt)"
PWC_KG = str(Path(sys.executable).with_name("pwc-kg"))

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"

BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld"}

# What this endpoint answers each bad request with (README, "Serving it"); the manifest asks a 4xx.
BAD_STATUS = {
    "bad_query_method": 405,  # PUT
    "bad_multiple_queries": 400,
    "bad_query_wrong_media_type": 415,  # text/plain
    "bad_query_missing_form_type": 415,  # no Content-Type
    "bad_query_missing_direct_type": 415,
    "bad_query_non_utf8": 415,  # charset=UTF-16
    "bad_query_syntax": 400,
    "bad_update_get": 403,  # every update, well formed or not, is refused: read-only
    "bad_multiple_updates": 403,
    "bad_update_wrong_media_type": 415,
    "bad_update_missing_form_type": 415,
    "bad_update_non_utf8": 403,
    "bad_update_syntax": 403,
    "bad_update_dataset_conflict": 403,
}
READ_ONLY = b"SPARQL Update is refused: this endpoint is read-only"
COUNTS_LINE = "SPARQL 1.1 Protocol tests: {query} query, {bad} bad-request pass; {update} update tests refused as documented"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]  # "2xx", "4xx", ...
    boolean: bool | None = None
    format: str | None = None  # "boolean", "tabular", "RDF"


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[Request]
    graphs: dict[str, str] = field(default_factory=dict)  # graph IRI → data file

    @property
    def kind(self) -> str:
        return "bad" if self.name.startswith("bad_") else self.name.split("_")[0]


def read_manifest(folder: Path) -> list[ProtocolTest]:
    g = rdflib.Graph().parse(folder / "manifest.ttl", format="turtle", publicID=(folder / "manifest.ttl").as_uri())
    manifest = next(g.subjects(MF.entries, None))
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        name = str(entry).rsplit("#", 1)[1]
        graphs = {str(g.value(d, rdflib.RDFS.label)): Path(urllib.parse.urlsplit(str(g.value(d, UT.graph))).path).name
                  for d in g.objects(entry, UT.graphData)}
        requests = []
        for r in Collection(g, g.value(g.value(entry, MF.action), HT.requests)):
            headers = {}
            if g.value(r, HT.headers) is not None:
                for h in Collection(g, g.value(r, HT.headers)):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = None
            if (b := g.value(r, HT.body)) is not None:
                encoding = str(g.value(b, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(b, CNT.chars)).encode(encoding.lower())
            resp = g.value(r, HT.resp)
            statuses = {str(s).removeprefix(HTS) for s in g.objects(resp, MF.expectedStatus)}
            boolean = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            requests.append(Request(str(g.value(r, HT.methodName)), str(g.value(r, HT.absolutePath)), headers, body,
                                    statuses, None if boolean is None else boolean.toPython(),
                                    None if fmt is None else str(fmt)))
        tests.append(ProtocolTest(name, str(g.value(entry, MF.name)), requests, graphs))
    return tests


TESTS = read_manifest(SUITE) if (SUITE / "manifest.ttl").is_file() else []


def cases(kind: str):
    chosen = [pytest.param(t, id=t.name) for t in TESTS if t.kind == kind]
    return chosen or [pytest.param(None, id=f"{kind}-suite-absent", marks=pytest.mark.skip(reason=ABSENT))]


# --- the server ---------------------------------------------------------------------------------

class Served:
    def __init__(self, proc: subprocess.Popen, url: str):
        self.proc, self.url = proc, url
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port

    def send(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
        """(status, Content-Type without parameters, body): the request exactly as given, nothing added but Host
        and Content-Length (http.client adds no Content-Type of its own)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, (resp.getheader("Content-Type") or "").split(";")[0].strip(), resp.read()
        finally:
            conn.close()

    def sparql(self, query: str, path: str = "/sparql") -> dict:
        status, _, body = self.send("GET", path + "?" + urllib.parse.urlencode({"query": query}),
                                    {"Accept": "application/sparql-results+json"})
        assert status == 200, body
        return json.loads(body)


def build_suite_store(folder: Path, graphs: dict[str, str]) -> None:
    """A pwc-kg store holding each data file in its named graph, and their union as the default graph
    (what ``pwc-kg build`` makes: the default graph is the set union of the named graphs)."""
    store_dir = StoreDir(folder)
    with store_dir.lock():
        gen = store_dir.new_generation()
        store = ox.Store(str(gen / "db"))
        for graph, name in sorted(graphs.items()):
            if (SUITE / name).is_file():
                store.load(path=str(SUITE / name), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        store.extend([ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                      for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)])
        store.flush()
        del store
        (gen / "build.json").write_text(json.dumps({"base_iri": "http://example.org/pwc-kg-protocol-test/"}))
        store_dir.publish(gen)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("protocol-store")
    graphs: dict[str, str] = {}
    for t in TESTS:
        graphs.update(t.graphs)
    build_suite_store(folder, graphs)
    proc = subprocess.Popen([PWC_KG, "serve", "--store", str(folder), "--port", "0", "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
        yield Served(proc, m[1])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- checking an answer -------------------------------------------------------------------------

def check_answer(req: Request, status: int, ctype: str, body: bytes) -> None:
    assert f"{status // 100}xx" in req.statuses, (req.method, req.path, status, body[:300])
    if req.format in ("boolean", "tabular") or req.boolean is not None:
        allowed = BOOLEAN_TYPES if req.format == "boolean" or req.boolean is not None else TABULAR_TYPES
        assert ctype in allowed, ctype
        answer = parse_results(ctype, body)
        if req.boolean is not None:
            assert answer == req.boolean
        elif req.format == "tabular":
            assert isinstance(answer, list)
    elif req.format == "RDF":
        assert ctype in RDF_TYPES, ctype
        rdflib.Graph().parse(data=body, format=RDF_TYPES[ctype])  # well formed in the format it says


def parse_results(ctype: str, body: bytes):
    """A boolean for ASK, a list of rows for SELECT."""
    if ctype == "application/sparql-results+json":
        doc = json.loads(body)
        return doc["boolean"] if "boolean" in doc else doc["results"]["bindings"]
    if ctype == "application/sparql-results+xml":
        root = ET.fromstring(body)
        ns = "{http://www.w3.org/2005/sparql-results#}"
        b = root.find(f"{ns}boolean")
        return b.text.strip() == "true" if b is not None else root.findall(f"{ns}results/{ns}result")
    delimiter = "\t" if ctype == "text/tab-separated-values" else ","
    return list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter=delimiter))[1:]


def still_holds_the_suite_data(served: Served) -> bool:
    graph = "http://kasei.us/2009/09/sparql/data/data1.rdf"
    return served.sparql(f"ASK {{ GRAPH <{graph}> {{ <{graph}> a <{FOAF_DOCUMENT}> }} }}")["boolean"]


# --- the suite ------------------------------------------------------------------------------------

@pytest.mark.parametrize("test", cases("query"))
def test_protocol_query(served, test):
    for req in test.requests:
        check_answer(req, *served.send(req.method, req.path, req.headers, req.body))


@pytest.mark.parametrize("test", cases("bad"))
def test_protocol_bad_request(served, test):
    for req in test.requests:
        status, _, body = served.send(req.method, req.path, req.headers, req.body)
        assert f"{status // 100}xx" in req.statuses and status == BAD_STATUS[test.name], (status, body)
        assert body.strip(), "a refusal says why"
    assert still_holds_the_suite_data(served)


@pytest.mark.parametrize("test", cases("update"))
def test_protocol_update_is_refused_as_documented(served, test):
    """The endpoint is read-only: the update gets 403 and never runs; the manifest's later requests (queries
    that would see what the update wrote) are answered, and see the store as it was."""
    first, *later = test.requests
    status, _, body = served.send(first.method, first.path, first.headers, first.body)
    assert status == 403 and READ_ONLY in body, (status, body)
    for req in later:
        status, ctype, body = served.send(req.method, req.path, req.headers, req.body)
        assert status == 200 and parse_results(ctype, body) is False, body  # what the update would have written is not there
    assert still_holds_the_suite_data(served)


def test_readme_reports_the_protocol_counts():
    if not TESTS:
        pytest.skip(ABSENT)
    counts = {kind: sum(t.kind == kind for t in TESTS) for kind in ("query", "bad", "update")}
    assert counts["query"] + counts["bad"] + counts["update"] == len(TESTS)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert COUNTS_LINE.format(**counts) in readme


# --- regressions (issue 14) ---------------------------------------------------------------------

def test_relative_iri_in_a_query_resolves_against_the_endpoint_url(served):
    """A query with a relative IRI failed ('IRI parsing failed': no base IRI was given to the store)."""
    row = served.sparql("SELECT (STR(<s>) AS ?x) WHERE {}")["results"]["bindings"][0]
    assert row["x"]["value"] == served.url + "s"  # <s> against http://HOST:PORT/sparql
    row = served.sparql("BASE <http://example.org/a/> SELECT (STR(<s>) AS ?x) WHERE {}")["results"]["bindings"][0]
    assert row["x"]["value"] == "http://example.org/a/s"  # the query's own BASE first
    status, ctype, body = served.send("POST", "/sparql", {"Content-Type": "application/sparql-query"},
                                      b"CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert status == 200 and ctype == "text/turtle", body
    assert (rdflib.URIRef(served.url + "s"), rdflib.URIRef(served.url + "p"), rdflib.Literal(1)) in \
        rdflib.Graph().parse(data=body, format="turtle")


def test_sparql_with_a_trailing_slash_is_the_endpoint(served):
    """/sparql/ was 404."""
    assert served.sparql("ASK {}", path="/sparql/")["boolean"] is True
    status, ctype, body = served.send("GET", "/sparql/", {"Accept": "text/turtle"})
    assert status == 200 and ctype == "text/turtle" and b"sparql-service-description" in body
