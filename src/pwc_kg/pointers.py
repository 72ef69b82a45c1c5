"""JSON Pointers (RFC 6901) to places in source files: how a reject, a provenance record and a page name
the record and the field a triple came from. Core: the readers, the mappers and submissions all write them.
"""

from __future__ import annotations


def pointer(*parts: object) -> str:
    """A JSON Pointer (RFC 6901) to a place in the source file; None parts are left out.

    >>> pointer(0, "metrics", "F1/EM", None)
    '/0/metrics/F1~1EM'
    """
    if len(parts) == 1 and type(parts[0]) is int:
        return f"/{parts[0]}"  # a record's own pointer: once per record
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts if p is not None)
