"""The page of a model: its results, its lineage tree, and how it compares with its base."""

from __future__ import annotations

import pyoxigraph as ox

from ...vocab import OWL, PWC, SKOS
from .page import Page, local_name, text
from .reads import PER_PAGE, BadParam, Entity, Paging, Reads, bad_request


def lineage_tree(edges: list[dict], direction: str) -> list[dict]:
    """The lineage edges of one direction as nested nodes: {name, iri, relation, children}.

    Ancestors nest upwards (a node's children are its parents), descendants downwards.

    >>> edges = [{"model": "B", "relation": "fine-tuned", "parent": "A", "depth": 1, "direction": "ancestor",
    ...           "model_iri": "b", "parent_iri": "a"},
    ...          {"model": "A", "relation": "distilled", "parent": "T", "depth": 2, "direction": "ancestor",
    ...           "model_iri": "a", "parent_iri": "t"}]
    >>> tree = lineage_tree(edges, "ancestor")
    >>> [(n["name"], n["relation"], [(c["name"], c["relation"]) for c in n["children"]]) for n in tree]
    [('A', 'fine-tuned', [('T', 'distilled')])]
    """
    mine = [e for e in edges if e["direction"] == direction]
    up = direction == "ancestor"
    near, far = ("model", "parent") if up else ("parent", "model")
    by_near: dict[str, list[dict]] = {}
    for e in mine:
        by_near.setdefault(e[near], []).append(e)

    def grow(edge: dict, path: frozenset) -> dict:
        name = edge[far]
        children = [] if name in path else [grow(e, path | {name}) for e in sorted(
            by_near.get(name, []), key=lambda e: (e["relation"], e[far])) if e["depth"] > edge["depth"]]
        return {"name": name, "iri": edge[f"{far}_iri"],
                "relation": edge["relation"], "children": children}

    roots = sorted((e for e in mine if e["depth"] == 1), key=lambda e: (e["relation"], e[far]))
    return [grow(e, frozenset({e[near]})) for e in roots]


def model_results(reads: Reads, iris: list[str], shown: slice = slice(0, PER_PAGE)) -> list[dict]:
    """The model's results by task, dataset and metric (rank, date and paper for those in ``shown``: a page).

    Read in steps, each on bound subjects (the results; then their distinct benchmarks and
    metrics), rather than as one join per result row (``queries/model-results.rq``): a model
    with thousands of results would make that join slow. Each result says whether it leads its
    leaderboard (with extra training data counted) now, or set a record on it once.
    """
    rows = reads.internal("model-result-values", {"model": [ox.NamedNode(i) for i in iris]})
    results = {}
    for r in rows:
        results.setdefault(r["result"].value, {"result": r["result"].value, "benchmark": r["benchmark"].value,
                                               "metric_iri": r["metric"].value, "value": r["value"].value})
    if not results:
        return []
    benches = reads.props_of([r["benchmark"] for r in results.values()], [PWC.datasetName, PWC.task])
    tasks = reads.labels([b[PWC.task] for b in benches.values() if PWC.task in b])
    metrics = reads.props_of([r["metric_iri"] for r in results.values()], [SKOS.prefLabel])
    for r in results.values():
        b = benches.get(r["benchmark"], {})
        r.update(task=tasks.get(b.get(PWC.task, ""), ""), dataset=b.get(PWC.datasetName, ""),
                 metric=metrics.get(r["metric_iri"], {}).get(SKOS.prefLabel, local_name(r["metric_iri"])),
                 status=None, rank=None, date=None, paper=None, paper_title=None)
    # The best value of a cost metric (parameters, FLOPs, latency) is no state of the art: not "leads" or "led".
    cost = {row["m"].value for row in reads.internal("cost-of", {"m": [ox.NamedNode(m) for m in
                                                                 sorted({r["metric_iri"] for r in results.values()})]})}
    standing = [row for row in reads.internal("result-standing", {"s": [ox.NamedNode(i) for i in results]})
                if results[row["s"].value]["metric_iri"] not in cost]
    boards = {row["board"].value for row in standing if "board" in row}
    records = {row["record"].value for row in standing if "record" in row}
    record_boards = reads.props_of(sorted(records), [PWC.leaderboard])
    boards |= {b[PWC.leaderboard] for b in record_boards.values() if PWC.leaderboard in b}
    with_extra = {b for b, props in reads.props_of(sorted(boards), [PWC.includesExtraTrainingData]).items()
                  if props.get(PWC.includesExtraTrainingData) in ("true", "1")}
    for row in standing:  # the leaderboard with extra training data counted, as model-sota.rq reads it
        r = results[row["s"].value]
        if "board" in row and row["board"].value in with_extra:
            r["status"] = "leads"
        elif "record" in row and r["status"] is None and \
                record_boards.get(row["record"].value, {}).get(PWC.leaderboard) in with_extra:
            r["status"] = "led"
    ordered = sorted(results.values(), key=lambda r: (r["task"], r["dataset"], r["metric"], r["value"]))
    shown = ordered[shown]
    props = reads.props_of([r["result"] for r in shown], [PWC.rank, PWC.resultDate, PWC.reportedIn, PWC.paperTitle])
    for r in shown:
        p = props.get(r["result"], {})
        r.update(rank=int(p[PWC.rank]) if PWC.rank in p else None, date=p.get(PWC.resultDate),
                 paper=p.get(PWC.reportedIn), paper_title=p.get(PWC.paperTitle))
    return ordered


def model_page(reads: Reads, entity: Entity, kg, params: dict[str, list[str]] | None = None) -> Page:
    """``params``: ``page`` and ``per_page`` of its results (the router's query parameters; None: the first
    LIST_LIMIT, see ``Paging.of``)."""
    iri = entity.iri
    try:
        paging = Paging.of(params)
    except BadParam as e:
        return bad_request(e, "model.html", title=entity.label, entity=entity)
    aliases = reads.named("same-as", model=ox.NamedNode(iri))
    names: dict[str, set[str]] = {}
    for r in aliases:
        if r["model"].value != iri:
            names.setdefault(r["model"].value, set()).add(text(r.get("name")) or r["model"].value)
    # An alias by the name that tells it apart (a Hugging Face id rather than the shared leaderboard name).
    alias_list = sorted(((a, sorted(n, key=lambda x: (x == entity.label, x))[0]) for a, n in names.items()),
                        key=lambda a: a[1].casefold())
    iris = [iri] + [a[0] for a in alias_list]
    results = model_results(reads, iris, slice(paging.offset, paging.offset + paging.per_page))
    try:
        paging.check(len(results))
    except BadParam as e:
        return bad_request(e, "model.html", title=entity.label, entity=entity)
    edges = kg.lineage(iri)
    compare = kg.compare(iri)
    return Page(200, "model.html", {
        "title": entity.label, "entity": entity, "aliases": alias_list,
        "hf_id": entity.text(PWC.huggingFaceId), "params": entity.text(PWC.parameterCount),
        "flops": entity.text(PWC.flops), "training_data": entity.all(PWC.trainingData),
        "weights": [v.term.value for v in entity.all(PWC.weights) if v.is_iri],
        "same_as": entity.all(OWL.sameAs),
        "results": results[paging.offset:paging.offset + paging.per_page], "paging": paging,
        "ancestors": lineage_tree(edges, "ancestor"), "descendants": lineage_tree(edges, "descendant"),
        "edges": edges, "compare": compare, "leads": [r for r in results if r["status"] == "leads"],
        "led": [r for r in results if r["status"] == "led"]})


