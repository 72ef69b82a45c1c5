"""A store folder's generations: a copy of one is the start of the next (store/generations.py)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pwc_kg.store import StoreDir

QUAD = ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("o"),
               ox.NamedNode("https://example.org/graph/g"))


def _generation(sd: StoreDir):
    gen = sd.new_generation()
    store = ox.Store(str(gen / "db"))
    store.add(QUAD)
    store.flush()
    del store
    (gen / "build.json").write_text("{}")
    (gen / "rejects.jsonl").write_text('{"source": "a"}\n')
    (gen / "catalogue.sqlite").write_text("made per generation")
    (gen / "state").mkdir()
    (gen / "state" / "000-papers.layer.json").write_text("{}")
    (gen / "staging").mkdir()  # not a folder a generation hands on
    return gen


def test_a_copied_generation_has_the_store_the_files_and_the_state_but_what_it_makes_again(tmp_path):
    sd = StoreDir(tmp_path / "s")
    old = _generation(sd)
    new = sd.copy_generation(old, leave=("catalogue.", "build.json"))
    assert new != old and new.parent == old.parent
    assert list(ox.Store.read_only(str(new / "db"))) == [QUAD]
    assert sorted(f.name for f in new.iterdir()) == ["db", "rejects.jsonl", "state"]
    assert [f.name for f in (new / "state").iterdir()] == ["000-papers.layer.json"]
    # hard links: a published generation's files are never written again
    assert (new / "rejects.jsonl").stat().st_ino == (old / "rejects.jsonl").stat().st_ino


def test_a_copy_that_fails_leaves_no_generation_behind(tmp_path, monkeypatch):
    sd = StoreDir(tmp_path / "s")
    old = _generation(sd)

    def refuse(src, dst):
        raise OSError("no room")

    monkeypatch.setattr("pwc_kg.store.generations.link_or_copy", refuse)
    with pytest.raises(OSError, match="no room"):
        sd.copy_generation(old)
    assert [g.name for g in sd.path.glob("gen-*")] == [old.name]
