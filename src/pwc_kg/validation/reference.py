"""pySHACL, the reference engine: exact and complete, for graphs up to some 100k triples."""

from __future__ import annotations

from pathlib import Path

from .compiler import shapes_path
from .shacl import SH


def validate_with_pyshacl(data, shapes: Path | None = None) -> tuple[bool, list[tuple[str, str, str]], str]:
    """Validate an rdflib Graph (or Dataset); returns (conforms, [(focus, path or "-", component)], report text).

    The ontology graph is passed as ``ont_graph`` so that sh:class sees subclasses.
    """
    import pyshacl
    import rdflib

    from ..vocab import ontology_path

    shapes_graph = rdflib.Graph().parse(str(shapes or shapes_path()), format="turtle")
    ont = rdflib.Graph().parse(str(ontology_path()), format="turtle")
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes_graph, ont_graph=ont, inference="none", advanced=False, allow_warnings=False
    )
    found = []
    q = f"""SELECT ?f ?p ?c WHERE {{ ?r a <{SH}ValidationResult> ; <{SH}focusNode> ?f ;
            <{SH}sourceConstraintComponent> ?c OPTIONAL {{ ?r <{SH}resultPath> ?p }} }}"""
    for row in report.query(q):
        path = str(row.p) if row.p is not None else "-"  # node-level results (sh:or) have no path
        found.append((str(row.f), path, str(row.c).removeprefix(SH).removesuffix("ConstraintComponent")))
    return bool(conforms), sorted(set(found)), text


def union_graph(store):
    """The union of a pyoxigraph store's named graphs as an rdflib Graph (for small stores)."""
    import pyoxigraph as ox
    import rdflib

    from ..store.union import union_options

    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", **union_options(store))
    data = triples.serialize(format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")
