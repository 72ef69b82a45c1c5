"""The one base of pwc-kg's own exceptions, as rdflib and pySHACL have one.

Every error pwc-kg raises on purpose is a :class:`PwcKgError`, so that a caller can catch them all
(``except pwc_kg.PwcKgError``) and still tell the kinds apart. Each also keeps the standard base it had
(``ValueError`` for bad input, ``LookupError`` for a name that names nothing, ``FileNotFoundError`` for a
missing store, ``RuntimeError`` for a failed build), so code that caught those still does.

>>> from pwc_kg.build import BuildError
>>> from pwc_kg.queries.resolve import EntityNotFound
>>> issubclass(BuildError, PwcKgError) and issubclass(BuildError, RuntimeError)
True
>>> issubclass(EntityNotFound, PwcKgError) and issubclass(EntityNotFound, LookupError)
True

A message speaks of the thing (the output file, the server's user), not of a command-line flag: the
library has no flags. An error about one setting says which with ``option``, the name of the Python
parameter; the command line adds its flag (``--graph-store`` for ``graph_store``) in front.

>>> e = SettingError("the folder /nowhere does not exist", option="out")
>>> e.option, str(e)
('out', 'the folder /nowhere does not exist')
>>> isinstance(e, ValueError)
True
"""

from __future__ import annotations


class PwcKgError(Exception):
    """An error pwc-kg raises on purpose: bad input, a missing store, a refused query, a failed build."""

    option: str | None = None  # the parameter (or setting) the error is about, when it is about one

    def __init__(self, *args, option: str | None = None):
        super().__init__(*args)
        if option is not None:
            self.option = option


class SettingError(PwcKgError, ValueError):
    """A setting (a function's parameter, a command-line option) has a value that cannot be used."""
