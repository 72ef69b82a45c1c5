"""The pages of fixed paths about the site itself: ``/about``, ``/submit``, and ``/sparql`` for a browser
(YASGUI or a query's results: pages/query.py; the endpoint, serve/sparql.py, hands the browser over)."""

from __future__ import annotations

from . import query

ROUTES: dict = {"/sparql": query.sparql_view}
