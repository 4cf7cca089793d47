"""A real Oxigraph server used as the store through kg.store.remote.RemoteStore (127.0.0.1 only)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from kg.api import KnowledgeGraph
from kg.cli import main
from kg.errors import QueryError, StoreError
from kg.query.pack import QueryPack
from kg.store.remote import RemoteStore
from kg.store.server import oxigraph_binary
from kg.vocab import CKG, CKR

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "articles"
PARAMS = {"about": {"entity": "Nvidia"}}
QUESTIONS = sorted(QueryPack.load().questions)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_answering(base: str, proc: subprocess.Popen[bytes], log: Path, *, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"the server did not answer within {within} s: {log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def start_oxigraph(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """``oxigraph serve`` (read-write) on ``folder``, on a free 127.0.0.1 port."""
    port = free_port()
    log = folder.parent / f"{folder.name}.log"
    with log.open("wb") as err:
        cmd = [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base, proc, log)
    except BaseException:
        stop(proc)
        raise
    return base, proc


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A read-write Oxigraph server on an empty store."""
    base, proc = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db")
    try:
        yield base
    finally:
        stop(proc)


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """A server of its own, for tests that write."""
    base, proc = start_oxigraph(tmp_path / "db")
    try:
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def remote(server_url: str) -> dict[str, Any]:
    """The example corpus ingested through the server."""
    g = KnowledgeGraph.open(server_url)
    started = time.perf_counter()
    report = g.ingest([EXAMPLES])
    return {"kg": g, "report": report, "seconds": time.perf_counter() - started}


@pytest.fixture(scope="module")
def embedded() -> KnowledgeGraph:
    """The same corpus in an embedded store."""
    g = KnowledgeGraph.in_memory()
    assert g.ingest([EXAMPLES]).ok
    return g


def snapshot(store: Any) -> list[bytes]:
    return sorted(store.dump(ox.RdfFormat.N_QUADS).splitlines())


def test_store_remote_ingest_stores_every_example(remote: dict[str, Any], embedded: KnowledgeGraph) -> None:
    report = remote["report"]
    assert report.ok, report.summary()
    assert report.stored == len(embedded.ask("sources")) > 0


@pytest.mark.parametrize("question", QUESTIONS)
def test_store_remote_answers_every_question_like_the_embedded_store(
    remote: dict[str, Any], embedded: KnowledgeGraph, question: str
) -> None:
    params = PARAMS.get(question, {})
    missing = [p.name for p in QueryPack.load().get(question).parameters if p.required and p.name not in params]
    assert not missing, f"give {question} its required parameters {missing} in PARAMS"
    assert remote["kg"].ask(question, **params) == embedded.ask(question, **params)


def test_store_remote_holds_the_same_graphs_and_quad_count(remote: dict[str, Any], embedded: KnowledgeGraph) -> None:
    store = remote["kg"].store
    assert store.graphs() == embedded.store.graphs()
    assert store.count_graphs() == embedded.store.count_graphs()
    assert len(store) == len(embedded.store)


def test_store_remote_dumps_a_graph_like_the_embedded_store(remote: dict[str, Any], embedded: KnowledgeGraph) -> None:
    name = str(CKG.gazetteer)
    got = remote["kg"].store.dump(ox.RdfFormat.N_TRIPLES, graph=name)
    want = embedded.store.dump(ox.RdfFormat.N_TRIPLES, graph=name)
    assert sorted(got.splitlines()) == sorted(want.splitlines())


def test_store_remote_export_keeps_the_article_graphs(remote: dict[str, Any]) -> None:
    quads = ox.parse(remote["kg"].export(format="trig"), format=ox.RdfFormat.TRIG)
    names = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert sorted(names) == remote["kg"].store.graphs()


def test_store_remote_cli_ask_reads_the_server(
    remote: dict[str, Any], embedded: KnowledgeGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "sources", "--store", remote["kg"].store.url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [dict(r) for r in embedded.ask("sources")]


def test_store_remote_sparql_ask_query(remote: dict[str, Any]) -> None:
    assert remote["kg"].sparql(f"ASK {{ GRAPH <{CKG.gazetteer}> {{ ?s ?p ?o }} }}") == [{"boolean": True}]


def test_store_remote_malformed_query_raises_query_error(server_url: str) -> None:
    with pytest.raises(QueryError, match="malformed"):
        RemoteStore(server_url).select("SELECT * WHERE { ?s ?p }")


def test_store_remote_unreachable_endpoint_raises_store_error_naming_it() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match=f"cannot reach the SPARQL endpoint {url}/query"):
        RemoteStore(url, timeout=5).graphs()


def test_store_remote_raw_access_is_refused(server_url: str) -> None:
    with pytest.raises(StoreError, match="remote SPARQL endpoint"):
        _ = RemoteStore(server_url).raw


def test_store_remote_read_only_store_refuses_writes(server_url: str) -> None:
    with pytest.raises(StoreError, match="read-only"):
        RemoteStore(server_url, read_only=True).drop_graph(str(CKG.gazetteer))


def test_store_remote_replace_graphs_swaps_one_graph(fresh_url: str) -> None:
    store = RemoteStore(fresh_url)
    first, second = Graph(), Graph()
    first.add((CKR["firm/a"], RDFS.label, Literal("A")))
    second.add((CKR["firm/b"], RDFS.label, Literal("B", lang="en")))
    name = str(CKG["article/0000000000000001"])
    store.replace_graphs(name, first)
    store.replace_graphs(name, second)
    assert [str(q.object) for q in store.quads(name)] == ['"B"@en']


def test_store_remote_extend_adds_quads_in_one_request(fresh_url: str) -> None:
    store = RemoteStore(fresh_url)
    name = ox.NamedNode(str(CKG["article/0000000000000002"]))
    label = ox.NamedNode(str(RDFS.label))
    quads = [
        ox.Quad(ox.NamedNode(str(CKR["firm/a"])), label, ox.Literal("A"), name),
        ox.Quad(ox.NamedNode(str(CKR["firm/b"])), label, ox.Literal('B\n"quoted"'), name),
    ]
    store.extend(quads)
    assert sorted(map(str, store.quads(name.value))) == sorted(map(str, quads))


def test_store_remote_failed_update_changes_nothing_on_the_server(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = KnowledgeGraph.open(fresh_url)
    g.ingest_text("Baidu moved away from Nvidia chips to Huawei's Ascend.", source="a.txt")
    g.ingest_text("SMIC manufactures the Ascend 910C for Huawei.", source="b.txt")
    store = g.store
    before = snapshot(store)
    target, other = [n for n in store.graphs() if n.startswith(str(CKG["article/"]))]
    send = store.update
    monkeypatch.setattr(store, "update", lambda text: send(f"{text} ;\nDROP GRAPH <urn:chipkg:test:no-such-graph>"))
    data = Graph()
    data.add((CKR["firm/replacement"], RDFS.label, Literal("Replacement")))
    with pytest.raises(StoreError, match="no-such-graph"):
        store.replace_graphs(target, data, drop=[other])
    monkeypatch.undo()
    assert snapshot(store) == before
