"""Ingest with several processes: workers read, extract, map and validate; this process stores.

Oxigraph lets one process write a store, so workers never touch it: each worker runs
:func:`kg.ingest.batch.prepare` on the articles of one file and sends back the article's triples
as N-Triples bytes (Oxigraph's serialiser and parser are much faster than pickling rdflib
terms); this process commits the results with :func:`kg.ingest.batch.commit`, in input order, so
the store is the same as a one-process ingest would write. At most ``4 x jobs`` files are in
flight: memory stays flat however many files there are.

Workers are started with ``forkserver`` (never ``fork``: the store's RocksDB threads are live
in this process). A worker that dies (a crash in a native library) breaks the pool: the files
that were in flight are tried again one by one in a fresh one-worker pool, and a file that
kills its worker again is reported as failed, by name. Nothing else is lost.

>>> from kg.store.local import LocalStore
>>> ingest_files([], jobs=2, store=LocalStore.in_memory()).stored
0
"""

from __future__ import annotations

import io
import multiprocessing as mp
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from kg.errors import KGError
from kg.ingest.batch import IngestReport, Prepared, commit, prepare, read_file
from kg.ingest.mapper import RunInfo, graph_iri
from kg.ingest.pipeline import Pipeline
from kg.store.bindings import ox_quads
from kg.store.local import LocalStore
from kg.store.quarantine import Quarantine
from kg.store.setup import ensure_reference_graphs, existing_versions
from kg.validate import Validator

WINDOW = 4  # files in flight per worker


@dataclass(frozen=True)
class _WorkerState:
    run: RunInfo
    hashes: dict[str, str]
    pipeline: Pipeline
    validator: Validator


_STATE: list[_WorkerState] = []  # one entry in a worker process, set by _init


@dataclass
class FileResult:
    """What a worker sends back for one file."""

    name: str
    unreadable: tuple[str, str] | None = None  # (name, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    items: list[Prepared] = field(default_factory=list)
    read_seconds: float = 0.0


def ingest_files(
    files: list[str],
    *,
    jobs: int,
    store: LocalStore,
    quarantine: Quarantine | None = None,
    report: IngestReport | None = None,
    on_file: Callable[[], None] | None = None,
    work: Callable[[str], FileResult] | None = None,
) -> IngestReport:
    """Ingest ``files`` with ``jobs`` worker processes; commits happen here, in input order.

    ``work`` is what a worker runs on one file (default: read, extract, map and validate it);
    it must be importable by name, as it is sent to the worker processes.
    """
    work = work or _work
    report = report if report is not None else IngestReport()
    ensure_reference_graphs(store)
    run = RunInfo(uuid.uuid4().hex, datetime.now(UTC).isoformat(timespec="seconds"))
    known = existing_versions(store)
    hashes = {g: h for g, (h, _src) in known.items()}
    retry: list[str] = []
    with _pool(jobs, run, hashes) as pool:
        for name, result in _results(pool, work, files, jobs * WINDOW, retry):
            _account(name, result, store=store, quarantine=quarantine, report=report, known=known)
            if on_file is not None:
                on_file()
    for name in retry:  # one at a time, each in a fresh pool, to find the file that kills workers
        with _pool(1, run, hashes) as pool:
            for _name, result in _results(pool, work, [name], 1, None):
                _account(name, result, store=store, quarantine=quarantine, report=report, known=known)
    store.flush()
    return report


def _pool(jobs: int, run: RunInfo, hashes: dict[str, str]) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=mp.get_context("forkserver"), initializer=_init, initargs=(run, hashes)
    )


def _results(
    pool: ProcessPoolExecutor,
    work: Callable[[str], FileResult],
    files: list[str],
    window: int,
    retry: list[str] | None,
) -> Iterator[tuple[str, FileResult | str]]:
    """``(file, result)`` in input order; a str result is why the worker failed."""
    pending: deque[tuple[str, Future[FileResult]]] = deque()
    todo = iter(files)
    broken = False
    while True:
        while not broken and len(pending) < window and (name := next(todo, None)) is not None:
            try:
                pending.append((name, pool.submit(work, name)))
            except BrokenProcessPool:
                broken = True
                if retry is not None:
                    retry.append(name)
        if not pending:
            break
        name, fut = pending.popleft()
        try:
            yield name, fut.result()
        except BrokenProcessPool:
            broken = True
            if retry is not None:
                retry.append(name)
            else:
                yield name, "the worker process died while reading it"
        except Exception as e:  # a bug in a worker must not stop the batch
            yield name, f"{type(e).__name__}: {e}"
    if broken and retry is not None:
        retry.extend(todo)


def _account(
    name: str,
    result: FileResult | str,
    *,
    store: LocalStore,
    quarantine: Quarantine | None,
    report: IngestReport,
    known: dict[str, tuple[str, str]],
) -> None:
    if isinstance(result, str):
        report.failed.append((name, result))
        return
    report.seconds["read"] += result.read_seconds
    if result.unreadable is not None:
        report.unreadable.append(result.unreadable)
        return
    report.warnings += result.warnings
    for item in result.items:
        commit(item, store=store, quarantine=quarantine, report=report, known=known)


# -- in the worker ---------------------------------------------------------------------------
def _init(run: RunInfo, hashes: dict[str, str]) -> None:
    _STATE[:] = [_WorkerState(run, hashes, Pipeline.default(), Validator.load())]


def _work(name: str) -> FileResult:
    state = _STATE[0]
    t = time.perf_counter()
    articles, problem = read_file(name)
    out = FileResult(name, unreadable=problem, read_seconds=time.perf_counter() - t)
    for a in articles:
        out.warnings += [(a.source, w) for w in a.warnings]
        item = prepare(
            a,
            pipeline=state.pipeline,
            validator=state.validator,
            run=state.run,
            known_hash=state.hashes.get(str(graph_iri(a.key))),
        )
        out.items.append(_pack(item))
    return out


def _pack(item: Prepared) -> Prepared:
    """Replace the rdflib triples by N-Triples bytes for the trip to the storing process.

    A term Oxigraph refuses fails that article only, with the message the one-process path
    gives (:func:`kg.ingest.batch.commit` catches the same error from the store).
    """
    if item.status != "ok" or not item.triples:
        return item
    buf = io.BytesIO()
    try:
        quads = ox_quads(item.triples, str(graph_iri(item.article.key)))
    except KGError as e:
        return Prepared(item.article, "failed", reason=f"{type(e).__name__}: {e}", seconds=item.seconds)
    ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), buf, ox.RdfFormat.N_TRIPLES)
    item.triples = []
    item.ntriples = buf.getvalue()
    return item
