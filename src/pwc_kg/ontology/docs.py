"""Regenerate the ontology's build products: ``docs/ontology/index.html`` and ``ontology/context.jsonld``.

    python -m pwc_kg.ontology.docs           # rewrite both from ontology/pwc.ttl
    python -m pwc_kg.ontology.docs --check   # exit 1, naming the stale files, if either is out of date

Run it after every edit of ``ontology/pwc.ttl``; the tests fail while either file is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from .context import context_path, context_text
from .html import html_path, ontology_html


def products() -> dict[Path, Callable[[], str]]:
    """Each build product's path and the function that generates its text."""
    return {html_path(): ontology_html, context_path(): context_text}


def stale(generated: dict[Path, str]) -> list[Path]:
    """The products whose committed text differs from the generated one (or that are missing)."""
    return [path for path, text in generated.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pwc_kg.ontology.docs", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that the committed files are up to date")
    args = ap.parse_args(argv)
    generated = {path: make() for path, make in products().items()}
    out_of_date = stale(generated)
    if args.check:
        for path in out_of_date:
            print(f"{path}: out of date with the ontology (run python -m pwc_kg.ontology.docs)", file=sys.stderr)
        return 1 if out_of_date else 0
    for path in out_of_date:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generated[path], encoding="utf-8", newline="\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
