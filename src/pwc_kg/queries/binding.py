"""Binding parameters into SPARQL without pasting user text into it.

Values are serialised as RDF terms by pyoxigraph (which escapes every character that could
end a literal or an IRI) and joined to the query's WHERE group as a ``VALUES`` block, so the
same bound query runs on the embedded store and on any SPARQL 1.1 server.

>>> import pyoxigraph as ox
>>> bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"o": ox.Literal('a "quoted" > value\\n')})
'SELECT ?x WHERE { VALUES (?o) { ("a \\\\"quoted\\\\" > value\\\\n") } ?x ?p ?o }'
>>> bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"p": ox.NamedNode("http://e/p"), "o": ox.Literal("v")}, joint=False)
'SELECT ?x WHERE { VALUES ?p { <http://e/p> } VALUES ?o { "v" } ?x ?p ?o }'

A comment ends at a carriage return as at a line feed (the store reads it so; the '{' in it is no group):

>>> bind_values("SELECT ?x WHERE # a { comment\\r{ ?x ?p ?o }", {"o": ox.Literal("v")})
'SELECT ?x WHERE # a { comment\\r{ VALUES (?o) { ("v") } ?x ?p ?o }'
"""

from __future__ import annotations

import re

import pyoxigraph as ox

_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


_IRI = re.compile(r"<[^\s<>\"{}|^`\\]*>")


def skip_token(query: str, i: int) -> int | None:
    """The index just past the comment, string or IRI that starts at ``i``, or None when none starts there:
    the text where a scanner of the query's braces and keywords must not look."""
    c = query[i]
    if c == "#":
        n = len(query)
        while i < n and query[i] not in "\r\n":  # a comment ends at either, as in the SPARQL grammar
            i += 1
        return i
    if c in "\"'":
        quote = query[i:i + 3] if query[i:i + 3] in ('"""', "'''") else c
        i += len(quote)
        n = len(query)
        while i < n and not query.startswith(quote, i):
            i += 2 if query[i] == "\\" else 1
        return i + len(quote)
    if c == "<" and (m := _IRI.match(query, i)):
        return m.end()
    return None


def _where_brace(query: str) -> int:
    """Index of the '{' that opens the query's WHERE group, skipping comments, strings and IRIs."""
    i, n = 0, len(query)
    seen_where = False
    first_brace = -1
    word = ""
    while i < n:
        c = query[i]
        past = skip_token(query, i)
        if past is not None:
            i = past
            continue
        if c.isalpha():
            word += c
        else:
            if word.upper() == "WHERE":
                seen_where = True
            word = ""
        if c == "{":
            if seen_where:
                return i
            if first_brace < 0:
                first_brace = i
        i += 1
    if first_brace < 0:
        raise ValueError("the query has no WHERE group to bind parameters in")
    return first_brace


def bind_values(query: str, bindings: dict[str, ox.NamedNode | ox.Literal | list], *, joint: bool = True) -> str:
    """The query with the bindings joined at the start of its WHERE group.

    A binding is one term, or a list of terms (the variable then takes each in turn). ``joint``:
    the single terms go in one VALUES row of several variables, which Oxigraph plans ten times
    faster than one block per variable (sota on a 0.1-scale store: 2–5 ms against 30–55 ms);
    ``joint=False`` writes one block per variable, for Virtuoso 7.2, which fails to compile a
    grouped query that starts with a multi-variable VALUES row (SP031 ssg_print_rvr_fixed_val).
    """
    if not bindings:
        return query
    single, lists = [], ""
    for name, value in bindings.items():
        if not _VAR.match(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
        terms = value if isinstance(value, list) else [value]
        for term in terms:
            if not isinstance(term, (ox.NamedNode, ox.Literal)):
                raise TypeError(f"parameter {name} must be an IRI or a literal, not {type(term).__name__}")
        if isinstance(value, list) or not joint:
            lists += f"VALUES ?{name} {{ {' '.join(str(t) for t in terms)} }} "
        else:
            single.append(name)
    block = ""
    if single:
        block = f"VALUES ({' '.join('?' + n for n in single)}) {{ ({' '.join(str(bindings[n]) for n in single)}) }} "
    block += lists
    at = _where_brace(query) + 1
    return query[:at] + " " + block + query[at:].lstrip(" ")
