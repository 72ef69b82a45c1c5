"""``pwc-kg tokens add|list|revoke`` and ``pwc-kg submissions list|show|accept|reject|submit``."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from .errors import SubmissionError
from .flags import DEFAULT_SOTA_MARGIN
from .records import SubmissionNotFound
from .service import SubmissionService
from .tokens import TokenError, TokenStore


def add_parsers(sub, store_arg) -> None:
    t = sub.add_parser("tokens", help="API tokens for submitting results (and moderating them)")
    tsub = t.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = tsub.add_parser("add", help="make a token (printed once; kept only as its sha256)")
    p.add_argument("name", help="who holds it: recorded as the submitter of what it sends")
    p.add_argument("--moderator", action="store_true", help="may also list, accept and reject submissions")
    store_arg(p)
    p = tsub.add_parser("list", help="the tokens: name, role, created, revoked (never the tokens)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    store_arg(p)
    p = tsub.add_parser("revoke", help="revoke a name's token (at once, also in a running server)")
    p.add_argument("name")
    store_arg(p)

    s = sub.add_parser("submissions", help="list, show, accept or reject submitted results")
    ssub = s.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = ssub.add_parser("list", help="the submissions, newest first, with their flags")
    p.add_argument("--status", choices=("pending", "accepted", "rejected", "all"), default="all")
    p.add_argument("--format", choices=("table", "json"), default="table")
    store_arg(p)
    p = ssub.add_parser("show", help="one submission: who, when, what it touches, flags, its report and payload")
    p.add_argument("id")
    p.add_argument("--format", choices=("text", "json"), default="text")
    store_arg(p)
    p = ssub.add_parser("accept", help="put a pending submission into the store (a new generation)")
    p.add_argument("id")
    p.add_argument("--as", dest="who", help="the moderator's name (default: your user name)")
    p.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for a running build (default: 30)")
    margin(p)
    store_arg(p)
    p = ssub.add_parser("reject", help="reject a pending submission, with the reason (it stays on record)")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    p.add_argument("--as", dest="who", help="the moderator's name (default: your user name)")
    store_arg(p)
    p = ssub.add_parser("submit", help="submit a payload from a file, as the operator (no token needed here)")
    p.add_argument("file", help="a rows or model-index payload (.json, .yml), Turtle (.ttl) or JSON-LD (.jsonld)")
    p.add_argument("--as", dest="who", help="the submitter's name (default: your user name)")
    p.add_argument("--content-type", help="the payload's media type (default: from the file's extension)")
    margin(p)
    store_arg(p)


def margin(p) -> None:
    p.add_argument("--sota-margin", type=float, default=DEFAULT_SOTA_MARGIN, metavar="PERCENT",
                   help="flag a claimed SOTA better than the current one by more than this many percent of it "
                        f"(default: {DEFAULT_SOTA_MARGIN:g})")


_TYPES = {".json": "application/json", ".yml": "application/yaml", ".yaml": "application/yaml",
          ".ttl": "text/turtle", ".jsonld": "application/ld+json"}


def _who(args) -> str:
    return args.who or f"operator:{getpass.getuser()}"


def _moderator_name(args) -> str:
    """The name an accept or a reject is recorded under: the operator's own (no --as), or with --as the name
    of an active moderator token (not a submitter's, nor a name no token has)."""
    if not args.who:
        return _who(args)
    name = args.who.strip()
    found = [t for t in TokenStore(args.store).list() if t.name == name and t.active]
    if not any(t.moderator for t in found):
        why = "is a submitter's" if found else "has no active token"
        raise SubmissionError(f"--as {name!r}: the name {why}; --as takes the name of a moderator token "
                              "(pwc-kg tokens add NAME --moderator), or leave it out to act as the operator", 2)
    return name


def cmd_tokens(args) -> int:
    tokens = TokenStore(args.store)
    try:
        if args.action == "add":
            token = tokens.add(args.name, moderator=args.moderator)
            role = "moderator" if args.moderator else "submitter"
            print(token)
            print(f"(a {role} token for {args.name.strip()!r}: shown this once, kept only as its sha256 in "
                  f"{tokens.path}; send it as 'Authorization: Bearer TOKEN')", file=sys.stderr)
        elif args.action == "list":
            rows = [{"name": t.name, "role": t.role, "created": t.created, "revoked": t.revoked or ""}
                    for t in tokens.list()]
            if args.format == "json":
                print(json.dumps(rows, indent=1))
            else:
                for r in rows:
                    print(f"{r['name']:<24} {r['role']:<10} created {r['created']}"
                          + (f"  revoked {r['revoked']}" if r["revoked"] else ""))
                if not rows:
                    print("(no tokens: the submissions API is off)")
        else:
            tokens.revoke(args.name)
            print(f"revoked {args.name!r}")
    except TokenError as e:
        print(f"pwc-kg tokens: error: {e}", file=sys.stderr)
        return 2
    return 0


def _flags_text(meta: dict) -> str:
    return ", ".join(sorted({f["kind"] for f in meta.get("flags") or []})) or "-"


def cmd_submissions(args) -> int:
    svc = SubmissionService(args.store, sota_margin=getattr(args, "sota_margin", DEFAULT_SOTA_MARGIN))
    try:
        if args.action == "list":
            items = sorted(svc.list(args.status), key=lambda m: m["id"], reverse=True)
            if args.format == "json":
                print(json.dumps(items, indent=1, ensure_ascii=False))
                return 0
            for m in items:
                boards = "; ".join(f"{t['name']} ({', '.join(t['metrics'])})" for t in m.get("touched") or [])
                print(f"{m['id']}  {m['status']:<8}  flags: {_flags_text(m):<18} by {m.get('submitted_by')}  "
                      f"{m.get('results', 0)} results  {boards}")
            if not items:
                print("(no submissions)")
            return 0
        if args.action == "show":
            shown = svc.show(args.id)
            if args.format == "json":
                print(json.dumps(shown, indent=1, ensure_ascii=False))
                return 0
            for key in ("id", "status", "iri", "shape", "submitted_by", "submitted_at", "accepted_by", "accepted_at",
                        "rejected_by", "rejected_at", "reason", "generation", "content_type"):
                if shown.get(key):
                    print(f"{key}: {shown[key]}")
            for t in shown.get("touched") or []:
                print(f"touches: {t['name']} ({', '.join(t['metrics'])}) {t['benchmark']}")
            for f in shown.get("flags") or []:
                print(f"flag [{f['kind']}] {f['pointer'] or '/'}: {f['message']}")
            report = shown.get("report") or {}
            print(f"report: {'conforms' if report.get('conforms') else str(len(report.get('violations', []))) + ' violations'}")
            for v in report.get("violations", []):
                print(f"  {v['pointer'] or '/'} [{v['field']}] {v['message']}")
            print(f"payload ({shown['payload_bytes']} bytes):\n{shown['payload']}")
            return 0
        if args.action == "accept":
            meta = svc.accept(args.id, _moderator_name(args), wait=args.wait)
            print(f"accepted {meta['id']} into {meta['generation']} ({meta['accept_seconds']} s): "
                  + "; ".join(t["name"] for t in meta.get("touched") or []))
            return 0
        if args.action == "reject":
            svc.reject(args.id, _moderator_name(args), args.reason)
            print(f"rejected {args.id}: {args.reason}")
            return 0
        # submit
        path = Path(args.file)
        ctype = args.content_type or _TYPES.get(path.suffix.lower(), "application/json")
        status, answer = svc.submit(path.read_bytes(), ctype, _who(args))
        print(json.dumps(answer, indent=1, ensure_ascii=False))
        return 0 if status == 202 else 1
    except SubmissionError as e:
        print(f"pwc-kg submissions: error: {e}", file=sys.stderr)
        if e.report:
            for v in e.report.get("violations", []):
                print(f"  {v['pointer'] or '/'} [{v['field']}] {v['message']}", file=sys.stderr)
        return 1 if e.status == 422 else 2
    except SubmissionNotFound as e:
        print(f"pwc-kg submissions: error: {e.args[0]}", file=sys.stderr)
        return 2


COMMANDS = {"tokens": cmd_tokens, "submissions": cmd_submissions}
