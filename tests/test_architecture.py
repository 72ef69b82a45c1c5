"""The packages import only what docs/architecture.md says they may: its table is the rule, read from there.

Each row of the table names packages or modules of pwc_kg (first column) and what they may import (last
column): ``core``, packages by name, "everything above" (every row before it) or "everything". A module of
pwc_kg that no row names fails too, so a new one gets its place in the table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pwc_kg"
DOC = ROOT / "docs" / "architecture.md"
# Not code of the pipeline: the package's face (it re-exports the API) and `python -m pwc_kg`; the version,
# which anything may read.
OUTSIDE = {"__init__", "__main__"}
ANYWHERE = {"__about__"}


def _names(cell: str) -> list[str]:
    return [n.strip("/").removesuffix(".py") for n in re.findall(r"`([^`]+)`", cell)]


def rules() -> tuple[set[str], dict[str, set[str] | None]]:
    """(the core's units, {unit: the units it may import, None for any})."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("package", "---") and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[2]))
    assert rows, f"no table of packages in {DOC}"
    core = set(_names(rows[0][0]))
    allowed: dict[str, set[str] | None] = {}
    above: set[str] = set(core)
    for units_cell, may in rows[1:]:
        units = _names(units_cell)
        if may.startswith("everything above"):
            ok = set(above)
        elif may.startswith("everything"):
            ok = None
        else:
            ok = set(core) | set(_names(may))
        for unit in units:  # the units of one row may import one another
            allowed[unit] = None if ok is None else ok | set(units) | ANYWHERE
        above |= set(units)
    for unit in core:
        allowed[unit] = set(core) | ANYWHERE  # the core imports only itself (and the standard library, pyoxigraph)
    return core, allowed


def unit_of(rel: Path) -> str:
    """The package a module belongs to (its first folder under pwc_kg), or the module itself for a top-level one."""
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports(path: Path) -> set[str]:
    """The units of pwc_kg a module imports (at the top or inside a function)."""
    rel = path.relative_to(PACKAGE)
    here = list(rel.with_suffix("").parts)
    if here[-1] == "__init__":
        here = here[:-1]
        package = here
    else:
        package = here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = base + (node.module.split(".") if node.module else [])
                targets = [target + [a.name] for a in node.names] if not node.module else [target]
            elif node.module and node.module.split(".")[0] == "pwc_kg":
                targets = [node.module.split(".")[1:]]
            else:
                continue
            for t in targets:
                if t and ((PACKAGE / t[0]).is_dir() or (PACKAGE / f"{t[0]}.py").is_file()):
                    found.add(t[0])
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "pwc_kg" and len(parts) > 1:
                    found.add(parts[1])
    return found


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0].startswith("_data") or "static" in rel.parts or len(rel.parts) == 1 and rel.stem in OUTSIDE | ANYWHERE:
            continue
        yield path, rel


def test_every_module_has_its_place_in_the_table():
    _, allowed = rules()
    assert sorted({unit_of(rel) for _, rel in modules()} - set(allowed)) == []


@pytest.mark.parametrize("path", [p for p, _ in modules()], ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_what_its_package_may(path):
    _, allowed = rules()
    unit = unit_of(path.relative_to(PACKAGE))
    ok = allowed.get(unit, set())
    if ok is None:
        return
    assert sorted(imports(path) - ok - {unit}) == []


def test_the_table_forbids_reaching_up_and_the_reader_sees_imports():
    core, allowed = rules()
    assert {"vocab", "entities", "errors"} <= core
    assert "derive" not in allowed["store"] and "build" not in allowed["submissions"] and "serve" not in allowed["build"]
    assert allowed["cli"] is None
    assert {"queries", "store", "values", "vocab"} <= imports(PACKAGE / "derive" / "stored.py")
