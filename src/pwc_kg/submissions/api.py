"""The submissions API, the moderation page and the submit form, as routes of ``pwc-kg serve``.

JSON API (``Authorization: Bearer TOKEN``):

- ``POST /api/submissions``: a payload (rows or model-index as JSON/YAML, Turtle, JSON-LD) →
  202 with the pending submission's id and IRI, or 422 with every violation; any token.
- ``GET /api/submissions[?status=pending]``, ``GET /api/submissions/{id}``,
  ``POST /api/submissions/{id}/accept``, ``POST /api/submissions/{id}/reject`` (JSON or form
  body with ``reason``): moderator tokens (a submitter may read its own submissions).

No token, a wrong or a revoked one: 401. Without any token ever made (no `STORE/tokens.json` entry) the API is off (404).

Pages: ``/submissions`` and ``/submissions/{id}`` (HTTP Basic, the password being a moderator
token; their accept and reject forms carry an HMAC of the token, the action and the submission
against CSRF), and ``POST /submit``, the form of the benchmark and paper pages, which builds the
rows payload and goes through the same code as the API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from ..web import HTTPError, Request, Response
from .bounds import DEFAULT_MAX_VALUES
from .errors import SubmissionError
from .records import SubmissionNotFound
from .service import SubmissionService
from .tokens import Token, TokenStore

SECRET_FILE = ".submissions-secret"


def _json(status: int, data: object, headers: list | None = None) -> Response:
    return Response(status, (json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n").encode("utf-8"),
                    "application/json; charset=utf-8", list(headers or []))


class Submissions:
    """The routes; ``handles(path)`` says which paths are theirs."""

    def __init__(self, config, pages=None):
        self.config = config
        self.pages = pages
        self.tokens = TokenStore(config.store)
        self.service = SubmissionService(config.store, sota_margin=config.sota_margin,
                                         max_values=getattr(config, "max_submission_values", DEFAULT_MAX_VALUES))
        self._secret: bytes | None = None

    @staticmethod
    def handles(path: str) -> bool:
        return path in ("/api/submissions", "/submissions", "/submit") or path.startswith(
            ("/api/submissions/", "/submissions/"))

    def on(self) -> bool:
        return self.tokens.configured()

    def __call__(self, req: Request) -> Response:
        if req.path.startswith("/api/"):
            try:
                return self.route(req)
            except HTTPError as e:  # the API answers JSON, its errors too
                return _json(e.status, {"error": e.message}, e.headers)
        return self.route(req)

    def route(self, req: Request) -> Response:
        if not self.on():
            raise HTTPError(404, "the submissions API is off: no API token is configured "
                                 "(the operator turns it on with 'pwc-kg tokens add NAME')")
        path = req.path
        if path == "/submit":
            return self.form(req)
        if path.startswith("/api/"):
            return self.api(req, path[len("/api/submissions"):].strip("/"))
        return self.moderation(req, path[len("/submissions"):].strip("/"))

    # -- authentication ------------------------------------------------------------------------

    def _bearer(self, req: Request) -> Token:
        header = req.header("Authorization") or ""
        scheme, _, value = header.partition(" ")
        token = self.tokens.authenticate(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            why = "a token is needed" if not header else "the token is wrong or revoked"
            raise HTTPError(401, f"{why}: send 'Authorization: Bearer TOKEN'",
                            [("WWW-Authenticate", 'Bearer realm="pwc-kg submissions"')])
        return token

    def _basic(self, req: Request) -> Token:
        header = req.header("Authorization") or ""
        scheme, _, value = header.partition(" ")
        token = None
        if scheme.lower() == "basic":
            try:
                _, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
                token = self.tokens.authenticate(password)
            except (ValueError, UnicodeDecodeError):
                token = None
        if token is None:
            raise HTTPError(401, "the moderation page needs a moderator token as the password (any user name)",
                            [("WWW-Authenticate", 'Basic realm="pwc-kg moderation", charset="UTF-8"')])
        if not token.moderator:
            raise HTTPError(403, f"the token of {token.name!r} may submit, not moderate")
        return token

    @staticmethod
    def _moderator(token: Token) -> None:
        if not token.moderator:
            raise HTTPError(403, f"the token of {token.name!r} may submit, not moderate")

    # -- the JSON API --------------------------------------------------------------------------

    def api(self, req: Request, rest: str) -> Response:
        token = self._bearer(req)
        parts = rest.split("/") if rest else []
        try:
            if not parts:
                if req.method == "POST":
                    body = req.body(self.config.max_body)
                    status, answer = self.service.submit(body, req.header("Content-Type") or "", token.name)
                    headers = [("Location", f"/api/submissions/{answer['id']}")] if status == 202 else []
                    return _json(status, answer, headers)
                if req.method in ("GET", "HEAD"):
                    self._moderator(token)
                    status_filter = req.param("status")
                    return _json(200, {"submissions": sorted(self.service.list(status_filter), key=lambda m: m["id"],
                                                             reverse=True)})
                raise HTTPError(405, f"{req.method} is not supported here", [("Allow", "GET, HEAD, POST")])
            sid = parts[0]
            if len(parts) == 1:
                if req.method not in ("GET", "HEAD"):
                    raise HTTPError(405, f"{req.method} is not supported here", [("Allow", "GET, HEAD")])
                shown = self.service.show(sid)
                if not token.moderator and shown.get("submitted_by") != token.name:
                    raise HTTPError(403, f"the token of {token.name!r} may read its own submissions only")
                return _json(200, shown)
            if len(parts) == 2 and parts[1] in ("accept", "reject"):
                if req.method != "POST":
                    raise HTTPError(405, f"{parts[1]} takes POST", [("Allow", "POST")])
                self._moderator(token)
                self.service.submissions.folder(sid)  # an unknown id: 404, whatever the body says
                if parts[1] == "accept":
                    return _json(200, self.service.accept(sid, token.name))
                return _json(200, self.service.reject(sid, token.name, self._reason(req)))
            raise HTTPError(404, f"nothing at {req.path}")
        except SubmissionNotFound as e:
            raise HTTPError(404, e.args[0]) from None
        except SubmissionError as e:
            return _json(e.status, {"error": str(e), **(e.report or {})})

    def _reason(self, req: Request) -> str:
        if req.content_type == "application/json":
            try:
                data = json.loads(req.body(self.config.max_body) or b"{}")
            except ValueError:
                raise HTTPError(400, "the body is not JSON") from None
            return str(data.get("reason") or "") if isinstance(data, dict) else ""
        return (req.form(self.config.max_body).get("reason") or [""])[0]

    # -- pages ---------------------------------------------------------------------------------

    def _render(self, status: int, template: str, context: dict) -> Response:
        if self.pages is None:
            return _json(status, context.get("answer") or context)
        links = self.pages.links()
        doc = self.pages.env.get_template(template).render({
            **context, "status": status, "path": "/submissions", "links": links,
            "generation": self.pages._generation_path().name})
        return Response(status, doc.encode("utf-8"), "text/html; charset=utf-8", [("Cache-Control", "no-store")])

    def secret(self) -> bytes:
        if self._secret is None:
            path = Path(self.config.store) / SECRET_FILE
            if not path.is_file():  # made complete under a name of its own, then linked: the first one made wins
                tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(8)}")
                with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                    f.write(secrets.token_bytes(32))
                    f.flush()
                    os.fsync(f.fileno())
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass
                finally:
                    tmp.unlink()
            self._secret = path.read_bytes()
        return self._secret

    def csrf(self, token: Token, sid: str, action: str) -> str:
        return hmac.new(self.secret(), f"{token.sha256}|{sid}|{action}".encode(), hashlib.sha256).hexdigest()

    def moderation(self, req: Request, rest: str) -> Response:
        token = self._basic(req)
        parts = rest.split("/") if rest else []
        try:
            if not parts:
                if req.method not in ("GET", "HEAD"):
                    raise HTTPError(405, f"{req.method} is not supported here", [("Allow", "GET, HEAD")])
                wanted = req.param("status") or "pending"
                items = sorted(self.service.list(wanted), key=lambda m: m["id"], reverse=True)
                return self._render(200, "submissions.html", {"title": "Submissions", "items": items,
                                                              "wanted": wanted, "moderator": token.name})
            sid = parts[0]
            if len(parts) == 1 and req.method in ("GET", "HEAD"):
                shown = self.service.show(sid)
                return self._render(200, "submission.html", {
                    "title": f"Submission {sid}", "s": shown, "moderator": token.name,
                    "csrf_accept": self.csrf(token, sid, "accept"), "csrf_reject": self.csrf(token, sid, "reject"),
                    "message": req.param("done")})
            if len(parts) == 2 and parts[1] in ("accept", "reject") and req.method == "POST":
                form = req.form(self.config.max_body)
                sent = (form.get("csrf") or [""])[0]
                if not hmac.compare_digest(sent.encode(), self.csrf(token, sid, parts[1]).encode()):
                    raise HTTPError(403, "the form is stale or was not sent from the moderation page (CSRF check)")
                try:
                    if parts[1] == "accept":
                        self.service.accept(sid, token.name)
                    else:
                        self.service.reject(sid, token.name, (form.get("reason") or [""])[0])
                except SubmissionError as e:
                    shown = self.service.show(sid)
                    return self._render(e.status, "submission.html", {
                        "title": f"Submission {sid}", "s": shown, "moderator": token.name, "error": str(e),
                        "csrf_accept": self.csrf(token, sid, "accept"),
                        "csrf_reject": self.csrf(token, sid, "reject"), "message": None})
                return Response(303, b"", "text/plain; charset=utf-8",
                                [("Location", f"/submissions/{sid}?done={parts[1]}ed")])
            raise HTTPError(405 if len(parts) <= 2 else 404, f"{req.method} {req.path} is not supported")
        except SubmissionNotFound as e:
            raise HTTPError(404, e.args[0]) from None

    # -- the form of the benchmark and paper pages ------------------------------------------------

    def form(self, req: Request) -> Response:
        if req.method != "POST":
            raise HTTPError(405, "the submit form takes POST", [("Allow", "POST")])
        fields = req.form(self.config.max_body)
        token = self.tokens.authenticate((fields.get("token") or [""])[0].strip())
        payload = form_payload(fields)
        if token is None:
            answer = {"status": "unauthorized", "conforms": False, "violations": [
                {"pointer": "", "field": "token", "message": "the token is missing, wrong or revoked", "kind": "auth"}]}
            return self._render(401, "submission_report.html", {"title": "Not submitted", "answer": answer,
                                                                "payload": payload})
        body = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
        status, answer = self.service.submit(body, "application/json", token.name)
        return self._render(status, "submission_report.html", {
            "title": "Submitted" if status == 202 else "Not submitted", "answer": answer, "payload": payload})


def form_payload(fields: dict[str, list[str]]) -> dict:
    """The rows payload a submit form says: the same shape the API takes."""
    def one(name: str) -> str:
        return (fields.get(name) or [""])[0].strip()

    metrics: dict[str, str] = {}
    names, values = fields.get("metric") or [], fields.get("value") or []
    for name, value in zip(names, values):  # as many as the page shows (the body's size is bounded)
        if name.strip() and value.strip():
            metrics[name.strip()] = value.strip()
    row: dict = {"model_name": one("model"), "metrics": metrics}
    if one("paper"):
        row["paper"] = one("paper")
    if one("paper_url"):
        row["paper_url"] = one("paper_url")
    if one("paper_date"):
        row["paper_date"] = one("paper_date")
    row["uses_additional_data"] = one("extra").lower() in ("on", "yes", "true", "1")
    payload: dict = {}
    if one("benchmark"):
        payload["benchmark"] = one("benchmark")
    else:
        payload["task"], payload["dataset"] = one("task"), one("dataset")
    payload["rows"] = [row]
    return payload


__all__ = ["Submissions", "form_payload"]
