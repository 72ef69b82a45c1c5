"""The structure figures issue 16 asks for, for the tree at a path (default: this checkout).

    python bench/structure.py [ROOT]

- files over 400 lines under src/pwc_kg (vendored static files aside);
- SPARQL strings in Python: string constants (f-strings included) under src/pwc_kg that read as a
  query or update (SELECT/CONSTRUCT/ASK/DESCRIBE/INSERT/DELETE with a braced pattern), the SHACL
  compiler's templates counted apart (the issue lets them stay);
- import cycles between packages: pairs of subpackages (and core modules) of pwc_kg that import
  each other, directly or through others.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

# A query form, then a group pattern's literal brace (an f-string's placeholder reads as "{x}"), and a
# ?variable or <IRI>: SQLite's SQL (the catalogue) has the keywords but neither of the others.
SPARQL = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE)\b.*?\{(?!x\})", re.S)
SPARQL_TERM = re.compile(r"[?$][A-Za-z_]\w*|<[a-z]+:[^>\s]*>|\{x\}\s*\.")
TEMPLATE_HOMES = ("validation/",)


def _strings(tree: ast.AST):
    """Each string constant and f-string once (an f-string's parts are not strings of their own);
    docstrings aside."""
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    docs = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    for node in ast.walk(tree):
        if id(node) in parts or id(node) in docs:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node, node.value
        elif isinstance(node, ast.JoinedStr):
            yield node, "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)


def _unit(rel: str) -> str:
    """The package a module belongs to: its first folder under pwc_kg, or the module for a core one."""
    parts = rel.split("/")
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def measure(root: Path) -> dict:
    pkg = root / "src" / "pwc_kg"
    long_files, sparql, templates = [], defaultdict(int), 0
    edges: dict[str, set[str]] = defaultdict(set)
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg).as_posix()
        if "/static/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        n = text.count("\n")
        if n > 400:
            long_files.append((n, rel))
        tree = ast.parse(text)
        for _node, s in _strings(tree):
            if SPARQL.search(s) and SPARQL_TERM.search(s):
                if rel.startswith(TEMPLATE_HOMES):
                    templates += 1
                else:
                    sparql[rel] += 1
        here = _unit(rel)
        dotted = rel.removesuffix(".py").replace("/", ".").split(".")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = dotted[: len(dotted) - node.level] if not rel.endswith("__init__.py") else dotted[: len(dotted) - node.level]
                target = base + (node.module.split(".") if node.module else [])
                names = [target + [a.name] for a in node.names] if not node.module else [target]
                for t in names:
                    if t and t[0] != here and (pkg / t[0]).exists() or (t and (pkg / (t[0] + ".py")).exists() and t[0] != here):
                        edges[here].add(t[0])
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pwc_kg."):
                t = node.module.split(".")[1]
                if t != here:
                    edges[here].add(t)
    pairs = sorted({tuple(sorted((a, b))) for a in edges for b in edges[a] if a in edges.get(b, ())})
    # cycles through others: strongly connected components of more than one unit
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return {"long_files": sorted(long_files, reverse=True), "sparql": dict(sparql), "templates": templates,
            "mutual_pairs": pairs, "cycles": sccs}


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    m = measure(root)
    print(f"files over 400 lines: {len(m['long_files'])}")
    for n, rel in m["long_files"]:
        print(f"  {n:5d} {rel}")
    total = sum(m["sparql"].values())
    print(f"SPARQL strings in Python: {total} in {len(m['sparql'])} modules "
          f"(+ {m['templates']} SHACL compiler templates)")
    for rel, n in sorted(m["sparql"].items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d} {rel}")
    print(f"package pairs importing each other: {len(m['mutual_pairs'])} {m['mutual_pairs']}")
    print(f"import cycles between packages: {len(m['cycles'])} {m['cycles']}")


if __name__ == "__main__":
    main()
