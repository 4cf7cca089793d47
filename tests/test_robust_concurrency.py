"""Two ``kg ingest`` processes on one store at once: the second is refused, nothing is lost.

What the code does (RocksDB's lock, ``LocalStore.open`` -> ``StoreInUse``): while one process
writes, a second ``kg ingest`` on the same folder exits at once with code 4 and "store is in
use by another process"; the first finishes normally. Rerunning the refused command afterwards
stores all its articles, each exactly once, next to the first process's articles.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from kg.store.local import LocalStore

pytestmark = pytest.mark.slow

EXIT_STORE = 4
ARTICLE_PREFIX = "https://w3id.org/chipkg/graph/article/"
ARTICLES_PER_GRAPH = """SELECT ?g (COUNT(DISTINCT ?a) AS ?n) WHERE {
  GRAPH ?g { ?a a <https://w3id.org/chipkg/ontology#Article> } } GROUP BY ?g"""


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory, kg_bin: list[str], repo_dir: Path, examples_dir: Path) -> dict:
    """Start A (tests/articles); once it holds the store, start B (examples/articles) on it."""
    store = tmp_path_factory.mktemp("race") / "store"
    first = [*kg_bin, "ingest", str(repo_dir / "tests" / "articles"), "--store", str(store), "--no-progress"]
    second = [*kg_bin, "ingest", str(examples_dir), "--store", str(store), "--no-progress"]
    a = subprocess.Popen(first, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (store / "oxigraph" / "LOCK").exists() and a.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    b = subprocess.run(second, capture_output=True, text=True, timeout=300)
    a_running_when_b_ended = a.poll() is None
    _, a_err = a.communicate(timeout=300)
    rerun = subprocess.run(second, capture_output=True, text=True, timeout=300)
    return {
        "store": store,
        "a": (a.returncode, a_err),
        "b": (b.returncode, b.stderr),
        "overlap": a_running_when_b_ended,
        "rerun": (rerun.returncode, rerun.stderr),
    }


def test_robust_concurrency_second_writer_is_refused(race: dict) -> None:
    """While A writes, B exits with code 4 and says the store is in use."""
    assert race["overlap"], "A finished before B tried to open the store: the race did not happen"
    code, err = race["b"]
    assert code == EXIT_STORE
    assert err.startswith(f"kg: store is in use by another process: {race['store']} (")
    assert err.count("\n") == 1


def test_robust_concurrency_first_writer_completes(race: dict) -> None:
    """A is not disturbed by B: it stores all its articles."""
    code, err = race["a"]
    assert code == 0, err
    assert err.startswith("stored 26 article(s), 0 unchanged, 0 quarantined, 0 unreadable, 0 failed")


def test_robust_concurrency_rerun_stores_the_rest(race: dict, examples_store, per_graph_counts) -> None:
    """Rerunning B stores every example article, each graph equal to a clean ingest's."""
    code, err = race["rerun"]
    assert code == 0, err
    assert err.startswith("stored 13 article(s), 0 unchanged")
    counts = per_graph_counts(LocalStore.open(race["store"], read_only=True))
    assert {g: counts.get(g) for g in examples_store.graph_counts} == examples_store.graph_counts


def test_robust_concurrency_every_article_once(race: dict) -> None:
    """In the end: 26 + 13 article graphs, each holding exactly one Article."""
    rows = LocalStore.open(race["store"], read_only=True).select(ARTICLES_PER_GRAPH)
    articles = {r["g"]: r["n"] for r in rows if r["g"].startswith(ARTICLE_PREFIX)}
    assert len(articles) == 26 + 13
    assert set(articles.values()) == {1}
