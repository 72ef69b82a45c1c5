"""Regression tests for the compiled SHACL engine, one per bug found (named after it)."""

from __future__ import annotations

import pyoxigraph as ox

from pwc_kg.validation import validate_store
from pwc_kg.vocab import ontology_path

PREFIXES = """@prefix pwc: <https://w3id.org/pwc-kg/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix r: <https://w3id.org/pwc-kg/resource/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""


def store_with(turtle: str, extra_ontology: str = "") -> ox.Store:
    store = ox.Store()
    store.load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:ontology"))
    store.load((PREFIXES + turtle).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:data"))
    if extra_ontology:
        store.load((PREFIXES + extra_ontology).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:x"))
    return store


def components(result) -> set[str]:
    return {v.component for v in result.samples}


def test_min_inclusive_reports_values_that_cannot_be_compared():
    result = validate_store(store_with('r:d a pwc:Dataset ; pwc:name "D" ; pwc:paperCount "many" .'))
    assert {"minInclusive", "datatype"} <= components(result)


def test_decimals_beyond_the_stores_fixed_point_range_are_still_well_formed():
    turtle = '''r:m a pwc:Model ; pwc:name "M" . r:t a pwc:Task ; pwc:name "T" . r:d a pwc:Dataset ; pwc:name "D" .
    r:x a pwc:Metric ; pwc:name "X" . r:b a pwc:Benchmark ; pwc:task r:t ; pwc:dataset r:d .
    r:r a pwc:EvaluationResult ; pwc:model r:m ; pwc:benchmark r:b ; pwc:metric r:x ;
        pwc:value "314000000000000000000000"^^xsd:decimal ; pwc:rawValue "3.14e23" ; pwc:modelName "M" ;
        pwc:usesExtraTrainingData false ; pwc:sourceRecord "/0" .'''
    assert validate_store(store_with(turtle)).conforms


def test_targets_include_instances_of_subclasses():
    result = validate_store(store_with("ex:p a ex:Preprint .", "ex:Preprint rdfs:subClassOf pwc:Paper ."))
    assert components(result) == {"or"}
    assert [v.focus for v in result.samples] == ["http://example.org/p"]
