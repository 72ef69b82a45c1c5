#!/usr/bin/env python3
"""The naive pipeline: what a user would otherwise write to get the archive into a triple store.

    python bench/bench_naive.py build ARCHIVE_DIR --store DIR [--keep-nt]
    python bench/bench_naive.py query {sota,leaderboard,history,sota_all} --store DIR [--pick JSON] [--runs 30]

``build``: each archive file is read whole with ``json.load``; every fact is added to an in-memory
rdflib ``Graph`` one triple at a time; the graph is serialised to N-Triples; the N-Triples are
bulk-loaded into an on-disk pyoxigraph store (its fastest way in). It prints a JSON report: triples and
the seconds of each step.

What it maps: a fair subset of what pwc-kg maps, the same entities and every result value:
- papers (title, abstract, date as xsd:date, arXiv id, URLs, proceeding), their authors (by name),
  tasks and methods; code links as the paper's repositories, official or not, and their framework;
- methods (name, full name, description, year, source, collections and areas); datasets (name, full
  name, description, homepage, date, modalities, languages, tasks);
- the task tree (subtasks, areas), and one result node per metric value of every leaderboard row:
  task, dataset, metric, model, paper (by title and URL), date, extra-data flag, the raw value, and
  the value as an xsd:double where ``float()`` reads it.
IRIs are made from names with ``urllib.parse.quote``. What it leaves out, and pwc-kg does: value
quirks (percent, ``±``, ``1.5B``), name normalisation and joins (a leaderboard's paper and dataset
are only strings here), provenance, named graphs, rejects, validation, metric directions, and the
derived leaderboards. So it does less work than pwc-kg for each record.

``query``: a question as a user of this graph would write it by hand (SPARQL with ORDER BY, aggregates
and ``NOT EXISTS``; higher-is-better assumed, since nothing in the graph says otherwise), timed on one
benchmark (task, dataset and metric names, as ``bench_queries.py`` picks them): median and p95.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from pwc_kg.queries.binding import bind_values  # parameters as VALUES, never pasted into the query

BASE = "https://example.org/pwc-naive/"
EX = Namespace(BASE + "vocab#")
FILES = {
    "papers-with-abstracts": "papers",
    "links-between-papers-and-code": "code_links",
    "methods": "methods",
    "datasets": "datasets",
    "evaluation-tables": "tables",
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def node(kind: str, name: str) -> URIRef:
    return URIRef(f"{BASE}{kind}/{quote(name.strip(), safe='')}")


def text(g: Graph, s, p, value) -> None:
    if isinstance(value, str) and value.strip():
        g.add((s, p, Literal(value)))


def day(g: Graph, s, p, value) -> None:
    if isinstance(value, str) and DATE.match(value):
        g.add((s, p, Literal(value, datatype=XSD.date)))


def url(g: Graph, s, p, value) -> None:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        g.add((s, p, URIRef(quote(value, safe=":/?#[]@!$&'()*+,;=%~"))))


def slug(value: str | None) -> str | None:
    return value.rstrip("/").rsplit("/", 1)[-1] if isinstance(value, str) and value.strip() else None


def papers(g: Graph, records: list) -> None:
    for r in records:
        key = slug(r.get("paper_url")) or r.get("title")
        if not key:
            continue
        p = node("paper", key)
        g.add((p, RDF.type, EX.Paper))
        text(g, p, EX.title, r.get("title"))
        text(g, p, EX.abstract, r.get("abstract"))
        text(g, p, EX.arxivId, r.get("arxiv_id"))
        text(g, p, EX.proceeding, r.get("proceeding"))
        url(g, p, EX.urlAbs, r.get("url_abs"))
        url(g, p, EX.urlPdf, r.get("url_pdf"))
        day(g, p, EX.date, r.get("date"))
        for name in r.get("authors") or []:
            if isinstance(name, str) and name.strip():
                a = node("author", name)
                g.add((a, RDF.type, EX.Author))
                g.add((a, EX.name, Literal(name)))
                g.add((p, EX.author, a))
        for task in r.get("tasks") or []:
            if isinstance(task, str) and task.strip():
                g.add((p, EX.task, node("task", task)))
        for m in r.get("methods") or []:
            if isinstance(m, dict) and m.get("name"):
                g.add((p, EX.method, node("method", m["name"])))


def code_links(g: Graph, records: list) -> None:
    for r in records:
        key = slug(r.get("paper_url"))
        repo = r.get("repo_url")
        if not key or not isinstance(repo, str):
            continue
        p, c = node("paper", key), BNode()
        g.add((p, EX.codeLink, c))
        g.add((c, RDF.type, EX.CodeLink))
        url(g, c, EX.repository, repo)
        if isinstance(r.get("is_official"), bool):
            g.add((c, EX.official, Literal(r["is_official"])))
        text(g, c, EX.framework, r.get("framework"))


def methods(g: Graph, records: list) -> None:
    for r in records:
        if not r.get("name"):
            continue
        m = node("method", r["name"])
        g.add((m, RDF.type, EX.Method))
        text(g, m, EX.name, r.get("name"))
        text(g, m, EX.fullName, r.get("full_name"))
        text(g, m, EX.description, r.get("description"))
        url(g, m, EX.source, r.get("source_url"))
        if isinstance(r.get("introduced_year"), int):
            g.add((m, EX.year, Literal(r["introduced_year"])))
        paper = r.get("paper")
        if isinstance(paper, dict) and slug(paper.get("url")):
            g.add((m, EX.introducedIn, node("paper", slug(paper["url"]))))
        for c in r.get("collections") or []:
            if isinstance(c, dict) and c.get("collection"):
                coll = node("collection", c["collection"])
                g.add((m, EX.collection, coll))
                g.add((coll, EX.name, Literal(c["collection"])))
                if c.get("area"):
                    g.add((coll, EX.area, node("area", c["area"])))


def datasets(g: Graph, records: list) -> None:
    for r in records:
        if not r.get("name"):
            continue
        d = node("dataset", r["name"])
        g.add((d, RDF.type, EX.Dataset))
        for key, p in (("name", EX.name), ("full_name", EX.fullName), ("description", EX.description)):
            text(g, d, p, r.get(key))
        url(g, d, EX.homepage, r.get("homepage"))
        day(g, d, EX.introduced, r.get("introduced_date"))
        for key, p in (("modalities", EX.modality), ("languages", EX.language)):
            for v in r.get(key) or []:
                text(g, d, p, v)
        for t in r.get("tasks") or []:
            if isinstance(t, dict) and t.get("task"):
                g.add((d, EX.task, node("task", t["task"])))


def tables(g: Graph, records: list) -> None:
    def task(r: dict, parent) -> None:
        name = r.get("task")
        if not isinstance(name, str) or not name.strip():
            return
        t = node("task", name)
        g.add((t, RDF.type, EX.Task))
        g.add((t, EX.name, Literal(name)))
        text(g, t, EX.description, r.get("description"))
        if parent is not None and parent != t:
            g.add((t, EX.subtaskOf, parent))
        for c in r.get("categories") or []:
            if isinstance(c, str) and c.strip():
                g.add((t, EX.area, node("area", c)))
        for d in r.get("datasets") or []:
            dataset(d, t, "dataset")
        for sub in r.get("subtasks") or []:
            if isinstance(sub, dict):
                task(sub, t)

    def dataset(r, t, key: str) -> None:
        if not isinstance(r, dict) or not isinstance(r.get(key), str) or not r[key].strip():
            return
        d = node("dataset", r[key])
        g.add((d, EX.name, Literal(r[key])))
        sota = r.get("sota") or {}
        for row in sota.get("rows") or []:
            result_row(row, t, d)
        for sub in r.get("subdatasets") or []:
            dataset(sub, t, "subdataset")

    def result_row(row: dict, t, d) -> None:
        if not isinstance(row, dict) or not isinstance(row.get("metrics"), dict) or not row.get("model_name"):
            return
        model = node("model", row["model_name"])
        g.add((model, EX.name, Literal(row["model_name"])))
        for metric, raw in row["metrics"].items():
            if not metric.strip() or raw is None:
                continue
            m = node("metric", metric)
            g.add((m, EX.name, Literal(metric)))
            r = BNode()
            g.add((r, RDF.type, EX.Result))
            g.add((r, EX.task, t))
            g.add((r, EX.dataset, d))
            g.add((r, EX.metric, m))
            g.add((r, EX.model, model))
            g.add((r, EX.rawValue, Literal(str(raw))))
            try:
                g.add((r, EX.value, Literal(float(raw))))
            except (TypeError, ValueError):
                pass
            text(g, r, EX.paperTitle, row.get("paper_title"))
            url(g, r, EX.paperUrl, row.get("paper_url"))
            day(g, r, EX.date, row.get("paper_date"))
            g.add((r, EX.extraData, Literal(bool(row.get("uses_additional_data")))))

    for rec in records:
        if isinstance(rec, dict):
            task(rec, None)


MAPPERS = {"papers": papers, "code_links": code_links, "methods": methods, "datasets": datasets, "tables": tables}


def stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".json"):
        name = name.removesuffix(suffix)
    return name


def log(msg: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f}s] {msg}", file=sys.stderr, flush=True)


def build(archive: Path, store_dir: Path, keep_nt: bool = False) -> dict:
    started = time.perf_counter()
    seconds = {"json_load": 0.0, "graph": 0.0}
    g = Graph()
    for path in sorted(archive.iterdir()):
        kind = FILES.get(stem(path))
        if kind is None or not path.name.endswith((".json", ".json.gz")):
            continue
        t0 = time.perf_counter()
        with (gzip.open(path, "rt", encoding="utf-8") if path.name.endswith(".gz") else open(path, encoding="utf-8")) as f:
            records = json.load(f)
        t1 = time.perf_counter()
        log(f"{path.name}: {len(records)} records read", started)
        MAPPERS[kind](g, records)
        del records
        seconds["json_load"] += t1 - t0
        seconds["graph"] += time.perf_counter() - t1
        log(f"{path.name}: mapped, the graph holds {len(g)} triples", started)
    triples = len(g)
    t0 = time.perf_counter()
    store_dir.mkdir(parents=True, exist_ok=True)
    nt = store_dir.parent / (store_dir.name + ".nt")
    g.serialize(destination=str(nt), format="nt", encoding="utf-8")
    seconds["serialise"] = time.perf_counter() - t0
    log(f"serialised to {nt.name}", started)
    del g
    t0 = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    seconds["load"] = time.perf_counter() - t0
    loaded = len(store)
    nt_bytes = nt.stat().st_size
    if not keep_nt:
        nt.unlink()
    return {"triples": triples, "loaded": loaded, "nt_bytes": nt_bytes,
            "seconds": {k: round(v, 2) for k, v in seconds.items()}}


# ----------------------------------------------------------------------------- the questions, written by hand

PREFIX = f"PREFIX ex: <{EX}>\n"
_BENCHMARK = """?t ex:name ?taskName . ?d ex:name ?datasetName . ?m ex:name ?metricName .
  ?r ex:task ?t ; ex:dataset ?d ; ex:metric ?m ; ex:value ?value ; ex:model ?model ."""
QUERIES = {
    "sota": PREFIX + "SELECT ?modelName ?value WHERE { " + _BENCHMARK + """
  ?model ex:name ?modelName } ORDER BY DESC(?value) LIMIT 1""",
    "leaderboard": PREFIX + "SELECT ?modelName ?value ?date WHERE { " + _BENCHMARK + """
  ?model ex:name ?modelName OPTIONAL { ?r ex:date ?date } } ORDER BY DESC(?value)""",
    "history": PREFIX + "SELECT ?date ?modelName ?value WHERE { " + _BENCHMARK + """
  ?r ex:date ?date . ?model ex:name ?modelName
  FILTER NOT EXISTS { ?r2 ex:task ?t ; ex:dataset ?d ; ex:metric ?m ; ex:value ?v2 ; ex:date ?d2
                      FILTER(?d2 < ?date && ?v2 >= ?value) } } ORDER BY ?date""",
    "sota_all": PREFIX + """SELECT ?t ?d ?m ?best (SAMPLE(?model) AS ?leader) WHERE {
  { SELECT ?t ?d ?m (MAX(?v) AS ?best) WHERE { ?r ex:task ?t ; ex:dataset ?d ; ex:metric ?m ; ex:value ?v }
    GROUP BY ?t ?d ?m }
  ?r ex:task ?t ; ex:dataset ?d ; ex:metric ?m ; ex:value ?best ; ex:model ?model } GROUP BY ?t ?d ?m ?best""",
}


def timed(fn, runs: int, warm: bool = True) -> dict:
    if warm:
        fn()  # first run: caches warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2)}


def run(store: ox.Store, name: str, pick: dict | None = None) -> int:
    query = QUERIES[name]
    if pick:
        query = bind_values(query, {"taskName": ox.Literal(pick["task"]), "datasetName": ox.Literal(pick["dataset"]),
                                    "metricName": ox.Literal(pick["metric"])})
    return len(list(store.query(query)))


def time_query(store_dir: Path, name: str, pick: dict | None, runs: int, budget: float) -> dict:
    """Median and p95 of ``runs`` runs after a first one, fewer when they would take more than ``budget`` s."""
    store = ox.Store.read_only(str(store_dir))
    t0 = time.perf_counter()
    rows = run(store, name, pick)  # first run: caches warm
    first = time.perf_counter() - t0
    runs = max(1, min(runs, int(budget / max(first, 1e-6))))
    return {"rows": rows, "runs": runs, **timed(lambda: run(store, name, pick), runs, warm=False)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="JSON -> rdflib Graph -> N-Triples -> pyoxigraph store")
    b.add_argument("archive", type=Path)
    b.add_argument("--store", type=Path, required=True)
    b.add_argument("--keep-nt", action="store_true", help="keep the N-Triples file beside the store")
    q = sub.add_parser("query", help="time one hand-written question on a store built by `build`")
    q.add_argument("name", choices=sorted(QUERIES))
    q.add_argument("--store", type=Path, required=True)
    q.add_argument("--pick", help='the benchmark, as JSON: {"task": ..., "dataset": ..., "metric": ...}')
    q.add_argument("--runs", type=int, default=30)
    q.add_argument("--budget", type=float, default=60.0, help="seconds for the repeated runs (fewer runs if slow)")
    args = ap.parse_args(argv)
    if args.command == "build":
        print(json.dumps(build(args.archive, args.store, args.keep_nt)))
    else:
        pick = json.loads(args.pick) if args.pick else None
        if (pick is None) != (args.name == "sota_all"):
            ap.error("--pick is needed by every question but sota_all")
        print(json.dumps(time_query(args.store, args.name, pick, args.runs, args.budget)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
