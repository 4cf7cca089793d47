"""The ingest loop: read -> extract -> map -> validate -> store, for a batch of paths.

This is the one place where per-article errors are handled: an unreadable file is reported
by name with its reason, an article whose graph fails SHACL goes to quarantine with its
report, and the batch goes on. Nothing already stored is touched by a failure.

>>> from kg.store.local import LocalStore
>>> report = ingest_paths([], store=LocalStore.in_memory())
>>> report.stored
0
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, StageError, UnreadableArticle
from kg.ingest.mapper import RunInfo, graph_iri, graph_of, to_triples
from kg.ingest.pipeline import Pipeline
from kg.ingest.reader import ArticleInput, iter_files, read_path
from kg.store.bindings import Triple
from kg.store.local import LocalStore
from kg.store.quarantine import Quarantine
from kg.store.setup import ensure_reference_graphs, existing_versions
from kg.validate import Validator

STAGES = ("read", "extract", "map", "validate", "store")


@dataclass
class IngestReport:
    """What a batch did."""

    stored: int = 0
    unchanged: int = 0
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    facts: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every article was stored (or already stored unchanged)."""
        return not (self.quarantined or self.unreadable or self.failed)

    def summary(self) -> str:
        """A short human summary."""
        lines = [
            f"stored {self.stored} article(s), {self.unchanged} unchanged, "
            f"{len(self.quarantined)} quarantined, {len(self.unreadable)} unreadable, {len(self.failed)} failed"
        ]
        if self.facts:
            lines.append("facts: " + ", ".join(f"{k} {v}" for k, v in sorted(self.facts.items())))
        lines += [f"unreadable: {name}: {why}" for name, why in self.unreadable]
        lines += [f"quarantined: {name}: {why}" for name, why in self.quarantined]
        lines += [f"failed: {name}: {why}" for name, why in self.failed]
        lines += [f"warning: {name}: {why}" for name, why in self.warnings]
        return "\n".join(lines)


def ingest_paths(
    paths: Iterable[str],
    *,
    store: LocalStore,
    quarantine: Quarantine | None = None,
    pipeline: Pipeline | None = None,
    progress: bool = False,
    jobs: int = 1,
) -> IngestReport:
    """Ingest every article file under ``paths`` into ``store``.

    ``jobs`` > 1 extracts and validates in that many worker processes (see
    :mod:`kg.ingest.parallel`); 0 means one per CPU core. The store is the same either way.
    """
    report = IngestReport()
    files = list(iter_files(list(paths)))
    bar = _bar(len(files)) if progress else None
    jobs = jobs or (os.cpu_count() or 1)
    if jobs > 1 and len(files) > 1 and pipeline is None:
        from kg.ingest.parallel import ingest_files

        ingest_files(
            files,
            jobs=min(jobs, len(files)),
            store=store,
            quarantine=quarantine,
            report=report,
            on_file=None if bar is None else lambda: bar.update(1),
        )
        if bar is not None:
            bar.close()
        return report

    def articles() -> Iterator[ArticleInput]:
        for name in files:
            yield from _read(name, report)
            if bar is not None:
                bar.update(1)

    ingest_articles(articles(), store=store, quarantine=quarantine, pipeline=pipeline, report=report)
    if bar is not None:
        bar.close()
    return report


def ingest_articles(
    articles: Iterable[ArticleInput],
    *,
    store: LocalStore,
    quarantine: Quarantine | None = None,
    pipeline: Pipeline | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Extract, map, validate and store articles already read."""
    pipeline = pipeline or Pipeline.default()
    validator = Validator.load()
    ensure_reference_graphs(store)
    run = RunInfo(uuid.uuid4().hex, datetime.now(UTC).isoformat(timespec="seconds"))
    report = report if report is not None else IngestReport()
    known = existing_versions(store)
    for article in articles:
        known_hash = known.get(str(graph_iri(article.key)), ("", ""))[0] or None
        item = prepare(article, pipeline=pipeline, validator=validator, run=run, known_hash=known_hash)
        commit(item, store=store, quarantine=quarantine, report=report, known=known)
    store.flush()
    return report


def _bar(total: int) -> Any:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr)


def read_file(name: str) -> tuple[list[ArticleInput], tuple[str, str] | None]:
    """The articles of one file, or none and ``(name, reason)`` when it could not be read."""
    try:
        return read_path(name), None
    except UnreadableArticle as e:
        return [], (e.name, e.reason)
    except Exception as e:  # a reader bug must not stop the batch
        return [], (name, f"{type(e).__name__}: {e}")


def _read(name: str, report: IngestReport) -> list[ArticleInput]:
    t = time.perf_counter()
    articles, problem = read_file(name)
    report.seconds["read"] += time.perf_counter() - t
    if problem is not None:
        report.unreadable.append(problem)
    for a in articles:
        report.warnings += [(a.source, w) for w in a.warnings]
    return articles


@dataclass
class Prepared:
    """One article after extract, map and validate: what the store side needs, and nothing of the store.

    ``status`` is "ok" (store ``triples``), "invalid" (quarantine ``triples`` with ``report``),
    "failed" (``reason`` says which stage) or "unchanged" (already stored with this content).
    """

    article: ArticleInput
    status: str
    triples: list[Triple] = field(default_factory=list)
    report: str = ""
    reason: str = ""
    violations: int = 0
    facts: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    ntriples: bytes = b""  # the triples as N-Triples, when they travelled from a worker process


def prepare(
    article: ArticleInput,
    *,
    pipeline: Pipeline,
    validator: Validator,
    run: RunInfo,
    known_hash: str | None = None,
) -> Prepared:
    """Extract, map and validate one article; every failure is caught and named."""
    if known_hash == article.content_hash:
        return Prepared(article, "unchanged")
    clock: dict[str, float] = {}
    try:
        t = time.perf_counter()
        doc = pipeline.process(article)
        clock["extract"] = time.perf_counter() - t
        t = time.perf_counter()
        triples = to_triples(doc, run=run)
        clock["map"] = time.perf_counter() - t
        t = time.perf_counter()
        outcome = validator.check(triples)
        clock["validate"] = time.perf_counter() - t
    except StageError as e:
        return Prepared(article, "failed", reason=f"stage {e.stage!r} failed: {e.detail}", seconds=clock)
    except KGError as e:
        return Prepared(article, "failed", reason=f"{type(e).__name__}: {e}", seconds=clock)
    facts = Counter(f.kind for f in doc.facts)
    if not outcome.conforms:
        return Prepared(
            article, "invalid", triples, outcome.text, violations=outcome.violations(), facts=facts, seconds=clock
        )
    return Prepared(article, "ok", triples, facts=facts, seconds=clock)


def commit(
    item: Prepared,
    *,
    store: LocalStore,
    quarantine: Quarantine | None,
    report: IngestReport,
    known: dict[str, tuple[str, str]],
) -> None:
    """Store a prepared article (or quarantine it, or record why not) and account for it."""
    article = item.article
    for stage, secs in item.seconds.items():
        report.seconds[stage] += secs
    if item.status == "unchanged":
        report.unchanged += 1
        return
    if item.status == "failed":
        report.failed.append((article.source, item.reason))
        return
    if item.status == "invalid":
        if quarantine is not None:
            quarantine.put(article, graph_of(item.triples), item.report)
        report.quarantined.append((article.source, f"{item.violations} SHACL violation(s)"))
        return
    gname = str(graph_iri(article.key))
    older = [g for g, (_h, src) in known.items() if src == article.source and g != gname]
    t = time.perf_counter()
    try:
        data = item.triples or list(ox.parse(item.ntriples, format=ox.RdfFormat.N_TRIPLES))
        store.replace_graphs(gname, data, drop=older)
    except KGError as e:
        report.failed.append((article.source, f"{type(e).__name__}: {e}"))
        return
    finally:
        report.seconds["store"] += time.perf_counter() - t
    for g in older:
        known.pop(g, None)
    known[gname] = (article.content_hash, article.source)
    if quarantine is not None:
        quarantine.remove(article.key)
    report.stored += 1
    report.facts.update(item.facts)
