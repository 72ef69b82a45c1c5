"""The SPARQL pages.

- ``/query``: a form that runs a SELECT through ``site.select`` (with the server's limits) and shows
  the table, the named queries as examples (with a form for their parameters), and a button that
  sends the same text to the /sparql endpoint instead. No JavaScript: for clients without it.
- ``/sparql`` for a browser (serve/sparql.py hands it over): with no query, YASGUI (the vendored
  ``@zazuko/yasgui`` in static/yasgui/, started by static/sparql-ui.js) over this server's endpoint,
  with the named queries as examples and the ontology's prefixes; with a query, its results as an
  HTML table, paged, with the same results to download as JSON, CSV, XML (or the graph formats).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from ...queries import EntityNotFound, list_queries, load_query
from ...queries.run import bind_params
from ...vocab import OWL, PREFIXES, PWC_NS, RDF, ontology_path
from .page import Page
from .reads import Reads

MAX_SHOWN = 1000  # rows shown on the page; the endpoint serves all of them


def _cell(term, links) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"text": term.value, "href": links.href(term.value), "kind": "iri", "language": None}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "href": None, "kind": "literal", "language": term.language}
    if term is None:
        return {"text": "", "href": None, "kind": "unbound", "language": None}
    return {"text": str(term), "href": None, "kind": "blank", "language": None}


def query_page(reads: Reads, params: dict[str, list[str]], links) -> Page:
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
        return Page(200, "query.html", _context(examples, None, load_query("internal/first-query").text, {}))
    run = bool(one("query")) or bool(one("run"))
    context = _context(examples, example, text, values)
    limit = getattr(getattr(getattr(reads, "site", None), "config", None), "max_query_length", None)
    if run and limit is not None and len(text) > limit:  # the same bound as /sparql (max_query_length)
        context.update(text=text[:limit], error=f"The query is {len(text):,} characters long: this server takes "
                       f"queries of at most {limit:,} characters.", status=413)
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


# --- /sparql in a browser: YASGUI, and the results of a query as a table ---------------------------

# The example YASGUI opens with: the SOTA of PIQA (the seed paper's benchmark), its parameters bound.
FIRST_EXAMPLE = ("sota", {"task": "Question Answering", "dataset": "PIQA", "extra": "true"})
PER_PAGE, MAX_PER_PAGE = 100, 500  # rows of a result table a page shows, by default and at most
# Who may load what on the YASGUI page: the site's policy (web.py HTML_CSP) and, seen as console
# errors in headless chromium, what YASGUI 4.6.2 needs besides. connect-src 'self': its queries go to
# this server's /sparql (and nothing else may be fetched). Styles: the <style> elements the bundled
# column-resizer adds to the head for the results table (its grip rules; the cursor while a column is
# dragged) and the style="" of the editor's syntax-error tooltip ('unsafe-hashes': a style attribute)
# are allowed by their hashes, and nothing else inline; YASGUI's other styles are set through the DOM,
# which the policy does not govern. Scripts: our files only (no inline script, no eval).
# tests/test_site_sparql_ui.py checks each hash against the texts in static/yasgui/yasgui.min.js.
YASGUI_STYLE_HASHES = {
    "column-resizer's grip rules (' .grip-resizable{table-layout:fixed;} ...')":
        "sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
    "column-resizer's drag cursor ('*{cursor:col-resize!important}')":
        "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=",
    "the syntax-error tooltip's style attribute ('text-decoration:underline')":
        "sha256-EntWS0hFrz2vH7susM+dPUxvHlL6sBswmM8K80E5oUk=",
}
SPARQL_UI_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-hashes' "
                 + " ".join(f"'{h}'" for h in YASGUI_STYLE_HASHES.values())
                 + "; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                   "frame-ancestors 'none'")


def _brief(text: str) -> str:
    """A named query with the first line of its header only (the rest is on the page, under Examples)."""
    lines = text.splitlines()
    body = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "\n".join(lines[:1] + lines[body:]) + "\n" if body > 1 else text


def _with_undef(text: str, params) -> str:
    """A named query with a VALUES row of UNDEF for its parameters, for the user to fill (UNDEF: unbound)."""
    from ...queries.binding import _where_brace  # where bind_values puts its block: the same place

    if not params:
        return text
    names = " ".join(f"?{p.variable}" for p in params)
    undef = " ".join("UNDEF" for _ in params)
    hint = "\n".join(f"  #   ?{p.variable}: {p.name}, {p.kind}{' (optional)' if p.optional else ''}" for p in params)
    at = _where_brace(text) + 1
    block = (f"\n  # Parameters: put an IRI or a literal in place of an UNDEF (UNDEF leaves it unbound)\n{hint}\n"
             f"  VALUES ({names}) {{ ({undef}) }}\n")
    return text[:at] + block + text[at:].lstrip(" ")


def ui_examples(reads) -> list[dict]:
    """The named queries as YASGUI examples: name, summary, parameters and text (the first one bound)."""
    out = []
    name, values = FIRST_EXAMPLE
    for q in list_queries():
        text = _with_undef(_brief(q.text), q.params)
        title = q.name
        if q.name == name:
            try:
                text = _brief(bind_params(reads, load_query(q.name), values))
                title = f"{q.name}: {values['task']} on {values['dataset']}"
            except (EntityNotFound, ValueError):
                pass  # a store without PIQA: the query as it is, its parameters to fill
        out.append({"name": q.name, "title": title, "summary": q.summary, "params": list(q.params),
                    "text": text, "first": q.name == name})
    out.sort(key=lambda e: not e["first"])
    return out


_PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}


@lru_cache(maxsize=1)
def ontology_terms() -> dict[str, list[str]]:
    """The ontology's classes and properties (ontology/pwc.ttl), for the editor's class and property
    completion (YASGUI's own asks the Linked Open Vocabularies service: off)."""
    classes, properties = set(), set()
    for quad in ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE):
        if quad.predicate.value != RDF.type or not quad.subject.value.startswith(PWC_NS):
            continue
        if quad.object.value == OWL.Class:
            classes.add(quad.subject.value)
        elif quad.object.value in _PROPERTY_TYPES:
            properties.add(quad.subject.value)
    return {"classes": sorted(classes), "properties": sorted(properties)}


def sparql_ui_page(pages, params: dict[str, list[str]]) -> Page:
    """GET /sparql from a browser: YASGUI over this server's endpoint (the plain form for no-JS clients)."""
    examples = pages.site.per_generation("pages.sparql-ui", lambda: ui_examples(pages.reads))
    links = pages.links()
    prefixes = dict(sorted(PREFIXES.items()))
    config = {"endpoint": links.path("sparql"), "base_iri": links.base, "local_prefix": links.prefix,
              "ontology_ns": PWC_NS, "ontology_page": links.path("ontology"),
              "prefixes": prefixes, "examples": {e["name"]: {"title": e["title"], "text": e["text"]} for e in examples},
              "first": examples[0]["name"] if examples else None, **ontology_terms()}
    return Page(200, "sparql_ui.html", {"title": "SPARQL", "examples": examples, "prefixes": prefixes,
                                         "config": config, "text": examples[0]["text"] if examples else ""},
                headers=[("Content-Security-Policy", SPARQL_UI_CSP)])


@dataclass
class ResultTable:
    """A /sparql query's results for a browser, as the endpoint ran them (handed over by serve/sparql.py)."""

    query: str
    kind: str  # "select", "ask" or "graph"
    columns: list[str]
    rows: list[list[dict]]  # cells: {"text", "href", "kind", "language", "datatype"}
    boolean: bool | None
    generation: str
    params: dict[str, list[str]]  # the request's parameters (the dataset ones go on every link)
    formats: list[tuple[str, str]]  # (label, format= value) the same results download as


def json_cell(binding: dict | None, links) -> dict:
    """A cell of the table from a SPARQL JSON results binding (``{"type": "uri", "value": ...}``)."""
    if binding is None:
        return {"text": "", "href": None, "kind": "unbound", "language": None, "datatype": None}
    kind = binding.get("type")
    if kind == "uri":
        iri = binding["value"]
        # the ontology's terms: their entries in its documentation here (/ontology#Paper)
        href = links.path("ontology") + "#" + iri[len(PWC_NS):] if iri.startswith(PWC_NS) else links.href(iri)
        return {"text": iri, "href": href, "kind": "iri", "language": None, "datatype": None}
    if kind in ("literal", "typed-literal"):
        return {"text": binding["value"], "href": None, "kind": "literal", "language": binding.get("xml:lang"),
                "datatype": binding.get("datatype")}
    if kind == "bnode":
        return {"text": "_:" + binding["value"], "href": None, "kind": "blank", "language": None, "datatype": None}
    return {"text": json.dumps(binding.get("value"), ensure_ascii=False), "href": None, "kind": "triple",
            "language": None, "datatype": None}


def _int_param(params: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int | str:
    """A bounded integer parameter, or the message of a 400 when it is not one."""
    raw = (params.get(name) or [""])[0].strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        return f"{name} takes a whole number from {low} to {high:,}, not {raw[:40]!r}"
    return int(raw)


def results_page(pages, table: ResultTable) -> Page:
    """The results of a /sparql query as an HTML table, a page of them at a time, with their downloads."""
    per_page = _int_param(table.params, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    number = _int_param(table.params, "page", 1, 1, 10**6)
    for value in (per_page, number):
        if isinstance(value, str):
            return Page(400, "sparql_results.html", _results_context(table, [], 0, 0, 1, PER_PAGE, error=value))
    total = len(table.rows)
    last = max(1, -(-total // per_page))
    if number > last:
        return Page(404, "sparql_results.html", _results_context(
            table, [], total, last, number, per_page,
            error=f"there is no page {number}: {total:,} row{'s' if total != 1 else ''} make {last} "
                  f"page{'s' if last != 1 else ''} of {per_page}"))
    start = (number - 1) * per_page
    return Page(200, "sparql_results.html", _results_context(table, table.rows[start:start + per_page], total, last,
                                                             number, per_page))


def _results_context(table: ResultTable, rows, total: int, last: int, number: int, per_page: int,
                     error: str | None = None) -> dict:
    from urllib.parse import urlencode

    kept = [(k, v) for k in ("default-graph-uri", "named-graph-uri") for v in table.params.get(k, [])]

    def url(**extra) -> str:
        return "?" + urlencode([("query", table.query)] + kept + [(k, str(v)) for k, v in extra.items()])

    pager = {"first": (number - 1) * per_page + 1, "last_row": min(number * per_page, total),
             "prev": url(page=number - 1, per_page=per_page) if number > 1 else None,
             "next": url(page=number + 1, per_page=per_page) if number < last else None}
    return {"title": "SPARQL results", "table": table, "rows": rows, "total": total, "pages": last, "page": number,
            "per_page": per_page, "pager": pager, "error": error,
            "downloads": [(label, url(format=name)) for label, name in table.formats],
            "dataset": kept}


def sparql_view(pages, params: dict[str, list[str]]) -> Page:
    """/sparql for a browser: the results table when serve/sparql.py ran a query, else YASGUI."""
    handed = params.get("_table")
    if handed and isinstance(handed[0], ResultTable):  # only the endpoint puts an object here, never a URL
        return results_page(pages, handed[0])
    return sparql_ui_page(pages, params)
