"""The ``pwc-kg`` command line: each module of this package adds its commands' parsers and their functions
(``add_parsers``, ``COMMANDS``); ``main`` runs one and says a refused one's error, after the flag of the option
it is about."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import PwcKgError
from ..submissions import cli as submissions
from . import build, publish, questions, serve
from .common import store_arg

# The command modules, in the order their commands are listed.
MODULES = (build, questions, publish, serve)
COMMANDS = {name: command for module in (*MODULES, submissions) for name, command in module.COMMANDS.items()}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pwc-kg", description="The Papers With Code archive as an RDF knowledge graph.")
    ap.add_argument("--version", action="version", version=f"pwc-kg {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in MODULES:
        module.add_parsers(sub)
    submissions.add_parsers(sub, store_arg)
    return ap


# The Python parameters whose flag is not their name with dashes.
FLAG_OF = {"graphs": "graph", "url": "endpoint"}


def _flagged(error: PwcKgError) -> str:
    """The error's message, after the flag of the option it is about (the library names the parameter).

    >>> from pwc_kg.errors import SettingError
    >>> _flagged(SettingError("the store has no named graph x", option="graphs"))
    '--graph: the store has no named graph x'
    >>> _flagged(SettingError("a chunk holds one triple or more, not 0", option="chunk_triples"))
    '--chunk-triples: a chunk holds one triple or more, not 0'
    """
    if error.option is None:
        return str(error)
    return f"--{FLAG_OF.get(error.option, error.option).replace('_', '-')}: {error}"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except PwcKgError as e:
        print(f"pwc-kg {args.command}: error: {_flagged(e)}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as e:
        print(f"pwc-kg {args.command}: error: {e}", file=sys.stderr)
        return 2
    except SyntaxError as e:  # pyoxigraph reports malformed SPARQL as SyntaxError
        print(f"pwc-kg {args.command}: error: malformed SPARQL: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
