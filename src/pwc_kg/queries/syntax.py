"""A malformed SPARQL query, said in words a person reads.

pyoxigraph reports a query it cannot parse as ``SyntaxError("error at 1:10: expected CONSTRUCT")``:
the position is where its parser gave up, which can be well past the mistake, and the list is
what the last rule it tried wanted (for ``SELEC * WHERE ...`` only ``CONSTRUCT``; for an undeclared
prefix ``OPTIONAL``). :func:`explain` reads the query itself and says what is wrong where it can
(the query form, a word that is no SPARQL keyword, a prefix never declared, a bracket never
closed, a string never ended), and otherwise rewrites the parser's message: line and column, the
text there, and the expected tokens without the character classes of its grammar.

>>> explain("SELEC * WHERE { ?s ?p ?o }", "error at 1:10: expected CONSTRUCT")
'line 1, column 1: expected one of SELECT, CONSTRUCT, ASK, DESCRIBE, PREFIX or BASE, not SELEC (did you mean SELECT?)'
>>> explain("SELECT * WHER { ?s ?p ?o }", "error at 1:16: expected DISTINCT")
'line 1, column 10: WHER is no SPARQL keyword (did you mean WHERE?)'
>>> explain("SELECT * WHERE { ?s pwc:value ?o }", "error at 1:32: expected OPTIONAL")
'line 1, column 21: the prefix pwc: is not declared: start the query with PREFIX pwc: <https://w3id.org/pwc-kg/ontology#>'
>>> explain("ASK { ?s ?p ?o ", "error at 1:16: expected one of \\",\\", \\".\\", \\"}\\", [_]")
'line 1, column 5: this { is never closed: the query ends before its }'
>>> explain("SELECT (COUNT(*) ?n) WHERE { ?s ?p ?o }", "error at 1:23: expected DISTINCT")
'line 1, column 18: an expression in SELECT needs AS before its variable: ( ... AS ?n)'
>>> print(explain("SELECT ?x WHERE { ?x ?y ?z } ORDER ?x", "error at 1:38: expected BY", excerpt=True))
line 1, column 38: expected BY (at the end of the query)
  SELECT ?x WHERE { ?x ?y ?z } ORDER ?x
                                       ^
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..vocab import PREFIXES

QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
KEYWORDS = {w.upper() for w in """
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY ASC DESC LIMIT
    OFFSET GROUP HAVING VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS UNION FILTER EXISTS NOT IN A
    TRUE FALSE LATERAL LOAD CLEAR DROP CREATE ADD MOVE COPY TO INSERT DELETE DATA WITH USING DEFAULT ALL INTO
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE
    RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE
    STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512
    COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRIPLE
    SUBJECT PREDICATE OBJECT ISTRIPLE ADJUST LANGDIR HASLANG HASLANGDIR STRLANGDIR VERSION
""".split()}
# What to suggest for a prefix used but never declared.
KNOWN_PREFIXES = {p: PREFIXES[p]
                  for p in ("pwc", "rdf", "rdfs", "xsd", "owl", "skos", "dcterms", "prov", "schema", "foaf")}
_MESSAGE = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_PNAME = re.compile(r"((?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?):((?:[\w\-.:%\u00B7-\uFFFF]|\\[^\s])*)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VAR = re.compile(r"[?$][\w\u00B7-\uFFFF]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")
_LANG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_CLOSE = {"{": "}", "(": ")", "[": "]"}


@dataclass
class Token:
    kind: str  # word, pname, var, iri, string, number, lang, punct, unclosed-string
    text: str
    at: int  # offset in the query


def tokens(text: str) -> list[Token]:
    """The query's tokens with their offsets; comments (to the end of a line, \\n or \\r) and spaces dropped."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            while i < n and text[i] not in "\r\n":
                i += 1
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j) and (len(quote) == 3 or text[j] not in "\r\n"):
                j += 2 if text[j] == "\\" else 1
            if j >= n or not text.startswith(quote, j):
                out.append(Token("unclosed-string", text[i:j], i))
                i = j
            else:
                out.append(Token("string", text[i:j + len(quote)], i))
                i = j + len(quote)
        elif c == "<" and (m := _IRI.match(text, i)):
            out.append(Token("iri", m[0], i))
            i = m.end()
        elif c in "?$" and (m := _VAR.match(text, i)):
            out.append(Token("var", m[0], i))
            i = m.end()
        elif c == "@" and (m := _LANG.match(text, i)):
            out.append(Token("lang", m[0], i))
            i = m.end()
        elif c == "_" and text.startswith("_:", i) and (m := _PNAME.match(text, i + 1)):
            out.append(Token("bnode", "_" + m[0], i))
            i = m.end()
        elif (m := _PNAME.match(text, i)) and m.end() > i:
            local = m[2].rstrip(".")  # a trailing '.' ends the triple, not the name
            out.append(Token("pname", f"{m[1]}:{local}", i))
            i = m.start(2) + len(local)
        elif m := _WORD.match(text, i):
            out.append(Token("word", m[0], i))
            i = m.end()
        elif m := _NUMBER.match(text, i):
            out.append(Token("number", m[0], i))
            i = m.end()
        else:
            out.append(Token("punct", c, i))
            i += 1
    return out


def explain(text: str, message: str, *, excerpt: bool = False) -> str:
    """The parser's ``message`` about ``text`` as a person reads it: ``line L, column C: ...``; with
    ``excerpt``, the line of the query and a caret under the place follow on two more lines."""
    m = _MESSAGE.match(message.strip())
    if not m:  # not the parser's "error at L:C" (an IRI that cannot be resolved, a remote server's words)
        return message
    given = _offset(text, int(m[1]), int(m[2]))
    toks = tokens(text)
    found = (_form(toks) or _unclosed_string(toks) or _unknown_word(toks, given) or _undeclared(toks, given)
             or _unclosed(toks, text, given) or _missing_as(toks))
    at, what = found or (given, _expected(m[3], text, given))
    line, column = _line_column(text, at)
    out = f"line {line}, column {column}: {what}"
    if excerpt:
        source = text.split("\n")[line - 1].rstrip("\r")
        out += f"\n  {source}\n  {' ' * (column - 1)}^"
    return out


def _form(toks: list[Token]) -> tuple[int, str] | None:
    """After the prologue (BASE, PREFIX), a query form; else what was found instead."""
    k = 0
    while k < len(toks):
        word = toks[k].text.upper() if toks[k].kind == "word" else ""
        if word == "BASE" and k + 1 < len(toks) and toks[k + 1].kind == "iri":
            k += 2
        elif word == "PREFIX" and k + 2 < len(toks) and toks[k + 1].kind == "pname" and toks[k + 2].kind == "iri":
            k += 3
        else:
            break
    expected = "expected one of SELECT, CONSTRUCT, ASK, DESCRIBE, PREFIX or BASE"
    if k == len(toks):
        return (toks[-1].at + len(toks[-1].text) if toks else 0), f"{expected}: the query has none"
    tok = toks[k]
    word = tok.text.upper() if tok.kind == "word" else ""
    if word in QUERY_FORMS:
        return None
    if word in UPDATE_WORDS:
        return tok.at, f"{tok.text} is an update; only queries run here: SELECT, CONSTRUCT, ASK or DESCRIBE"
    if word in ("BASE", "PREFIX"):
        return tok.at, f"{tok.text} takes {'an IRI in <>' if word == 'BASE' else 'a prefix and an IRI: PREFIX pwc: <...>'}"
    return tok.at, f"{expected}, not {_shown(tok)}{_did_you_mean(tok.text, QUERY_FORMS + ('PREFIX', 'BASE'))}"


def _unclosed_string(toks: list[Token]) -> tuple[int, str] | None:
    for tok in toks:
        if tok.kind == "unclosed-string":
            quote = tok.text[:3] if tok.text[:3] in ('"""', "'''") else tok.text[0]
            return tok.at, f"this string is never closed: it needs its {quote} at the end"
    return None


def _unknown_word(toks: list[Token], given: int | None) -> tuple[int, str] | None:
    """A bare word that is no keyword: outside strings, IRIs, names and variables SPARQL has only keywords."""
    for tok in toks:
        if given is not None and tok.at > given:
            break
        if tok.kind == "word" and tok.text.upper() not in KEYWORDS:
            return tok.at, f"{tok.text} is no SPARQL keyword{_did_you_mean(tok.text, KEYWORDS)}"
    return None


def _undeclared(toks: list[Token], given: int | None) -> tuple[int, str] | None:
    declared = {toks[k + 1].text.split(":", 1)[0] for k in range(len(toks) - 1)
                if toks[k].kind == "word" and toks[k].text.upper() == "PREFIX" and toks[k + 1].kind == "pname"}
    for k, tok in enumerate(toks):
        if given is not None and tok.at > given:
            break
        if tok.kind != "pname" or (k and toks[k - 1].kind == "word" and toks[k - 1].text.upper() == "PREFIX"):
            continue
        prefix = tok.text.split(":", 1)[0]
        if prefix not in declared:
            iri = KNOWN_PREFIXES.get(prefix, "...")
            return tok.at, f"the prefix {prefix}: is not declared: start the query with PREFIX {prefix}: <{iri}>"
    return None


def _unclosed(toks: list[Token], text: str, given: int | None) -> tuple[int, str] | None:
    """A bracket never closed, when the parser gave up at the end of the query; or one closed that was not open."""
    stack: list[Token] = []
    for tok in toks:
        if tok.kind != "punct":
            continue
        if tok.text in _CLOSE:
            stack.append(tok)
        elif tok.text in _CLOSE.values():
            if not stack or _CLOSE[stack[-1].text] != tok.text:
                if given is not None and tok.at > given:
                    return None
                return tok.at, (f"this {tok.text} closes nothing" if not stack else
                                f"this {tok.text} does not close the {stack[-1].text} before it")
            stack.pop()
    at_end = given is None or not [t for t in toks if t.at >= given]
    if stack and at_end:
        return stack[-1].at, f"this {stack[-1].text} is never closed: the query ends before its {_CLOSE[stack[-1].text]}"
    return None


def _missing_as(toks: list[Token]) -> tuple[int, str] | None:
    """``SELECT (COUNT(*) ?n)``: an expression in the projection needs AS before its variable."""
    start = next((k for k, t in enumerate(toks) if t.kind == "word" and t.text.upper() == "SELECT"), None)
    if start is None:
        return None
    depth = 0
    saw_as = False
    for k in range(start + 1, len(toks)):
        tok = toks[k]
        if depth == 0 and (tok.text == "{" or (tok.kind == "word" and tok.text.upper() in ("WHERE", "FROM"))):
            return None
        if tok.text == "(":
            depth += 1
            saw_as = False if depth == 1 else saw_as
        elif tok.text == ")":
            depth -= 1
            if depth == 0 and not saw_as and toks[k - 1].kind == "var":
                var = toks[k - 1]
                return var.at, f"an expression in SELECT needs AS before its variable: ( ... AS {var.text})"
        elif depth == 1 and tok.kind == "word" and tok.text.upper() == "AS":
            saw_as = True
    return None


_FUNCTIONS = {"ABS", "STR", "IRI", "MAX", "NOT", "STRSTARTS", "ISLITERAL"}  # the parser names some when it wants an expression


def _expected(listed: str, text: str, at: int) -> str:
    """pyoxigraph's expected tokens, without its grammar's character classes, and what was found there."""
    items = []
    listed = re.sub(r"^expected (one of )?", "", listed.strip())
    for item in re.findall(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_]*', listed):
        if item.startswith('"'):
            items.append(item[1:-1].encode().decode("unicode_escape"))
        elif item.startswith("[") and item != "[_]":
            items.append("a digit" if "'A'" not in item and "'0'" in item else "a name")
        elif item != "[_]":
            items.append(item)
    items = list(dict.fromkeys(items))
    if len({i.upper() for i in items} & _FUNCTIONS) >= 2:
        items = ["an expression (a variable, a value or a function call)"]
    after = [tok for tok in tokens(text) if tok.at + len(tok.text) > at]  # the token the place falls in, or the next
    here = f" (at {_shown(after[0])})" if after else " (at the end of the query)"
    if not items:
        return f"the query cannot be read from here{here}"
    if len(items) == 1:
        return f"expected {items[0]}{here}"
    return f"expected one of {', '.join(items[:-1])} or {items[-1]}{here}"


def _shown(tok: Token) -> str:
    return tok.text if len(tok.text) <= 40 else tok.text[:39] + "…"


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word.upper(), sorted(choices), n=1, cutoff=0.7)
    return f" (did you mean {close[0]}?)" if close else ""


def _offset(text: str, line: int, column: int) -> int:
    """The offset of a 1-based line and column (in characters) in ``text``, kept within it."""
    start = sum(len(x) + 1 for x in text.split("\n")[:line - 1])
    return min(start + max(column - 1, 0), len(text))


def _line_column(text: str, at: int) -> tuple[int, int]:
    before = text[:at]
    line = before.count("\n") + 1
    return line, at - (before.rfind("\n") + 1) + 1
