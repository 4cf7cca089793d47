"""Run a user's SPARQL query with a time limit, in a child process that can be killed.

An Oxigraph query cannot be interrupted from Python, so the query runs in a child process:

* for a store on disk, a fresh ``python -m kg.query.limits`` opens the store read-only (which
  works beside a writer) and sends back plain rows as JSON;
* for anything else, a callable (``LocalStore.in_memory().select``...) runs in a forked copy
  of this process (POSIX only) and sends back its rows.

When ``seconds`` pass, the child is killed and :class:`QueryTimeout` raised. If Oxigraph
crashes on a pathological query, the child dies and the caller gets a :class:`QueryError`.
The child's start-up (~0.3 s for a folder) counts towards the limit. A child left behind by a
killed caller stops itself: its CPU time is capped at ``seconds`` + 2.

>>> from kg.store.local import LocalStore
>>> run_with_timeout(LocalStore.in_memory().select, "SELECT (1 AS ?one) WHERE {}", seconds=10)
[{'one': 1}]
"""

from __future__ import annotations

import json
import math
import multiprocessing
import subprocess
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.errors import QueryError, StoreError, UnsafeQuery

DEFAULT_SECONDS = 30.0
Rows = list[dict[str, Any]]


class QueryTimeout(UnsafeQuery):
    """A query ran longer than its time limit and was stopped."""


def run_with_timeout(
    source: str | Path | Callable[[str], Rows], query: str, *, seconds: float = DEFAULT_SECONDS
) -> Rows:
    """Answer ``query`` (SELECT: rows; ASK: ``[{"boolean": ...}]``) or stop it after ``seconds``.

    ``source`` is a store folder (as given to ``kg --store``) or a callable taking the query
    and returning rows. Raises :class:`QueryTimeout`, :class:`QueryError` (bad query, or the
    child died) or :class:`StoreError` (no store there).

    >>> run_with_timeout(lambda q: [{"q": q}], "ASK {}", seconds=5)
    [{'q': 'ASK {}'}]
    """
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    if callable(source):
        return _run_forked(source, query, seconds)
    return _run_child(Path(source), query, seconds)


def _timeout(seconds: float) -> QueryTimeout:
    return QueryTimeout(f"the query ran longer than the {seconds:g}-second limit and was stopped")


def _run_child(folder: Path, query: str, seconds: float) -> Rows:
    cmd = [sys.executable, "-m", "kg.query.limits", str(math.ceil(seconds) + 2)]
    request = json.dumps({"folder": str(folder), "query": query})
    with subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
    ) as proc:
        try:
            out, err = proc.communicate(request, timeout=seconds)
        except subprocess.TimeoutExpired as e:
            proc.kill()
            proc.communicate()
            raise _timeout(seconds) from e
    return _answer(out, err, proc.returncode)


def _answer(out: str, err: str, code: int) -> Rows:
    try:
        reply = json.loads(out)
    except ValueError as e:
        detail = err.strip().splitlines()[-1] if err.strip() else f"exit code {code}"
        raise QueryError(f"the query process died ({detail})") from e
    if "error" in reply:
        cls = StoreError if reply.get("kind") == "store" else QueryError
        raise cls(reply["error"])
    rows: Rows = reply["rows"]
    return rows


def _run_forked(fn: Callable[[str], Rows], query: str, seconds: float) -> Rows:
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_forked, args=(fn, query, send, math.ceil(seconds) + 2), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(seconds):
            proc.kill()
            raise _timeout(seconds)
        try:
            kind, payload = recv.recv()
        except EOFError as e:
            proc.join()
            raise QueryError(f"the query process died (exit code {proc.exitcode})") from e
    finally:
        proc.join(timeout=5)
        recv.close()
    if kind == "rows":
        rows: Rows = payload
        return rows
    raise QueryError(payload)


def _forked(fn: Callable[[str], Rows], query: str, send: Connection, cpu_seconds: int) -> None:
    _cap_cpu(cpu_seconds)
    try:
        send.send(("rows", list(fn(query))))
    except Exception as e:  # reported to the parent, which raises QueryError
        send.send(("error", f"{type(e).__name__}: {e}" if not isinstance(e, QueryError) else str(e)))
    finally:
        send.close()


def _cap_cpu(cpu_seconds: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    except (ImportError, ValueError, OSError):
        pass


def _child_main(cpu_seconds: int) -> int:
    """Entry point of ``python -m kg.query.limits``: request on stdin, JSON reply on stdout."""
    import pyoxigraph as ox

    from kg.errors import KGError
    from kg.store.local import LocalStore
    from kg.store.terms import row_values

    _cap_cpu(cpu_seconds)
    request = json.loads(sys.stdin.read())
    try:
        store = LocalStore.open(request["folder"], read_only=True, create=False)
        try:
            result = store.raw.query(request["query"])
            if isinstance(result, ox.QuerySolutions):
                names = [v.value for v in result.variables]
                rows = [row_values(names, sol) for sol in result]
            elif isinstance(result, ox.QueryBoolean):
                rows = [{"boolean": bool(result)}]
            else:
                raise QueryError("only SELECT and ASK queries are answered as rows")
        except (SyntaxError, ValueError, OSError, RuntimeError) as e:
            raise QueryError(f"query failed: {e}") from e
    except KGError as e:
        kind = "store" if isinstance(e, StoreError) else "query"
        json.dump({"error": str(e), "kind": kind}, sys.stdout)
        return 0
    json.dump({"rows": rows}, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(int(sys.argv[1]) if len(sys.argv) > 1 else int(DEFAULT_SECONDS) + 2))
