"""The ontology: the one place terms are defined, every term documented, aligned, consistent."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from pwc_kg.vocab import PWC, PWC_NS, ontology_path

SRC = Path(__file__).resolve().parents[1] / "src" / "pwc_kg"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@pytest.fixture(scope="module")
def onto():
    store = ox.Store()
    store.load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
    return store


def test_a_misspelled_term_raises():
    assert PWC.EvaluationResult == PWC_NS + "EvaluationResult"
    with pytest.raises(AttributeError, match="not a term"):
        PWC.EvaluationResults


def test_every_term_the_code_uses_is_in_the_ontology():
    used = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "PWC":
                used.add(node.attr)
    assert used and all(term in PWC for term in used), sorted(t for t in used if t not in PWC)


def test_every_term_has_a_label_and_a_comment_and_the_ontology_a_version_iri(onto):
    missing = [r["t"].value for r in onto.query(f"""SELECT ?t WHERE {{
        ?t a ?k FILTER(?k IN (<{OWL}Class>, <{OWL}ObjectProperty>, <{OWL}DatatypeProperty>))
        FILTER(STRSTARTS(STR(?t), "{PWC_NS}"))
        FILTER(NOT EXISTS {{ ?t <{RDFS}label> ?l }} || NOT EXISTS {{ ?t <{RDFS}comment> ?c }}) }}""")]
    assert missing == []
    assert onto.query(f"ASK {{ ?o a <{OWL}Ontology> ; <{OWL}versionIRI> ?v }}")


def test_classes_required_by_the_design_exist_and_are_aligned(onto):
    aligned = {
        "Paper": ["http://purl.org/spar/fabio/ResearchPaper", "http://schema.org/ScholarlyArticle"],
        "Dataset": ["http://www.w3.org/ns/dcat#Dataset", "http://www.w3.org/ns/mls#Dataset"],
        "Task": ["http://www.w3.org/2004/02/skos/core#Concept", "http://www.w3.org/ns/mls#Task"],
        "Model": ["http://www.w3.org/ns/mls#Model"],
        "EvaluationResult": ["http://www.w3.org/ns/mls#ModelEvaluation", "http://www.w3.org/ns/prov#Entity"],
        "Metric": ["http://www.w3.org/ns/mls#EvaluationMeasure"],
        "Method": ["http://www.w3.org/ns/mls#Algorithm"],
    }
    for cls, supers in aligned.items():
        for sup in supers:
            assert onto.query(f"ASK {{ <{PWC[cls]}> <{RDFS}subClassOf> <{sup}> }}"), (cls, sup)
    for cls in ("Author", "Repository", "Proceeding", "Benchmark", "Area", "MethodCollection"):
        assert cls in PWC


def test_lineage_properties_specialise_prov_was_derived_from(onto):
    assert onto.query(f"ASK {{ <{PWC.derivedFrom}> <{RDFS}subPropertyOf> <http://www.w3.org/ns/prov#wasDerivedFrom> }}")
    for p in ("fineTunedFrom", "distilledFrom", "quantizedFrom", "mergedFrom", "adapterOf"):
        assert onto.query(f"ASK {{ <{PWC[p]}> <{RDFS}subPropertyOf> <{PWC.derivedFrom}> }}"), p


def test_terms_are_defined_nowhere_else_in_the_code():
    """ROBOT-style: the code names pwc terms through the closed namespace, never as string literals."""
    pattern = re.compile(re.escape(PWC_NS) + r"[A-Za-z]")
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p.name != "vocab.py" and pattern.search(p.read_text())]
    assert offenders == []
