"""The lists of terms the code reads from the ontology (pwc:role, pwc:lineageWord, pwc:lineageRelation) are the
lists the code kept in Python before: the same behaviour, each fact stated once in ontology/pwc.ttl."""

from __future__ import annotations

from pwc_kg.vocab import OWL, PWC, PWC_NS, annotated, terms_with_role


def test_a_submission_may_state_no_derived_provenance_or_moderation_term():
    from pwc_kg.submissions.statements import DERIVED_TERMS

    assert DERIVED_TERMS == {PWC[t] for t in (
        "Leaderboard", "Record", "Derivation", "Entailment", "MetricDirection", "Build", "Source", "SourceGraph",
        "Submission", "higherIsBetter", "directionSource", "onBenchmark", "byMetric", "leaderboard",
        "includesExtraTrainingData", "stateOfTheArt", "resultCount", "rank", "rankWithoutExtraData", "result",
        "previousRecord", "improvement", "previousValue", "paperTitle", "bestValue", "supersededOn", "recordDate",
        "recordIndex", "directionOverride", "sha256", "byteSize", "fileName", "sourceKind", "recordCount",
        "rejectCount", "tripleCount", "toolVersion", "baseIri", "fromSubmission", "submittedAt", "acceptedAt",
        "acceptedBy", "submittedBy", "payloadMediaType", "CostMetric", "directionResults", "directionPairs",
        "directionConcordance", "excludedFromRanking")}


def test_the_derivation_inputs_are_those_derive_reads():
    from pwc_kg.derive.inputs import READS, READS_TYPES

    # as derive/inputs.py listed them before the ontology said it
    assert READS == {PWC.name, PWC.metric, PWC.metricName, PWC.task, PWC.datasetName, PWC.hasMetric, PWC.benchmark,
                     PWC.value, PWC.usesExtraTrainingData, PWC.resultDate, PWC.reportedIn, PWC.title, PWC.dataset,
                     PWC.publicationDate, PWC.arxivId, PWC.abstractPage, PWC.description}
    assert READS_TYPES == {PWC.Metric}


def test_the_lineage_words_of_the_questions():
    from pwc_kg.questions import RELATIONS

    assert RELATIONS == {"fineTunedFrom": "fine-tuned", "distilledFrom": "distilled", "quantizedFrom": "quantized",
                         "mergedFrom": "merged", "adapterOf": "adapter", "derivedFrom": "derived"}
    lineage = {p[len(PWC_NS):] for p in annotated(PWC.lineageWord)}
    assert lineage == {p[len(PWC_NS):] for p in annotated(PWC.lineageRelation)} == set(RELATIONS)


def test_the_relations_the_lineage_file_and_model_cards_name():
    from pwc_kg.mapping import lineage_file, model_cards

    assert list(lineage_file.RELATIONS.items()) == [
        ("finetune", PWC.fineTunedFrom), ("distill", PWC.distilledFrom), ("quantized", PWC.quantizedFrom),
        ("merge", PWC.mergedFrom), ("adapter", PWC.adapterOf), ("derived", PWC.derivedFrom),
        (lineage_file.SAME_AS, OWL.sameAs)]  # in this order: the reject message lists them so
    assert model_cards.RELATIONS == {"finetune": PWC.fineTunedFrom, "adapter": PWC.adapterOf,
                                     "merge": PWC.mergedFrom, "quantized": PWC.quantizedFrom}


def test_every_role_a_term_has_is_one_pwc_role_describes():
    from pwc_kg.vocab import _ontology

    used = {role for roles in _ontology()[2]["role"].values() for role in roles}
    assert used == {"derived", "provenance", "moderation", "derivation-input"}


def test_a_submission_states_none_of_the_ontologys_own_annotations():
    from pwc_kg.submissions.statements import ONTOLOGY_ONLY

    assert ONTOLOGY_ONLY == {PWC.role, PWC.lineageWord, PWC.lineageRelation}
