"""The bounds of the work a payload may ask of the server, checked before it is parsed or mapped: how deep it
nests (read byte by byte), how many rows, metrics in a row and values it holds, how long its mapping may take.
"""

from __future__ import annotations

import re

from .errors import TooLarge
from .payload import JSON_TYPES, JSONLD_TYPES, MAX_DEPTH, MODEL_INDEX, ROWS, TURTLE_TYPES, YAML_TYPES, PayloadError, Problem

# How long a submission's mapping may take in a request thread (its look-ups in the store): with the bounds on
# values, a few seconds; this is the bound on what the bounds on size miss.
MAX_MAPPING_SECONDS = 30.0
DEFAULT_MAX_VALUES = 5_000  # values (scalars) in one rows or model-index payload (ServeConfig.max_submission_values)
MAX_METRICS_PER_ROW = 200  # metric values one row (or one model-index result) may give


_JSON_TOKENS = re.compile(rb'["\\\[\]{}]')
_YAML_TOKENS = re.compile(rb'["\'\\\[\]{}#\n\r]')
_TURTLE_TOKENS = re.compile(rb'["\'\\\[\]()<>#\n\r]')


def _deepest(body: bytes, syntax: str) -> int:
    """How deep the brackets of a body nest, read byte by byte before any parser sees it: ``[ ]`` and ``{ }``
    for JSON, JSON-LD and YAML (flow style), ``[ ]`` and ``( )`` for Turtle, outside strings (and IRIs and
    comments in Turtle). A YAML quote opens a string only where it opens a quoted scalar (not in "it's"); in
    a block scalar's text the scan may take a quote for one, and libyaml's own bound (1,000 levels, an error,
    no crash) and the parsed payload's check (mapping.check_tree) are what hold there."""
    if syntax == "json":
        tokens, openers, closers = _JSON_TOKENS, b"[{", b"]}"
    elif syntax == "yaml":
        tokens, openers, closers = _YAML_TOKENS, b"[{", b"]}"
    else:
        tokens, openers, closers = _TURTLE_TOKENS, b"[(", b")]"
    return _scan(body, tokens, openers, closers, syntax)


def _scan(body: bytes, tokens: re.Pattern, openers: bytes, closers: bytes, syntax: str) -> int:
    depth = deepest = 0
    quote: bytes | None = None  # the string's closing quote (1 or 3 bytes), b">" in an IRI, b"\n" in a comment
    skip = -1  # a byte taken by a backslash escape
    for m in tokens.finditer(body):
        at = m.start()
        if at <= skip:
            continue
        ch = body[at:at + 1]
        if quote is not None:
            if ch == b"\\" and quote not in (b"\n", b">"):
                skip = at + 1
            elif quote == b"\n" and ch in b"\r\n":
                quote = None
            elif quote != b"\n" and body.startswith(quote, at):
                skip = at + len(quote) - 1
                quote = None
            continue
        if ch in openers:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in closers:
            depth = max(depth - 1, 0)
        elif ch == b"\\":
            skip = at + 1  # Turtle's escapes in local names (\#, \(, \'), anything escaped in YAML
        elif syntax == "yaml" and ch in b"'\"" and not _yaml_scalar_start(body, at):
            continue  # a quote inside a plain scalar (it's): text, not a string
        elif ch == b'"' or (ch == b"'" and syntax != "json"):
            quote = ch * 3 if syntax == "turtle" and body.startswith(ch * 3, at) else ch
            skip = at + len(quote) - 1
        elif ch == b"#" and syntax != "json" and (syntax == "turtle" or at == 0 or body[at - 1:at] in b" \t\r\n"):
            quote = b"\n"
        elif ch == b"<" and syntax == "turtle":
            quote = b">"
    return deepest


def _yaml_scalar_start(body: bytes, at: int) -> bool:
    """Whether a quote at ``at`` opens a quoted YAML scalar: first on its line, or after a flow or block
    indicator. Elsewhere (after an anchor or a tag too) the scan counts what follows as brackets: more
    depth, never less."""
    j = at - 1
    while j >= 0 and body[j] in (0x20, 0x09):
        j -= 1
    return j < 0 or body[j] in b"\n\r[{,:-?"


def check_depth(body: bytes, content_type: str) -> None:
    """PayloadError (422) for a body nested more than MAX_DEPTH levels deep, whatever parses it next and whether
    or not it parses: pyoxigraph's JSON-LD and Turtle parsers, libyaml and the mapping all recurse."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    syntax = ("turtle" if ctype in TURTLE_TYPES else "yaml" if ctype in YAML_TYPES
              else "json" if ctype in JSON_TYPES | JSONLD_TYPES else None)
    if syntax is None:
        return  # read_payload refuses the type
    depth = _deepest(body, syntax)
    limit = MAX_DEPTH if syntax != "turtle" else MAX_DEPTH * 2  # a Turtle result: [ ] for a blank node, ( ) lists
    if depth > limit:
        raise PayloadError(Problem("", "body", f"the payload is nested {depth} levels deep: more than the "
                                   f"{limit} allowed", kind="format"))


def check_size(shape: str, data: object, max_values: int = DEFAULT_MAX_VALUES) -> None:
    """TooLarge (413) for a rows or model-index payload with more rows, more metrics in a row or more values in
    all than the server maps: mapping and validating take time in proportion (60,000 metric names: minutes)."""
    if shape not in (ROWS, MODEL_INDEX):
        return
    values = rows = 0
    stack = [(data, "")]
    while stack:
        node, key = stack.pop()
        if isinstance(node, dict):
            if key in ("metrics", "metric") and len(node) > MAX_METRICS_PER_ROW:
                raise TooLarge(f"a row gives {len(node):,} metrics: at most {MAX_METRICS_PER_ROW} are taken "
                               "(limit: metrics per row)")
            stack.extend((v, k if isinstance(k, str) else "") for k, v in node.items())
        elif isinstance(node, (list, tuple)):
            if key in ("rows", "results"):
                rows += len(node)
            if key in ("metrics", "metric") and len(node) > MAX_METRICS_PER_ROW:
                raise TooLarge(f"a row gives {len(node):,} metrics: at most {MAX_METRICS_PER_ROW} are taken "
                               "(limit: metrics per row)")
            stack.extend((v, key if key in ("metrics", "metric") else "") for v in node)
        else:
            values += 1
        if values > max_values or rows > max_values // 5:
            break
    if rows > max_values // 5:
        raise TooLarge(f"the payload holds more than {max_values // 5:,} rows: send them in several submissions "
                       f"(limit: rows per submission, a fifth of the server's values per submission, {max_values:,})",
                       option="max_submission_values")
    if values > max_values:
        raise TooLarge(f"the payload holds more than {max_values:,} values: send it in several submissions "
                       "(limit: values per submission, the server's setting)", option="max_submission_values")
