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
"""

from __future__ import annotations


class PwcKgError(Exception):
    """An error pwc-kg raises on purpose: bad input, a missing store, a refused query, a failed build."""
