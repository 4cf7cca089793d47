"""The ``kg`` command line.

Exit codes: 0 success; 1 some articles were not stored (unreadable, quarantined, failed: the
rest is stored); 2 usage error; 3 unknown question or bad parameter; 4 store missing or in
use; 5 query refused for safety; 6 other error.

>>> main(["questions", "--format", "json"]) == 0  # doctest: +ELLIPSIS
[...]
True
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from kg.errors import KGError, ParameterError, QueryError, StoreError, UnsafeQuery

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_QUESTION, EXIT_STORE, EXIT_UNSAFE, EXIT_ERROR = range(7)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="News about export controls and AI chips, as a knowledge graph.")
    sub = p.add_subparsers(dest="command", required=True)

    def store_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--store", help="store folder (default: $KG_STORE or ./kg-data)")

    def fmt_opt(sp: argparse.ArgumentParser, default: str = "table") -> None:
        sp.add_argument("--format", choices=["table", "json", "csv"], default=default)

    sp = sub.add_parser("ingest", help="read articles (files or folders) into the store")
    sp.add_argument("paths", nargs="+")
    store_opt(sp)
    sp.add_argument("--no-progress", action="store_true", help="no progress bar")
    sp.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="extract and validate in N worker processes (0: one per CPU core); default 1",
    )

    sp = sub.add_parser("ask", help="answer a named question of the pack")
    sp.add_argument("question")
    sp.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    store_opt(sp)
    fmt_opt(sp)

    sp = sub.add_parser("questions", help="list the question pack")
    fmt_opt(sp)

    sp = sub.add_parser("sparql", help="run a read-only SPARQL query (text or file)")
    sp.add_argument("query")
    sp.add_argument("--timeout", type=float, default=30.0, help="stop the query after this many seconds (30)")
    store_opt(sp)
    fmt_opt(sp)

    sp = sub.add_parser("quarantine", help="list articles kept out of the store by SHACL")
    store_opt(sp)
    fmt_opt(sp)

    sp = sub.add_parser("validate", help="re-check every stored article graph against the shapes")
    store_opt(sp)
    sp.add_argument(
        "--engine",
        choices=("compiled", "pyshacl"),
        default="compiled",
        help="SHACL engine: the compiled one that ingest uses (default) or pyshacl, the reference",
    )

    sp = sub.add_parser("stats", help="counts of articles, facts and entities")
    store_opt(sp)
    fmt_opt(sp)

    sp = sub.add_parser("export", help="write the store as RDF")
    store_opt(sp)
    sp.add_argument("--format", choices=["turtle", "trig", "nquads", "jsonld"], default=None)
    sp.add_argument("--out", help="output file (default: standard output)")

    sp = sub.add_parser("import", help="load RDF you already have, through a strict parser")
    sp.add_argument("file")
    sp.add_argument("--graph", help="named graph to load a triples file into")
    store_opt(sp)

    sp = sub.add_parser("serve", help="serve the store over the SPARQL 1.1 protocol (read-only by default)")
    store_opt(sp)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=7878)
    sp.add_argument("--allow-updates", action="store_true", help="accept SPARQL updates (needs --token)")
    sp.add_argument("--token", help="bearer token required for updates")

    sp = sub.add_parser("reason", help="add inferred types and shortcut relations (HermiT) to the store")
    store_opt(sp)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command](args))
    except UnsafeQuery as e:
        return _fail(str(e), EXIT_UNSAFE)
    except (ParameterError, QueryError) as e:
        return _fail(str(e), EXIT_QUESTION)
    except StoreError as e:
        return _fail(str(e), EXIT_STORE)
    except BrokenPipeError:  # the reader went away (`kg ask ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KGError as e:
        return _fail(str(e), EXIT_ERROR)
    except (OSError, UnicodeError) as e:  # e.g. --out in a missing folder, a query file that is not UTF-8
        return _fail(str(e), EXIT_ERROR)


def _fail(message: str, code: int) -> int:
    print(f"kg: {message}", file=sys.stderr)
    return code


def _open(args: argparse.Namespace, *, read_only: bool) -> Any:
    from kg.api import KnowledgeGraph

    return KnowledgeGraph.open(args.store, read_only=read_only, create=not read_only)


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if not 0 <= n <= 256:
        raise argparse.ArgumentTypeError(f"--jobs takes a number from 0 to 256, got {text!r}")
    return n


def cmd_ingest(args: argparse.Namespace) -> int:
    from kg.api import KnowledgeGraph

    g = KnowledgeGraph.open(args.store)
    report = g.ingest(args.paths, progress=not args.no_progress, jobs=args.jobs)
    print(report.summary(), file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_PARTIAL


def cmd_ask(args: argparse.Namespace) -> int:
    params = {}
    for item in args.param:
        if "=" not in item:
            raise ParameterError(f"--param takes NAME=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        params[k.strip()] = v
    from kg.query.pack import QueryPack

    QueryPack.load().get(args.question)  # an unknown question is reported before the store is opened
    g = _open(args, read_only=True)
    rows = g.ask(args.question, **params)
    _print_rows(rows, args.format)
    return EXIT_OK


def cmd_questions(args: argparse.Namespace) -> int:
    from kg.query.pack import QueryPack

    rows = [
        {
            "id": q.id,
            "summary": q.summary,
            "parameters": ", ".join(f"{p.name}{'' if p.required else '?'}" for p in q.parameters),
        }
        for q in QueryPack.load().questions.values()
    ]
    _print_rows(rows, args.format)
    return EXIT_OK


def cmd_sparql(args: argparse.Namespace) -> int:
    text = args.query
    path = Path(text)
    if len(text) < 4096 and "\n" not in text and path.suffix in {".rq", ".sparql"}:
        if not path.is_file():
            raise QueryError(f"no such query file: {text}")
        text = path.read_text(encoding="utf-8")
    g = _open(args, read_only=True)
    _print_rows(g.sparql(text, timeout=args.timeout), args.format)
    return EXIT_OK


def cmd_quarantine(args: argparse.Namespace) -> int:
    from kg.resources import default_store_path
    from kg.store.quarantine import Quarantine

    folder = Path(args.store) if args.store else default_store_path()
    if not (folder / "oxigraph").is_dir():
        raise StoreError(f"no store at {folder}: create one with `kg ingest ARTICLES --store {folder}`")
    _print_rows(Quarantine(folder / "quarantine").list(), args.format)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.store.check import validate_store

    g = _open(args, read_only=True)
    bad = validate_store(g.store, engine=args.engine)
    for graph, text in bad:
        print(f"{graph}: does not conform\n{text}", file=sys.stderr)
    print(f"checked the store: {len(bad)} article graph(s) do not conform", file=sys.stderr)
    return EXIT_OK if not bad else EXIT_PARTIAL


def cmd_stats(args: argparse.Namespace) -> int:
    from kg.store.check import stats

    g = _open(args, read_only=True)
    _print_rows(stats(g.store), args.format)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from kg.store.export import format_for

    g = _open(args, read_only=True)
    fmt = args.format or format_for(Path(args.out) if args.out else None)
    data = g.export(args.out, format=fmt)
    if args.out is None:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from kg.store.imports import import_file

    g = _open(args, read_only=False)
    n = import_file(g.store, args.file, graph=args.graph)
    print(f"imported {n} quad(s) from {args.file}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.store.server import serve

    return serve(args)


def cmd_reason(args: argparse.Namespace) -> int:
    from kg.reason import reason_store

    g = _open(args, read_only=False)
    added = reason_store(g.store)
    print(f"added {added} inferred triple(s) to the inferred graph", file=sys.stderr)
    return EXIT_OK


COMMANDS = {
    "ingest": cmd_ingest,
    "ask": cmd_ask,
    "questions": cmd_questions,
    "sparql": cmd_sparql,
    "quarantine": cmd_quarantine,
    "validate": cmd_validate,
    "stats": cmd_stats,
    "export": cmd_export,
    "import": cmd_import,
    "serve": cmd_serve,
    "reason": cmd_reason,
}


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    rows = [{k: _jsonable(v) for k, v in r.items()} for r in rows]
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    keys = list(dict.fromkeys(k for r in rows for k in r))
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return
    print(format_table(rows, keys))


def format_table(rows: list[dict[str, Any]], keys: list[str], *, width: int = 48) -> str:
    """A plain aligned text table (cells cut at ``width`` characters)."""
    if not rows:
        return "(no rows)"

    def cell(v: Any) -> str:
        s = "" if v is None else str(v).replace("\n", " ")
        return s if len(s) <= width else s[: width - 1] + "…"

    widths = {k: max(len(k), *(len(cell(r.get(k))) for r in rows)) for k in keys}
    head = "  ".join(k.ljust(widths[k]) for k in keys)
    rule = "  ".join("-" * widths[k] for k in keys)
    body = ["  ".join(cell(r.get(k)).ljust(widths[k]) for k in keys) for r in rows]
    return "\n".join([head, rule, *body, f"({len(rows)} row{'' if len(rows) == 1 else 's'})"])


if __name__ == "__main__":
    sys.exit(main())
