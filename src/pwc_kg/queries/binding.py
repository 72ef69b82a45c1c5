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


def subselects(query: str) -> list[tuple[int, int]]:
    """(start, end) of each sub-SELECT of a query, not nested in another: from its keyword SELECT to the brace
    that closes the group holding it. Comments, strings and IRIs are skipped.

    >>> q = "SELECT ?a WHERE { { SELECT ?a WHERE { ?a <x:p> '}' } } # { SELECT\\n ?a <x:q> ?b }"
    >>> [q[s:e] for s, e in subselects(q)]
    ["SELECT ?a WHERE { ?a <x:p> '}' } "]
    """
    out, depth, start, i, n = [], 0, None, 0, len(query)
    while i < n:
        past = skip_token(query, i)
        if past is not None:
            i = past
            continue
        c = query[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if start is not None and depth < start[1]:
                out.append((start[0], i))
                start = None
        elif (start is None and depth > 0 and query[i:i + 6].upper() == "SELECT"
              and not query[i - 1:i].isalnum() and not query[i + 6:i + 7].isalnum()):
            start = (i, depth)
        i += 1
    return out


def _blanked(query: str) -> str:
    """The query with its comments, strings and IRIs blanked out (spaces), of the same length."""
    out, i, n = [], 0, len(query)
    while i < n:
        past = skip_token(query, i)
        if past is None:
            out.append(query[i])
            i += 1
        else:
            out.append(" " * (min(past, n) - i))
            i = past
    return "".join(out)


def bind_where_named(query: str, bindings: dict) -> str:
    """The query with each parameter bound (``bind_values``) in the SELECT that names it: in each sub-SELECT
    that names it, and in the query's own WHERE group if its text outside them does.

    Oxigraph joins two sub-SELECTs whose values are bound inside them by hash (two range scans), where a
    VALUES block outside them has it look up every result of one in the other: the first page of a
    leaderboard of a benchmark with 5,158 results on a full-scale store, 10 ms against 69 ms.

    >>> q = "SELECT ?r WHERE { { SELECT ?r WHERE { ?r <x:b> ?b } } { SELECT ?r WHERE { ?r <x:m> ?m } } BIND(?e AS ?f) } # ?m"
    >>> print(bind_where_named(q, {"b": ox.NamedNode("x:B"), "m": ox.NamedNode("x:M"), "e": ox.Literal(True)}))
    SELECT ?r WHERE { VALUES (?e) { ("true"^^<http://www.w3.org/2001/XMLSchema#boolean>) } { SELECT ?r WHERE { VALUES (?b) { (<x:B>) } ?r <x:b> ?b } } { SELECT ?r WHERE { VALUES (?m) { (<x:M>) } ?r <x:m> ?m } } BIND(?e AS ?f) } # ?m
    """
    def named(text: str) -> dict:
        return {k: v for k, v in bindings.items() if re.search(rf"[?$]{k}\b", text)}

    code = _blanked(query)  # the variables a comment, a string or an IRI names do not count
    spans = subselects(query)
    outside = "".join(code[a:b] for a, b in zip([0] + [e for _, e in spans], [s for s, _ in spans] + [len(query)]))
    out = query
    for start, end in reversed(spans):
        mine = named(code[start:end])
        if mine:
            out = out[:start] + bind_values(out[start:end], mine) + out[end:]
    mine = named(outside)
    return bind_values(out, mine) if mine else out
