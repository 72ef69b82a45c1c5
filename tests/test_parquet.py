"""Parquet archive files (the Hugging Face ``pwc-archive`` copies) build exactly the graph their JSON builds.

What must differ between a JSON build and a Parquet build of one archive, and nothing else: each source's
named graph (named after its file), its Source node (named after its sha256) with the file's name,
size and sha256, the two activities' IRIs and times, and the ontology graph's blank-node labels (fresh
at every load). ``canonical`` replaces exactly those by placeholders; everything else is compared as is.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyoxigraph as ox
import pytest
from conftest import LAMINI, LAMINI_TITLE, SOTA_FILES

import pwc_kg
from pwc_kg import SourceError
from pwc_kg.iri import DEFAULT_BASE
from pwc_kg.sources import discover, iter_records
from pwc_kg.sources.kinds import NotAnArchiveFile
from pwc_kg.vocab import PROV, PWC, RDF

BENCH = Path(__file__).resolve().parent.parent / "bench"
SHARD = "train-00000-of-00001.parquet"
VARIES = ox.Literal("VARIES")


# ----------------------------------------------------------------------------- helpers


def hf_convert(records: list[dict], dest: Path, schema: pa.Schema | None = None) -> Path:
    """Records to a Parquet file as the Hugging Face conversion does: pyarrow infers the schema."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(records, schema=schema), dest)
    return dest


def convert_folder(src: Path, out: Path) -> Path:
    """Each archive JSON file of a folder to out/<name>/train-00000-of-00001.parquet (the Hugging Face layout)."""
    for f in sorted(src.glob("*.json")):
        hf_convert(json.loads(f.read_text(encoding="utf-8")), out / f.stem / SHARD)
    return out


def canonical(store_dir: Path) -> tuple[list[str], list[str], dict[str, int]]:
    """The sorted N-Quads and rejects of a store, what must differ between JSON and Parquet replaced
    (see the module docstring); and how many terms of each sort were replaced."""
    gen = (Path(store_dir) / "current").resolve()
    report = json.loads((gen / "build.json").read_text())
    store = pwc_kg.open_store(store_dir).store
    rename = {}
    for src in report["sources"]:
        assert list(map(lambda s: s["kind"], report["sources"])).count(src["kind"]) == 1, "one file per kind"
        rename[src["graph"]] = f"urn:x:graph:{src['kind']}"
        for q in store.quads_for_pattern(None, ox.NamedNode(PWC.sha256), ox.Literal(src["sha256"])):
            rename[q.subject.value] = f"urn:x:source:{src['kind']}"
    for cls in (PWC.Build, PWC.Derivation):
        for q in store.quads_for_pattern(None, ox.NamedNode(RDF.type), ox.NamedNode(cls)):
            rename[q.subject.value] = f"urn:x:activity:{cls.rsplit('#', 1)[1]}"
    varying = {PWC.fileName, PWC.sha256, PWC.byteSize, PROV.startedAtTime, PROV.endedAtTime}
    replaced = {"terms": 0, "literals": 0, "blank nodes": 0}

    def term(t):
        if isinstance(t, ox.NamedNode) and t.value in rename:
            replaced["terms"] += 1
            return ox.NamedNode(rename[t.value])
        return t

    ontology = ox.NamedNode(DEFAULT_BASE + "graph/ontology")
    lines = []
    for q in store:
        obj = q.object
        if q.predicate.value in varying:
            replaced["literals"] += 1
            obj = VARIES
        line = str(ox.Quad(term(q.subject), q.predicate, term(obj), term(q.graph_name)))
        if q.graph_name == ontology and "_:" in line:
            replaced["blank nodes"] += 1
            line = re.sub(r"_:\w+", "_:b", line)
        lines.append(line)
    kinds = {s["name"]: s["kind"] for s in report["sources"]}
    rejects = [json.dumps({**r, "source": kinds[r["source"]]}, sort_keys=True, ensure_ascii=False)
               for r in map(json.loads, (gen / "rejects.jsonl").read_text(encoding="utf-8").splitlines())]
    return sorted(lines), sorted(rejects), replaced


def results(quads: list[str]) -> int:
    return sum(f"<{RDF.type}> <{PWC.EvaluationResult}> <urn:x:graph:" in q for q in quads)


def assert_same_graph(json_sources: list, parquet_sources: list, tmp_path: Path) -> tuple[list[str], list[str]]:
    pwc_kg.build([str(s) for s in json_sources], tmp_path / "json-store")
    pwc_kg.build([str(s) for s in parquet_sources], tmp_path / "parquet-store")
    quads_j, rejects_j, replaced_j = canonical(tmp_path / "json-store")
    quads_p, rejects_p, replaced_p = canonical(tmp_path / "parquet-store")
    assert replaced_j == replaced_p  # the same things differ, as many times
    missing, extra = sorted(set(quads_j) - set(quads_p)), sorted(set(quads_p) - set(quads_j))
    assert not missing and not extra, f"only in the JSON build: {missing[:5]}; only in the Parquet build: {extra[:5]}"
    assert quads_j == quads_p  # duplicates included
    assert rejects_j == rejects_p
    return quads_p, rejects_p


# ----------------------------------------------------------------------------- the same graph


def test_the_lamini_fixture_as_parquet_gives_the_same_graph(tmp_path):
    parquet = convert_folder(LAMINI, tmp_path / "pwc-archive")
    quads, _ = assert_same_graph([LAMINI], [parquet], tmp_path)
    assert results(quads) == 44
    graphs = {s["graph"].rsplit("/source/", 1)[1] for s in json.loads(
        (tmp_path / "parquet-store" / "current" / "build.json").read_text())["sources"]}
    # one graph per repository folder, named after it (tests/test_archive_layouts.py: the Hub's names and shards)
    assert graphs == {"papers-with-abstracts", "links-between-papers-and-code", "evaluation-tables", "methods", "datasets"}
    rows = pwc_kg.open_store(tmp_path / "parquet-store").query("paper-results", paper=LAMINI_TITLE)
    assert len(rows) == 44


def test_the_sota_extractor_files_as_parquet_give_the_same_graph_and_rejects(tmp_path):
    # Named after their leaderboards (snli.parquet, ...), not after an archive file: the columns say what they are.
    out = tmp_path / "parquet"
    for f in SOTA_FILES:
        hf_convert(json.loads(f.read_text(encoding="utf-8")), out / f"{f.stem}.parquet")
    assert {s.kind for s in discover([out])} == {"evaluation-tables"}
    # canonical() pairs sources by kind, so one file each: the largest, with its value quirks
    quads, rejects = assert_same_graph([SOTA_FILES[2]], [out / "nlp-progress.parquet"], tmp_path)
    assert SOTA_FILES[2].name == "nlp-progress.json"
    assert len(rejects) > 100 and results(quads) > 1000


@pytest.mark.slow  # whole builds of a generated archive
def test_a_generated_archive_as_parquet_gives_the_same_graph_and_rejects(tmp_path):
    archive = tmp_path / "synthetic"
    subprocess.run([sys.executable, str(BENCH / "generate_archive.py"), "--out", str(archive), "--scale", "0.005",
                    "--parquet"], check=True, capture_output=True)
    # The JSON files and their Parquet copies share a folder: each build takes only what it is given.
    assert {s.path.suffix for s in discover([archive])} == {".gz"}
    parquet = discover([archive / "parquet"])
    assert sorted(s.path.name for s in parquet) == sorted(["papers-with-abstracts", "links-between-paper-and-code",
                                                           "evaluation-tables", "methods", "datasets"])
    quads, rejects = assert_same_graph([archive], [archive / "parquet"], tmp_path)
    assert len(quads) > 100_000 and len(rejects) > 10


def _rows(task: dict):
    for ds in task["datasets"]:
        yield from ds["sota"]["rows"]
    for sub in task["subtasks"]:
        yield from _rows(sub)


def _float_text(value: str) -> bool:
    try:
        return repr(float(value)) == value
    except ValueError:
        return False


def _with_numbers(tables: list[dict]) -> list[dict]:
    """Metric values as JSON numbers (their text the string's), for each metric whose values all read so:
    one Parquet column is one type, and a JSON 36 read as a double would come back as 36.0."""
    values: dict[str, list] = {}
    for row in (r for t in tables for r in _rows(t)):
        for name, value in row["metrics"].items():
            values.setdefault(name, []).append(value)
    floats = {name for name, vs in values.items() if all(_float_text(v) for v in vs)}
    ints = {name for name, vs in values.items() if all(v.isdigit() and str(int(v)) == v for v in vs)}
    assert floats
    for row in (r for t in tables for r in _rows(t)):
        row["metrics"] = {k: float(v) if k in floats else int(v) if k in ints else v for k, v in row["metrics"].items()}
    return tables


def _replace_column(table: pa.Table, name: str, column) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, column)


def _metrics_as_map(t: pa.DataType, value_type: pa.DataType) -> pa.DataType:
    """The inferred type with every row's ``metrics`` struct written as a map instead."""
    if pa.types.is_list(t):
        return pa.list_(_metrics_as_map(t.value_type, value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, pa.map_(pa.string(), value_type))
                          if f.name == "metrics" and pa.types.is_struct(f.type)
                          else pa.field(f.name, _metrics_as_map(f.type, value_type)) for f in t])
    return t


@pytest.mark.parametrize("metrics_as", ["struct", "map"])
def test_parquet_types_other_writers_use_give_the_same_graph(tmp_path, metrics_as):
    """Dates and timestamps for date strings (pandas makes ``date`` a timestamp), floats with NaN for
    nullable integers, dictionary-encoded, large and binary strings, a null struct written as a struct of
    nulls, metric values as doubles, or a map of strings for the metrics object: the same records, the
    same graph."""
    records = {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in LAMINI.glob("*.json")}
    if metrics_as == "struct":  # a struct of doubles (and strings) for the JSON numbers
        records["evaluation-tables"] = _with_numbers(records["evaluation-tables"])
    records["methods"][1]["introduced_year"] = None
    records["methods"][2]["paper"] = None
    as_json = tmp_path / "json"
    as_json.mkdir()
    for name, recs in records.items():
        (as_json / f"{name}.json").write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "parquet"

    papers = pa.Table.from_pylist(records["papers-with-abstracts"])
    stamp = pc.strptime(papers["date"], format="%Y-%m-%d", unit="s").cast(pa.timestamp("ns"))
    papers = _replace_column(papers, "date", stamp)
    papers = _replace_column(papers, "title", papers["title"].cast(pa.large_string()))
    out.mkdir()
    pq.write_table(papers, out / "papers.parquet")

    datasets = pa.Table.from_pylist(records["datasets"])
    day = pc.strptime(datasets["introduced_date"], format="%Y-%m-%d", unit="s").cast(pa.date32())
    datasets = _replace_column(datasets, "introduced_date", day)
    datasets = _replace_column(datasets, "name", pc.dictionary_encode(datasets["name"]))
    datasets = _replace_column(datasets, "description", datasets["description"].cast(pa.binary()))
    pq.write_table(datasets, out / "datasets.parquet")

    methods = pa.Table.from_pylist(records["methods"])
    year = methods["introduced_year"].cast(pa.float64())
    methods = _replace_column(methods, "introduced_year", pc.if_else(pc.is_null(year), float("nan"), year))
    paper = methods["paper"].combine_chunks()
    assert paper.null_count == 1
    methods = _replace_column(methods, "paper", pa.StructArray.from_arrays(
        [paper.field(i) for i in range(paper.type.num_fields)], fields=list(paper.type)))  # no validity: all valid
    pq.write_table(methods, out / "methods.parquet")

    hf_convert(records["links-between-papers-and-code"], out / "links.parquet")
    tables = pa.Table.from_pylist(records["evaluation-tables"])
    metrics_type = tables.schema.field("datasets").type.value_type.field("sota").type.field("rows").type \
        .value_type.field("metrics").type
    assert pa.types.is_struct(metrics_type)
    if metrics_as == "struct":
        assert any(pa.types.is_floating(f.type) for f in metrics_type)
    else:
        schema = pa.schema([pa.field(f.name, _metrics_as_map(f.type, pa.string())) for f in tables.schema])
        tables = pa.Table.from_pylist(records["evaluation-tables"], schema=schema)
    pq.write_table(tables, out / "tables.parquet")

    quads, _ = assert_same_graph([as_json], [out], tmp_path)
    assert results(quads) == 44 and any(f'<{PWC.rawValue}> "36.5"' in q for q in quads)


# ----------------------------------------------------------------------------- bad Parquet files


def _lamini_papers(copies: int = 1) -> list[dict]:
    paper = json.loads((LAMINI / "papers-with-abstracts.json").read_text(encoding="utf-8"))[0]
    return [{**paper, "title": f"{paper['title']} ({i})"} for i in range(copies)]


@pytest.mark.parametrize(("change", "column", "words"), [
    (lambda t: _replace_column(t, "authors", pc.binary_join(t["authors"], ", ")), "column authors",
     "expected a list of values, found string"),
    (lambda t: _replace_column(t, "title", pa.array([["a", "b"]] * len(t))), "column title",
     "expected a value (string, number, boolean or date), found list<element: string>"),
    (lambda t: _replace_column(t, "methods", pa.array([[["x"]]] * len(t))), "column methods[]",
     "expected an object (struct or map), found list<element: string>"),
], ids=["list-as-string", "string-as-list", "nested"])
def test_a_column_of_the_wrong_shape_fails_naming_file_and_column(tmp_path, change, column, words):
    path = tmp_path / "papers-with-abstracts.parquet"
    pq.write_table(change(pa.Table.from_pylist(_lamini_papers())), path)
    with pytest.raises(SourceError) as err:
        pwc_kg.build([str(path)], tmp_path / "store")
    assert err.value.path == str(path) and err.value.position == column
    assert words in err.value.message and "(in papers-with-abstracts records)" in err.value.message
    assert not (tmp_path / "store" / "current").exists()


def test_a_wrong_shape_deep_in_the_evaluation_tables_names_the_column(tmp_path):
    tables = json.loads((LAMINI / "evaluation-tables.json").read_text(encoding="utf-8"))
    for task in tables:
        for ds in task["datasets"]:
            for row in ds["sota"]["rows"]:
                row["metrics"] = list(row["metrics"].values())  # values without their metric names
    path = hf_convert(tables, tmp_path / "evaluation-tables.parquet")
    with pytest.raises(SourceError) as err:
        list(iter_records(path))
    assert err.value.position == "column datasets[].sota.rows[].metrics"
    assert "expected an object (struct or map), found list<element: string>" in err.value.message


def test_columns_of_no_archive_file_fail_alone_and_are_skipped_in_a_folder(tmp_path):
    path = hf_convert([{"question": "2+2?", "answer": "4"}], tmp_path / "train.parquet")
    with pytest.raises(NotAnArchiveFile) as err:
        pwc_kg.build([str(path)], tmp_path / "store")
    assert err.value.position == "columns" and "question, answer" in err.value.message
    convert_folder(LAMINI, tmp_path)
    report = pwc_kg.build([str(tmp_path)], tmp_path / "store")
    assert [s for s in report.skipped if "train.parquet" in s] and len(report.sources) == 5


def test_a_truncated_file_fails_naming_the_file(tmp_path):
    path = hf_convert(_lamini_papers(), tmp_path / "papers-with-abstracts.parquet")
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(SourceError) as err:
        pwc_kg.build([str(path)], tmp_path / "store")
    assert err.value.path == str(path) and err.value.position == "file"
    assert "not a Parquet file, or a damaged one" in err.value.message


def test_damaged_data_fails_at_the_first_row_it_holds_after_reading_the_rows_before(tmp_path):
    path = tmp_path / "papers-with-abstracts.parquet"
    # row groups of 10 rows; gzip, so that the damage cannot go unnoticed
    pq.write_table(pa.Table.from_pylist(_lamini_papers(50)), path, row_group_size=10, compression="gzip",
                   use_dictionary=False)
    md = pq.ParquetFile(path).metadata
    chunk = md.row_group(3).column(md.schema.names.index("abstract"))
    data = bytearray(path.read_bytes())
    end = chunk.data_page_offset + chunk.total_compressed_size  # the compressed values end the chunk
    data[end - 150:end - 50] = bytes(100)
    path.write_bytes(bytes(data))
    read = []
    with pytest.raises(SourceError) as err:
        for index, record in iter_records(path):
            read.append(index)
    assert read == list(range(30)) and err.value.position == "row 30"
    assert "damaged Parquet data (row group 3)" in err.value.message


def test_text_that_is_not_utf8_names_the_row_and_column(tmp_path):
    papers = pa.Table.from_pylist(_lamini_papers(3))
    titles = pa.array([t.encode() for t in papers["title"].to_pylist()[:2]] + [b"caf\xe9"], pa.binary())
    path = tmp_path / "papers-with-abstracts.parquet"
    pq.write_table(_replace_column(papers, "title", titles), path)
    with pytest.raises(SourceError) as err:
        list(iter_records(path))
    assert err.value.position == "row 2, column title" and "not UTF-8" in err.value.message


# ----------------------------------------------------------------------------- the Hugging Face layout


def test_the_hugging_face_layout_with_shards_builds_one_graph_per_repository(tmp_path):
    """pwc-archive/<name>/data/train-0000k-of-0000n.parquet: the same file names in every folder; each folder is one
    source, its shards read in order."""
    root = tmp_path / "pwc-archive"
    for f in LAMINI.glob("*.json"):
        records = json.loads(f.read_text(encoding="utf-8"))
        if f.stem == "evaluation-tables":  # four shards, as the real evaluation tables come
            for k in range(4):
                hf_convert(records[k::4], root / f.stem / "data" / f"train-0000{k}-of-00004.parquet")
        else:
            hf_convert(records, root / f.stem / "data" / SHARD)
    (root / "methods" / "README.md").write_text("---\nlicense: cc-by-sa-4.0\n---\n")
    report = pwc_kg.build([str(root)], tmp_path / "store")
    names = sorted(s.name for s in report.sources)
    assert names == ["datasets", "evaluation-tables", "links-between-papers-and-code", "methods", "papers-with-abstracts"]
    assert sum(s.records for s in report.sources if s.kind == "evaluation-tables") == 6
    rows = pwc_kg.open_store(tmp_path / "store").query("paper-results", paper=LAMINI_TITLE)
    assert len(rows) == 44
    # A folder named for an archive file is searched all the way down.
    assert [s.kind for s in discover([root / "methods"])] == ["methods"]


def test_the_build_report_counts_the_rows_of_parquet_sources(tmp_path):
    path = hf_convert(_lamini_papers(7), tmp_path / "x" / "papers.parquet")
    report = pwc_kg.build([str(path)], tmp_path / "store")
    (src,) = report.sources
    assert (src.kind, src.records, src.size) == ("papers", 7, os.path.getsize(path))
