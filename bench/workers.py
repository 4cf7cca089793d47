"""Benchmark workers: each runs in its own process (so its peak RSS is its own) and writes JSON.

``bench/run.py`` starts them; they can also be run by hand::

    python bench/workers.py ingest --store DIR --files LIST --json OUT [--sample 2] [--deadline 60] [--jobs 2]
    python bench/workers.py query --backend oxigraph|rdflib --nquads FILE --json OUT [--store DIR]
        [--reps 20 --min-reps 20 --budget SECONDS --cap SECONDS --only QID ...]
    python bench/workers.py export --nquads FILE --format turtle --json OUT

Memory is read from ``/proc/self/status``: ``VmHWM`` (peak resident set) and ``VmRSS`` (now).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import select
import signal
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

T_START = time.perf_counter()


def proc_status(field: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (``VmHWM``, ``VmRSS``), or 0 where unavailable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (``VmHWM``; ``ru_maxrss`` as a fallback)."""
    kb = proc_status("VmHWM")
    if not kb:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def cpu_s() -> float:
    """User + system CPU seconds of this process so far (all its threads)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def dir_bytes(path: Path) -> int:
    """Total size of the files under ``path``."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / f).stat().st_size
    return total


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) by linear interpolation."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` atomically."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    tmp.replace(path)


# -- ingest ----------------------------------------------------------------------------------
def ingest(store_dir: Path, files: list[str], sample: float, deadline: float, jobs: int = 1) -> dict[str, Any]:
    """Ingest ``files`` into a store folder the way ``kg ingest`` does (SHACL included).

    With ``jobs`` = 1 this follows :func:`kg.ingest.batch.ingest_paths` (read each file with the
    reader, time the read stage, then :func:`~kg.ingest.batch.ingest_articles`), with a counter
    for RSS samples and an optional deadline after which no further article is started. With
    ``jobs`` > 1 it is ``kg ingest --jobs N``: :func:`kg.ingest.parallel.ingest_files` (workers
    extract and validate, this process stores); no deadline, and the RSS samples are of this
    (the storing) process, the workers' peaks are added at the end.
    """
    from kg.errors import UnreadableArticle
    from kg.ingest.batch import IngestReport, ingest_articles
    from kg.ingest.reader import ArticleInput, read_path
    from kg.store.local import LocalStore

    t_imported = time.perf_counter()
    store = LocalStore.open(store_dir)
    report = IngestReport()
    done = [0]
    stop = threading.Event()
    samples: list[tuple[float, int, float]] = []
    t0 = time.perf_counter()
    c0 = cpu_s()

    tree_peak = [0.0]

    def sampler() -> None:
        while not stop.wait(sample):
            tree = tree_rss_mb() if jobs > 1 else 0.0
            tree_peak[0] = max(tree_peak[0], tree)
            samples.append((round(time.perf_counter() - t0, 2), done[0], tree or proc_status("VmRSS") / 1024))

    def articles() -> Iterator[ArticleInput]:
        for name in files:
            if deadline and time.perf_counter() - t0 > deadline:
                return
            t = time.perf_counter()
            try:
                batch = read_path(name)
            except UnreadableArticle as e:
                report.unreadable.append((e.name, e.reason))
                batch = []
            report.seconds["read"] += time.perf_counter() - t
            for a in batch:
                yield a
                done[0] += 1

    if jobs > 1 and sample <= 0:
        sample = 0.5  # the workers' memory is only seen by sampling the process tree
    thread = threading.Thread(target=sampler, daemon=True) if sample > 0 else None
    if thread is not None:
        samples.append((0.0, 0, proc_status("VmRSS") / 1024))
        thread.start()
    if jobs > 1:
        from kg.ingest.parallel import ingest_files

        def tick() -> None:
            done[0] += 1

        ingest_files(files, jobs=jobs, store=store, report=report, on_file=tick)
    else:
        ingest_articles(articles(), store=store, report=report)
    wall = time.perf_counter() - t0
    cpu_loop = cpu_s() - c0
    stop.set()
    if thread is not None:
        thread.join()
        samples.append((round(wall, 2), done[0], proc_status("VmRSS") / 1024))
    triples = len(store)
    store.flush()
    del store
    return {
        "files": len(files),
        "attempted": done[0],
        "stored": report.stored,
        "failed": len(report.failed),
        "quarantined": len(report.quarantined),
        "unreadable": len(report.unreadable),
        "failures": (report.failed + report.quarantined)[:5],
        "facts": dict(report.facts),
        "seconds": report.seconds,
        "import_s": t_imported - T_START,
        "wall_s": wall,
        "cpu_loop_s": cpu_loop,
        "cpu_total_s": cpu_s(),
        "triples": triples,
        "peak_rss_mb": max(peak_rss_mb(), tree_peak[0]),
        "peak_rss_storing_mb": peak_rss_mb(),
        "samples": samples,
        "timed_out": done[0] < len(files),
        "jobs": jobs,
    }


def tree_rss_mb() -> float:
    """VmRSS of this process and all its descendants (forkserver and its workers), in MB."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    me = os.getpid()
    tree = {me}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


# -- query -----------------------------------------------------------------------------------
Select = Callable[[str, dict[str, Any] | None], list[dict[str, Any]]]


def oxigraph_backend(nquads: Path, store_dir: Path | None) -> tuple[Select, dict[str, Any]]:
    """A pyoxigraph store (on disk when ``store_dir`` is given) bulk-loaded and optimised."""
    import pyoxigraph as ox

    from kg.api import KnowledgeGraph
    from kg.store.local import LocalStore

    if store_dir is not None:
        store_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    raw = ox.Store(str(store_dir)) if store_dir is not None else ox.Store()
    raw.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    t_load = time.perf_counter() - t0
    raw.optimize()
    t_opt = time.perf_counter() - t0 - t_load
    store = LocalStore(raw, path=store_dir)
    # exactly what `kg ask` uses: the API's select, which turns bindings into substitutions
    select: Select = KnowledgeGraph(store)._select

    info = {"load_s": t_load, "optimize_s": t_opt, "triples": len(raw)}
    if store_dir is not None:
        info["disk_bytes"] = dir_bytes(store_dir)
    return select, info


def rdflib_backend(nquads: Path) -> tuple[Select, dict[str, Any]]:
    """rdflib's in-memory Dataset with the same quads; literal bindings via ``initBindings``."""
    from rdflib import Dataset, Literal, URIRef

    from kg.store.bindings import bind_values

    t0 = time.perf_counter()
    ds = Dataset()
    ds.parse(str(nquads), format="nquads")
    t_load = time.perf_counter() - t0

    def select(query: str, bindings: dict[str, Any] | None) -> list[dict[str, Any]]:
        # kg's Select contract hands rdflib terms. Entity IRIs are bound with a trailing VALUES
        # block, as run_question does when a name resolves to several IRIs; literals (the label
        # lookups, used in FILTERs) with a VALUES row at the start of the WHERE group, as kg binds
        # them for a remote store (kg.store.bindings.bind_values). Not used, because rdflib
        # answers them wrongly: initBindings (no rows when the variable is also a GROUP BY key,
        # as `about`'s ?entityIri) and an IRI row at the start of a group that has its own VALUES.
        # (URIRef and Literal are str subclasses: only a plain str is an old-style literal)
        terms = {k: v if isinstance(v, (URIRef, Literal)) else Literal(v) for k, v in (bindings or {}).items()}
        iris = {k: v for k, v in terms.items() if isinstance(v, URIRef)}
        literals = {k: _ox_term(v) for k, v in terms.items() if k not in iris}
        if literals:
            query = bind_values(query, literals)
        if iris and "VALUES" not in query[query.rfind("}") :]:
            head = " ".join(f"?{k}" for k in iris)
            query += f"\nVALUES ({head}) {{ ({' '.join(f'<{v}>' for v in iris.values())}) }}\n"
        elif iris:
            query = bind_values(query, {k: _ox_term(v) for k, v in iris.items()})
        query = _trailing_values(query)
        result = ds.query(query)
        names = [str(v) for v in result.vars or []]
        return [{n: _py(row[i]) for i, n in enumerate(names)} for row in result]  # type: ignore[index]

    quads = sum(len(g) for g in ds.graphs())  # len(ds) counts distinct triples across graphs
    return select, {"load_s": t_load, "optimize_s": 0.0, "triples": quads}


def _trailing_values(query: str) -> str:
    """Move the entity VALUES block that kg puts at the start of the WHERE group to the end.

    rdflib answers some questions wrongly with an IRI row at the start of a group that has its
    own VALUES (``about``); a trailing VALUES joins on the same GROUP BY key, so the rows are
    the same as Oxigraph's with the leading block.
    """
    from kg.store.bindings import where_brace

    at = where_brace(query) + 1
    if not query.startswith("\nVALUES (", at):
        return query
    end = query.index("\n", query.index("}", at)) + 1
    return query[:at] + query[end:] + query[at:end]


def _ox_term(term: Any) -> Any:
    """An rdflib IRI or literal as a pyoxigraph term."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot bind {term!r}")


def _py(term: Any) -> Any:
    """A result term as a plain Python value (as kg's row_values does for pyoxigraph)."""
    return None if term is None else term.toPython()


def default_params(question: Any) -> dict[str, str]:
    """The pack's defaults, plus Nvidia for a required entity parameter (``about``)."""
    return {p.name: "Nvidia" for p in question.parameters if p.required and p.kind == "entity"}


# Questions as a user asks them: one parameter narrowing each to one entity or value. The names
# are gazetteer entities, so the synthetic graphs hold them (popular and less popular ones).
USER_CASES: tuple[tuple[str, dict[str, str]], ...] = (
    ("about", {"entity": "Cambricon"}),
    ("switched-away-from", {"supplier": "Nvidia"}),
    ("chip-designers", {"designer": "Huawei"}),
    ("procurements", {"buyer": "ByteDance"}),
    ("policies", {"target": "H20"}),
    ("statements", {"person": "Jensen Huang"}),
    ("entities", {"type": "Person"}),
    ("causal-claims", {"cause": "export"}),
    ("timeline", {"entity": "Huawei"}),
    ("corroborated-claims", {"min_sources": "3"}),
)


def cases() -> list[tuple[str, str, dict[str, str]]]:
    """``(key, question id, parameters)``: every question with its defaults, then the user cases."""
    from kg.query.pack import QueryPack

    out = [(qid, qid, default_params(q)) for qid, q in sorted(QueryPack.load().questions.items())]
    for qid, params in USER_CASES:
        out.append((f"{qid} ({', '.join(f'{k}={v}' for k, v in params.items())})", qid, params))
    return out


def run_capped(fn: Callable[[Callable[[dict[str, Any]], None]], dict[str, Any]], cap: float) -> dict[str, Any]:
    """Run ``fn(progress)`` in a forked child (sharing the loaded data), killing it after ``cap`` s.

    A running Oxigraph or rdflib query cannot be interrupted from Python, so a question that runs
    too long is stopped by killing the child. The child reports partial results through
    ``progress`` (one JSON line each); a killed child's last report is returned with
    ``timed_out`` set.
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into the parent's code
        os.close(r)
        with os.fdopen(w, "w") as f:

            def progress(d: dict[str, Any]) -> None:
                f.write(json.dumps(d, default=str) + "\n")
                f.flush()

            try:
                progress(fn(progress))
            except BaseException as e:
                progress({"error": f"{type(e).__name__}: {e}"})
        os._exit(0)
    os.close(w)
    buf = b""
    deadline = time.monotonic() + cap
    killed = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                killed = True
                break
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            buf += chunk
    finally:
        os.close(r)
        os.waitpid(pid, 0)
    lines = [x for x in buf.split(b"\n") if x.strip()]
    out: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    if killed:
        out.update({"timed_out": True, "cap_s": cap})
    return out


def time_question(
    select_fn: Select,
    question: Any,
    params: dict[str, str],
    reps: int,
    min_reps: int,
    budget: float,
    cap: float,
    progress: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """One warm-up run, then ``reps`` timed runs, fewer (not under ``min_reps``) past ``budget`` s.

    No run is started that would likely end past ``cap`` (the parent kills the child there): a
    slow question reports fewer runs instead of nothing. With no timed run at all, the warm-up
    is the only sample (``runs`` 0).
    """
    from kg.query.pack import run_question

    start = time.perf_counter()
    t, c = time.perf_counter(), time.process_time()
    rows = run_question(select_fn, question, params)
    first, first_cpu = time.perf_counter() - t, time.process_time() - c
    progress({"rows": len(rows), "first_s": first, "first_cpu_s": first_cpu, "runs": 0})
    times: list[float] = []
    cpus: list[float] = []
    while len(times) < reps and (len(times) < min_reps or sum(times) + first <= budget):
        if time.perf_counter() - start + 1.5 * max([first, *times]) > 0.9 * cap:
            break
        t, c = time.perf_counter(), time.process_time()
        run_question(select_fn, question, params)
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    runs = len(times)
    if not times:
        times, cpus = [first], [first_cpu]
    return {
        "rows": len(rows),
        "first_s": first,
        "first_cpu_s": first_cpu,
        "runs": runs,
        "p50_s": percentile(times, 50),
        "p95_s": percentile(times, 95),
        "mean_s": statistics.fmean(times),
        "p50_cpu_s": percentile(cpus, 50),
        "p95_cpu_s": percentile(cpus, 95),
        "child_peak_rss_mb": peak_rss_mb(),
    }


def query(
    backend: str,
    nquads: Path,
    reps: int,
    min_reps: int,
    budget: float,
    cap: float,
    store_dir: Path | None,
    only: list[str] | None = None,
) -> dict[str, Any]:
    """Load the quads, then time every pack question in its own forked child.

    Each question: one warm-up run, then up to ``reps`` timed runs, at least ``min_reps``, more
    while the timed runs stay within ``budget`` seconds; a question whose child passes ``cap``
    seconds is killed and reported as timed out (with its warm-up time when that finished).
    """
    from kg.query.pack import QueryPack

    select_fn, info = oxigraph_backend(nquads, store_dir) if backend == "oxigraph" else rdflib_backend(nquads)
    info["rss_after_load_mb"] = proc_status("VmRSS") / 1024
    results: dict[str, Any] = {}
    pack = QueryPack.load()
    for key, qid, params in cases():
        if only and key not in only:
            continue
        q = pack.get(qid)
        t = time.perf_counter()
        out = run_capped(functools.partial(time_question, select_fn, q, params, reps, min_reps, budget, cap), cap)
        out["params"] = params
        out["wall_s"] = time.perf_counter() - t
        results[key] = out
    info["questions"] = results
    info["peak_rss_mb"] = max([peak_rss_mb(), *(r.get("child_peak_rss_mb", 0) for r in results.values())])
    return info


# -- export ----------------------------------------------------------------------------------
def export(nquads: Path, fmt: str) -> dict[str, Any]:
    """Time ``kg.store.export.export_bytes`` for one format on a LocalStore holding the quads."""
    import pyoxigraph as ox

    from kg.store.export import export_bytes
    from kg.store.local import LocalStore

    raw = ox.Store()
    raw.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store = LocalStore(raw)
    rss_loaded = proc_status("VmRSS") / 1024
    t0, c0 = time.perf_counter(), cpu_s()
    data = export_bytes(store, fmt)
    wall = time.perf_counter() - t0
    return {
        "format": fmt,
        "wall_s": wall,
        "cpu_s": cpu_s() - c0,
        "bytes": len(data),
        "triples": len(raw),
        "rss_loaded_mb": rss_loaded,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("ingest")
    i.add_argument("--store", type=Path, required=True)
    i.add_argument("--files", type=Path, required=True, help="a text file listing article paths, one a line")
    i.add_argument("--sample", type=float, default=0.0, help="RSS sampling interval in seconds (0 = off)")
    i.add_argument("--deadline", type=float, default=0.0, help="start no article after this many seconds")
    i.add_argument("--jobs", type=int, default=1, help="worker processes, as kg ingest --jobs")
    q = sub.add_parser("query")
    q.add_argument("--backend", choices=["oxigraph", "rdflib"], required=True)
    q.add_argument("--nquads", type=Path, required=True)
    q.add_argument("--store", type=Path, default=None, help="on-disk store folder (oxigraph); memory if absent")
    q.add_argument("--reps", type=int, default=20)
    q.add_argument("--min-reps", type=int, default=20)
    q.add_argument("--budget", type=float, default=1e9, help="seconds of timed runs per question")
    q.add_argument("--cap", type=float, default=1e9, help="kill a question's runs after this many seconds")
    q.add_argument("--only", nargs="*", default=None, help="case keys, see cases() (default: all)")
    e = sub.add_parser("export")
    e.add_argument("--nquads", type=Path, required=True)
    e.add_argument("--format", required=True)
    for p in (i, q, e):
        p.add_argument("--json", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.cmd == "ingest":
        files = [x for x in args.files.read_text().splitlines() if x]
        out = ingest(args.store, files, args.sample, args.deadline, args.jobs)
    elif args.cmd == "query":
        out = query(args.backend, args.nquads, args.reps, args.min_reps, args.budget, args.cap, args.store, args.only)
    else:
        out = export(args.nquads, args.format)
    write_json(args.json, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
