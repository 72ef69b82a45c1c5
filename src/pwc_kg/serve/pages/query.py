"""The SPARQL page: a form that runs a SELECT through ``site.select`` (with the server's limits) and
shows the table, the named queries as examples (with a form for their parameters), and a button
that sends the same text to the /sparql endpoint instead. No JavaScript."""

from __future__ import annotations

import pyoxigraph as ox

from ...queries import EntityNotFound, list_queries, load_query
from ...queries.run import bind_params
from .page import Page
from .reads import Reads

DEFAULT_QUERY = """PREFIX pwc: <{ns}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# The ten benchmarks with the most results
SELECT ?benchmark ?name (MAX(?n) AS ?results) WHERE {{
  ?board pwc:onBenchmark ?benchmark ; pwc:resultCount ?n .
  ?benchmark pwc:name ?name .
}}
GROUP BY ?benchmark ?name
ORDER BY DESC(?results)
LIMIT 10
"""
MAX_SHOWN = 1000  # rows shown on the page; the endpoint serves all of them


def _cell(term, links) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"text": term.value, "href": links.href(term.value), "kind": "iri", "language": None}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "href": None, "kind": "literal", "language": term.language}
    if term is None:
        return {"text": "", "href": None, "kind": "unbound", "language": None}
    return {"text": str(term), "href": None, "kind": "blank", "language": None}


def query_page(reads: Reads, params: dict[str, list[str]], links, ns: str) -> Page:
    def one(name: str) -> str:
        return (params.get(name) or [""])[0]

    examples = list_queries()
    example = None
    name = one("example")
    if name:
        example = next((q for q in examples if q.name == name), None)
        if example is None:
            return Page(404, "query.html", _context(examples, None, "", {}, error=f"There is no named query {name!r}.",
                                                     status=404))
    text = one("query")
    # A boolean parameter starts as "true" (every result counts); the others start empty.
    values = {p.name: one(p.name) or ("true" if p.kind == "boolean" and not one("run") else "")
              for p in example.params} if example else {}
    if example is not None and not text:
        text = example.text
    if not text and example is None:
        return Page(200, "query.html", _context(examples, None, DEFAULT_QUERY.format(ns=ns), {}))
    run = bool(one("query")) or bool(one("run"))
    context = _context(examples, example, text, values)
    limit = getattr(getattr(getattr(reads, "site", None), "config", None), "max_query_length", None)
    if run and limit is not None and len(text) > limit:  # the same bound as /sparql (--max-query-length)
        context.update(text=text[:limit], error=f"The query is {len(text):,} characters long: the server takes "
                       f"at most {limit:,} (--max-query-length).", status=413)
        return Page(413, "query.html", context)
    if not run:
        return Page(200, "query.html", context)
    try:
        if example is not None and one("run"):
            # A named query with its parameters: names resolved and bound with VALUES, never pasted.
            given = {k: v for k, v in values.items() if v.strip()}
            text = bind_params(reads, load_query(example.name), given)
            context["text"] = text
        columns, rows = reads.table(text)
    except (EntityNotFound, ValueError) as exc:
        context.update(error=str(exc), status=400)
        return Page(400, "query.html", context)
    except Exception as exc:  # the store's own message (a syntax error, a limit reached) is what the user needs
        status = getattr(exc, "status", 400)  # the server's query errors carry their HTTP status
        context.update(error=f"{type(exc).__name__}: {exc}", status=status)
        return Page(status, "query.html", context)
    context.update(columns=columns, rows=[[_cell(row.get(c), links) for c in columns] for row in rows[:MAX_SHOWN]],
                   row_count=len(rows), truncated=len(rows) > MAX_SHOWN, ran=True)
    return Page(200, "query.html", context)


def _context(examples, example, text: str, values: dict, error: str | None = None, status: int = 200) -> dict:
    return {"title": "SPARQL query", "examples": examples, "example": example, "text": text, "values": values,
            "error": error, "status": status, "columns": [], "rows": [], "row_count": 0, "truncated": False,
            "ran": False, "max_shown": MAX_SHOWN}
