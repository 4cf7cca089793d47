"""``kg.query.limits.run_with_timeout``: a query that would run for hours is stopped on time.

The query runs in a child process (a fresh interpreter on a store folder, a fork for a
callable); at the deadline the child is killed and ``QueryTimeout`` raised.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kg.errors import QueryError, StoreError, UnsafeQuery
from kg.query.limits import QueryTimeout, run_with_timeout
from kg.store.imports import import_file
from kg.store.local import LocalStore

# 2,000 quads, joined with themselves three times: 8e9 rows to count.
FOREVER = """SELECT (COUNT(*) AS ?n) WHERE {
  GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } GRAPH ?g3 { ?h ?i ?j } }"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
SECONDS = 2.0
SLACK = 4.0  # start-up of the child and a loaded machine


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder holding 2,000 quads (closed again)."""
    folder = tmp_path_factory.mktemp("limits")
    data = folder / "data.nt"
    data.write_text(
        "".join(f'<http://example.org/s{i}> <http://example.org/p{i % 7}> "{i}"^^<{XSD_INT}> .\n' for i in range(2000)),
        encoding="utf-8",
    )
    store = LocalStore.open(folder / "store")
    import_file(store, data, graph="http://example.org/g")
    store.flush()
    del store
    return folder / "store"


def _children_running(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if marker in cmd and int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
            pids.append(int(entry.name))
    return pids


def test_security_limits_folder_query_is_stopped(store_dir: Path) -> None:
    """A query on a store folder that would run for hours raises QueryTimeout at the deadline."""
    t = time.monotonic()
    with pytest.raises(QueryTimeout, match="ran longer than the 2-second limit"):
        run_with_timeout(store_dir, FOREVER, seconds=SECONDS)
    assert time.monotonic() - t < SECONDS + SLACK


def test_security_limits_stopped_child_is_gone(store_dir: Path) -> None:
    """After a timeout, no query process of ours is left running."""
    with pytest.raises(QueryTimeout):
        run_with_timeout(store_dir, FOREVER, seconds=1)
    assert _children_running("kg.query.limits") == []


def test_security_limits_timeout_is_an_unsafe_query() -> None:
    """``kg sparql`` maps UnsafeQuery to exit code 5: a timeout is one."""
    assert issubclass(QueryTimeout, UnsafeQuery)


def test_security_limits_folder_query_answers(store_dir: Path) -> None:
    """The positive control: a quick SELECT answers what the store itself answers."""
    expected = LocalStore.open(store_dir, read_only=True).select(COUNT)
    assert run_with_timeout(store_dir, COUNT, seconds=30) == expected == [{"n": 2000}]


def test_security_limits_folder_ask_answers(store_dir: Path) -> None:
    """An ASK query answers as one ``boolean`` row."""
    assert run_with_timeout(store_dir, "ASK { GRAPH ?g { ?s ?p 7 } }", seconds=30) == [{"boolean": True}]


def test_security_limits_bad_query_is_a_query_error(store_dir: Path) -> None:
    """A syntax error in the child comes back as QueryError."""
    with pytest.raises(QueryError, match="query failed"):
        run_with_timeout(store_dir, "SELECT * WHERE {", seconds=30)


def test_security_limits_missing_store_is_a_store_error(tmp_path: Path) -> None:
    """No store in the folder: StoreError, as ``LocalStore.open`` says it."""
    with pytest.raises(StoreError, match="no store at"):
        run_with_timeout(tmp_path / "nothing", COUNT, seconds=30)


def test_security_limits_callable_query_is_stopped(store_dir: Path) -> None:
    """A callable (here an open store's ``select``) runs in a fork, killed at the deadline."""
    store = LocalStore.in_memory()
    store.raw.extend(LocalStore.open(store_dir, read_only=True).quads())
    t = time.monotonic()
    with pytest.raises(QueryTimeout):
        run_with_timeout(store.select, FOREVER, seconds=SECONDS)
    assert time.monotonic() - t < SECONDS + SLACK
    assert run_with_timeout(store.select, COUNT, seconds=30) == [{"n": 2000}]


def test_security_limits_crashed_child_is_a_query_error() -> None:
    """A child that dies (as Oxigraph does on some inputs) gives QueryError, not a hang or a crash."""
    with pytest.raises(QueryError, match=r"the query process died \(exit code 3\)"):
        run_with_timeout(lambda q: os._exit(3), "ASK {}", seconds=30)


def test_security_limits_kg_sparql_timeout_exits_5(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`kg sparql --timeout 1` stops a runaway query with exit code 5 and says why."""
    from kg.cli import main

    code = main(["sparql", FOREVER, "--store", str(store_dir), "--timeout", "1"])
    assert code == 5
    assert "1-second limit" in capsys.readouterr().err
