"""Every build keeps the accepted submissions.

``keep_accepted`` runs inside a build (full or incremental, any base IRI), after the sources are
loaded and before the derived graph is computed: each accepted submission, in the order they
were accepted, is mapped and validated again against the graph being built and its named graph
(with its PROV-O) put into the store, where the derivation counts it. One that no longer maps or
validates (its benchmark gone, its result now in the archive itself, ...) is left out, with its
reasons in the rejects report (source ``submission/{id}``) and in the generation's
``submissions.json``; its folder and status stay as they are, so nothing is lost and the next
build tries it again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from ..iri import Minter
from ..store.union import drop_graph
from .payload import PayloadError
from .records import Submissions
from .service import GENERATION_LIST, check_payload, insert, prov_triples


def keep_accepted(store: ox.Store, gen: Path, mint: Minter, report) -> bool:
    """Put the accepted submissions into a store being built; returns whether any submission graph changed.

    Fills ``report.submissions``: ``graphs`` (those in the store now), ``kept``, ``dropped`` (id and
    reasons) and ``triples``.
    """
    subs = Submissions(Path(gen).parent)
    prefix = mint.graph("submission/")
    present = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(prefix))
    before = {g: {str(q) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))} for g in present}
    for g in present:  # mapped again below against the graph as it is now
        drop_graph(store, ox.NamedNode(g))  # its triples leave the default graph unless a source states them
    kept, dropped, graphs = [], [], []
    lines = []
    for meta in subs.accepted():
        sid = meta["id"]
        payload = subs.payload(sid)
        try:
            checked = check_payload(payload, meta.get("content_type", ""), store, mint, sid)
            problems = checked.problems
        except PayloadError as e:
            checked, problems = None, [e.problem]
        if problems:
            reasons = [p.to_json() for p in problems]
            dropped.append({"id": sid, "violations": reasons})
            for p in problems:
                lines.append({"source": f"submission/{sid}", "record": p.pointer, "field": p.field,
                              "value": p.value if isinstance(p.value, (str, int, float, bool, type(None))) else str(p.value),
                              "reason": f"accepted submission left out of this build: {p.message}"})
            continue
        extra = prov_triples(checked.mapped, mint, meta, payload)
        insert(store, checked.mapped, extra)
        kept.append(sid)
        graphs.append(checked.mapped.graph)
    after = {g: {str(q) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))} for g in graphs}
    if lines:
        with open(Path(gen) / "rejects.jsonl", "a", encoding="utf-8") as f:
            for line in lines:
                f.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
    (Path(gen) / GENERATION_LIST).write_text(json.dumps({"kept": kept, "dropped": dropped}, indent=1))
    report.submissions = {"graphs": graphs, "kept": kept, "dropped": dropped, "triples": sum(map(len, after.values())),
                          "rejects": len(lines)}
    return before != after
