"""``pwc-kg export`` (issue 5 §1, and ``--profile`` of §3): dumps that third-party parsers accept and
that give back exactly the store's quads, their VoID/DCAT descriptions, and failures that leave nothing.

Every format is written from the ``lamini_store`` and ``sota_store`` fixtures and read back by rapper
(Debian's raptor2-utils; it reads no JSON-LD) and by rdflib, and JSON-LD by pyoxigraph too; the
reference is the store itself, dumped by pyoxigraph's own serialiser (not the exporter).
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

import pwc_kg
from pwc_kg.cli import main
from pwc_kg.export import dump as dump_module
from pwc_kg.export import export
from pwc_kg.export.jsonld import CONTEXT_IRI, load_context
from pwc_kg.export.profile import Profile
from pwc_kg.export.stream import Block
from pwc_kg.export.void import class_counts
from pwc_kg.queries.binding import bind_values
from pwc_kg.vocab import PWC, PWC_NS

from conftest import LAMINI, LAMINI_TITLE

FORMATS = ["nq", "trig", "jsonld", "nt", "ttl"]
RAPPER = {"nq": "nquads", "trig": "trig", "nt": "ntriples", "ttl": "turtle"}
RDFLIB = {"nq": "nquads", "trig": "trig", "jsonld": "json-ld", "nt": "nt", "ttl": "turtle"}
DATASET_FORMATS = {"nq", "trig", "jsonld"}
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
CC = rdflib.Namespace("http://creativecommons.org/ns#")
MLS = "http://www.w3.org/ns/mls#"
SCHEMA = "http://schema.org/"
BASE = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/2002/07/owl#")
EXPECTED = list(csv.DictReader((LAMINI / "expected-results.tsv").open(encoding="utf-8"), delimiter="\t"))

needs_rapper = pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper (raptor2-utils) is not installed")


# ----------------------------------------------------------------------------------------- helpers


def by_graph(ds: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    out: dict[str, rdflib.Graph] = {}
    for s, p, o, g in ds.quads():
        name = str(g.identifier if isinstance(g, rdflib.Graph) else g)
        out.setdefault(name, rdflib.Graph()).add((s, p, o))
    return out


def same_graph(a: rdflib.Graph, b: rdflib.Graph) -> bool:
    """The same triples; those with blank nodes (the ontology's OWL lists) matched by isomorphism."""
    def split(g: rdflib.Graph) -> tuple[set, rdflib.Graph]:
        ground, blank = set(), rdflib.Graph()
        for triple in g:
            if any(isinstance(t, rdflib.BNode) for t in triple):
                blank.add(triple)
            else:
                ground.add(triple)
        return ground, blank

    (ground_a, blank_a), (ground_b, blank_b) = split(a), split(b)
    return ground_a == ground_b and isomorphic(blank_a, blank_b)


def same_dataset(a: dict[str, rdflib.Graph], b: dict[str, rdflib.Graph]) -> bool:
    return a.keys() == b.keys() and all(same_graph(a[k], b[k]) for k in a)


def merge(graphs: dict[str, rdflib.Graph]) -> rdflib.Graph:
    out = rdflib.Graph()
    for g in graphs.values():
        for t in g:
            out.add(t)
    return out


def read_back(path: str | Path, fmt: str):
    """The file as rdflib reads it: graphs by name for a dataset format, one graph otherwise."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if fmt in DATASET_FORMATS:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=RDFLIB[fmt])
        return by_graph(ds)
    return rdflib.Graph().parse(data=data, format=RDFLIB[fmt])


def named_quads(store: ox.Store) -> list:
    """The store's named graphs: what a dump holds (the default graph is their union, left out)."""
    return [q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)]


@pytest.fixture(scope="module")
def reference(lamini_store, sota_store):
    """Each fixture store's quads, as pyoxigraph's own N-Quads serialiser writes them, read by rdflib."""
    out = {}
    for name, store_dir in (("lamini", lamini_store), ("sota", sota_store)):
        ds = rdflib.Dataset()
        ds.parse(data=ox.serialize(named_quads(pwc_kg.open_store(store_dir).store), format=ox.RdfFormat.N_QUADS),
                 format="nquads")
        out[name] = by_graph(ds)
    return out


@pytest.fixture(scope="module")
def exports(lamini_store, sota_store, tmp_path_factory):
    """Every format of both fixture stores, exported once."""
    folder = tmp_path_factory.mktemp("exports")
    return {(name, fmt): export(store_dir, folder / f"{name}.{fmt}")
            for name, store_dir in (("lamini", lamini_store), ("sota", sota_store)) for fmt in FORMATS}


def void_of(report) -> rdflib.Graph:
    return rdflib.Graph().parse(report.void_path, format="turtle")


def dataset_node(void: rdflib.Graph):
    (ds,) = set(void.subjects(VOID.dataDump, None))
    return ds


# ------------------------------------------------------------------------------ third-party parsers


@needs_rapper
@pytest.mark.parametrize("store", ["lamini", "sota"])
@pytest.mark.parametrize("fmt", ["nq", "trig", "nt", "ttl"])
def test_rapper_accepts_every_format(exports, store, fmt):
    report = exports[(store, fmt)]
    out = subprocess.run(["rapper", "-i", RAPPER[fmt], "-c", report.path], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert f"returned {report.statements} triples" in out.stderr
    void = subprocess.run(["rapper", "-i", "turtle", "-c", report.void_path], capture_output=True, text=True)
    assert void.returncode == 0, void.stderr


@pytest.mark.slow  # rdflib parses every dump of both stores (the quick run keeps rapper on the nq, trig, nt, ttl dumps)
@pytest.mark.parametrize("store", ["lamini", "sota"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_rdflib_reads_back_exactly_the_stores_quads(exports, reference, store, fmt):
    got = read_back(exports[(store, fmt)].path, fmt)
    if fmt in DATASET_FORMATS:
        assert same_dataset(got, reference[store])
        assert sum(len(g) for g in got.values()) == exports[(store, fmt)].statements
    else:  # the merge of the named graphs: a triple that several graphs hold, once
        assert same_graph(got, merge(reference[store]))
        assert len(got) == exports[(store, fmt)].statements


def oxigraph_quads(quads) -> tuple[set[str], rdflib.Dataset]:
    """Quads without blank nodes as N-Quads lines; those with blank nodes as an rdflib Dataset (to compare by isomorphism)."""
    ground, blank = set(), []
    for q in quads:
        (blank.append(q) if any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name)) else ground.add(str(q)))
    ds = rdflib.Dataset()
    ds.parse(data=ox.serialize(blank, format=ox.RdfFormat.N_QUADS), format="nquads")
    return ground, ds


@pytest.mark.parametrize("store", ["lamini", "sota"])
def test_pyoxigraph_reads_the_json_ld_back_to_the_same_quads(exports, store, lamini_store, sota_store):
    parsed = ox.Store()
    parsed.load(path=exports[(store, "jsonld")].path, format=ox.RdfFormat.JSON_LD)
    ground, blank = oxigraph_quads(parsed)
    want_ground, want_blank = oxigraph_quads(named_quads(pwc_kg.open_store(lamini_store if store == "lamini" else sota_store).store))
    assert ground == want_ground and len(ground) > 1000
    assert same_dataset(by_graph(blank), by_graph(want_blank))


def test_the_json_ld_is_compacted_with_the_ontology_context(exports):
    doc = json.loads(Path(exports[("lamini", "jsonld")].path).read_text(encoding="utf-8"))
    assert doc["@context"] == load_context()  # embedded: a reader without network expands it
    nodes = [n for g in doc["@graph"] for n in g["@graph"]]
    results = [n for n in nodes if n.get("@type") == "EvaluationResult"]
    assert len(results) == 44
    assert all({"value", "metric", "model", "benchmark", "reportedIn"} <= n.keys() for n in results)
    assert all(isinstance(n["value"], str) and Decimal(n["value"]) for n in results)  # coerced by the term
    assert not any(k.startswith(PWC_NS) for n in nodes for k in n)
    paper = next(n for n in nodes if n.get("title") == LAMINI_TITLE and n.get("arxivPage"))
    assert paper["arxivPage"] == "https://arxiv.org/abs/2304.14402" and paper["@type"] == "Paper"


@pytest.mark.slow  # rdflib expands a whole JSON-LD dump
def test_a_json_ld_that_links_its_context_expands_to_the_same_quads(lamini_store, reference, tmp_path):
    report = export(lamini_store, tmp_path / "linked.jsonld", link_context=True)
    doc = json.loads(Path(report.path).read_text(encoding="utf-8"))
    assert doc["@context"] == CONTEXT_IRI
    doc["@context"] = load_context()  # what a reader fetches from the published IRI
    ds = rdflib.Dataset()
    ds.parse(data=json.dumps(doc), format="json-ld")
    assert same_dataset(by_graph(ds), reference["lamini"])
    void = void_of(report)
    assert (rdflib.URIRef(Path(report.path).resolve().as_uri()), DCTERMS.conformsTo, rdflib.URIRef(CONTEXT_IRI)) in void


def test_turtle_and_trig_declare_the_prefixes(exports):
    for fmt in ("ttl", "trig"):
        text = Path(exports[("lamini", fmt)].path).read_text(encoding="utf-8")
        head = text[: text.index("\n\n") if "\n\n" in text else 3000]
        for prefix in ("pwc:", "schema:", "xsd:", "paper:", "result:"):
            assert f"@prefix {prefix} <" in head, (fmt, prefix)
        assert "pwc:EvaluationResult" in text and "<https://w3id.org/pwc-kg/ontology#" not in text.split("@prefix")[-1]


def test_a_triple_that_several_graphs_hold_is_written_once_in_the_merge(exports, reference):
    lamini = reference["lamini"]
    counts: dict = {}
    for g in lamini.values():
        for t in g:
            counts[t] = counts.get(t, 0) + 1
    shared = [t for t, n in counts.items() if n > 1 and not any(isinstance(x, rdflib.BNode) for x in t)]
    assert shared  # e.g. a paper typed in the papers file and in the code links file
    lines = Path(exports[("lamini", "nt")].path).read_text(encoding="utf-8").splitlines()
    s, p, o = shared[0]
    assert sum(1 for line in lines if line.startswith(f"{s.n3()} {p.n3()} {o.n3()} ")) == 1


def test_an_export_is_deterministic(lamini_store, exports, tmp_path):
    again = export(lamini_store, tmp_path / "again.nq")
    assert again.sha256 == exports[("lamini", "nq")].sha256


# ------------------------------------------------------------------------------------ gzip, --graph


def test_gzip_compresses_while_writing_to_the_same_bytes(sota_store, exports, tmp_path):
    report = export(sota_store, tmp_path / "sota.nq", gzip=True)
    raw = Path(report.path).read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw) == Path(exports[("sota", "nq")].path).read_bytes()
    void = void_of(report)
    dist = rdflib.URIRef(Path(report.path).resolve().as_uri())
    assert (dist, DCAT.compressFormat, rdflib.URIRef("https://www.iana.org/assignments/media-types/application/gzip")) in void
    assert int(void.value(dist, DCAT.byteSize)) == len(raw)
    # .gz in the name: gzip without being asked, the format from the extension
    guessed = export(sota_store, tmp_path / "sota.ttl.gz")
    assert guessed.gzip and guessed.format == "ttl"
    assert gzip.decompress(Path(guessed.path).read_bytes()) == Path(exports[("sota", "ttl")].path).read_bytes()


def test_graph_exports_only_that_named_graph(lamini_store, reference, tmp_path):
    base = "https://w3id.org/pwc-kg/resource/graph/"
    tables, papers = base + "source/evaluation-tables.json", base + "source/papers-with-abstracts.json"
    one = export(lamini_store, tmp_path / "one.nq", graphs=[tables])
    got = read_back(one.path, "nq")
    assert list(got) == [tables] and same_graph(got[tables], reference["lamini"][tables])
    two = export(lamini_store, tmp_path / "two.trig", graphs=[tables, papers, tables])
    got = read_back(two.path, "trig")
    assert got.keys() == {tables, papers} and all(same_graph(got[k], reference["lamini"][k]) for k in got)
    merged = export(lamini_store, tmp_path / "two.nt", graphs=[tables, papers])
    assert same_graph(read_back(merged.path, "nt"), merge({k: reference["lamini"][k] for k in (tables, papers)}))
    void = void_of(two)
    ds = dataset_node(void)
    assert {str(s) for s in void.objects(ds, VOID.subset) if (s, RDF.type, VOID.Linkset) not in void} == {tables, papers}
    assert two.statements == sum(len(reference["lamini"][k]) for k in (tables, papers))  # quads written
    # void:triples counts distinct triples: one the two graphs both hold, once
    assert int(void.value(ds, VOID.triples)) == len(set(reference["lamini"][tables]) | set(reference["lamini"][papers]))


# ------------------------------------------------------------------------------------------- VoID


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_void_description_matches_the_file(exports, lamini_store, fmt):
    report = exports[("lamini", fmt)]
    void = void_of(report)
    ds = dataset_node(void)
    path = Path(report.path)
    dist = rdflib.URIRef(path.resolve().as_uri())
    got = read_back(path, fmt)
    # void:triples counts distinct triples (a dataset format repeats a triple in each graph that holds it)
    statements = len({t for g in got.values() for t in g}) if fmt in DATASET_FORMATS else len(got)
    assert int(void.value(ds, VOID.triples)) == statements
    if fmt in DATASET_FORMATS:  # and each named graph's own, which add up to the quads of the file
        subsets = [s for s in void.objects(ds, VOID.subset) if (s, RDF.type, VOID.Linkset) not in void]
        assert sum(int(void.value(s, VOID.triples)) for s in subsets) == sum(len(g) for g in got.values()) > statements
    checksum = void.value(dist, SPDX.checksum)
    assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert int(void.value(dist, DCAT.byteSize)) == path.stat().st_size
    assert (ds, VOID.dataDump, dist) in void and (ds, DCAT.distribution, dist) in void
    media = {"nq": "application/n-quads", "trig": "application/trig", "jsonld": "application/ld+json",
             "nt": "application/n-triples", "ttl": "text/turtle"}[fmt]
    assert void.value(dist, DCAT.mediaType) == rdflib.URIRef("https://www.iana.org/assignments/media-types/" + media)
    # licence and attribution
    licence = rdflib.URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
    assert (ds, DCTERMS.license, licence) in void and (dist, DCTERMS.license, licence) in void
    assert str(void.value(ds, CC.attributionName)) == "Papers With Code"
    assert void.value(ds, DCTERMS.source) == rdflib.URIRef("https://paperswithcode.com/")
    # entities per class and triples per property, as the store counts them
    classes = {str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities)) for p in void.objects(ds, VOID.classPartition)}
    assert classes == class_counts(pwc_kg.open_store(lamini_store).store)
    assert classes[PWC.EvaluationResult] == 44
    props = {str(void.value(p, VOID.property)): int(void.value(p, VOID.triples)) for p in void.objects(ds, VOID.propertyPartition)}
    assert sum(props.values()) == statements and int(void.value(ds, VOID.properties)) == len(props)
    triples = [t for g in (got.values() if fmt in DATASET_FORMATS else [got]) for t in g]
    assert int(void.value(ds, VOID.distinctSubjects)) == len({s for s, _, _ in triples})
    vocabularies = {str(v) for v in void.objects(ds, VOID.vocabulary)}
    assert {PWC_NS, "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#"} <= vocabularies
    assert str(void.value(ds, rdflib.OWL.versionInfo)).startswith("gen-")
    assert (ds, rdflib.namespace.PROV.wasGeneratedBy, None) in void


def test_the_description_names_the_sparql_endpoint_and_the_download_url(lamini_store, tmp_path):
    report = export(lamini_store, tmp_path / "l.nq", endpoint="https://example.org/sparql",
                    download_url="https://example.org/dumps/l.nq", dataset_iri="https://example.org/dataset/pwc-kg")
    void = void_of(report)
    ds = rdflib.URIRef("https://example.org/dataset/pwc-kg")
    assert (ds, VOID.sparqlEndpoint, rdflib.URIRef("https://example.org/sparql")) in void
    assert (ds, VOID.dataDump, rdflib.URIRef("https://example.org/dumps/l.nq")) in void


# ---------------------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("fmt", ["nq", "nt", "jsonld"])
def test_the_file_is_written_while_the_store_is_read(sota_store, tmp_path, monkeypatch, fmt):
    """Streaming: bytes reach the file while blocks are still being read, not all at the end."""
    pulled = [0]
    written: list[tuple[int, int]] = []  # (blocks read so far, bytes written so far)

    def counting(blocks_of):
        def wrapped(*args, **kwargs):
            for block in blocks_of(*args, **kwargs):
                pulled[0] += 1
                yield block
        return wrapped

    monkeypatch.setattr(dump_module, "graph_blocks", counting(dump_module.graph_blocks))
    monkeypatch.setattr(dump_module, "merged_blocks", counting(dump_module.merged_blocks))
    original = dump_module._Digest.write

    def write(self, b):
        n = original(self, b)
        written.append((pulled[0], self.size))
        return n

    monkeypatch.setattr(dump_module._Digest, "write", write)
    report = export(sota_store, tmp_path / f"s.{fmt}")
    total_blocks = pulled[0]
    half = max(size for blocks, size in written if blocks <= total_blocks // 2)
    assert half >= report.bytes // 4, (half, report.bytes)
    assert len({blocks for blocks, _ in written}) > 20


# --------------------------------------------------------------------------------------- failures


def no_files_but(folder: Path, *keep: str) -> bool:
    return sorted(p.name for p in folder.iterdir()) == sorted(keep)


def test_a_graph_the_store_does_not_have_fails_and_writes_nothing(lamini_store, tmp_path, capsys):
    out = tmp_path / "x.nq"
    assert main(["export", "--store", str(lamini_store), "--out", str(out), "--graph", "https://example.org/none"]) == 2
    err = capsys.readouterr().err
    assert "--graph: the store has no named graph https://example.org/none" in err
    assert "graph/source/evaluation-tables.json" in err  # says what it has
    assert no_files_but(tmp_path)
    assert main(["export", "--store", str(lamini_store), "--out", str(out), "--graph", "not an IRI"]) == 2
    assert "not an IRI" in capsys.readouterr().err and no_files_but(tmp_path)


def test_an_unwritable_path_fails_and_names_it(lamini_store, tmp_path, capsys):
    missing = tmp_path / "no-such-folder" / "x.nq"
    assert main(["export", "--store", str(lamini_store), "--out", str(missing)]) == 2
    assert f"--out: the folder {missing.parent} does not exist" in capsys.readouterr().err
    (tmp_path / "a-folder.nq").mkdir()
    assert main(["export", "--store", str(lamini_store), "--out", str(tmp_path / "a-folder.nq")]) == 2
    assert "a-folder.nq" in capsys.readouterr().err
    assert no_files_but(tmp_path, "a-folder.nq") and not any((tmp_path / "a-folder.nq").iterdir())
    assert main(["export", "--store", str(lamini_store), "--out", str(tmp_path / "x.txt")]) == 2
    assert "--format" in capsys.readouterr().err and no_files_but(tmp_path, "a-folder.nq")


def test_a_failure_while_writing_leaves_the_previous_file_and_no_partial_one(lamini_store, tmp_path, monkeypatch):
    out = tmp_path / "l.nq"
    out.write_text("the previous export\n")
    original = dump_module._Digest.write

    def disk_full(self, b):
        if self.size > 20_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, b)

    monkeypatch.setattr(dump_module._Digest, "write", disk_full)
    with pytest.raises(dump_module.ExportError, match=r"l\.nq.*No space left on device"):
        export(lamini_store, out)
    assert out.read_text() == "the previous export\n"
    assert no_files_but(tmp_path, "l.nq")


def test_the_cli_writes_the_file_and_its_description(lamini_store, tmp_path, capsys):
    out = tmp_path / "l.ttl"
    assert main(["export", "--store", str(lamini_store), "--out", str(out), "--format", "ttl", "--gzip"]) == 0
    said = capsys.readouterr().out
    assert f"wrote {out}" in said and "sha256" in said and f"{out}.void.ttl" in said
    assert no_files_but(tmp_path, "l.ttl", "l.ttl.void.ttl") and out.read_bytes()[:2] == b"\x1f\x8b"


# ------------------------------------------------------------------------------------------ profiles


def profile_store(report) -> ox.Store:
    store = ox.Store()
    store.load(path=report.path, format=ox.RdfFormat.N_TRIPLES if report.format == "nt" else ox.RdfFormat.TURTLE)
    return store


def expected_rows() -> set[tuple]:
    return {(r["task"], r["dataset"], r["metric"], Decimal(r["value"]), r["model"]) for r in EXPECTED}


def test_a_query_in_schema_org_terms_gets_the_lamini_results(lamini_store, tmp_path):
    report = export(lamini_store, tmp_path / "schema.ttl", profile="schema")
    store = profile_store(report)
    query = f"""PREFIX schema: <{SCHEMA}>
    SELECT ?r ?task ?dataset ?metric ?value ?model WHERE {{
      ?paper a schema:ScholarlyArticle ; schema:name ?title .
      ?r a schema:Observation ; schema:citation ?paper ; schema:value ?value ; schema:observationAbout ?m ;
         schema:variableMeasured ?mt ; schema:isPartOf ?b .
      ?b schema:about ?t ; schema:isBasedOn ?d .
      ?t schema:name ?task . ?d schema:name ?dataset . ?mt schema:name ?metric . ?m schema:name ?model .
    }}"""
    found = list(store.query(bind_values(query, {"title": ox.Literal(LAMINI_TITLE)})))
    rows = {(r["task"].value, r["dataset"].value, r["metric"].value, Decimal(r["value"].value), r["model"].value)
            for r in found}
    assert expected_rows() <= rows  # a dataset has each of its names (WiC, Words in Context)
    assert len({r["r"] for r in found}) == len(EXPECTED) == 44
    assert {(t, m, v, mo) for t, _, m, v, mo in rows} == {(t, m, v, mo) for t, _, m, v, mo in expected_rows()}


def test_a_query_in_ml_schema_terms_gets_the_lamini_results(lamini_store, tmp_path):
    """ML-Schema has no term for a benchmark's task; the benchmark (an mls:Task defined on its dataset)
    is named "TASK on DATASET"."""
    report = export(lamini_store, tmp_path / "mls.nt", profile="mls")
    store = profile_store(report)
    query = f"""PREFIX mls: <{MLS}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?r ?benchmark ?dataset ?metric ?value ?model WHERE {{
      ?r a mls:ModelEvaluation ; mls:hasValue ?value ; mls:specifiedBy ?b, ?mt, ?m .
      ?b a mls:Task ; mls:definedOn ?d ; rdfs:label ?benchmark .
      ?d a mls:Dataset ; rdfs:label ?dataset .
      ?mt a mls:EvaluationMeasure ; rdfs:label ?metric .
      ?m a mls:Model ; rdfs:label ?model .
    }}"""
    found = list(store.query(query))
    assert len({r["r"] for r in found}) == 44
    rows = {(r["benchmark"].value, r["dataset"].value, r["metric"].value, Decimal(r["value"].value), r["model"].value)
            for r in found}
    want = {(f"{t} on {d}", d, m, v, mo) for t, d, m, v, mo in expected_rows()}
    assert want <= rows
    assert {(b, m, v, mo) for b, _, m, v, mo in rows} == {(b, m, v, mo) for b, _, m, v, mo in want}


@pytest.mark.parametrize("profile, namespace", [("schema", SCHEMA), ("mls", MLS)])
def test_a_profile_export_holds_only_standard_terms(lamini_store, tmp_path, profile, namespace):
    report = export(lamini_store, tmp_path / f"{profile}.nq", profile=profile)
    ds = rdflib.Dataset()
    ds.parse(report.path, format="nquads")
    quads = list(ds.quads())
    assert len(quads) == report.statements > 300
    for s, p, o, g in quads:
        assert str(p).startswith((namespace, *BASE)), p
        if p == RDF.type:
            assert str(o).startswith((namespace, *BASE)), o
        assert not any(str(t).startswith(PWC_NS) for t in (s, p, o)), (s, p, o)
    graphs = {str(g.identifier if isinstance(g, rdflib.Graph) else g) for *_, g in quads}
    assert not any(g.endswith("/graph/ontology") for g in graphs)  # the ontology describes pwc terms: left out
    void = void_of(report)
    ds_node = dataset_node(void)
    assert {str(v) for v in void.objects(ds_node, VOID.vocabulary)} <= {namespace, *BASE}
    assert (ds_node, DCTERMS.conformsTo, rdflib.URIRef(namespace)) in void
    classes = {str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))
               for p in void.objects(ds_node, VOID.classPartition)}
    typed: dict[str, set] = {}
    for s, p, o, g in quads:
        if p == RDF.type:
            typed.setdefault(str(o), set()).add(s)
    assert classes == {c: len(s) for c, s in typed.items()}
    assert int(void.value(ds_node, VOID.distinctSubjects)) == len({s for s, *_ in quads})


def test_a_profile_follows_the_ontologys_alignment_axioms():
    """Not a table of its own: change an axiom and the profile changes."""
    onto = ox.NamedNode("https://example.org/onto")
    store = ox.Store()
    store.load(input=f"""@prefix pwc: <{PWC_NS}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix schema: <{SCHEMA}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        pwc:Paper rdfs:subClassOf schema:CreativeWork .
        pwc:title owl:equivalentProperty pwc:heading . pwc:heading rdfs:subPropertyOf schema:headline .
        """.encode(), format=ox.RdfFormat.TURTLE, to_graph=onto)
    profile = Profile.from_store("schema", store, onto.value)
    paper = ox.NamedNode("https://example.org/paper/1")
    block = Block(None, paper, [(ox.NamedNode(RDF.type), ox.NamedNode(PWC.Paper)),
                                (ox.NamedNode(PWC.title), ox.Literal("A title")),
                                (ox.NamedNode(PWC.abstract), ox.Literal("not aligned here: left out"))])
    restated = profile.restate(block)
    assert restated.statements == [(ox.NamedNode(RDF.type), ox.NamedNode(SCHEMA + "CreativeWork")),
                                   (ox.NamedNode(SCHEMA + "headline"), ox.Literal("A title"))]
    mls = Profile.from_store("mls", store, onto.value)
    assert mls.restate(block) is None  # nothing of it is in ML-Schema terms under these axioms
    with pytest.raises(ValueError, match="no ontology graph"):
        Profile.from_store("schema", store, "https://example.org/none")


def test_a_profile_cannot_export_only_the_ontology(lamini_store, tmp_path, capsys):
    onto = "https://w3id.org/pwc-kg/resource/graph/ontology"
    assert main(["export", "--store", str(lamini_store), "--out", str(tmp_path / "o.nq"), "--graph", onto,
                 "--profile", "mls"]) == 2
    err = capsys.readouterr().err
    assert "--graph: " in err and "a profile leaves it out" in err and no_files_but(tmp_path)


def test_the_python_api_exports_too(lamini_store, exports, tmp_path):
    report = pwc_kg.open_store(lamini_store).export(tmp_path / "api.nt")
    assert report.statements == exports[("lamini", "nt")].statements
    assert Path(report.path).read_bytes() == Path(exports[("lamini", "nt")].path).read_bytes()
