"""The archive exactly as published: the standard dumps, the Hugging Face dataset repositories (under the names
the Hub gives them, in shards), the dated dumps of ``pwc-archive/files``; and nothing under a source passed over
without a line that says so.

The repository names are those the paperswithcode-data README links (github.com/paperswithcode/paperswithcode-data,
README.md): pwc-archive/papers-with-abstracts, pwc-archive/links-between-paper-and-code (not "papers"),
pwc-archive/evaluation-tables, pwc-archive/methods, pwc-archive/datasets; each holds ``data/train-NNNNN-of-NNNNN.parquet``
(papers-with-abstracts: four shards). The dated dumps of pwc-archive/files are ``jul-28-datasets.json.gz``,
``jul-28-evaluation-tables.json.gz``, ``jul-28-links-between-papers-and-code.json.gz``, ``jul-28-methods.json.gz`` and
``jul-29-papers-with-abstracts.json.gz``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import LAMINI, LAMINI_TITLE
from test_parquet import canonical

import pwc_kg
from pwc_kg import SourceError
from pwc_kg.cli import main
from pwc_kg.sources import discover, iter_records
from pwc_kg.sources.kinds import HUB_NAMES, kind_by_name

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
from json_to_parquet import convert_archive  # noqa: E402

HUB = ("papers-with-abstracts", "links-between-paper-and-code", "evaluation-tables", "methods", "datasets")
DATED = {"papers-with-abstracts": "jul-29-", "links-between-papers-and-code": "jul-28-", "evaluation-tables": "jul-28-",
         "methods": "jul-28-", "datasets": "jul-28-"}
SHARDS = {"papers-with-abstracts": 4, "links-between-papers-and-code": 3, "evaluation-tables": 3, "methods": 2,
          "datasets": 2}
PWC_KG = [sys.executable, "-m", "pwc_kg"]
SOME = 120  # seconds: a build of a few records takes one or two; a FIFO opened for reading blocks for ever


def hub_archive(json_folder: Path, out: Path, shards: dict | int = 1) -> Path:
    convert_archive(json_folder, out, shards)
    return out


def dated_archive(json_folder: Path, out: Path) -> Path:
    out.mkdir(parents=True)
    for f in sorted(json_folder.iterdir()):
        name = f.name.removesuffix(".gz").removesuffix(".json")
        if name in DATED:
            shutil.copyfile(f, out / (DATED[name] + f.name))
    return out


def cli(*args: str, timeout: float = SOME, prefix: tuple = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, *PWC_KG, *args], capture_output=True, text=True, timeout=timeout)


def report_of(store: Path) -> dict:
    return json.loads((store / "current" / "build.json").read_text())


# ----------------------------------------------------------------------------- three layouts, one graph


@pytest.mark.slow  # three whole builds of a generated archive
def test_a_generated_archive_builds_the_same_triples_from_the_dumps_the_hub_shards_and_the_dated_dumps(tmp_path):
    archive = tmp_path / "dumps"
    subprocess.run([sys.executable, str(BENCH / "generate_archive.py"), "--out", str(archive), "--scale", "0.005"],
                   check=True, capture_output=True)
    hub = hub_archive(archive, tmp_path / "pwc-archive", SHARDS)
    assert sorted(p.name for p in hub.iterdir()) == sorted(HUB)
    for name, n in SHARDS.items():  # several shards per repository, as the Hub has them
        assert len(list((hub / HUB_NAMES[kind_by_name(name)] / "data").glob("train-*.parquet"))) == n
    dated = dated_archive(archive, tmp_path / "files")
    stores = {}
    for layout, source in (("dumps", archive), ("hub", hub), ("dated", dated)):
        stores[layout] = tmp_path / f"store-{layout}"
        report = pwc_kg.build([str(source)], stores[layout])
        assert len(report.sources) == 5 and {s.kind for s in report.sources} == {
            "papers", "code-links", "evaluation-tables", "methods", "datasets"}, layout
        assert not report.unread and not report.missing, (layout, report.unread, report.missing)
    hub_report = report_of(stores["hub"])
    # one source, one named graph per repository, named after it, whatever its shards
    assert sorted(s["name"] for s in hub_report["sources"]) == sorted(HUB)
    assert sorted(s["graph"].rsplit("/source/", 1)[1] for s in hub_report["sources"]) == sorted(HUB)
    quads, rejects, replaced = canonical(stores["dumps"])
    assert len(quads) > 100_000 and len(rejects) > 10
    for layout in ("hub", "dated"):
        other_quads, other_rejects, other_replaced = canonical(stores[layout])
        assert other_replaced == replaced, layout
        missing, extra = sorted(set(quads) - set(other_quads)), sorted(set(other_quads) - set(quads))
        assert not missing and not extra, f"{layout}: only from the dumps {missing[:3]}; only from {layout} {extra[:3]}"
        assert other_quads == quads and other_rejects == rejects, layout


def test_a_repository_s_rows_are_numbered_across_its_shards_as_the_dump_numbers_its_records(tmp_path):
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive", 3)
    repo = hub / "evaluation-tables"
    assert len(list((repo / "data").glob("*.parquet"))) == 3
    dump = [(i, r["task"]) for i, r in iter_records(LAMINI / "evaluation-tables.json")]
    assert [(i, r["task"]) for i, r in iter_records(repo)] == dump


# ----------------------------------------------------------------------------- found every way it is given


def test_regression_the_hub_s_links_between_paper_and_code_was_passed_over_and_the_code_links_lost_silently(tmp_path):
    """The Hub names the code links repository links-between-paper-and-code; the finder knew only the dump's name
    (links-between-papers-and-code), so a folder of the five built with exit 0 and no code links."""
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive", 2)
    assert (hub / "links-between-paper-and-code" / "data").is_dir()
    store = tmp_path / "store"
    run = cli("build", str(hub), "--store", str(store))
    assert run.returncode == 0, run.stderr
    report = report_of(store)
    assert "code-links" in {s["kind"] for s in report["sources"]} and not report["unread"] and not report["missing"]
    (links,) = [s for s in report["sources"] if s["kind"] == "code-links"]
    assert links["name"] == "links-between-paper-and-code" and links["records"] == 1 and links["triples"] > 0
    assert len(pwc_kg.open_store(store).query("paper-results", paper=LAMINI_TITLE)) == 44
    # every file not read is listed: the cards and .gitattributes of the five repositories
    assert sorted(Path(s.split(": ")[0]).name for s in report["skipped"]) == sorted(["README.md", ".gitattributes"] * 5)


def test_regression_the_dataset_cards_of_the_repositories_made_their_folder_a_folder_of_model_cards(tmp_path):
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive")
    assert (hub / "links-between-paper-and-code" / "README.md").read_text().startswith("---")
    kinds = [s.kind for s in discover([hub])]
    assert sorted(kinds) == sorted(["papers", "code-links", "evaluation-tables", "methods", "datasets"])


@pytest.mark.parametrize("given", ["repository", "data folder", "one shard", "shards one by one"])
def test_a_repository_is_found_from_its_folder_its_data_folder_or_a_shard(tmp_path, given):
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive", 3)
    repo = hub / "methods"
    shards = sorted((repo / "data").glob("*.parquet"))
    paths = {"repository": [repo], "data folder": [repo / "data"], "one shard": [shards[1]],
             "shards one by one": shards}[given]
    missing: list[str] = []
    sources = discover(paths, [], [], missing)
    assert {s.kind for s in sources} == {"methods"}
    if given in ("repository", "data folder"):
        assert [s.path for s in sources] == [repo] and not missing
        assert [i for i, _ in iter_records(sources[0].path)] == [0, 1, 2]
    else:
        assert [s.path for s in sources] == paths
        assert len(missing) == len(paths) and all("read alone, shard" in m for m in missing)


def test_a_shard_given_beside_its_repository_is_read_once(tmp_path):
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive", 3)
    shard = sorted((hub / "methods" / "data").glob("*.parquet"))[0]
    skipped: list[str] = []
    sources = discover([hub, shard], skipped, [], [])
    assert [s.kind for s in sources].count("methods") == 1
    assert any(str(shard) in s and "part of its repository" in s for s in skipped)


def test_dated_dumps_are_known_by_name_and_a_dump_of_another_name_by_its_first_record(tmp_path):
    dated = dated_archive(LAMINI, tmp_path / "files")
    assert sorted(p.name for p in dated.iterdir()) == sorted([
        "jul-28-datasets.json", "jul-28-evaluation-tables.json", "jul-28-links-between-papers-and-code.json",
        "jul-28-methods.json", "jul-29-papers-with-abstracts.json"])
    assert {s.path.name: s.kind for s in discover([dated])} == {
        "jul-28-datasets.json": "datasets", "jul-28-evaluation-tables.json": "evaluation-tables",
        "jul-28-links-between-papers-and-code.json": "code-links", "jul-28-methods.json": "methods",
        "jul-29-papers-with-abstracts.json": "papers"}
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(LAMINI / "methods.json", other / "snapshot-2.json")  # no archive name: read by its content
    assert [s.kind for s in discover([other / "snapshot-2.json"])] == ["methods"]


def test_a_folder_holding_some_archive_files_says_in_one_line_which_are_missing(tmp_path):
    folder = tmp_path / "archive"
    shutil.copytree(LAMINI, folder)
    (folder / "links-between-papers-and-code.json").unlink()
    report = pwc_kg.build([str(folder)], tmp_path / "store")
    assert len(report.missing) == 1
    assert "links-between-papers-and-code" in report.missing[0] and "links-between-paper-and-code" in report.missing[0]
    # given beside the folder, it is not missing
    report = pwc_kg.build([str(folder), str(LAMINI / "links-between-papers-and-code.json")], tmp_path / "store")
    assert not report.missing


def test_a_repository_with_a_shard_missing_fails_naming_it(tmp_path):
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive", 3)
    (hub / "datasets" / "data" / "train-00001-of-00003.parquet").unlink()
    with pytest.raises(SourceError) as err:
        pwc_kg.build([str(hub)], tmp_path / "store")
    assert "train-00001-of-00003.parquet" in err.value.message and "missing" in err.value.message
    assert not (tmp_path / "store" / "current").exists()


def test_a_repository_whose_shards_hold_two_archive_files_fails(tmp_path):
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive", 2)
    shutil.copyfile(next((hub / "datasets" / "data").glob("*.parquet")),
                    hub / "methods" / "data" / "train-00001-of-00002.parquet")
    with pytest.raises(SourceError, match="records of different archive files"):
        pwc_kg.build([str(hub)], tmp_path / "store")


# ----------------------------------------------------------------------------- nothing passed over silently


@pytest.fixture()
def archive(tmp_path) -> Path:
    folder = tmp_path / "archive"
    shutil.copytree(LAMINI, folder)
    return folder


def _build_reports_unread(archive: Path, tmp_path: Path, name: str, words: str) -> None:
    """The CLI builds, lists the entry as unread with the reason, exits 3; --allow-unread exits 0."""
    store = tmp_path / "store"
    run = cli("build", str(archive), "--store", str(store))
    assert run.returncode == 3, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("  unread ")]
    assert len(lines) == 1 and name in lines[0] and words in lines[0], run.stdout
    assert "not read" in run.stderr and "Traceback" not in run.stderr
    assert len(report_of(store)["unread"]) == 1
    run = cli("build", str(archive), "--store", str(store), "--allow-unread")
    assert run.returncode == 0, run.stderr
    run = cli("build", str(archive), "--store", str(store), "--format", "json")
    assert run.returncode == 3 and len(json.loads(run.stdout)["unread"]) == 1


def test_a_fifo_named_like_an_archive_file_is_listed_not_opened(archive, tmp_path):
    (archive / "papers-with-abstracts.json").unlink()
    os.mkfifo(archive / "papers-with-abstracts.json")
    _build_reports_unread(archive, tmp_path, "papers-with-abstracts.json", "a FIFO")
    # the papers are missing from a folder holding the other four: said too
    assert "papers-with-abstracts" in report_of(tmp_path / "store")["missing"][0]
    # given by name: a one-line error, exit 2, no store
    run = cli("build", str(archive / "papers-with-abstracts.json"), "--store", str(tmp_path / "other"))
    assert run.returncode == 2 and "a FIFO" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_a_link_to_dev_zero_named_like_an_archive_file_is_listed_not_read(archive, tmp_path):
    (archive / "evaluation-tables.json").unlink()
    os.symlink("/dev/zero", archive / "evaluation-tables.json.gz")
    _build_reports_unread(archive, tmp_path, "evaluation-tables.json.gz", "a device")
    run = cli("build", str(archive / "evaluation-tables.json.gz"), "--store", str(tmp_path / "other"))
    assert run.returncode == 2 and "not a regular file" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_a_symlink_loop_is_listed(archive, tmp_path):
    os.symlink(archive / "loop-b.json", archive / "loop-a.json")
    os.symlink(archive / "loop-a.json", archive / "loop-b.json")
    store = tmp_path / "store"
    run = cli("build", str(archive), "--store", str(store))
    assert run.returncode == 3, run.stdout + run.stderr
    unread = report_of(store)["unread"]
    assert len(unread) == 2 and all("a symbolic link loop" in u for u in unread)
    run = cli("build", str(archive / "loop-a.json"), "--store", str(tmp_path / "other"))
    assert run.returncode == 2 and "symbolic link loop" in run.stderr and "Traceback" not in run.stderr


def test_a_link_to_nothing_is_listed(archive, tmp_path):
    os.symlink(tmp_path / "gone.json.gz", archive / "datasets-2.json.gz")
    _build_reports_unread(archive, tmp_path, "datasets-2.json.gz", "a symbolic link to nothing")


def test_an_archive_like_file_of_a_format_pwc_kg_does_not_read_is_listed(archive, tmp_path):
    (archive / "methods.json").rename(archive / "methods.json.bz2")
    _build_reports_unread(archive, tmp_path, "methods.json.bz2", "does not read")


def test_a_folder_of_no_known_layout_holding_archive_files_is_listed(archive, tmp_path):
    """The dated dumps of pwc-archive/files downloaded beside the repositories: the folder is not read."""
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive")
    dated_archive(LAMINI, hub / "files")
    _build_reports_unread(hub, tmp_path, "files", "give it as a source")


def test_files_holding_no_archive_data_are_listed_and_the_build_exits_0(archive, tmp_path):
    (archive / "README.json").write_text('[{"hello": "world"}]')
    (archive / "EXPECTED.json").write_text('{"papers": 1}')  # a JSON object: no archive file is one
    (archive / ".DS_Store").write_bytes(b"\0")
    (archive / "notes").mkdir()
    (archive / "notes" / "todo.txt").write_text("read the papers")
    store = tmp_path / "store"
    run = cli("build", str(archive), "--store", str(store))
    assert run.returncode == 0, run.stderr
    skipped = report_of(store)["skipped"]
    for name, why in (("README.json", "not a record of any"), ("EXPECTED.json", "no archive file"),
                      (".DS_Store", "hidden"), ("notes", "no archive files"),
                      ("SOURCE.md", "not a file pwc-kg reads"), ("expected-results.tsv", "not a file pwc-kg reads")):
        assert [s for s in skipped if Path(s.split(": ")[0]).name == name and why in s], (name, skipped)
        assert f"  skipped {archive / name}" in run.stdout


def _unreadable_prefix() -> tuple:
    """How to run pwc-kg so that a file of mode 000 cannot be read: as it is for a user; as root, without the
    capabilities that let root read any file (setpriv)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root reads a file of mode 000, and setpriv (util-linux) is not here to drop that capability")
    drop = "-dac_override,-dac_read_search"
    prefix = (setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}")
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"root reads a file of mode 000, and setpriv cannot drop that capability here: {probe.stderr!r}")
    return prefix


def test_an_unreadable_file_is_listed_in_a_folder_and_a_one_line_error_by_name(archive, tmp_path):
    prefix = _unreadable_prefix()
    target = archive / "methods.json"
    target.chmod(0)
    try:
        store = tmp_path / "store"
        run = cli("build", str(archive), "--store", str(store), prefix=prefix)
        assert run.returncode == 3, run.stdout + run.stderr
        (line,) = [line for line in run.stdout.splitlines() if line.startswith("  unread ")]
        assert "methods.json" in line and "unreadable" in line
        run = cli("build", str(target), "--store", str(tmp_path / "other"), prefix=prefix)
        assert run.returncode == 2 and "unreadable" in run.stderr and "Traceback" not in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    finally:
        target.chmod(0o644)


def test_regression_a_methods_file_named_evaluation_tables_built_an_empty_graph(tmp_path):
    """Named for the evaluation tables, its records were rejected one by one and the build succeeded."""
    folder = tmp_path / "x"
    folder.mkdir()
    shutil.copyfile(LAMINI / "methods.json", folder / "evaluation-tables.json")
    with pytest.raises(SourceError) as err:
        pwc_kg.build([str(folder / "evaluation-tables.json")], tmp_path / "store")
    assert "every record was rejected" in err.value.message and "look like methods records" in err.value.message
    assert not (tmp_path / "store" / "current").exists()
    run = cli("build", str(folder), "--store", str(tmp_path / "store"))
    assert run.returncode == 2 and "every record was rejected" in run.stderr


def test_a_parquet_file_that_cannot_be_read_in_a_folder_is_listed(archive, tmp_path):
    pq.write_table(pa.Table.from_pylist([{"task": "T", "datasets": []}]), archive / "extra.parquet")
    data = (archive / "extra.parquet").read_bytes()
    (archive / "extra.parquet").write_bytes(data[: len(data) // 2])
    _build_reports_unread(archive, tmp_path, "extra.parquet", "damaged")


def test_a_repository_whose_data_folder_is_a_link_is_read_and_a_link_loop_inside_is_not_followed(tmp_path):
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive", 2)
    elsewhere = tmp_path / "elsewhere"
    (hub / "methods" / "data").rename(elsewhere)
    os.symlink(elsewhere, hub / "methods" / "data")
    os.symlink(hub / "methods", elsewhere / "back")  # a loop through the link
    sources = discover([hub / "methods"], [], [], [])
    assert [s.kind for s in sources] == ["methods"]
    assert [i for i, _ in iter_records(sources[0].path)] == [0, 1, 2]


def test_regression_a_shard_changed_behind_a_linked_data_folder_was_not_seen_by_an_incremental_build(tmp_path):
    """The signature of a folder source listed its files without following a linked data/, so a changed shard kept
    the old graph; a repository's signature and digest are now both over its Parquet files."""
    hub = hub_archive(LAMINI, tmp_path / "pwc-archive", 2)
    elsewhere = tmp_path / "elsewhere"
    (hub / "methods" / "data").rename(elsewhere)
    os.symlink(elsewhere, hub / "methods" / "data")
    store = tmp_path / "store"
    pwc_kg.build([str(hub)], store)
    (hub / "methods" / "README.md").write_text("---\nlicense: cc-by-sa-4.0\npretty_name: Methods\n---\n")
    report = pwc_kg.build([str(hub)], store)
    assert report.mode == "incremental" and report.reread == []  # the card is not the data
    shard = elsewhere / "train-00001-of-00002.parquet"
    table = pq.read_table(shard)
    names = table.column("name").to_pylist()
    pq.write_table(table.set_column(table.schema.get_field_index("name"), "name",
                                    pa.array([n + " (renamed)" for n in names])), shard)
    report = pwc_kg.build([str(hub)], store)
    assert report.reread == ["methods"]
    kg = pwc_kg.open_store(store)
    assert kg.sparql('SELECT ?m WHERE { ?m <https://w3id.org/pwc-kg/ontology#name> ?n FILTER(STRENDS(?n, "(renamed)")) }')
