"""The pages of papers, tasks, datasets, methods, metrics and results, and of any other entity.

Each view reads the entity's own triples in one query (labels of what it links to included),
then a few bounded queries for what the page lists, and returns a ``Page``.
"""

from __future__ import annotations

import pyoxigraph as ox

from ...vocab import PWC, SKOS
from .home import direction_words
from .page import Page, flag, integer, local_name, pointer_key, text
from .reads import LIST_LIMIT, PER_PAGE, BadParam, Entity, Paging, Reads, bad_request, kept

RECENT_PAPERS = 20
SORT_LIMIT = 2000


def _links_of(entity: Entity, props: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(what, URL) of the entity's outside links, in the order given."""
    return [(what, v.term.value) for what, p in props for v in entity.all(p) if v.is_iri]


# --- paper ------------------------------------------------------------------------------------


def paper_results(reads: Reads, iri: str) -> list[dict]:
    """The paper's results table in the order of its source (the seed page's order)."""
    by_result: dict[str, dict] = {}
    for row in reads.internal("paper-results-table", {"paper": ox.NamedNode(iri)}):
        r = by_result.setdefault(row["result"].value, {
            "result": row["result"].value, "value": row["value"].value, "model": text(row.get("model_name")),
            "model_iri": text(row.get("model")), "benchmark": row["benchmark"].value,
            "dataset": row["dataset"].value, "task": row["task_name"].value, "task_iri": row["task"].value,
            "metric": text(row.get("metric_name")), "metric_iri": row["metric"].value,
            "records": set(), "rank": integer(row.get("rank"))})
        if "record" in row:
            r["records"].add(row["record"].value)
        r["task"] = min(r["task"], row["task_name"].value)
        if r["metric"] is None:
            r["metric"] = local_name(row["metric"].value)
    rows = list(by_result.values())
    for r in rows:
        r["pointer"] = min(r.pop("records"), key=pointer_key, default=None)
    unplaced = (1, ())
    rows.sort(key=lambda r: ((0, pointer_key(r["pointer"])) if r["pointer"] else unplaced,
                             r["task"], r["dataset"], r["metric"], -float(r["value"]), r["model"] or ""))
    return rows


def paper_page(reads: Reads, entity: Entity) -> Page:
    iri = entity.iri
    authors = []
    seq = entity.first(PWC.authorList)
    if seq is not None and seq.is_iri:
        authors = [(v.term.value, v.text) for v in reads.seq(seq.term.value)]
    if not authors:
        authors = [(v.term.value, v.text) for v in entity.all(PWC.author)]
    code = []
    for row in reads.internal("paper-code", {"paper": ox.NamedNode(iri)}):
        code.append({"url": row["url"].value, "official": bool(flag(row.get("official"))),
                     "framework": text(row.get("framework"))})
    code = sorted({c["url"]: c for c in code}.values(), key=lambda c: (not c["official"], c["url"]))
    arxiv = entity.text(PWC.arxivId)
    external = _links_of(entity, [("Paper", PWC.abstractPage), ("PDF", PWC.pdf),
                               ("Conference page", PWC.conferenceAbstractPage), ("Conference PDF", PWC.conferencePdf),
                               ("Papers With Code", PWC.pwcPage)])
    if arxiv and not any(url.startswith("https://arxiv.org/abs/") for _, url in external):
        external.insert(0, ("arXiv", f"https://arxiv.org/abs/{arxiv}"))
    return Page(200, "paper.html", {
        "title": entity.text(PWC.title) or entity.label, "entity": entity, "authors": authors,
        "date": entity.text(PWC.publicationDate), "conference": entity.first(PWC.inProceeding),
        "abstract": entity.text(PWC.abstract), "arxiv": arxiv, "external": external, "code": code,
        "tasks": entity.all(PWC.hasTask), "methods": entity.all(PWC.usesMethod),
        "results": paper_results(reads, iri)})


# --- lists of papers (tasks, methods) ---------------------------------------------------------

def papers_with(reads: Reads, prop: str, iri: str) -> tuple[int, list[dict], bool]:
    """How many papers have ``prop`` pointing at the IRI, RECENT_PAPERS of them, and whether those are
    the most recent (they are when there are at most SORT_LIMIT papers to sort by date)."""
    node = {"prop": ox.NamedNode(prop), "x": ox.NamedNode(iri)}
    count = reads.internal("papers-with-count", node)
    n = (integer(count[0].get("n")) if count else 0) or 0
    recent = n <= SORT_LIMIT  # sorting tens of thousands of papers by date would take seconds
    rows = reads.internal("papers-with-recent" if recent else "papers-with", node, limit=RECENT_PAPERS)
    papers = [{"iri": r["p"].value, "title": r["title"].value, "date": text(r.get("date"))} for r in rows]
    return n, papers, recent


# --- task --------------------------------------------------------------------------------------

def task_benchmarks(reads: Reads, iri: str) -> list[dict]:
    """The task's benchmarks, each with its metrics and their current state of the art."""
    benchmarks: dict[str, dict] = {}
    sota_results = set()
    for row in reads.named("task-benchmarks", task=ox.NamedNode(iri)):
        b = benchmarks.setdefault(row["benchmark"].value, {"iri": row["benchmark"].value,
                                                           "dataset": row["dataset"].value, "metrics": {}})
        m = b["metrics"].setdefault(row["metric_iri"].value, {
            "iri": row["metric_iri"].value, "slug": local_name(row["metric_iri"].value), "name": row["metric"].value,
            "results": integer(row.get("results")) or 0, "higher": flag(row.get("higher_is_better")),
            "best": text(row.get("best")), "sota": [], "cost": text(row.get("measures")) == "cost"})
        if "result" in row and row["result"].value not in m["sota"]:
            m["sota"].append(row["result"].value)
            sota_results.add(row["result"].value)
    details = reads.props_of(sorted(sota_results), [PWC.modelName, PWC.model, PWC.resultDate, PWC.reportedIn,
                                                    PWC.paperTitle])
    out = []
    for b in benchmarks.values():
        metrics = sorted(b["metrics"].values(), key=lambda m: (-m["results"], m["name"]))
        for m in metrics:
            # A result whose row names no model shows its paper instead.
            m["sota"] = [{"result": r, "model": details.get(r, {}).get(PWC.modelName),
                          "model_iri": details.get(r, {}).get(PWC.model),
                          "paper": details.get(r, {}).get(PWC.reportedIn),
                          "paper_title": details.get(r, {}).get(PWC.paperTitle),
                          "date": details.get(r, {}).get(PWC.resultDate)} for r in sorted(m["sota"])]
        out.append({**b, "metrics": metrics, "results": max((m["results"] for m in metrics), default=0)})
    out.sort(key=lambda b: (-b["results"], b["dataset"].casefold()))
    return out


def task_page(reads: Reads, entity: Entity) -> Page:
    iri = entity.iri
    node = {"t": ox.NamedNode(iri)}
    ancestors = reads.internal("task-ancestors", node, limit=LIST_LIMIT)
    direct = {v.term.value for v in entity.all(PWC.subtaskOf)}
    further = sorted({(r["a"].value, text(r.get("name")) or r["a"].value) for r in ancestors
                      if r["a"].value not in direct and r["a"].value != iri}, key=lambda a: a[1].casefold())
    subtasks = reads.internal("task-children", node, limit=LIST_LIMIT)
    subtasks = sorted({(r["s"].value, text(r.get("name")) or r["s"].value) for r in subtasks if r["s"].value != iri},
                      key=lambda s: s[1].casefold())
    paper_count, papers, recent = papers_with(reads, PWC.hasTask, iri)
    return Page(200, "task.html", {
        "title": entity.label, "entity": entity, "parents": entity.all(PWC.subtaskOf), "ancestors": further,
        "subtasks": subtasks, "areas": entity.all(PWC.inArea), "synonyms": entity.all(PWC.synonym),
        "description": entity.text(PWC.description), "benchmarks": task_benchmarks(reads, iri),
        "paper_count": paper_count, "papers": papers, "recent": recent})


# --- dataset -----------------------------------------------------------------------------------

def dataset_page(reads: Reads, entity: Entity, params: dict[str, list[str]] | None = None) -> Page:
    """``params``: ``page``/``per_page`` of its benchmarks, ``subsets_page``/``subsets_per_page`` of its subdatasets
    (None: the first LIST_LIMIT of each, see ``Paging.of``)."""
    iri = entity.iri
    try:  # each list's links keep where the other list is
        paging = Paging.of(params, keep=kept(params or {}, "subsets_page", "subsets_per_page"))
        subset_paging = Paging.of(params, keep=kept(params or {}, "page", "per_page"), prefix="subsets_")
    except BadParam as e:
        return bad_request(e, "dataset.html", title=entity.label, entity=entity)
    benchmarks = [{"iri": r["benchmark"].value, "task": text(r.get("task")), "task_iri": r["task_iri"].value,
                   "dataset": text(r.get("dataset_name")), "results": integer(r.get("results")) or 0,
                   "metrics": integer(r.get("metrics")) or 0}
                  for r in reads.named("dataset-benchmarks", dataset=ox.NamedNode(iri))]
    subsets = sorted({(r["subset"].value, text(r.get("name")) or r["subset"].value)
                      for r in reads.internal("dataset-subsets", {"dataset": ox.NamedNode(iri)})},
                     key=lambda s: (s[1].casefold(), s[0]))
    try:
        paging.check(len(benchmarks))
        subset_paging.check(len(subsets))
    except BadParam as e:
        return bad_request(e, "dataset.html", title=entity.label, entity=entity)
    loaders = reads.props_of([v.term.value for v in entity.all(PWC.dataLoader)], [PWC.url, PWC.framework])
    external = _links_of(entity, [("Homepage", PWC.homepage), ("Papers With Code", PWC.pwcPage)])
    return Page(200, "dataset.html", {
        "title": entity.label, "entity": entity, "full_name": entity.text(PWC.fullName),
        "description": entity.text(PWC.description), "external": external,
        "modalities": entity.all(PWC.modality), "languages": entity.all(PWC.language),
        "tasks": entity.all(PWC.forTask), "introduced_in": entity.first(PWC.introducedIn),
        "introduced": entity.text(PWC.introducedDate), "variants": [v for v in entity.all(PWC.variant)
                                                                    if v.text != entity.label],
        "parents": entity.all(PWC.subdatasetOf),
        "subsets": subsets[subset_paging.offset:subset_paging.offset + subset_paging.per_page],
        "subset_paging": subset_paging,
        "loaders": sorted(loaders.get(v.term.value, {}).get(PWC.url, "") for v in entity.all(PWC.dataLoader)),
        "benchmarks": benchmarks[paging.offset:paging.offset + paging.per_page], "paging": paging})


# --- method ------------------------------------------------------------------------------------

def method_page(reads: Reads, entity: Entity) -> Page:
    iri = entity.iri
    collections = entity.all(PWC.inCollection)
    areas = reads.props_of([c.term.value for c in collections], [PWC.inArea])
    area_names = reads.labels([a[PWC.inArea] for a in areas.values() if PWC.inArea in a])
    paper_count, papers, recent = papers_with(reads, PWC.usesMethod, iri)
    external = _links_of(entity, [("Source", PWC.sourceUrl), ("Code", PWC.codeSnippet), ("Papers With Code", PWC.pwcPage)])
    return Page(200, "method.html", {
        "title": entity.label, "entity": entity, "full_name": entity.text(PWC.fullName),
        "description": entity.text(PWC.description), "external": external,
        "collections": [(c.term.value, c.text, areas.get(c.term.value, {}).get(PWC.inArea),
                         area_names.get(areas.get(c.term.value, {}).get(PWC.inArea, ""), "")) for c in collections],
        "introduced_in": entity.first(PWC.introducedIn), "source_title": entity.text(PWC.sourceTitle),
        "year": entity.text(PWC.introducedYear), "paper_count": paper_count, "papers": papers,
        "recent": recent, "key": iri.split("/method/", 1)[-1]})


# --- metric ------------------------------------------------------------------------------------

def metric_page(reads: Reads, entity: Entity, params: dict[str, list[str]] | None = None) -> Page:
    """``params``: ``page`` and ``per_page`` of the benchmarks it ranks, most results first (None: the first
    LIST_LIMIT, see ``Paging.of``)."""
    node = {"metric": ox.NamedNode(entity.iri)}
    try:
        paging = Paging.of(params)
        count = reads.internal("metric-benchmark-count", node)
        paging.check((integer(count[0].get("n")) if count else 0) or 0)
    except BadParam as e:
        return bad_request(e, "metric.html", title=entity.label, entity=entity)
    rows = reads.internal("metric-benchmarks", node, paging.per_page, paging.offset)
    names = reads.props_of([r["benchmark"].value for r in rows], [PWC.name])  # for the listed ones only
    benchmarks = {}
    for r in rows:
        b = r["benchmark"].value
        benchmarks.setdefault(b, {"iri": b, "name": names.get(b, {}).get(PWC.name, b),
                                  "results": integer(r["results"]), "higher": flag(r.get("higher"))})
    higher = entity.first(PWC.higherIsBetter)
    higher = flag(higher.term) if higher else None
    return Page(200, "metric.html", {
        "title": entity.label, "entity": entity, "spellings": entity.all(SKOS.altLabel), "higher": higher,
        "direction": direction_words(higher, entity.text(PWC.directionSource)), "slug": local_name(entity.iri),
        "benchmarks": list(benchmarks.values()), "paging": paging})


# --- result ------------------------------------------------------------------------------------


def result_page(reads: Reads, entity: Entity, kg) -> Page:
    benchmark = entity.first(PWC.benchmark)
    bench = {}
    if benchmark is not None:
        props = reads.props_of([benchmark.term.value], [PWC.task, PWC.dataset, PWC.datasetName])
        bench = props.get(benchmark.term.value, {})
        bench["task_name"] = reads.labels([bench[PWC.task]]).get(bench[PWC.task]) if PWC.task in bench else None
    records = [{"board": r["board"].value, "date": text(r["date"]), "previous": text(r.get("previous")),
                "improvement": text(r.get("improvement")), "until": text(r.get("until")),
                "extra": flag(r.get("extra"))}
               for r in reads.internal("result-records", {"r": ox.NamedNode(entity.iri)})]
    provenance = kg.provenance(entity.iri)
    metric = entity.first(PWC.metric)
    # A repository by its URL (pwc:url), linked there; its IRI, linked to its page, only when it has none.
    repos = [v.term.value for v in entity.all(PWC.repository) if v.is_iri]
    urls = reads.props_of(repos, [PWC.url])
    code = sorted(((urls.get(r, {}).get(PWC.url), r) for r in repos), key=lambda c: (c[0] is None, c[0] or c[1]))
    return Page(200, "result.html", {
        "title": f"{entity.text(PWC.modelName) or entity.text(PWC.paperTitle) or 'A result'}: {entity.text(PWC.value)}",
        "entity": entity,
        "value": entity.text(PWC.value), "raw": entity.text(PWC.rawValue), "uncertainty": entity.text(PWC.uncertainty),
        "percentage": flag(entity.first(PWC.isPercentage).term) if entity.first(PWC.isPercentage) else False,
        "notes": entity.all(PWC.valueNote), "model_name": entity.text(PWC.modelName), "model": entity.first(PWC.model),
        "metric_name": entity.text(PWC.metricName), "metric": metric,
        "metric_slug": local_name(metric.term.value) if metric else None,
        "benchmark": benchmark, "task": bench.get(PWC.task), "task_name": bench.get("task_name"),
        "dataset": bench.get(PWC.dataset), "dataset_name": bench.get(PWC.datasetName),
        "paper": entity.first(PWC.reportedIn), "paper_title": entity.text(PWC.paperTitle),
        "date": entity.text(PWC.resultDate), "extra": flag(entity.first(PWC.usesExtraTrainingData).term)
        if entity.first(PWC.usesExtraTrainingData) else None,
        "rank": entity.text(PWC.rank), "rank_clean": entity.text(PWC.rankWithoutExtraData),
        # the leaderboard's page the result is on (about: ties go by IRI), by its rank among every result
        "rank_page": (int(entity.text(PWC.rank)) - 1) // PER_PAGE + 1 if entity.text(PWC.rank) else 1,
        "code": code, "records": records, "provenance": provenance,
        "model_links": [v.term.value for v in entity.all(PWC.modelLink) if v.is_iri]})


# --- any other entity --------------------------------------------------------------------------

def generic_page(reads: Reads, entity: Entity, prop_labels: dict[str, str]) -> Page:
    """An entity no page is made for (an author, a repository, a collection, ...): its triples both ways."""
    incoming = reads.incoming(entity.iri)
    return Page(200, "entity.html", {
        "title": entity.label, "entity": entity,
        "types": sorted(local_name(t).rsplit("#", 1)[-1] for t in entity.types()),
        "props": sorted(entity.props.items(), key=lambda kv: prop_labels.get(kv[0], kv[0])),
        "incoming": incoming, "incoming_limit": len(incoming) >= 200, "prop_labels": prop_labels})
