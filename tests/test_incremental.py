"""Incremental builds: a build on a built store reads only what changed, and gives exactly the
triples of a full build of the same input (but for each build's own activity record)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import FIXTURES, LAMINI, QUIRKS

import pwc_kg
from pwc_kg.cli import main
from pwc_kg.mapping.context import Registry
from pwc_kg.sources import SourceError
from pwc_kg.store.graph_diff import replace_graph
from pwc_kg.vocab import PWC, RDF

MODEL_CARDS = FIXTURES / "model-cards"
QUIRKS_FILES = ["methods.json", "datasets.json", "papers-with-abstracts.json", "links-between-papers-and-code.json",
                "evaluation-tables.json"]
ACTIVITIES = [ox.NamedNode(PWC.Build), ox.NamedNode(PWC.Derivation)]


def quads(store_dir: Path) -> set[str]:
    """The store's quads as N-Quads, without the builds' own activity records (their times differ)."""
    store = pwc_kg.open_store(store_dir).store
    activities = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(RDF.type), None) if q.object in ACTIVITIES}
    agent = ox.NamedNode("https://w3id.org/pwc-kg/resource/agent/pwc-kg")
    return {str(q) for q in store if not ({q.subject, q.object} & (activities | {agent}))}


def summary(report) -> list[tuple]:
    return [(s.name, s.kind, s.size, s.sha256, s.graph, s.records, s.records_rejected, s.rejects, s.triples)
            for s in report.sources]


def assert_same_as_full(tmp_path: Path, incremental: Path, report, sources: list) -> None:
    """A full build of the same sources holds the same quads, graphs, rejects and counts."""
    full_store = tmp_path / "full"
    full = pwc_kg.build([str(s) for s in sources], full_store)
    assert full.mode == "full"
    got, want = quads(incremental), quads(full_store)
    assert len(want) > 500
    assert sorted(got - want)[:5] == [] and sorted(want - got)[:5] == []
    assert set(pwc_kg.open_store(incremental).store.named_graphs()) == set(
        pwc_kg.open_store(full_store).store.named_graphs())
    assert (incremental / "current" / "rejects.jsonl").read_text() == (full_store / "current" / "rejects.jsonl").read_text()
    assert summary(report) == summary(full)
    assert (report.records, report.rejects, report.triples, report.violations) == (
        full.records, full.rejects, full.triples, full.violations)
    assert report.derived == full.derived


@pytest.fixture
def quirks(tmp_path) -> Path:
    """A copy of the quirks archive, to change."""
    return Path(shutil.copytree(QUIRKS, tmp_path / "quirks"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_corrected_methods_file_is_the_only_file_read_again(tmp_path, quirks):
    store = tmp_path / "s"
    pwc_kg.build([quirks], store)
    edit(quirks / "methods.json", "are the activation function f(x) = max(0, x).",
         "are the activation function f(x) = max(0, x), corrected.")
    report = pwc_kg.build([quirks], store)
    assert report.mode == "incremental", report.full_reason
    assert report.reread == ["methods.json"]
    assert report.reused == [n for n in QUIRKS_FILES if n != "methods.json"]  # the papers were not read
    graph = report.sources[0].graph
    assert report.changes[graph] == {"removed": 1, "added": 1}
    assert report.derived_kept  # a description is nothing the leaderboards are computed from
    assert_same_as_full(tmp_path, store, report, [quirks])


def test_a_method_renamed_reads_the_papers_that_name_it_again(tmp_path, quirks):
    """The papers file joins its method summaries to methods.json by name: that join now finds nothing."""
    store = tmp_path / "s"
    pwc_kg.build([quirks], store)
    edit(quirks / "methods.json", '"name": "Transformer",', '"name": "Transformer (the original)",')
    report = pwc_kg.build([quirks], store)
    assert report.mode == "incremental", report.full_reason
    assert report.reread == ["methods.json", "papers-with-abstracts.json"]
    assert "links-between-papers-and-code.json" in report.reused and "evaluation-tables.json" in report.reused
    assert_same_as_full(tmp_path, store, report, [quirks])


def test_a_new_model_card_folder_is_read_alone(tmp_path):
    store = tmp_path / "s"
    pwc_kg.build([LAMINI], store)
    report = pwc_kg.build([LAMINI, MODEL_CARDS], store)
    assert report.mode == "incremental", report.full_reason
    assert report.reread == ["model-cards"]
    assert len(report.reused) == 5 and "papers-with-abstracts.json" in report.reused
    assert report.sources[-1].triples > 50
    assert_same_as_full(tmp_path, store, report, [LAMINI, MODEL_CARDS])


def test_a_card_added_to_a_model_card_folder_reads_that_folder_again(tmp_path):
    cards = Path(shutil.copytree(MODEL_CARDS, tmp_path / "model-cards"))
    kept = tmp_path / "kept"
    shutil.move(cards / "org" / "llama-2-7b-lora", kept)
    store = tmp_path / "s"
    pwc_kg.build([LAMINI, cards], store)
    shutil.move(kept, cards / "org" / "llama-2-7b-lora")
    report = pwc_kg.build([LAMINI, cards], store)
    assert report.mode == "incremental", report.full_reason
    assert report.reread == ["model-cards"] and len(report.reused) == 5
    assert report.changes[report.sources[-1].graph]["added"] > 0
    assert_same_as_full(tmp_path, store, report, [LAMINI, cards])


def test_a_removed_source_takes_its_graph_with_it(tmp_path):
    store = tmp_path / "s"
    first = pwc_kg.build([LAMINI, MODEL_CARDS], store)
    cards_graph = first.sources[-1].graph
    report = pwc_kg.build([LAMINI], store)
    assert report.mode == "incremental", report.full_reason
    assert report.removed == ["model-cards"] and report.reread == [] and len(report.reused) == 5
    assert report.changes[cards_graph]["added"] == 0 and report.changes[cards_graph]["removed"] == first.sources[-1].triples
    assert ox.NamedNode(cards_graph) not in set(pwc_kg.open_store(store).store.named_graphs())
    assert_same_as_full(tmp_path, store, report, [LAMINI])


def test_a_removed_datasets_file_reads_the_tables_that_joined_to_it_again(tmp_path, quirks):
    store = tmp_path / "s"
    pwc_kg.build([quirks], store)
    (quirks / "datasets.json").unlink()
    report = pwc_kg.build([quirks], store)
    assert report.mode == "incremental", report.full_reason
    assert report.removed == ["datasets.json"]
    assert report.reread == ["evaluation-tables.json"]  # its leaderboards named datasets of that file
    assert_same_as_full(tmp_path, store, report, [quirks])


def test_an_evaluation_row_that_now_cites_another_paper(tmp_path, quirks):
    store = tmp_path / "s"
    before = pwc_kg.build([quirks], store)
    edit(quirks / "evaluation-tables.json", '"paper_url": "https://arxiv.org/abs/1512.03385v1"',
         '"paper_url": "https://arxiv.org/abs/1810.04805"')
    report = pwc_kg.build([quirks], store)
    assert report.mode == "incremental", report.full_reason
    assert report.reread == ["evaluation-tables.json"] and not report.derived_kept
    graph = report.sources[-1].graph
    assert report.changes[graph]["removed"] > 0 and report.changes[graph]["added"] > 0
    assert report.triples != before.triples or report.changes[graph]["removed"] > 0
    rows = pwc_kg.open_store(store).sparql(
        f"SELECT ?t WHERE {{ ?r <{PWC.modelName}> 'ResNet-50' ; <{PWC.reportedIn}> ?p . ?p <{PWC.title}> ?t }}")
    assert {r["t"].value for r in rows} == {"BERT: Pre-training of Deep Bidirectional Transformers for Language "
                                            "Understanding"}
    assert_same_as_full(tmp_path, store, report, [quirks])


def test_a_new_paper_reads_the_tables_whose_rows_now_join_to_it_again(tmp_path, quirks):
    """The evaluation tables did not change, but their BiDAF rows now find the paper they cite."""
    store = tmp_path / "s"
    pwc_kg.build([quirks], store)
    text = (quirks / "papers-with-abstracts.json").read_text(encoding="utf-8").rstrip()
    assert text.endswith("]")
    bidaf = {"paper_url": "https://paperswithcode.com/paper/bidirectional-attention-flow-for-machine",
             "arxiv_id": "1611.01603", "title": "Bidirectional Attention Flow for Machine Comprehension",
             "abstract": "Machine comprehension.", "authors": ["Minjoon Seo"], "date": "2016-11-05"}
    (quirks / "papers-with-abstracts.json").write_text(text[:-1] + ", " + json.dumps(bidaf) + "]", encoding="utf-8")
    report = pwc_kg.build([quirks], store)
    assert report.mode == "incremental", report.full_reason
    assert report.reread == ["papers-with-abstracts.json", "evaluation-tables.json"]
    assert report.reused == ["methods.json", "datasets.json", "links-between-papers-and-code.json"]
    rows = pwc_kg.open_store(store).sparql(
        f"SELECT DISTINCT ?p WHERE {{ ?r <{PWC.modelName}> 'BiDAF (single model)' ; <{PWC.reportedIn}> ?p }}")
    assert [r["p"].value for r in rows] == [
        "https://w3id.org/pwc-kg/resource/paper/bidirectional-attention-flow-for-machine"]
    assert_same_as_full(tmp_path, store, report, [quirks])


def test_unchanged_inputs_are_not_read_again(tmp_path, quirks):
    store = tmp_path / "s"
    first = pwc_kg.build([quirks, LAMINI / "evaluation-tables.json"], store)
    os.utime(quirks / "papers-with-abstracts.json")  # a newer mtime, the same bytes: the sha256 says unchanged
    report = pwc_kg.build([quirks, LAMINI / "evaluation-tables.json"], store)
    assert report.mode == "incremental" and report.full_reason == ""
    assert report.reread == [] and report.removed == [] and len(report.reused) == 6
    # only the provenance graph changed: this build's activity replaced the previous one's
    assert set(report.changes) == {report.sources[0].graph.replace("source/methods.json", "provenance")}
    assert report.derived_kept
    assert summary(report) == summary(first)
    assert quads(store) == quads(store)  # stable
    assert_same_as_full(tmp_path, store, report, [quirks, LAMINI / "evaluation-tables.json"])


def test_full_reads_everything_again(tmp_path):
    store = tmp_path / "s"
    pwc_kg.build([LAMINI], store)
    report = pwc_kg.build([LAMINI], store, full=True)
    assert report.mode == "full" and report.full_reason == "asked for" and len(report.reread) == 5


def test_a_store_from_an_older_build_is_rebuilt_in_full(tmp_path):
    """A generation without build state (written before incremental builds) gets a full build, saying why."""
    store = tmp_path / "s"
    pwc_kg.build([LAMINI], store)
    shutil.rmtree(store / "current" / "state")
    report = pwc_kg.build([LAMINI], store)
    assert report.mode == "full" and "keeps no build state" in report.full_reason
    assert pwc_kg.open_store(store).validate().conforms
    # and the state it keeps now makes the next build incremental
    assert pwc_kg.build([LAMINI], store).mode == "incremental"
    (store / "current" / "state" / "build-state.json").write_text("{not json")
    report = pwc_kg.build([LAMINI], store)
    assert report.mode == "full" and "unreadable build state" in report.full_reason


def test_a_store_built_by_another_version_of_pwc_kg_is_rebuilt_in_full(tmp_path):
    store = tmp_path / "s"
    pwc_kg.build([LAMINI], store)
    path = store / "current" / "state" / "build-state.json"
    state = json.loads(path.read_text())
    path.write_text(json.dumps(dict(state, fingerprint="0" * 64)))
    report = pwc_kg.build([LAMINI], store)
    assert report.mode == "full" and "another version of pwc-kg" in report.full_reason


def test_another_base_iri_is_a_full_build(tmp_path):
    store = tmp_path / "s"
    pwc_kg.build([LAMINI], store)
    report = pwc_kg.build([LAMINI], store, base_iri="https://example.org/kg/")
    assert report.mode == "full" and "base IRI" in report.full_reason


def test_builds_with_entail_are_full_builds(tmp_path):
    store = tmp_path / "s"
    pwc_kg.build([LAMINI], store, entail=True, validate=False)
    report = pwc_kg.build([LAMINI], store, validate=False)
    assert report.mode == "full" and "entailed graph" in report.full_reason
    assert not any(str(g.value).endswith("/graph/entailed") for g in pwc_kg.open_store(store).store.named_graphs())


def test_a_generation_missing_a_state_file_is_rebuilt_in_full(tmp_path):
    store = tmp_path / "s"
    pwc_kg.build([LAMINI], store)
    (store / "current" / "state" / "002-papers.reads.json").unlink()
    report = pwc_kg.build([LAMINI], store)
    assert report.mode == "full" and "lacks 002-papers.reads.json" in report.full_reason


def test_a_failed_incremental_build_leaves_the_store_as_it_was(tmp_path, quirks):
    store = tmp_path / "s"
    pwc_kg.build([quirks], store)
    current = (store / "current").resolve()
    before = quads(store)
    (quirks / "methods.json").write_text('[{"name": "ok"}, 3]', encoding="utf-8")
    with pytest.raises(SourceError, match="record 1"):
        pwc_kg.build([quirks], store)
    assert (store / "current").resolve() == current
    assert sorted(p.name for p in store.glob("gen-*")) == [current.name]
    assert quads(store) == before
    assert pwc_kg.open_store(store).validate().conforms


def test_the_command_line_says_what_was_read_and_what_reused(tmp_path, quirks, capsys):
    store = str(tmp_path / "s")
    assert main(["build", str(quirks), "--store", store]) == 0
    assert "full build (no previous build in this store)" in capsys.readouterr().out
    edit(quirks / "methods.json", "max(0, x).", "max(0, x)!")
    assert main(["build", str(quirks), "--store", store]) == 0
    out = capsys.readouterr().out
    assert "incremental build" in out
    assert [line.split()[2] for line in out.splitlines() if line.split()[:1] and line.split()[0] in QUIRKS_FILES] == [
        "read", "reused", "reused", "reused", "reused"]
    assert main(["build", str(quirks), "--store", store, "--full"]) == 0
    assert "full build (asked for)" in capsys.readouterr().out


# ------------------------------------------------------------------ the parts


def test_the_registry_sees_every_layer_and_logs_what_a_source_looked_up():
    reg = Registry()
    reg.remember(reg.paper_by_arxiv, "1706.03762", "https://x/paper/b")
    reg.papers.add("https://x/paper/b")
    first, reads = reg.end()
    assert first == {"paper_by_arxiv": {"1706.03762": "https://x/paper/b"}, "papers": {"https://x/paper/b": "https://x/paper/b"}}
    assert reads == {}
    reg.add_layer(lambda: {"paper_by_arxiv": {"1706.03762": "https://x/paper/a"}}, ["paper_by_arxiv"])
    assert reg.paper_by_arxiv.get("1706.03762") == "https://x/paper/a"  # the smallest IRI, whatever the order
    assert "https://x/paper/b" in reg.papers and "https://x/paper/c" not in reg.papers
    with pytest.raises(KeyError):
        reg.paper_by_title["nothing"]
    _, reads = reg.end()
    assert reads == {"paper_by_arxiv": {"1706.03762": "https://x/paper/a"},
                     "papers": {"https://x/paper/b": "https://x/paper/b", "https://x/paper/c": None},
                     "paper_by_title": {"nothing": None}}
    assert reg.agrees(reads)
    assert not reg.agrees({"paper_by_arxiv": {"1706.03762": "https://x/paper/b"}})
    assert not reg.agrees({"paper_by_title": {"nothing": "https://x/paper/b"}})


def test_replace_graph_writes_only_the_difference(tmp_path):
    store = ox.Store()
    g = "https://example.org/g"
    store.load(input=b'<http://e/a> <http://e/p> "1" .\n<http://e/a> <http://e/p> "2" .\n<http://e/b> <http://e/p> '
                     b'"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n',
               format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(g))
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1"), ox.NamedNode("http://e/h")))
    new = tmp_path / "new.nt"
    new.write_text('<http://e/a> <http://e/p> "2" .\n<http://e/c> <http://e/p> "3" .\n<http://e/c> <http://e/p> "3" .\n'
                   '<http://e/b> <http://e/p> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n')
    change = replace_graph(store, g, [new], tmp_path / "work")
    assert (change.removed, change.added) == (1, 1)
    assert sorted(str(q) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))) == sorted([
        f'<http://e/a> <http://e/p> "2" <{g}>', f'<http://e/b> <http://e/p> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> <{g}>',
        f'<http://e/c> <http://e/p> "3" <{g}>'])
    assert len(list(store.quads_for_pattern(None, None, None, ox.NamedNode("http://e/h")))) == 1  # other graphs untouched
    change = replace_graph(store, g, [], tmp_path / "work")
    assert (change.removed, change.added) == (3, 0)
    assert ox.NamedNode(g) not in set(store.named_graphs())
    assert list((tmp_path / "work").iterdir()) == []


def test_a_loader_that_fails_while_the_mapping_writes_into_its_pipe_fails_the_build(tmp_path, monkeypatch):
    """The bulk loader stops reading at a bad line; the mapping, blocked on the full pipe, must not wait for ever."""
    import signal

    from pwc_kg import kinds

    mapper = kinds.MAPPERS["methods"]

    def bad_then_plenty(ctx, index, record):
        if index == 0:
            ctx.graph.add("https://example.org/s", "https://example.org/p", "<not an IRI>")
            for i in range(100_000):
                ctx.graph.text(f"https://example.org/s{i}", "https://example.org/p", "x" * 50)
        return mapper(ctx, index, record)

    monkeypatch.setitem(kinds.MAPPERS, "methods", bad_then_plenty)
    signal.alarm(120)  # a deadlock fails the test instead of hanging it
    try:
        with pytest.raises(Exception, match="methods.json"):
            pwc_kg.build([LAMINI], tmp_path / "s")
    finally:
        signal.alarm(0)
    assert not (tmp_path / "s" / "current").exists() and list((tmp_path / "s").glob("gen-*")) == []


def test_the_derived_graph_is_computed_from_the_triples_it_says_it_reads_and_no_others(tmp_path, sota_store):
    """What lets an incremental build keep the derived graph when no change touched those triples."""
    from pwc_kg.derive.inputs import reads
    from derive_oracle import derive
    from pwc_kg.iri import Minter

    store = pwc_kg.open_store(sota_store).store
    sources = sorted(g.value for g in store.named_graphs() if "/graph/source/" in g.value)
    read = ox.Store()
    read.extend(q for g in sources for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
                if reads(q.predicate.value, q.object.value if isinstance(q.object, ox.NamedNode) else None))
    everything, only_read = tmp_path / "a.nt", tmp_path / "b.nt"
    with open(everything, "w") as out:
        stats = derive(store, Minter(), out, graphs=sources)
    with open(only_read, "w") as out:
        derive(read, Minter(), out, graphs=sources)
    assert stats.leaderboards > 50 and stats.records > 50
    assert everything.read_text() == only_read.read_text()



def test_a_reused_graph_is_checked_in_full_when_the_shapes_changed(tmp_path, monkeypatch):
    """A reused graph's value-test suspects were found with the shapes of its build: under changed shapes
    they are not trusted, and the graph is scanned (here every title breaks a new pattern)."""
    from pwc_kg.validation import compiler, values

    store = tmp_path / "s"
    pwc_kg.build([str(LAMINI)], store)
    stricter = tmp_path / "shapes.ttl"
    stricter.write_text(compiler.shapes_path().read_text(encoding="utf-8") + """
<urn:test:TitleShape> a <http://www.w3.org/ns/shacl#NodeShape> ;
    <http://www.w3.org/ns/shacl#targetClass> <https://w3id.org/pwc-kg/ontology#Paper> ;
    <http://www.w3.org/ns/shacl#property> [ <http://www.w3.org/ns/shacl#path> <https://w3id.org/pwc-kg/ontology#title> ;
        <http://www.w3.org/ns/shacl#pattern> "^ZZZ" ] .
""", encoding="utf-8")
    monkeypatch.setattr(compiler, "shapes_path", lambda: stricter)
    monkeypatch.setattr(values, "shapes_path", lambda: stricter)
    with pytest.raises(pwc_kg.BuildError, match="SHACL violations"):
        pwc_kg.build([str(LAMINI)], store)
    assert "Paper title pattern" in (store / "failed-validation.txt").read_text()


def test_regression_the_command_line_package_is_not_in_the_code_fingerprint():
    """cli.py became the cli/ package: the command line reads stores and never writes one, so changing it keeps
    them reusable, as the build's code does not (store/state.NOT_BUILDING)."""
    from pwc_kg.store.state import building_files

    names = [name for name, _ in building_files()]
    assert not [n for n in names if n.startswith(("pkg/cli/", "pkg/serve/", "pkg/queries/"))]
    assert "pkg/build/run.py" in names and "pkg/derive/inputs.py" in names and "ontology/pwc.ttl" in names
