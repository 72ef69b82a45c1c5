"""``pwc-kg query``, ``queries`` and the questions (``sota``, ``leaderboard``, ``history``, ``lineage``, ...):
answers from the store or a SPARQL endpoint, as a table, JSON, CSV or TSV."""

from __future__ import annotations

import argparse
import sys

from ..queries import format_rows, load_query, run_query
from .common import FORMATS, backend, endpoint_arg, param_values, store_arg


def add_parsers(sub) -> None:
    q = sub.add_parser("query", help="run a named query, a .rq file, or - (standard input)")
    q.add_argument("query", help="a name in queries/ (without .rq), a path to a .rq file, or -")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="bind a parameter (repeatable)")
    store_arg(q)
    endpoint_arg(q)
    q.add_argument("--format", choices=FORMATS, default="table")

    sub.add_parser("queries", help="list the named queries and their parameters")

    def question(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        store_arg(p)
        endpoint_arg(p)
        p.add_argument("--format", choices=FORMATS, default="table")
        return p

    def direction(p: argparse.ArgumentParser) -> None:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--higher-is-better", dest="higher", action="store_const", const=True,
                       help="rank a metric whose direction is unknown with higher values first")
        g.add_argument("--lower-is-better", dest="higher", action="store_const", const=False,
                       help="rank a metric whose direction is unknown with lower values first")

    def benchmark(p: argparse.ArgumentParser, dataset_required: bool, metric_required: bool) -> None:
        p.add_argument("--task", required=True, help="the task: name (any case), slug or IRI")
        p.add_argument("--dataset", required=dataset_required, help="the dataset: name, slug or IRI")
        p.add_argument("--metric", required=metric_required, help="the metric: any spelling, slug or IRI")
        p.add_argument("--no-extra-data", action="store_true", help="leave out the results marked as using extra training data (those whose source does not say are kept, and counted)")
        direction(p)

    p = question("sota", "the state of the art per benchmark and metric")
    benchmark(p, False, False)
    p.add_argument("--at", metavar="YYYY-MM-DD", help="the state of the art as it stood on that date")
    p = question("sota-all", "the state of the art of every benchmark and metric, at once")
    p.add_argument("--no-extra-data", action="store_true", help="leave out the results marked as using extra training data")
    p = question("leaderboard", "the ranked results of one benchmark and metric")
    benchmark(p, True, True)
    p = question("history", "SOTA over time: the record-setting results in date order")
    benchmark(p, True, True)
    p = question("model-sota", "the benchmarks a model leads now or led once")
    p.add_argument("model", help="the model: its name as written, Hugging Face id, slug or IRI")
    p = question("lineage", "a model's ancestors and descendants, transitively, with the relation at each step")
    p.add_argument("model", help="the model: its name as written, Hugging Face id, slug or IRI")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--ancestors", action="store_true", help="only what the model derives from")
    g.add_argument("--descendants", action="store_true", help="only what derives from the model")
    p = question("compare", "a model against its base on every benchmark and metric both have")
    p.add_argument("model", help="the model")
    p.add_argument("--base", help="the base model (default: the model's parents in its lineage)")
    p = question("tasks", "a task's parents and subtasks, with papers and benchmarks")
    p.add_argument("task", help="the task: name, slug or IRI")
    p = question("methods", "a method's collections and areas, with its papers")
    p.add_argument("method", help="the method: name, slug or IRI")
    p = question("provenance", "where a result came from: file, record, build")
    p.add_argument("result", help="the result's IRI")


def cmd_query(args) -> int:
    stdin_text = sys.stdin.read() if args.query == "-" else None
    query = load_query(args.query, stdin_text)
    try:
        columns, rows = run_query(backend(args), query, param_values(args.param))
    except SyntaxError as e:  # pyoxigraph's message, said with the line and what was expected there
        from ..queries.syntax import explain

        raise SyntaxError(explain(query.text, str(e), excerpt=True)) from None
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


def cmd_queries(args) -> int:
    from ..queries import list_queries

    import shutil
    import textwrap

    width = max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
    indent = " " * 21
    for q in list_queries():
        # the whole description, wrapped; the parameters after it ([...]: may be left out)
        print(textwrap.fill(q.summary, width, initial_indent=f"{q.name:<20} ", subsequent_indent=indent,
                            break_on_hyphens=False, break_long_words=False))
        params = " ".join(f"[--param\0{p.name}=<{p.kind}>]" if p.optional else f"--param\0{p.name}=<{p.kind}>"
                          for p in q.params)  # \0: a space no line is broken at
        if params:
            print(textwrap.fill(params, width, initial_indent=indent, subsequent_indent=indent,
                                break_on_hyphens=False, break_long_words=False).replace("\0", " "))
    print("\n" + textwrap.fill("pwc-kg query NAME --param NAME=VALUE ... runs one; its file, queries/NAME.rq, says "
                               "what each parameter and column is.", width))
    return 0


def _catalogue(args):
    """The store's catalogue (pwc_kg.catalogue), or None with --endpoint."""
    if getattr(args, "endpoint", None):
        return None
    import pwc_kg

    return pwc_kg.open_store(args.store).catalogue()


def cmd_question(args) -> int:
    from .. import questions as q

    b = backend(args)
    cmd = args.command
    if cmd in ("sota", "leaderboard", "history"):
        extra = not args.no_extra_data
        if cmd == "sota":
            rows = q.sota(b, args.task, args.dataset, args.metric, extra=extra, at=args.at, higher_is_better=args.higher)
            columns = ["task", "dataset", "metric", "model", "value", "paper_title", "date", "higher_is_better",
                       "extra_training_data", "result"]
        elif cmd == "leaderboard":
            rows = q.leaderboard(b, args.task, args.dataset, args.metric, extra=extra, higher_is_better=args.higher)
            columns = ["rank", "model", "value", "paper_title", "date", "extra_training_data", "result"]
        else:
            rows = q.history(b, args.task, args.dataset, args.metric, extra=extra, higher_is_better=args.higher)
            columns = ["date", "model", "value", "paper_title", "previous_value", "improvement", "result"]
    elif cmd == "sota-all":
        extra = not args.no_extra_data
        rows = q.sota_all(b, extra=extra, catalogue=_catalogue(args))
        columns = ["benchmark_name", "metric", "model", "value", "date", "paper_title", "higher_is_better", "cost",
                   "direction_source"]
    elif cmd == "model-sota":
        rows = q.model_sota(b, args.model)
        columns = ["task", "dataset", "metric", "value", "status", "date", "extra_training_data", "result"]
    elif cmd == "lineage":
        rows = q.lineage(b, args.model, ancestors=not args.descendants, descendants=not args.ancestors)
        columns = ["model", "relation", "parent", "depth", "direction"]
    elif cmd == "compare":
        rows = q.compare(b, args.model, args.base)
        columns = ["task", "dataset", "metric", "value", "base_value", "delta", "better", "base"]
    elif cmd == "tasks":
        rows = q.tasks(b, args.task)
        columns = ["task", "relation", "papers", "benchmarks", "iri"]
    elif cmd == "methods":
        rows = q.methods(b, args.method)
        columns = ["method", "collection", "area", "introduced_in", "year", "papers"]
    else:
        rows = q.provenance(b, args.result)
        columns = ["result", "graph", "file", "kind", "sha256", "bytes", "record", "build", "build_started", "tool_version"]
    if args.format == "json":
        columns = list(dict.fromkeys(columns + [k for r in rows for k in r]))  # JSON keeps every field
    elif args.format == "table":
        rows = _readable(rows)
    sys.stdout.write(format_rows(columns, rows, args.format))
    if cmd in ("sota", "leaderboard", "history") and not extra and args.format == "table":
        _say_unknown_extra_kept(cmd, rows)
    if cmd == "sota" and args.format == "table" and any(r.get("higher_is_better") is None for r in rows):
        print("(a metric whose direction is unknown has no SOTA: name one with --higher-is-better or --lower-is-better)",
              file=sys.stderr)
    return 0


def _readable(rows: list[dict]) -> list[dict]:
    """Table rows for a person: the paper where a row names no model, "not stated" for an unknown extra-data flag."""
    out = []
    for r in rows:
        r = dict(r)
        if r.get("model") is None and (r.get("paper_title") or r.get("paper")) and r.get("result"):
            r["model"] = f"(no model; paper: {r.get('paper_title') or r.get('paper')})"
        if "extra_training_data" in r and r["extra_training_data"] is None and r.get("result"):
            r["extra_training_data"] = "not stated"
        out.append(r)
    return out


def _say_unknown_extra_kept(cmd: str, rows: list[dict]) -> None:
    """Without extra training data, how many results were kept that do not say whether they used any."""
    if cmd == "leaderboard":
        kept, boards = sum(r.get("extra_training_data") == "not stated" for r in rows), 1
    else:
        by_board = {(r.get("benchmark"), r.get("metric")): r["extra_unknown_kept"] for r in rows
                    if r.get("extra_unknown_kept")}
        kept, boards = sum(by_board.values()), len(by_board)
    if kept:
        where = f" on {boards} leaderboards" if boards > 1 else ""
        print(f"(without extra training data: kept {kept} result{'s' if kept != 1 else ''}{where} whose source does not "
              "say whether extra training data was used; only results marked as using it are left out)", file=sys.stderr)


QUESTIONS = ("sota", "sota-all", "leaderboard", "history", "model-sota", "lineage", "compare", "tasks", "methods", "provenance")
COMMANDS = {"query": cmd_query, "queries": cmd_queries, **{name: cmd_question for name in QUESTIONS}}
