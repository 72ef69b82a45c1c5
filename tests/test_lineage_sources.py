"""Model lineage from Hugging Face model cards, Papers With Code model-index files and the curated
lineage file: built into stores and checked with SPARQL.

Fixtures: tests/fixtures/model-cards (hand-written cards), tests/fixtures/mmpretrain-model-index and
tests/fixtures/paperswithcode-model-index (real files, see their SOURCE.md), ontology/lineage.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from conftest import FIXTURES, LAMINI, LAMINI_TITLE, rejects_of
from hypothesis import given
from hypothesis import strategies as st

import pwc_kg
from pwc_kg.iri import Minter
from pwc_kg.pointers import pointer
from pwc_kg.mapping.model_cards import _crosswalk, crosswalk, hf_id
from pwc_kg.sources import SourceError
from pwc_kg.sources.lineage_file import iter_lineage
from pwc_kg.sources.model_cards import iter_model_cards
from pwc_kg.sources.model_index import iter_model_index
from pwc_kg.vocab import PWC

CARDS = FIXTURES / "model-cards"
MMPRETRAIN = FIXTURES / "mmpretrain-model-index"
PWC_MI = FIXTURES / "paperswithcode-model-index"
LINEAGE = Path(__file__).resolve().parents[1] / "ontology" / "lineage.csv"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
PREFIXES = "PREFIX pwc: <https://w3id.org/pwc-kg/ontology#> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
mint = Minter()
HF = mint.hf_model
LAMINI_CARD = "MBZUAI/LaMini-GPT-1.5B/README.md"


def values(kg, query: str) -> list[str]:
    """The distinct values of the first column."""
    return sorted({str(next(iter(r.values())).value) for r in kg.sparql(PREFIXES + query)})


def rows(kg, query: str) -> set[tuple]:
    return {tuple(str(v.value) for v in r.values()) for r in kg.sparql(PREFIXES + query)}


def edges(kg, child: str, parent: str) -> list[str]:
    return values(kg, f"SELECT ?p WHERE {{ <{child}> ?p <{parent}> }}")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = tmp_path_factory.mktemp("lineage") / "store"
    report = pwc_kg.build([str(LAMINI), str(CARDS), str(LINEAGE), str(MMPRETRAIN)], store)
    return store, report


@pytest.fixture(scope="module")
def kg(built):
    return pwc_kg.open_store(built[0])


@pytest.fixture(scope="module")
def rejects(built):
    return rejects_of(built[0])


def source(report, kind: str):
    (rec,) = [s for s in report.sources if s.kind == kind]
    return rec


# ---------------------------------------------------------------- the build as a whole

def test_the_store_validates_and_every_source_is_mapped(kg, built):
    _, report = built
    assert report.violations == 0
    assert kg.validate().conforms
    assert {s.kind for s in report.sources} >= {"model-cards", "model-index", "lineage"}
    dump = kg.store.dump(format=ox.RdfFormat.N_QUADS)
    assert len(list(ox.parse(dump, format=ox.RdfFormat.N_QUADS))) > 1000  # strict parser: no error


def test_every_card_is_a_model_or_a_reject(kg, built, rejects):
    cards = sorted(p.relative_to(CARDS).parent.as_posix() for p in CARDS.rglob("README.md"))
    rec = source(built[1], "model-cards")
    assert rec.records == len(cards) == 8 and rec.records_rejected == 1
    modelled = values(kg, "SELECT ?id WHERE { ?m a pwc:Model ; pwc:huggingFaceId ?id }")
    rejected = {r["record"].split("#")[0].removesuffix("/README.md") for r in rejects
                if r["source"] == "model-cards" and r["field"] == "front_matter"}
    assert rejected == {"org/broken-yaml"}
    assert all(c in modelled or c in rejected for c in cards)


def test_every_metric_value_of_a_card_is_a_result_or_a_reject(kg, rejects):
    fm = yaml.safe_load((CARDS / LAMINI_CARD).read_text().split("---")[1])
    cells = {f"{LAMINI_CARD}#" + pointer("model-index", i, "results", j, "metrics", k)
             for i, entry in enumerate(fm["model-index"]) for j, res in enumerate(entry["results"])
             for k, _ in enumerate(res["metrics"])}
    in_graph = set(values(kg, f'SELECT ?s WHERE {{ ?r pwc:sourceRecord ?s FILTER(STRSTARTS(?s, "{LAMINI_CARD}")) }}'))
    refused = {r["record"] for r in rejects if r["source"] == "model-cards" and r["record"] in cells}
    assert in_graph | refused == cells and not in_graph & refused
    assert len(in_graph) == 4 and len(refused) == 2


def test_every_metric_value_of_the_model_index_is_a_result_or_a_reject(kg, rejects):
    cells = set()
    for meta in sorted(MMPRETRAIN.glob("configs/*/metafile.yml")):
        rel = meta.relative_to(MMPRETRAIN).as_posix()
        for i, model in enumerate(yaml.safe_load(meta.read_text())["Models"]):
            for j, res in enumerate(model.get("Results") or []):
                cells |= {f"{rel}#" + pointer("Models", i, "Results", j, "Metrics", m) for m in res["Metrics"]}
    in_graph = set(values(kg, 'SELECT ?s WHERE { ?r pwc:sourceRecord ?s FILTER(STRSTARTS(?s, "configs/")) }'))
    refused = {r["record"] for r in rejects if r["source"] == "model-index.yml"}
    assert in_graph | refused == cells and not in_graph & refused
    assert len(cells) == 6 and len(refused) == 2
    assert all(r["reason"] == "not a number: None" for r in rejects if r["source"] == "model-index.yml")


# ---------------------------------------------------------------- model cards: models and lineage

def test_a_card_is_a_model_with_its_hub_id_page_and_model_index_name(kg):
    m = HF("MBZUAI/LaMini-GPT-1.5B")
    assert m == "https://w3id.org/pwc-kg/resource/model/hf/MBZUAI/LaMini-GPT-1.5B"
    assert values(kg, f"SELECT ?t WHERE {{ <{m}> a ?t }}") == [PWC.Model]
    assert values(kg, f"SELECT ?n WHERE {{ <{m}> pwc:name ?n }}") == ["LaMini-GPT 1.5B", "MBZUAI/LaMini-GPT-1.5B"]
    assert values(kg, f"SELECT ?i WHERE {{ <{m}> pwc:huggingFaceId ?i }}") == ["MBZUAI/LaMini-GPT-1.5B"]
    assert "https://huggingface.co/MBZUAI/LaMini-GPT-1.5B" in values(kg, f"SELECT ?s WHERE {{ <{m}> owl:sameAs ?s }}")


def test_model_name_in_the_front_matter_does_not_change_the_id(kg):
    gguf = HF("org/llama-2-7b-chat-ft-GGUF")
    assert values(kg, f"SELECT ?n WHERE {{ <{gguf}> pwc:name ?n }}") == ["org/llama-2-7b-chat-ft-GGUF"]


def test_a_chain_of_three_cards_with_its_relations_stated_and_inferred(kg):
    base, ft, gguf = HF("meta-llama/Llama-2-7b-hf"), HF("org/llama-2-7b-chat-ft"), HF("org/llama-2-7b-chat-ft-GGUF")
    assert edges(kg, ft, base) == [PWC.derivedFrom, PWC.fineTunedFrom]  # stated: finetune
    assert edges(kg, gguf, ft) == [PWC.derivedFrom, PWC.quantizedFrom]  # inferred from the gguf tag
    ancestry = values(kg, f"SELECT ?a WHERE {{ <{gguf}> pwc:derivedFrom+ ?a }}")  # no reasoner needed
    assert ancestry == sorted([ft, base])


def test_derived_from_is_materialised_beside_every_sub_property(kg):
    missing = rows(kg, """SELECT ?c ?p ?x WHERE {
        VALUES ?p { pwc:fineTunedFrom pwc:distilledFrom pwc:quantizedFrom pwc:mergedFrom pwc:adapterOf }
        ?c ?p ?x FILTER NOT EXISTS { ?c pwc:derivedFrom ?x } }""")
    assert missing == set()
    assert len(values(kg, "SELECT ?c WHERE { ?c pwc:derivedFrom ?x }")) >= 10


def test_a_merge_has_both_parents_and_a_parent_without_a_card_is_a_typed_named_model(kg):
    merge = HF("org/llama-2-7b-slerp-merge")
    parents = values(kg, f"SELECT ?p WHERE {{ <{merge}> pwc:mergedFrom ?p }}")
    assert parents == sorted([HF("meta-llama/Llama-2-7b-chat-hf"), HF("org/llama-2-7b-chat-ft")])
    assert values(kg, f"SELECT ?p WHERE {{ <{merge}> pwc:derivedFrom ?p }}") == parents
    orphan = HF("meta-llama/Llama-2-7b-chat-hf")
    assert values(kg, f"SELECT ?n WHERE {{ <{orphan}> a pwc:Model ; pwc:name ?n }}") == ["meta-llama/Llama-2-7b-chat-hf"]
    assert values(kg, "SELECT ?p WHERE { ?c pwc:derivedFrom ?p FILTER NOT EXISTS { ?p a pwc:Model } }") == []


def test_a_peft_card_is_an_adapter(kg):
    assert edges(kg, HF("org/llama-2-7b-lora"), HF("meta-llama/Llama-2-7b-hf")) == [PWC.adapterOf, PWC.derivedFrom]


def test_an_unknown_relation_is_rejected_and_the_link_is_plain_derived_from(kg, rejects):
    (line,) = [r for r in rejects if r["record"] == "org/bad-relation/README.md#"]
    assert line["field"] == "base_model_relation" and line["value"] == "distillation"
    assert "unknown base_model_relation" in line["reason"] and "derivedFrom" in line["reason"]
    assert edges(kg, HF("org/bad-relation"), HF("meta-llama/Llama-2-7b-hf")) == [PWC.derivedFrom]


def test_a_card_whose_yaml_does_not_parse_is_rejected_with_the_reason(kg, rejects):
    (line,) = [r for r in rejects if r["record"].startswith("org/broken-yaml/")]
    assert line["field"] == "front_matter" and "invalid YAML" in line["reason"] and "line 5" in line["reason"]
    assert values(kg, f"SELECT ?t WHERE {{ <{HF('org/broken-yaml')}> ?p ?t }}") == []


def test_training_datasets_of_a_card(kg):
    ds = values(kg, f"SELECT ?n WHERE {{ <{HF('MBZUAI/LaMini-GPT-1.5B')}> pwc:trainingData/pwc:name ?n }}")
    assert ds == ["MBZUAI/LaMini-instruction"]


# ---------------------------------------------------------------- model cards: results joined to the archive

def test_regression_a_card_result_does_not_say_it_used_no_extra_training_data(kg):
    """A model card does not say whether extra training data was used: unknown, not false (it was written false)."""
    cell = f"{LAMINI_CARD}#/model-index/0/results/0/metrics/0"
    assert values(kg, f'SELECT ?x WHERE {{ ?r pwc:sourceRecord "{cell}" ; pwc:usesExtraTrainingData ?x }}') == []


def test_the_card_piqa_result_is_on_the_archive_piqa_benchmark(kg):
    cell = f"{LAMINI_CARD}#/model-index/0/results/0/metrics/0"
    (bench,) = values(kg, f'SELECT ?b WHERE {{ ?r pwc:sourceRecord "{cell}" ; pwc:benchmark ?b }}')
    archive = values(kg, f"""SELECT ?b WHERE {{ ?r pwc:benchmark ?b ; pwc:reportedIn ?p ; pwc:modelName "LaMini-GPT 1.5B" .
        ?p pwc:title "{LAMINI_TITLE}" . ?b pwc:datasetName "PIQA" }}""")
    assert archive == [bench]
    got = rows(kg, f"""SELECT ?v ?raw ?model ?name WHERE {{ ?r pwc:sourceRecord "{cell}" ; pwc:value ?v ;
        pwc:rawValue ?raw ; pwc:model ?model ; pwc:modelName ?name }}""")
    assert got == {("71.3", "71.3", HF("MBZUAI/LaMini-GPT-1.5B"), "LaMini-GPT 1.5B")}
    assert len(values(kg, f"SELECT ?r WHERE {{ ?r pwc:benchmark <{bench}> }}")) == 7  # 6 archive rows + the card


def test_hellaswag_joins_through_the_crosswalk(kg):
    cell = f"{LAMINI_CARD}#/model-index/0/results/1/metrics/0"
    got = rows(kg, f"""SELECT ?task ?ds WHERE {{ ?r pwc:sourceRecord "{cell}" ; pwc:benchmark ?b .
        ?b pwc:task/pwc:name ?task ; pwc:dataset ?ds }}""")
    assert got == {("Sentence Completion", mint.dataset("HellaSwag"))}
    assert crosswalk("huggingface", "Rowan/hellaswag") == "HellaSwag"


def test_a_card_result_the_archive_does_not_have_forms_its_own_benchmark(kg):
    cell = f"{LAMINI_CARD}#/model-index/0/results/2/metrics/0"
    (bench,) = values(kg, f'SELECT ?b WHERE {{ ?r pwc:sourceRecord "{cell}" ; pwc:benchmark ?b }}')
    assert values(kg, f"SELECT ?r WHERE {{ ?r pwc:benchmark <{bench}> }}") != []
    assert len(values(kg, f"SELECT ?r WHERE {{ ?r pwc:benchmark <{bench}> }}")) == 1
    assert rows(kg, f"SELECT ?raw ?v WHERE {{ ?r pwc:sourceRecord \"{cell}\" ; pwc:rawValue ?raw ; pwc:value ?v }}") \
        == {("31.40", "31.4")}  # the digits as written, the number as a decimal
    assert values(kg, f"SELECT ?m WHERE {{ ?r pwc:sourceRecord \"{cell}\" ; pwc:metric/pwc:name ?m }}") \
        == ["normalized accuracy"]


def test_values_that_are_no_number_and_results_without_a_dataset_are_rejected(rejects):
    by_record = {r["record"]: r for r in rejects if r["source"] == "model-cards"}
    assert by_record[f"{LAMINI_CARD}#/model-index/0/results/2/metrics/1"]["reason"] == "no number in 'n/a'"
    assert "no dataset" in by_record[f"{LAMINI_CARD}#/model-index/0/results/4/metrics/0"]["reason"]


def test_the_crosswalk_is_read_once():
    _crosswalk.cache_clear()
    assert crosswalk("huggingface", "piqa") == "PIQA"
    assert crosswalk("huggingface", "allenai/openbookqa") == "OpenBookQA"
    assert crosswalk("huggingface", "super_glue/wic") == "Words in Context"
    assert crosswalk("huggingface", "no-such-dataset") is None
    assert _crosswalk.cache_info().misses == 1


# ---------------------------------------------------------------- the curated lineage file

def test_the_lineage_file_edges_join_the_archive_models(kg):
    lamini, gpt2 = mint.model("LaMini-GPT 1.5B"), mint.model("GPT-2-XL 1.5B")
    assert edges(kg, lamini, gpt2) == [PWC.derivedFrom, PWC.fineTunedFrom]
    assert edges(kg, lamini, HF("openai/gpt-3.5-turbo")) == [PWC.derivedFrom, PWC.distilledFrom]
    assert edges(kg, mint.model("LaMini-T5 738M"), mint.model("T5-Large 738M")) == [PWC.derivedFrom, PWC.fineTunedFrom]
    assert edges(kg, mint.model("LaMini-F-T5 783M"), mint.model("FLAN-T5-Large 783M")) \
        == [PWC.derivedFrom, PWC.fineTunedFrom]
    # the archive's leaderboard rows of those names are those Models
    assert values(kg, 'SELECT DISTINCT ?m WHERE { ?r pwc:modelName "LaMini-GPT 1.5B" ; pwc:reportedIn ?p ; pwc:model ?m }') \
        == [lamini]


def test_same_as_links_hub_checkpoints_to_archive_names_both_ways(kg):
    for hub, name in (("MBZUAI/LaMini-GPT-1.5B", "LaMini-GPT 1.5B"), ("openai-community/gpt2-xl", "GPT-2-XL 1.5B")):
        assert edges(kg, HF(hub), mint.model(name)) == [OWL_SAME_AS]
        assert edges(kg, mint.model(name), HF(hub)) == [OWL_SAME_AS]
    # from the Hub checkpoint, through same_as, to the paper's results and the model it was fine-tuned from
    got = rows(kg, f"""SELECT DISTINCT ?v ?parent WHERE {{ <{HF('MBZUAI/LaMini-GPT-1.5B')}> owl:sameAs ?m .
        ?m pwc:fineTunedFrom ?parent . ?r pwc:model ?m ; pwc:value ?v ; pwc:benchmark/pwc:datasetName "PIQA" }}""")
    assert got == {("71.3", mint.model("GPT-2-XL 1.5B"))}


def test_lineage_rows_with_an_unknown_relation_or_an_empty_side_are_rejected(tmp_path):
    csv = tmp_path / "my-lineage.csv"
    csv.write_text("child,relation,parent,source,note\n"
                   "A,finetune,B,test,\n"
                   "\n"
                   "# a comment line\n"
                   "A,cloned,B,test,unknown relation\n"
                   ",finetune,B,test,no child\n"
                   "C,distill,,test,no parent\n"
                   "org/x,same-as,A,test,spelled with a hyphen\n"
                   "A,merge,A,test,its own parent\n", encoding="utf-8")
    report = pwc_kg.build([str(csv)], tmp_path / "store", rejects=tmp_path / "rejects.jsonl")
    assert (report.records, report.records_rejected) == (6, 4)
    lines = {json.loads(x)["record"]: json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()}
    assert lines["line 5"]["field"] == "relation" and "unknown relation 'cloned'" in lines["line 5"]["reason"]
    assert lines["line 6"]["field"] == "child" and "needs a child" in lines["line 6"]["reason"]
    assert lines["line 7"]["field"] == "parent" and "needs a parent" in lines["line 7"]["reason"]
    assert "same model" in lines["line 9"]["reason"]
    kg = pwc_kg.open_store(tmp_path / "store")
    assert edges(kg, mint.model("A"), mint.model("B")) == [PWC.derivedFrom, PWC.fineTunedFrom]
    assert edges(kg, HF("org/x"), mint.model("A")) == [OWL_SAME_AS]
    assert kg.validate().conforms


def test_the_lineage_reader_gives_line_numbers_and_refuses_a_file_without_its_columns(tmp_path):
    assert [p for p, _ in iter_lineage(LINEAGE)][:2] == [3, 4]
    bad = tmp_path / "bad-lineage.csv"
    bad.write_text("from,to\nA,B\n", encoding="utf-8")
    with pytest.raises(SourceError, match="child, relation, parent"):
        list(iter_lineage(bad))


# ---------------------------------------------------------------- model-index: mmpretrain

def test_mmpretrain_results_are_on_imagenet_1k_benchmarks(kg):
    got = rows(kg, """SELECT DISTINCT ?model ?v WHERE { ?r pwc:benchmark ?b ; pwc:modelName ?model ; pwc:value ?v .
        ?b pwc:datasetName "ImageNet-1k" ; pwc:task/pwc:name "Image Classification" }""")
    assert got == {("hivit-tiny-p16_16xb64_in1k", "82.1"), ("resnet50_byol-pre_8xb512-linear-coslr-90e_in1k", "71.8")}
    cell = "configs/hivit/metafile.yml#/Models/0/Results/0/Metrics/Top 1 Accuracy"
    assert values(kg, f'SELECT ?m WHERE {{ ?r pwc:sourceRecord "{cell}" ; pwc:metric/pwc:name ?m }}') == ["Top 1 Accuracy"]
    assert rows(kg, """SELECT DISTINCT ?task ?ds WHERE { ?r pwc:benchmark ?b ; pwc:rawValue "65.50" .
        ?b pwc:task/pwc:name ?task ; pwc:datasetName ?ds }""") == {("Image Caption", "COCO")}


def test_mmpretrain_parameters_and_flops_are_decimals(kg):
    m = mint.model("hivit-tiny-p16_16xb64_in1k")
    got = kg.sparql(PREFIXES + f"SELECT ?p ?f WHERE {{ <{m}> pwc:parameterCount ?p ; pwc:flops ?f }}")
    (row,) = got
    assert (row["p"].value, row["f"].value) == ("19181000", "4603000000")
    assert row["p"].datatype.value == row["f"].datatype.value == "http://www.w3.org/2001/XMLSchema#decimal"
    flamingo = mint.model("flamingo_3rdparty-zeroshot_caption")  # FLOPs: null
    assert values(kg, f"SELECT ?p WHERE {{ <{flamingo}> pwc:parameterCount ?p }}") == ["8220452880"]
    assert values(kg, f"SELECT ?f WHERE {{ <{flamingo}> pwc:flops ?f }}") == []


def test_mmpretrain_metadata_paper_and_lineage(kg):
    hivit = mint.model("hivit-tiny-p16_16xb64_in1k")
    assert values(kg, f"SELECT ?n WHERE {{ <{hivit}> pwc:trainingData/pwc:name ?n }}") == ["ImageNet-1k"]
    assert values(kg, f"SELECT ?a WHERE {{ <{hivit}> pwc:introducedIn/pwc:arxivId ?a }}") == ["2205.14949"]
    # Converted From a Hugging Face model; a Downstream model fine-tuned from the pre-trained one
    assert edges(kg, mint.model("flamingo_3rdparty-zeroshot_vqa"), HF("openflamingo/OpenFlamingo-9B")) == [PWC.derivedFrom]
    assert edges(kg, mint.model("resnet50_byol-pre_8xb512-linear-coslr-90e_in1k"),
                 mint.model("byol_resnet50_16xb256-coslr-200e_in1k")) == [PWC.derivedFrom, PWC.fineTunedFrom]
    # BYOL's collection lists its training techniques: joined to methods by name
    byol = mint.model("byol_resnet50_16xb256-coslr-200e_in1k")
    assert values(kg, f"SELECT ?n WHERE {{ <{byol}> pwc:trainingTechnique/pwc:name ?n }}") == ["LARS"]


def test_a_model_index_model_of_an_archive_name_is_the_archive_model(tmp_path):
    folder = tmp_path / "mi"
    folder.mkdir()
    (folder / "model-index.yml").write_text("""\
Models:
  - Name: LaMini-GPT 1.5B
    Metadata:
      Parameters: 1.5B
      FLOPs: "25.56M"
      Training Data: [PIQA]
    Paper:
      Title: "LaMini-LM: A Diverse Herd of Distilled Models from Large-Scale Instructions"
      URL: https://arxiv.org/abs/2304.14402v3
    Results:
      - Task: Question Answering
        Dataset: PIQA
        Metrics:
          Accuracy: 71.3
          Loss: "-"
""", encoding="utf-8")
    report = pwc_kg.build([str(LAMINI), str(folder)], tmp_path / "store")
    assert report.violations == 0 and report.rejects == 1
    kg = pwc_kg.open_store(tmp_path / "store")
    m = mint.model("LaMini-GPT 1.5B")
    assert values(kg, f"SELECT ?p WHERE {{ <{m}> pwc:parameterCount ?p }}") == ["1500000000"]
    assert values(kg, f"SELECT ?f WHERE {{ <{m}> pwc:flops ?f }}") == ["25560000"]
    assert values(kg, f"SELECT ?t WHERE {{ <{m}> pwc:introducedIn/pwc:title ?t }}") == [LAMINI_TITLE]
    assert values(kg, f"SELECT ?d WHERE {{ <{m}> pwc:trainingData ?d }}") == [mint.dataset("PIQA")]  # the archive's
    benches = values(kg, f'SELECT DISTINCT ?b WHERE {{ ?r pwc:model <{m}> ; pwc:benchmark ?b ; pwc:value 71.3 }}')
    assert len(benches) == 1  # the archive row and the model-index value: one benchmark, one model
    assert len(values(kg, f"SELECT ?r WHERE {{ ?r pwc:model <{m}> ; pwc:benchmark <{benches[0]}> }}")) == 2


# ---------------------------------------------------------------- model-index: the format's ways of splitting files

@pytest.fixture(scope="module")
def pwc_mi(tmp_path_factory):
    store = tmp_path_factory.mktemp("pwc-mi") / "store"
    folders = sorted(p for p in PWC_MI.iterdir() if p.is_dir())
    report = pwc_kg.build([str(p) for p in folders], store)
    return pwc_kg.open_store(store), report, rejects_of(store)


def test_the_format_fixtures_build_and_validate(pwc_mi):
    kg, report, _ = pwc_mi
    assert report.violations == 0 and kg.validate().conforms
    assert len(report.sources) == 6


def test_metadata_in_files_markdown_json_and_wildcard_imports(pwc_mi):
    kg, _, _ = pwc_mi
    names = values(kg, "SELECT ?n WHERE { ?m a pwc:Model ; pwc:name ?n }")
    assert {"AlexNet", "ResNet-101", "ResNet-152", "RexNet", "RexNet1", "RexNet2", "RexNet3",
            "Inception v3 - 90 epochs", "Inception v3 - 120 epochs"} <= set(names)
    # option2-yaml: Metadata as a path of a file; the collection's Paper as a bare arXiv id
    assert values(kg, f"SELECT ?f WHERE {{ <{mint.model('ResNet-152')}> pwc:flops ?f }}") == ["23117674496"]
    assert values(kg, f"SELECT ?a WHERE {{ <{mint.model('AlexNet')}> pwc:introducedIn/pwc:arxivId ?a }}") == ["1404.5997"]
    # 11_markdown: two model-index comments in one Markdown file, results in a file of a subfolder
    assert values(kg, 'SELECT ?s WHERE { ?r pwc:modelName "RexNet3" ; pwc:sourceRecord ?s }') \
        == ["subdir/rexnet3-results.yaml#/0/Metrics/mAP"]
    assert values(kg, 'SELECT ?s WHERE { ?r pwc:modelName "RexNet2" ; pwc:sourceRecord ?s }') \
        == ["rexnet2.md#/Models/1/Results/0/Metrics/mAP"]
    # 08_import_models_json: a model read from JSON, its collection listed in a file that lists files
    assert "model2.json#/Results/0/Metrics/Top 1 Accuracy" in values(kg, "SELECT ?s WHERE { ?r pwc:sourceRecord ?s }")


def test_collection_fields_are_merged_into_their_models(pwc_mi):
    kg, _, _ = pwc_mi
    m = mint.model("Inception v3 - 120 epochs")
    techniques = values(kg, f"SELECT ?n WHERE {{ <{m}> pwc:trainingTechnique/pwc:name ?n }}")
    assert {"RMSProp", "Label Smoothing", "Transformers"} <= set(techniques)  # the collection's and the model's
    assert "Reddit" in values(kg, f"SELECT ?n WHERE {{ <{m}> pwc:trainingData/pwc:name ?n }}")


def test_broken_references_are_rejected_with_the_reason(pwc_mi):
    _, _, rejects = pwc_mi
    lines = [r for r in rejects if r["source"] == "10_import_meta_check/model-index.yml"]
    assert any(r["record"] == "model-index.yml#/Import/2" and "noexist.json" in r["reason"] for r in lines)
    assert any(r["field"] == "Metadata" and "wrongsubdir/meta2.yaml" in r["reason"] for r in lines)


def test_the_reader_merges_collection_results_before_the_models():
    (first, second) = list(iter_model_index(PWC_MI / "17_collections_merge" / "mi2.yml"))
    assert first[0] == "mi2.yml#/Models/0"
    assert first[1]["_results_at"] == ["mi2.yml#/Collections/0/Results/0", "mi2.yml#/Models/0/Results/0"]
    assert second[1]["Metadata"]["Training Data"] == "Reddit"  # the model's value wins
    assert second[1]["Paper"] == "https://arxiv.org/abs/1512.00567v3"  # the collection's, inherited


# ---------------------------------------------------------------- readers and IRIs

def test_card_ids_come_from_folders_and_bad_front_matter_is_yielded_with_an_error(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "README.md").write_text("---\nmodel_name: Something Else\n---\n# x\n", encoding="utf-8")
    (tmp_path / "org" / "listy").mkdir(parents=True)
    (tmp_path / "org" / "listy" / "README.md").write_text("---\n- a\n- b\n---\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n", encoding="utf-8")
    got = dict(iter_model_cards(tmp_path))
    assert got["x/README.md"] == {"id": "x", "front_matter": {"model_name": "Something Else"}}
    assert got["README.md"]["id"] == tmp_path.name
    assert "not a mapping" in got["org/listy/README.md"]["error"]
    with pytest.raises(SourceError, match="cannot read"):
        list(iter_model_cards(tmp_path / "missing"))


def test_hub_ids_and_urls():
    assert hf_id("https://huggingface.co/openflamingo/OpenFlamingo-9B") == "openflamingo/OpenFlamingo-9B"
    assert hf_id("https://huggingface.co/datasets/piqa") is None
    assert hf_id("not an id") is None and hf_id("../etc") is None
    assert HF("MBZUAI/LaMini-GPT-1.5B").endswith("/model/hf/MBZUAI/LaMini-GPT-1.5B")


@given(st.text())
def test_every_hub_model_iri_is_valid_and_ascii(text):
    node = HF(text)
    ox.NamedNode(node)
    assert node.isascii() and "/../" not in node and "/./" not in node


def test_two_builds_of_the_lineage_sources_are_identical(tmp_path):
    def quads(store_dir) -> list[str]:
        provenance = mint.graph("provenance")
        return sorted(str(q) for q in pwc_kg.open_store(store_dir).store
                      if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != provenance)  # the default graph: their union

    sources = [str(LAMINI), str(CARDS), str(LINEAGE), str(MMPRETRAIN)]
    pwc_kg.build(sources, tmp_path / "a")
    pwc_kg.build(list(reversed(sources)), tmp_path / "b")
    a, b = quads(tmp_path / "a"), quads(tmp_path / "b")
    assert len(a) > 1000 and a == b
