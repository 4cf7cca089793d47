"""``kg serve`` (kg.store.server and kg.store.guard) as a subprocess on 127.0.0.1."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.api import KnowledgeGraph
from kg.cli import main
from kg.errors import StoreError
from kg.store.local import LocalStore
from kg.store.remote import RemoteStore
from kg.vocab import CKG, CKR

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "articles"
TOKEN = "test-token-0123456789abcdef"
KG = [sys.executable, "-m", "kg"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, str, bytes]:
    """(status, content type, body) of one HTTP request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


class Served:
    """One ``kg serve`` subprocess."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if k != "KG_TOKEN"}
        with log.open("wb") as err:
            self.proc = subprocess.Popen(
                [*KG, "serve", *args, "--port", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                cwd=ROOT,
            )
        try:
            self.wait()
        except BaseException:
            self.stop()
            raise

    def wait(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"kg serve exited with {self.proc.returncode}: {self.log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"kg serve did not answer within {within} s: {self.log.read_text(errors='replace')}")

    def oxigraph_pid(self) -> int:
        m = re.search(r"oxigraph pid (\d+)", self.log.read_text(errors="replace"))
        assert m, self.log.read_text(errors="replace")
        return int(m.group(1))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A store folder with the example corpus, closed."""
    folder = tmp_path_factory.mktemp("served") / "store"
    g = KnowledgeGraph.open(folder)
    assert g.ingest([EXAMPLES]).ok
    facts = {"folder": folder, "quads": len(g.store), "sources": g.ask("sources")}
    g.close()
    return facts


@pytest.fixture(scope="module")
def read_only_server(corpus_folder: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(["--store", str(corpus_folder["folder"])], tmp_path_factory.mktemp("logs") / "serve.log")
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def writable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("writable") / "store"
    args = ["--store", str(folder), "--allow-updates", "--token", TOKEN]
    served = Served(args, tmp_path_factory.mktemp("logs") / "serve-rw.log")
    try:
        yield served
    finally:
        served.stop()


def count_quads(url: str) -> int:
    sw = SPARQLWrapper(f"{url}/query", returnFormat=JSON)
    sw.setQuery("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    result: Any = sw.queryAndConvert()
    return int(result["results"]["bindings"][0]["n"]["value"])


def test_store_server_counts_quads_through_sparqlwrapper(
    read_only_server: Served, corpus_folder: dict[str, Any]
) -> None:
    assert count_quads(read_only_server.url) == corpus_folder["quads"]


def test_store_server_shows_a_query_page(read_only_server: Served) -> None:
    status, ctype, body = request(f"{read_only_server.url}/", headers={"Accept": "text/html"})
    assert (status, ctype.split(";")[0]) == (200, "text/html")
    assert b"yasgui" in body.lower()


def test_store_server_refuses_updates_by_default(read_only_server: Served, corpus_folder: dict[str, Any]) -> None:
    headers = {"Content-Type": "application/sparql-update"}
    status, _, body = request(f"{read_only_server.url}/update", data=b"DROP ALL", headers=headers)
    assert status == 403, body
    assert count_quads(read_only_server.url) == corpus_folder["quads"]


def test_store_server_refuses_graph_store_writes_by_default(read_only_server: Served) -> None:
    url = f"{read_only_server.url}/store?default"
    status, _, _ = request(
        url, data=b"<urn:a> <urn:b> <urn:c> .", headers={"Content-Type": "application/n-triples"}, method="PUT"
    )
    assert status == 403


def test_store_server_refuses_service_calls(read_only_server: Served) -> None:
    query = b"SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    status, _, body = request(
        f"{read_only_server.url}/query", data=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert status == 403
    assert b"SERVICE" in body


def test_store_server_answers_the_pack_through_a_remote_store(
    read_only_server: Served, corpus_folder: dict[str, Any]
) -> None:
    assert KnowledgeGraph.open(read_only_server.url, read_only=True).ask("sources") == corpus_folder["sources"]


@pytest.mark.parametrize(
    "extra",
    [
        ["--allow-updates"],
        ["--allow-updates", "--token", "short"],
        ["--allow-updates", "--token", TOKEN, "--host", "0.0.0.0"],
    ],
)
def test_store_server_refuses_unsafe_update_options(
    extra: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KG_TOKEN", raising=False)
    assert main(["serve", "--store", str(tmp_path), "--port", str(free_port()), *extra]) == 2
    err = capsys.readouterr().err
    assert "--allow-updates" in err or "token" in err


def test_store_server_refuses_a_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--store", str(tmp_path / "none"), "--port", str(free_port())]) == 4
    assert "no store at" in capsys.readouterr().err


def test_store_server_refuses_a_store_another_process_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = LocalStore.open(tmp_path / "store")
    assert main(["serve", "--store", str(tmp_path / "store"), "--port", str(free_port())]) == 4
    assert "in use" in capsys.readouterr().err
    del writer


def test_store_server_asks_for_the_token_on_updates(writable_server: Served) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}):
        headers["Content-Type"] = "application/sparql-update"
        status, _, _ = request(f"{writable_server.url}/update", data=b"CLEAR ALL", headers=headers)
        assert status == 401


def test_store_server_writes_with_the_token(writable_server: Served) -> None:
    store = RemoteStore(writable_server.url, token=TOKEN)
    data = Graph()
    data.add((CKR["firm/tokened"], RDFS.label, Literal("Tokened")))
    store.replace_graphs(str(CKG["article/00000000000000aa"]), data)
    assert str(CKG["article/00000000000000aa"]) in store.graphs()


def test_store_server_remote_store_without_token_gets_a_clear_error(writable_server: Served) -> None:
    with pytest.raises(StoreError, match="needs credentials"):
        RemoteStore(writable_server.url, token="").drop_graph(str(CKG["article/00000000000000aa"]))


def test_store_server_cli_ingests_through_the_server(writable_server: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_TOKEN", TOKEN)
    article = EXAMPLES / "01_wire_h20_licence.txt"
    assert main(["ingest", str(article), "--store", writable_server.url, "--no-progress"]) == 0
    sources = KnowledgeGraph.open(writable_server.url, read_only=True).ask("sources")
    assert len(sources) == 1


def test_store_server_stops_oxigraph_on_sigterm(corpus_folder: dict[str, Any], tmp_path: Path) -> None:
    served = Served(["--store", str(corpus_folder["folder"])], tmp_path / "serve.log")
    pid = served.oxigraph_pid()
    served.stop()
    assert served.proc.returncode == 0, served.log.read_text()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists()
