"""A plain install works (issue 14, part 1): the sdist and the wheel carry every file pwc-kg reads.

pwc-kg from a wheel failed on every command, ``--help`` included, with a bare FileNotFoundError: the
wheel held no ontology, shapes, queries, tables, JSON-LD context or ontology documentation, and
tests never saw it because they run on an editable install. Here the sdist is built from a copy of
the source tree and the wheel from that sdist (as ``pip install .`` and ``python -m build`` do),
offline (``--no-isolation``: the test extra installs ``build`` and ``setuptools``); the wheel is
then installed beside the test environment's dependencies and run from a folder outside the
repository. ``.ci/run`` does the same with a fresh virtual environment and its dependencies from
PyPI, and serves a page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from pwc_kg import resources

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "pwc_kg"
# The top-level files a build reads (besides the FOLDERS of pwc_kg.resources, and src/)
BUILD_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")

pytestmark = pytest.mark.skipif(not (REPO / "setup.py").is_file(), reason="needs the source tree (setup.py)")


def _copy_tree(dest: Path) -> None:
    """What a build of the repository sees: its build files, src/ and the resource folders (no caches)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in BUILD_FILES:
        shutil.copy2(REPO / name, dest / name)
    shutil.copytree(REPO / "src", dest / "src", ignore=ignore)
    for folder in resources.FOLDERS:
        shutil.copytree(REPO / folder, dest / folder, ignore=ignore)


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> tuple[Path, Path]:
    """(sdist, wheel): the sdist built from a copy of the source tree, the wheel built from that sdist."""
    pytest.importorskip("build", reason="the test extra installs build (pip install -e '.[test]')")
    tmp = tmp_path_factory.mktemp("wheel")
    tree = tmp / "tree"
    tree.mkdir()
    _copy_tree(tree)
    out = tmp / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(tree)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,), (wheel,) = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    return sdist, wheel


def test_the_wheel_carries_every_file_the_lookup_serves(dists):
    sdist, wheel = dists
    served = resources.names()
    assert "ontology/pwc.ttl" in served and "shapes/pwc-shapes.ttl" in served  # the lookup sees the repository
    with zipfile.ZipFile(wheel) as z:
        in_wheel = set(z.namelist())
    missing = [name for name in served if resources.in_wheel(name) not in in_wheel]
    assert not missing, f"{wheel.name} lacks files pwc_kg.resources serves: {missing}"
    # the packaged copies are the repository's files, byte for byte
    with zipfile.ZipFile(wheel) as z:
        changed = [name for name in served if z.read(resources.in_wheel(name)) != resources.path(name).read_bytes()]
    assert not changed, changed


def test_the_sdist_carries_the_resource_folders(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as t:
        names = {"/".join(n.split("/")[1:]) for n in t.getnames()}
    missing = [name for name in resources.names() if resources.in_wheel(name).startswith(f"pwc_kg/{resources.PACKAGED}/")
               and name not in names]
    assert not missing, f"{sdist.name} lacks {missing} (MANIFEST.in)"


def _installed(dists, tmp_path: Path) -> dict:
    """The wheel installed into a folder of its own; the environment that runs it from there (deps: the test env's)."""
    _, wheel = dists
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                           "--target", str(site), str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    # PYTHONPATH comes before the test environment's editable path to the source tree
    return {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}


def _pwc_kg(env: dict, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pwc_kg", *args], env=env, cwd=cwd, capture_output=True, text=True)


def test_plain_install_pwc_kg_runs_from_another_folder(dists, tmp_path):
    """Regression: every command of pwc-kg from a wheel failed, --help included (bare FileNotFoundError)."""
    env = _installed(dists, tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run([sys.executable, "-c", "import pwc_kg.resources as r; print(r.root())"],
                           env=env, cwd=work, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where) == tmp_path / "site" / "pwc_kg" / resources.PACKAGED  # the packaged files, not the repository's
    assert _pwc_kg(env, work, "--help").returncode == 0
    assert _pwc_kg(env, work, "queries").stdout.split() != []
    store = tmp_path / "store"
    built = _pwc_kg(env, work, "build", str(REPO / "data" / "sample"), str(REPO / "ontology" / "lineage.csv"),
                    "--store", str(store))
    assert built.returncode == 0, built.stderr
    assert "validation: conforms" in built.stdout
    question = ["sota", "--task", "Question Answering", "--dataset", "PIQA", "--store", str(store), "--format", "json"]
    from_wheel = _pwc_kg(env, work, *question)
    assert from_wheel.returncode == 0, from_wheel.stderr
    # the same answer as the source tree gives on that store
    from_source = subprocess.run([sys.executable, "-m", "pwc_kg", *question], cwd=REPO, capture_output=True, text=True)
    assert from_source.returncode == 0, from_source.stderr
    rows = json.loads(from_wheel.stdout)
    assert rows and all(isinstance(r["value"], (int, float)) for r in rows)
    assert rows == json.loads(from_source.stdout)


def test_a_missing_packaged_file_is_named(dists, tmp_path):
    """A file the installation lacks is an error that names it, not a bare FileNotFoundError."""
    env = _installed(dists, tmp_path)
    shutil.rmtree(tmp_path / "site" / "pwc_kg" / resources.PACKAGED / "queries")
    done = _pwc_kg(env, tmp_path, "queries")
    assert done.returncode == 2
    assert "pwc-kg queries: error: pwc-kg's file queries/ is missing" in done.stderr, done.stderr
    (tmp_path / "site" / "pwc_kg" / resources.PACKAGED / "ontology" / "pwc.ttl").unlink()
    done = _pwc_kg(env, tmp_path, "--help")
    assert done.returncode != 0
    assert "MissingResource: pwc-kg's file ontology/pwc.ttl is missing" in done.stderr, done.stderr[-2000:]


def test_missing_resource_names_the_file(tmp_path, monkeypatch):
    (tmp_path / resources.PACKAGED / "ontology").mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE", tmp_path)
    with pytest.raises(resources.MissingResource, match=r"ontology/pwc\.ttl is missing"):
        resources.path("ontology/pwc.ttl")
    with pytest.raises(resources.MissingResource, match=r"queries/ is missing"):
        resources.folder("queries")
    assert resources.folder("ontology") == tmp_path / resources.PACKAGED / "ontology"


# Code that reads files at run time asks pwc_kg.resources; a module finding files beside itself would be
# one the wheel check cannot see. Allowed: hashing pwc-kg's own code (what decides a store's triples).
_BESIDE_ITSELF = re.compile(r"__file__\)(?:\.resolve\(\))?\.parents?\b|importlib\s+import\s+resources|resources\.files\(")
_ALLOWED = {"resources.py", "store/state.py"}


def test_no_module_looks_up_files_beside_itself():
    found = [f"{p.relative_to(SRC).as_posix()}:{n}: {line.strip()}"
             for p in sorted(SRC.rglob("*.py")) if p.relative_to(SRC).as_posix() not in _ALLOWED
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if _BESIDE_ITSELF.search(line)]
    assert not found, "ask pwc_kg.resources instead:\n" + "\n".join(found)
