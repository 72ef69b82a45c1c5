"""Writing N-Quads lines by hand, fast and strictly valid.

The mapping writes text rather than term objects: formatting a line is several times faster
than building pyoxigraph terms, and the strict N-Quads parser of the bulk loader then checks
every line, so an escaping mistake fails the build instead of corrupting the store.

>>> lit('say "hi"\\n')
'"say \\\\"hi\\\\"\\\\n"'
>>> typed("72.2", "http://www.w3.org/2001/XMLSchema#decimal")
'"72.2"^^<http://www.w3.org/2001/XMLSchema#decimal>'
"""

from __future__ import annotations

import re

from .vocab import XSD

_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)}
_ESCAPES.update({0x7F: "\\u007F", ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text as it can be stored: lone surrogates (possible in JSON strings) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATE.sub("\ufffd", text)
    return text


def lit(text: str) -> str:
    if text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'  # nothing to escape (no control character, quote, backslash or surrogate): most text
    return '"' + clean_text(text).translate(_ESCAPES) + '"'


def typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{datatype}>'


def iri(value: str) -> str:
    return f"<{value}>"


DECIMAL = XSD.decimal
INTEGER = XSD.integer
BOOLEAN = XSD.boolean
DATE = XSD.date
GYEAR = XSD.gYear
TRUE = typed("true", BOOLEAN)
FALSE = typed("false", BOOLEAN)


def boolean(flag: bool) -> str:
    return TRUE if flag else FALSE


def integer(n: int) -> str:
    return typed(str(int(n)), INTEGER)


def decimal(lexical: str) -> str:
    return typed(lexical, DECIMAL)


def date(lexical: str) -> str:
    return typed(lexical, DATE)
