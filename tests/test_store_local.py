"""The embedded store (kg.store.local): restarts, atomic writes, read-only opens, the write lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.api import KnowledgeGraph
from kg.errors import StoreError
from kg.store.local import DB_DIR, LocalStore
from kg.vocab import CKG, CKR

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "articles"
NOTE_A = "Baidu moved away from Nvidia chips to Huawei's Ascend accelerators."
NOTE_B = "SMIC manufactures the Ascend 910C for Huawei, the company said on Monday."


def snapshot(store: LocalStore) -> list[bytes]:
    """Every quad as a sorted list of N-Quads lines."""
    return sorted(store.dump(ox.RdfFormat.N_QUADS).splitlines())


def article_graphs(store: LocalStore) -> list[str]:
    return [g for g in store.graphs() if g.startswith(str(CKG["article/"]))]


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The example corpus ingested into a store folder, then closed."""
    folder = tmp_path_factory.mktemp("corpus") / "store"
    g = KnowledgeGraph.open(folder)
    report = g.ingest([EXAMPLES])
    facts = {"quads": len(g.store), "sources": g.ask("sources"), "graphs": g.store.graphs(), "report": report}
    g.close()
    return {"folder": folder, **facts}


@pytest.fixture
def small_store(tmp_path: Path) -> Iterator[LocalStore]:
    """A store folder with two short articles."""
    g = KnowledgeGraph.open(tmp_path / "store")
    g.ingest_text(NOTE_A, source="a.txt")
    g.ingest_text(NOTE_B, source="b.txt")
    yield g.store
    g.close()


class FailingAtTheEnd:
    """Wraps a pyoxigraph store so that every update fails at run time, after its other operations."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def update(self, text: str) -> None:
        self._store.update(f"{text} ;\nDROP GRAPH <urn:chipkg:test:no-such-graph>")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_store_local_corpus_ingest_stores_every_example(corpus_store: dict[str, Any]) -> None:
    report = corpus_store["report"]
    assert report.ok, report.summary()
    assert report.stored == len(corpus_store["sources"]) > 0


def test_store_local_reopen_keeps_quads_and_answers(corpus_store: dict[str, Any]) -> None:
    g = KnowledgeGraph.open(corpus_store["folder"])
    try:
        assert len(g.store) == corpus_store["quads"]
        assert g.store.graphs() == corpus_store["graphs"]
        assert g.ask("sources") == corpus_store["sources"]
    finally:
        g.close()


def test_store_local_reingest_after_restart_changes_nothing(corpus_store: dict[str, Any]) -> None:
    g = KnowledgeGraph.open(corpus_store["folder"])
    try:
        report = g.ingest([EXAMPLES])
        assert (report.stored, report.unchanged) == (0, len(corpus_store["sources"]))
        assert len(g.store) == corpus_store["quads"]
    finally:
        g.close()


def test_store_local_replace_graphs_rolls_back_a_failed_update(
    small_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(small_store)
    target, other = article_graphs(small_store)
    data = Graph()
    data.add((CKR["firm/replacement"], RDFS.label, Literal("Replacement")))
    monkeypatch.setattr(small_store, "_store", FailingAtTheEnd(small_store.raw))
    with pytest.raises(StoreError, match="no-such-graph"):
        small_store.replace_graphs(target, data, drop=[other])
    monkeypatch.undo()
    assert snapshot(small_store) == before


def test_store_local_replace_graphs_refuses_an_invalid_iri_and_writes_nothing(small_store: LocalStore) -> None:
    before = snapshot(small_store)
    target, other = article_graphs(small_store)
    data = Graph()
    data.add((URIRef(str(CKR["firm/a b"])), RDFS.label, Literal("bad")))
    with pytest.raises(StoreError, match="writing graph"):
        small_store.replace_graphs(target, data, drop=[other])
    assert snapshot(small_store) == before


def test_store_local_replace_graphs_swaps_one_graph(small_store: LocalStore) -> None:
    target, other = article_graphs(small_store)
    kept = sorted(small_store.dump(ox.RdfFormat.N_QUADS, graph=other).splitlines())
    data = Graph()
    data.add((CKR["firm/replacement"], RDFS.label, Literal("Replacement")))
    small_store.replace_graphs(target, data)
    assert len(list(small_store.quads(target))) == 1
    assert sorted(small_store.dump(ox.RdfFormat.N_QUADS, graph=other).splitlines()) == kept


def test_store_local_extend_adds_quads(small_store: LocalStore) -> None:
    before = len(small_store)
    name = ox.NamedNode(str(CKG["article/0000000000000002"]))
    small_store.extend(
        [ox.Quad(ox.NamedNode(str(CKR["firm/a"])), ox.NamedNode(str(RDFS.label)), ox.Literal("A"), name)]
    )
    assert len(small_store) == before + 1


def test_store_local_read_only_open_of_a_missing_store_fails_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "nothing-here"
    with pytest.raises(StoreError, match="no store at"):
        KnowledgeGraph.open(folder, read_only=True)
    assert not folder.exists()


def test_store_local_read_only_store_refuses_writes(corpus_store: dict[str, Any]) -> None:
    store = LocalStore.open(corpus_store["folder"], read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graphs(str(CKG["article/0000000000000000"]), Graph())
    assert len(store) == corpus_store["quads"]


def test_store_local_second_writer_process_gets_store_in_use(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    holder = LocalStore.open(folder)
    script = textwrap.dedent(
        f"""
        from kg.errors import StoreInUse
        from kg.store.local import LocalStore
        try:
            LocalStore.open({str(folder)!r})
        except StoreInUse as e:
            print("StoreInUse:", e)
        else:
            print("opened")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.startswith("StoreInUse:"), out.stdout + out.stderr
    assert str(folder) in out.stdout
    assert (folder / DB_DIR).is_dir()
    del holder


def test_store_local_flushes_after_many_written_quads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # RocksDB keeps written data in memory until a flush: a long ingest must flush as it goes
    import kg.store.local as local

    monkeypatch.setattr(local, "FLUSH_EVERY_QUADS", 3)
    store = LocalStore.open(tmp_path / "s")
    flushes: list[int] = []
    original = store.flush
    monkeypatch.setattr(store, "flush", lambda: (flushes.append(store._unflushed), original())[1])
    for n in range(4):
        data = Graph()
        for i in range(2):
            data.add((CKR[f"firm/f{n}-{i}"], RDFS.label, Literal(f"F{n}{i}")))
        store.replace_graphs(str(CKG[f"article/{n:016x}"]), data)
    assert flushes == [4, 4]
    assert len(store) == 8
