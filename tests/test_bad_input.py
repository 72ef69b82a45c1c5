"""Malformed files fail the build with the file and the position, and leave the previous store as it was."""

from __future__ import annotations

import os

import pytest
from conftest import BAD, LAMINI, LAMINI_TITLE

import pwc_kg
from pwc_kg import SourceError


@pytest.fixture()
def good_store(tmp_path):
    store = tmp_path / "store"
    pwc_kg.build([str(LAMINI)], store)
    return store


@pytest.mark.parametrize(
    ("path", "position", "words"),
    [
        (BAD / "truncated.json.gz", "record 2", "damaged gzip"),
        (BAD / "invalid-json" / "papers-with-abstracts.json", "record 3", "invalid JSON"),
        (BAD / "not-an-array" / "methods.json", "byte 0", "expected a JSON array"),
        (BAD / "wrong-record" / "datasets.json", "record 1", "expected an object"),
    ],
    ids=["truncated-gzip", "invalid-json", "not-an-array", "wrong-record"],
)
def test_malformed_file_fails_naming_file_and_position_and_keeps_the_old_store(good_store, path, position, words):
    before = os.readlink(good_store / "current")
    gens_before = sorted(p.name for p in good_store.glob("gen-*"))
    with pytest.raises(SourceError) as err:
        pwc_kg.build([str(LAMINI), str(path)], good_store)
    assert err.value.path == str(path)
    assert err.value.position == position
    assert words in err.value.message
    assert str(path) in str(err.value)
    assert os.readlink(good_store / "current") == before
    assert sorted(p.name for p in good_store.glob("gen-*")) == gens_before
    assert len(pwc_kg.open_store(good_store).query("paper-results", paper=LAMINI_TITLE)) == 44


def test_cli_reports_the_error_and_exits_2(good_store, capsys):
    from pwc_kg.cli import main

    code = main(["build", str(BAD / "invalid-json" / "papers-with-abstracts.json"), "--store", str(good_store)])
    assert code == 2
    err = capsys.readouterr().err
    assert "papers-with-abstracts.json" in err and "record 3" in err


def test_the_broken_sota_extractor_example_is_refused():
    from conftest import SOTA

    with pytest.raises(SourceError) as err:
        list(pwc_kg.sources.iter_records(SOTA / "examples" / "example_json_format.json"))
    assert err.value.position == "byte 0" and "expected a JSON array" in err.value.message


def test_invalid_json_inside_an_array_names_the_record(tmp_path):
    f = tmp_path / "methods.json"
    f.write_text('[{"name": "A", "url": "https://paperswithcode.com/method/a"},\n {"name": "B",,}]')
    with pytest.raises(SourceError) as err:
        list(pwc_kg.sources.iter_records(f))
    assert err.value.position == "record 1" and "invalid JSON" in err.value.message


def test_a_file_that_is_no_archive_file_is_refused_by_name(tmp_path):
    f = tmp_path / "notes.json"
    f.write_text('[{"hello": "world"}]')
    with pytest.raises(SourceError, match="not a record of any Papers With Code archive file"):
        pwc_kg.build([str(f)], tmp_path / "store")
    assert not (tmp_path / "store" / "current").exists()


def test_a_second_build_at_the_same_time_is_refused(good_store):
    from pwc_kg.store import BuildLocked, StoreDir

    with StoreDir(good_store).lock():
        with pytest.raises(BuildLocked, match="another build is running"):
            pwc_kg.build([str(LAMINI)], good_store)


def test_regression_a_build_failing_validation_keeps_the_report_it_names(tmp_path, monkeypatch):
    import pwc_kg.validation as validation
    from pwc_kg.validation.compiled import ValidationResult

    store = tmp_path / "store"
    pwc_kg.build([str(LAMINI)], store)
    before = os.readlink(store / "current")
    monkeypatch.setattr(validation, "validate_store", lambda s, **kw: ValidationResult(count=1, by_constraint={"x": 1}))
    with pytest.raises(pwc_kg.BuildError) as err:
        pwc_kg.build([str(LAMINI)], store)
    report = store / "failed-validation.txt"
    assert str(report) in str(err.value) and "1 violations" in report.read_text()
    assert os.readlink(store / "current") == before
