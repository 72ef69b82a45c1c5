"""Every exception class pwc-kg defines has the one base, pwc_kg.PwcKgError (as rdflib and pySHACL have one)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pwc_kg


def _modules():
    for info in pkgutil.walk_packages(pwc_kg.__path__, "pwc_kg."):
        if info.name.endswith("__main__") or "._data" in info.name:
            continue
        yield importlib.import_module(info.name)


def test_every_exception_pwc_kg_defines_is_a_pwc_kg_error():
    # (Private ones, _Name, are signals caught inside their own module: they never reach a caller.)
    defined = {obj for module in _modules() for _, obj in inspect.getmembers(module, inspect.isclass)
               if issubclass(obj, BaseException) and obj.__module__.startswith("pwc_kg.")
               and not obj.__name__.startswith("_")}
    assert len(defined) > 30
    assert sorted(c.__qualname__ for c in defined if not issubclass(c, pwc_kg.PwcKgError)) == []


def test_a_missing_store_is_caught_as_a_pwc_kg_error_and_as_before(tmp_path):
    for base in (pwc_kg.PwcKgError, FileNotFoundError):
        try:
            pwc_kg.open_store(tmp_path / "nothing-here")
        except base:
            pass
        else:
            raise AssertionError(f"no {base.__name__} for a store that is not there")
