"""Where pwc-kg finds the files it reads at run time: the one lookup every module asks.

The ontology, its tables and JSON-LD context (``ontology/``), the SHACL shapes (``shapes/``), the
named queries (``queries/``) and the ontology's HTML documentation (``docs/ontology/``) live at the
top level of the repository, their only copy in git. A wheel or an sdist-built install carries them
inside the package, under ``pwc_kg/_data/`` (``setup.py`` copies the folders named in ``FOLDERS``
there at build time); a source checkout, and an editable install of it, reads the repository's
files, so that an edit shows at once. The site's templates and stylesheet are ordinary package
files (``pwc_kg/serve/templates``, ``pwc_kg/serve/static``) and are looked up here too.

>>> path("ontology/pwc.ttl").name
'pwc.ttl'
>>> path("ontology/nothing.csv")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pwc_kg.resources.MissingResource: pwc-kg's file ontology/nothing.csv is missing ...
>>> path("../README.md")
Traceback (most recent call last):
...
ValueError: '../README.md' is not one of pwc-kg's resource folders (ontology, shapes, queries, docs/ontology, serve/templates, serve/static)

This module imports nothing of pwc-kg's and only the standard library: ``setup.py`` reads
``FOLDERS`` from it before pwc-kg's dependencies are installed.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

try:
    from .errors import PwcKgError
except ImportError:  # setup.py runs this file on its own (runpy), before the package exists
    class PwcKgError(Exception):  # type: ignore[no-redef]
        pass

# Repository folders (relative to its top) that the code reads: copied into the package as _data/<folder>
FOLDERS = ("ontology", "shapes", "queries", "docs/ontology")
# Folders of the package itself (relative to src/pwc_kg) that the code reads
PACKAGE_FOLDERS = ("serve/templates", "serve/static")
PACKAGED = "_data"  # the packaged copies of FOLDERS, inside the package
# Not resources: what a build or an editor leaves beside them
_IGNORED = ("__pycache__", ".DS_Store")

_PACKAGE = Path(__file__).resolve().parent


class MissingResource(PwcKgError, FileNotFoundError):
    """A file pwc-kg reads at run time is not where the installation keeps it (a broken install)."""


def root() -> Path:
    """The folder that holds ``FOLDERS``: the packaged copies in an installed wheel, else the repository.

    A wheel has ``pwc_kg/_data``; a source checkout (and its editable install) has none, and its
    folders are at the top of the repository, two levels above ``src/pwc_kg``.
    """
    packaged = _PACKAGE / PACKAGED
    checkout = _PACKAGE.parents[1]
    if packaged.is_dir() or not (_PACKAGE.parent.name == "src" and (checkout / "pyproject.toml").is_file()):
        return packaged  # an installed copy: its files are the packaged ones (a missing one is named there)
    return checkout


def _base(name: str) -> tuple[Path, str]:
    """The folder a resource's name is relative to, and the name's folder part (for messages)."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"{name!r} is not one of pwc-kg's resource folders ({', '.join(FOLDERS + PACKAGE_FOLDERS)})")
    for folder in FOLDERS:
        if pure == PurePosixPath(folder) or PurePosixPath(folder) in pure.parents:
            return root(), folder
    for folder in PACKAGE_FOLDERS:
        if pure == PurePosixPath(folder) or PurePosixPath(folder) in pure.parents:
            return _PACKAGE, folder
    raise ValueError(f"{name!r} is not one of pwc-kg's resource folders ({', '.join(FOLDERS + PACKAGE_FOLDERS)})")


def _missing(name: str, where: Path) -> MissingResource:
    return MissingResource(
        f"pwc-kg's file {name} is missing (looked for {where}): the installation is incomplete; "
        "reinstall pwc-kg (pip install .), or in a source checkout restore the file from git")


def path(name: str) -> Path:
    """The file ``name`` (``"ontology/pwc.ttl"``, ``"queries/sota.rq"``); ``MissingResource`` names it when absent."""
    base, _ = _base(name)
    p = base / name
    if not p.is_file():
        raise _missing(name, p)
    return p


def folder(name: str) -> Path:
    """The folder ``name`` (``"queries"``, ``"serve/static"``); ``MissingResource`` names it when absent."""
    base, _ = _base(name)
    p = base / name
    if not p.is_dir():
        raise _missing(name + "/", p)
    return p


def names() -> list[str]:
    """Every file this lookup serves, by its name (``"ontology/pwc.ttl"``), sorted: what a wheel must carry."""
    out = []
    for base, folders in ((root(), FOLDERS), (_PACKAGE, PACKAGE_FOLDERS)):
        for name in folders:
            top = base / name
            out += [f.relative_to(base).as_posix() for f in top.rglob("*")
                    if f.is_file() and not any(part in _IGNORED for part in f.relative_to(top).parts)]
    return sorted(out)


def in_wheel(name: str) -> str:
    """Where the file ``name`` sits inside a wheel (``pwc_kg/_data/ontology/pwc.ttl``).

    >>> in_wheel("queries/sota.rq"), in_wheel("serve/static/style.css")
    ('pwc_kg/_data/queries/sota.rq', 'pwc_kg/serve/static/style.css')
    """
    _, folder_name = _base(name)
    if folder_name in PACKAGE_FOLDERS:
        return f"pwc_kg/{name}"
    return f"pwc_kg/{PACKAGED}/{name}"
