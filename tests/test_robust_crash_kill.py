"""``kg ingest`` killed (SIGKILL) at random points leaves only whole articles, and a rerun completes.

Twenty runs of ``kg ingest examples/articles`` are killed at seeded random points, by two
workers at a time, each rerunning the same command on its store after every kill. The random
delay counts from the moment the run starts writing (its RocksDB write-ahead log grows), so
that kills land among the writes rather than in the seconds of start-up, which write nothing.
After each kill:

* every named graph in the store is one the clean reference ingest also made, with exactly the
  same number of quads (a whole article graph: its Article node, its facts and evidence);
* every article graph holds exactly one ``ck:Article``.

When a rerun completes (exit code 0, having stored only what was missing), and once more after
each worker's last kill, the store must equal the reference store. "Equal" here means: the same quads
once each extraction-run IRI is replaced by one placeholder and ``prov:startedAtTime`` is
dropped (``store_hash(store, mask_runs=True)``), since every run mints a new run node and time.
"""

from __future__ import annotations

import contextlib
import random
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kg.store.local import LocalStore

pytestmark = pytest.mark.slow

SEED = 20250424
WORKERS, KILLS_PER_WORKER = 2, 10
WRITE_STARTED_BYTES = 10_000  # an article is ~0.5 MB of log; opening a store writes a few bytes
WRITING_SHARE = 0.5  # of a clean run's time, spent writing (the rest: start-up, spaCy, SHACL set-up)
ARTICLE_PREFIX = "https://w3id.org/chipkg/graph/article/"
ARTICLES_PER_GRAPH = """SELECT ?g (COUNT(DISTINCT ?a) AS ?n) WHERE {
  GRAPH ?g { ?a a <https://w3id.org/chipkg/ontology#Article> } } GROUP BY ?g"""


def _wal_bytes(folder: Path) -> int:
    total = 0
    for log in (folder / "oxigraph").glob("*.log"):
        with contextlib.suppress(FileNotFoundError):  # RocksDB deleted it meanwhile
            total += log.stat().st_size
    return total


def _kill_while_writing(cmd: list[str], folder: Path, delay: float) -> int | None:
    """Run ``cmd``; once it starts writing (its write-ahead log grows), SIGKILL it ``delay`` s later.

    Returns the exit code if it finished first (nothing left to write, or done within ``delay``).
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    low = _wal_bytes(folder)
    while proc.poll() is None:
        now = _wal_bytes(folder)
        low = min(low, now)
        if now - low > WRITE_STARTED_BYTES:
            break
        time.sleep(0.02)
    else:
        return proc.returncode
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return None


def _check_whole(folder: Path, reference: Any, per_graph_counts: Any) -> int:
    """Assert the store holds whole graphs only; return how many article graphs it has."""
    store = LocalStore.open(folder, read_only=True)
    counts = per_graph_counts(store)
    partial = {g: n for g, n in counts.items() if reference.graph_counts.get(g) != n}
    assert partial == {}, f"graphs that are not whole: {partial}"
    articles = {r["g"]: r["n"] for r in store.select(ARTICLES_PER_GRAPH)}
    article_graphs = {g for g in counts if g.startswith(ARTICLE_PREFIX)}
    assert articles == dict.fromkeys(article_graphs, 1)
    return len(article_graphs)


def _worker(n: int, root: Path, cmd: list[str], reference: Any, per_graph_counts: Any, store_hash: Any) -> list[int]:
    """Kill runs until ``KILLS_PER_WORKER`` kills; a store a run completes is checked and replaced."""
    rng = random.Random(SEED + n)
    writing = WRITING_SHARE * reference.seconds
    seen: list[int] = []
    stores = 0
    folder = root / f"w{n}-store{stores}"
    while len(seen) < KILLS_PER_WORKER:
        code = _kill_while_writing([*cmd, "--store", str(folder)], folder, rng.uniform(0, writing / 3))
        if code is None:
            seen.append(_check_whole(folder, reference, per_graph_counts) if folder.exists() else 0)
            continue
        assert code == 0, f"kg ingest exited with {code}"
        _check_complete(folder, reference, per_graph_counts, store_hash)
        stores += 1
        folder = root / f"w{n}-store{stores}"
    done = subprocess.run([*cmd, "--store", str(folder)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "0 quarantined, 0 unreadable, 0 failed" in done.stderr
    _check_complete(folder, reference, per_graph_counts, store_hash)
    return seen


def _check_complete(folder: Path, reference: Any, per_graph_counts: Any, store_hash: Any) -> None:
    store = LocalStore.open(folder, read_only=True)
    assert per_graph_counts(store) == reference.graph_counts
    assert store_hash(store, mask_runs=True) == reference.masked_hash


def test_robust_crash_kill_leaves_whole_articles_and_rerun_completes(
    examples_store, examples_dir: Path, kg_bin: list[str], tmp_path: Path, per_graph_counts, store_hash
) -> None:
    """20 SIGKILLs at random points: whole article graphs only; reruns reach the reference store."""
    cmd = [*kg_bin, "ingest", str(examples_dir), "--no-progress"]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [
            pool.submit(_worker, n, tmp_path, cmd, examples_store, per_graph_counts, store_hash) for n in range(WORKERS)
        ]
        seen = [k for f in futures for k in f.result()]
    total = sum(1 for g in examples_store.graph_counts if g.startswith(ARTICLE_PREFIX))
    assert len(seen) == WORKERS * KILLS_PER_WORKER >= 20
    assert len([k for k in seen if 0 < k < total]) >= 3, f"too few kills among the article writes: {seen}"
