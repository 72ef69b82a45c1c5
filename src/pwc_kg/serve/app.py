"""The WSGI application: one callable that routes each request to the endpoint, the linked data or the pages.

::

    app = create_app(ServeConfig(store="pwc-kg-store"))   # starts the query workers
    waitress.serve(app, host="127.0.0.1", port=8000)         # or any WSGI server; see serve/server.py
    app.close()

Routes: ``/sparql`` (serve/sparql.py); ``/.well-known/void`` and ``/dataset``, ``/dumps/NAME``
(serve/void.py); ``/ontology``, ``/ontology/context.jsonld`` (serve/ontology.py); ``/static/*``
and the pages ('/', '/search', '/query', ...: serve/pages/); every minted IRI ('/paper/...',
'/task/...', ...: serve/linked_data.py). Every response carries the security headers
(web.py); CORS is on for ``/sparql`` (any origin, by default) and, for the rest, only for
the origins ``cors_origins`` lists.
"""

from __future__ import annotations

import logging

from ..queries import EntityNotFound
from ..store import StoreDir
from ..web import HTTPError, Request, Response, error_page, html_page, security_headers, text
from .config import ServeConfig
from .executor import QueryError, QueryExecutor
from .linked_data import LinkedData
from .negotiation import prefers_html
from .ontology import Ontology
from .site import Site
from .sparql import SparqlEndpoint
from .void import DatasetDescription, FileResponse

log = logging.getLogger("pwc_kg.serve")


def load_pages(site: Site):
    """The HTML pages (``pwc_kg.serve.pages.Pages``), or None where they are not installed."""
    try:
        from .pages import Pages
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("pwc_kg.serve.pages"):
            return None
        raise
    return Pages(site)


class Application:
    """The server's WSGI callable; see the module's docstring."""

    def __init__(self, config: ServeConfig, *, pages: bool = True):
        self.config = config
        self.store_dir = StoreDir(config.store)
        self.executor = QueryExecutor(self.store_dir, config)
        self.site = Site(self.store_dir, self.executor, config)
        self.pages = None
        self._with_pages = pages
        self.sparql = SparqlEndpoint(self.site)
        self.linked = LinkedData(self.site)
        self.ontology = Ontology()
        self.void = DatasetDescription(self.site)
        from ..submissions.api import Submissions

        self.submissions = Submissions(config)

    def start(self) -> "Application":
        self.executor.start()
        if self._with_pages:
            self.pages = load_pages(self.site)
            self.sparql.pages = self.linked.pages = self.submissions.pages = self.pages
        self.void.warm()
        return self

    def close(self) -> None:
        self.executor.close()

    # --- WSGI ------------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response):
        req = Request(environ)
        try:
            resp = self.route(req)
        except HTTPError as e:
            resp = self.error(req, e.status, e.message)
            resp.headers += e.headers
        except QueryError as e:  # a page's query past a limit
            resp = self.error(req, e.status, str(e))
        except EntityNotFound as e:
            resp = self.error(req, 404, str(e))
        except Exception:  # noqa: BLE001 - answered 500; the traceback goes to the log, not the client
            log.exception("%s %s failed", req.method, environ.get("REQUEST_URI") or environ.get("PATH_INFO"))
            resp = self.error(req, 500, "internal server error (the server's log has the details)")
        self._cors(req, resp)
        security_headers(resp)
        headers = [("Content-Type", resp.content_type)] + resp.headers
        if isinstance(resp, FileResponse):
            f = open(resp.path, "rb")
            headers.append(("Content-Length", str(f.seek(0, 2))))
            f.seek(0)
            start_response(resp.status_line(), headers)
            if req.method == "HEAD":
                f.close()
                return [b""]
            wrapper = environ.get("wsgi.file_wrapper")
            return wrapper(f, 1 << 16) if wrapper else iter(lambda: f.read(1 << 16), b"")
        headers.append(("Content-Length", str(len(resp.body))))
        start_response(resp.status_line(), headers)
        return [b"" if req.method == "HEAD" else resp.body]

    def route(self, req: Request) -> Response:
        path = req.path
        if path in ("/sparql", "/sparql/"):
            return self.sparql(req)
        if path in ("/.well-known/void", "/dataset"):
            return self.void(req)
        if path.startswith("/dumps/"):
            return self.void.dump(req)
        # The submissions API, moderation page and the form's POST (submissions/api.py); the form itself is a page.
        if self.submissions.handles(path) and not (path == "/submit" and req.method in ("GET", "HEAD")):
            return self.submissions(req)
        if self.ontology.handles(path):
            return self.ontology(req)
        if self.linked.handles(path):
            return self.linked(req)
        if req.method not in ("GET", "HEAD"):
            raise HTTPError(405, f"{req.method} is not supported here", [("Allow", "GET, HEAD")])
        if self.pages is not None:
            if path in self.pages.static:
                body, ctype = self.pages.static[path]
                return Response(200, body, ctype, [("Cache-Control", "public, max-age=3600")])
            page = self.pages.respond(path, {k: list(v) for k, v in req.query.items()})
            if page is not None:
                status, body, ctype, headers = page
                return Response(status, body, ctype, list(headers))
        elif path == "/":
            return self.fallback_home()
        raise HTTPError(404, f"nothing at {path}")

    def fallback_home(self) -> Response:
        links = [("/sparql", "SPARQL endpoint"), ("/.well-known/void", "dataset description (VoID)"),
                 ("/ontology", "ontology")]
        items = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in links)
        return html_page(200, "pwc-kg", f"<h1>pwc-kg</h1><ul>{items}</ul>")

    def error(self, req: Request, status: int, message: str) -> Response:
        if prefers_html(req.accept):
            if status == 404 and self.pages is not None:
                try:
                    page = self.pages.render(req.path, {})
                except Exception:  # noqa: BLE001 - the plain page will do
                    page = None
                if page is not None and page[0] == 404:
                    return Response(404, page[1].encode("utf-8"), "text/html; charset=utf-8")
            return error_page(status, message)
        return text(status, message)

    def _cors(self, req: Request, resp: Response) -> None:
        origins = ([self.config.sparql_cors_origin] if self.config.sparql_cors_origin else []) \
            if req.path in ("/sparql", "/sparql/") else self.config.cors_origins
        if not origins:
            return
        origin = req.header("Origin")
        if "*" in origins:
            resp.headers.append(("Access-Control-Allow-Origin", "*"))
        elif origin in origins:
            resp.headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]


def create_app(config: ServeConfig, *, pages: bool = True) -> Application:
    """The application, started (its query workers running); ``close()`` it when done."""
    return Application(config, pages=pages).start()
