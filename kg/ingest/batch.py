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

import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kg.errors import KGError, StageError, UnreadableArticle
from kg.ingest.mapper import RunInfo, graph_iri, new_graph, to_triples
from kg.ingest.pipeline import Pipeline
from kg.ingest.reader import ArticleInput, iter_files, read_path
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
) -> IngestReport:
    """Ingest every article file under ``paths`` into ``store``."""
    report = IngestReport()
    files = list(iter_files(list(paths)))
    bar = _bar(len(files)) if progress else None

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
        _one(
            article,
            store=store,
            quarantine=quarantine,
            pipeline=pipeline,
            validator=validator,
            run=run,
            report=report,
            known=known,
        )
    store.flush()
    return report


def _bar(total: int) -> Any:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr)


def _read(name: str, report: IngestReport) -> list[ArticleInput]:
    t = time.perf_counter()
    try:
        articles = read_path(name)
    except UnreadableArticle as e:
        report.unreadable.append((e.name, e.reason))
        return []
    except Exception as e:  # a reader bug must not stop the batch
        report.unreadable.append((name, f"{type(e).__name__}: {e}"))
        return []
    finally:
        report.seconds["read"] += time.perf_counter() - t
    for a in articles:
        report.warnings += [(a.source, w) for w in a.warnings]
    return articles


def _one(
    article: ArticleInput,
    *,
    store: LocalStore,
    quarantine: Quarantine | None,
    pipeline: Pipeline,
    validator: Validator,
    run: RunInfo,
    report: IngestReport,
    known: dict[str, tuple[str, str]],
) -> None:
    gname = str(graph_iri(article.key))
    if known.get(gname, ("", ""))[0] == article.content_hash:
        report.unchanged += 1
        return
    clock = report.seconds
    try:
        t = time.perf_counter()
        doc = pipeline.process(article)
        clock["extract"] += time.perf_counter() - (t := t)
        t = time.perf_counter()
        triples = to_triples(doc, run=run)
        clock["map"] += time.perf_counter() - t
        t = time.perf_counter()
        outcome = validator.check(triples)
        clock["validate"] += time.perf_counter() - t
        if not outcome.conforms:
            if quarantine is not None:
                graph = new_graph()
                for triple in triples:
                    graph.add(triple)
                quarantine.put(article, graph, outcome.text)
            report.quarantined.append((article.source, f"{outcome.violations()} SHACL violation(s)"))
            return
        t = time.perf_counter()
        older = [g for g, (_h, src) in known.items() if src == article.source and g != gname]
        store.replace_graphs(gname, triples, drop=older)
        clock["store"] += time.perf_counter() - t
    except StageError as e:
        report.failed.append((article.source, f"stage {e.stage!r} failed: {e.detail}"))
        return
    except KGError as e:
        report.failed.append((article.source, f"{type(e).__name__}: {e}"))
        return
    for g in older:
        known.pop(g, None)
    known[gname] = (article.content_hash, article.source)
    if quarantine is not None:
        quarantine.remove(article.key)
    report.stored += 1
    report.facts.update(f.kind for f in doc.facts)
