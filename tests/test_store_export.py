"""Exports (kg.store.export): every format re-imports to the same graphs."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.api import KnowledgeGraph
from kg.cli import main
from kg.gazetteer import Gazetteer
from kg.store.export import export_bytes
from kg.store.local import LocalStore
from kg.vocab import CKG, PREFIXES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "articles"
OX_FORMAT = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
RDFLIB_FORMAT = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def corpus() -> KnowledgeGraph:
    """The example corpus in an in-memory store."""
    g = KnowledgeGraph.in_memory()
    report = g.ingest([EXAMPLES])
    assert report.ok, report.summary()
    return g


@pytest.fixture(scope="module")
def exported(corpus: KnowledgeGraph) -> dict[str, bytes]:
    """The corpus exported once in every format."""
    return {fmt: corpus.export(format=fmt) for fmt in RDFLIB_FORMAT}


@pytest.fixture(scope="module")
def corpus_dataset(corpus: KnowledgeGraph) -> Dataset:
    """The corpus store as an rdflib dataset (the reference for the comparisons)."""
    return store_dataset(corpus.store)


def named_graphs(ds: Dataset) -> dict[str, Graph]:
    """Every non-empty graph of a dataset by name (rdflib's default graph included when non-empty)."""
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


def store_dataset(store: Any) -> Dataset:
    ds = Dataset()
    ds.parse(data=export_bytes(store, "nquads"), format="nquads")
    return ds


def union_of(store: Any) -> Graph:
    """Every triple of every graph, merged."""
    g = Graph()
    g.parse(data=ox.serialize([q.triple for q in store.quads()], format=ox.RdfFormat.N_TRIPLES), format="nt")
    return g


def assert_same_graphs(expected: Dataset, actual: Dataset) -> None:
    want, got = named_graphs(expected), named_graphs(actual)
    assert sorted(got) == sorted(want)
    different = [name for name in want if not isomorphic(want[name], got[name])]
    assert different == []


def test_store_export_turtle_reimports_as_the_union_of_all_graphs(
    corpus: KnowledgeGraph, exported: dict[str, bytes]
) -> None:
    data = exported["turtle"]
    assert isomorphic(Graph().parse(data=data, format="turtle"), union_of(corpus.store))


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_store_export_dataset_formats_reimport_graph_by_graph(
    exported: dict[str, bytes], corpus_dataset: Dataset, fmt: str
) -> None:
    data = exported[fmt]
    back = Dataset()
    back.parse(data=data, format=RDFLIB_FORMAT[fmt])
    assert_same_graphs(corpus_dataset, back)


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_store_export_keeps_one_named_graph_per_article(
    corpus: KnowledgeGraph, exported: dict[str, bytes], fmt: str
) -> None:
    quads = ox.parse(exported[fmt], format=OX_FORMAT[fmt])
    names = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    articles = {n for n in names if n.startswith(str(CKG["article/"]))}
    assert len(articles) == len(corpus.ask("sources"))
    assert names == set(corpus.store.graphs())


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_store_export_binds_the_project_prefixes(exported: dict[str, bytes], fmt: str) -> None:
    text = exported[fmt].decode("utf-8")
    head = [line for line in text.splitlines() if line.startswith("@prefix ")]
    assert head == [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    assert " a ck:Article" in text


def test_store_export_jsonld_carries_its_context_inline(exported: dict[str, bytes]) -> None:
    doc = json.loads(exported["jsonld"])
    assert doc["@context"] == dict(PREFIXES)


def test_store_export_jsonld_reimports_without_network(
    corpus: KnowledgeGraph, exported: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = exported["jsonld"]

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the JSON-LD re-import tried to use the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    back = Dataset()
    back.parse(data=data, format="json-ld")
    assert len(named_graphs(back)) == corpus.store.count_graphs()


def test_store_export_is_deterministic(corpus: KnowledgeGraph, exported: dict[str, bytes]) -> None:
    assert corpus.export(format="trig") == exported["trig"]


def test_store_export_cli_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    g = KnowledgeGraph.open(folder)
    g.ingest_text("Baidu moved away from Nvidia chips to Huawei's Ascend.", source="note.txt")
    expected = store_dataset(g.store)
    g.close()
    out = tmp_path / "kg.trig"
    assert main(["export", "--store", str(folder), "--out", str(out)]) == 0
    back = Dataset()
    back.parse(out, format="trig")
    assert_same_graphs(expected, back)


def test_store_export_cli_writes_nquads_to_stdout(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    folder = tmp_path / "store"
    g = KnowledgeGraph.open(folder)
    g.ingest_text("SMIC manufactures the Ascend 910C for Huawei.", source="note.txt")
    quads = len(g.store)
    g.close()
    assert main(["export", "--store", str(folder), "--format", "nquads"]) == 0
    out = capsysbinary.readouterr().out
    assert len(list(ox.parse(out, format=ox.RdfFormat.N_QUADS))) == quads


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "jsonld"])
def test_store_export_of_an_empty_store_holds_no_quads(fmt: str) -> None:
    back = Dataset()
    back.parse(data=export_bytes(LocalStore.in_memory(), fmt), format=RDFLIB_FORMAT[fmt])
    assert len(list(back.quads())) == 0


# -- property: generated articles ----------------------------------------------------------------


def _labels(kind: str) -> list[str]:
    return sorted({e.label for e in Gazetteer.load().entities.values() if e.type == kind})


FIRMS, CHIPS, BODIES, PEOPLE = (_labels(k) for k in ("Firm", "Chip", "GovernmentBody", "Person"))
TEMPLATES = [
    "{f1} moved away from {f2} chips to {f3}'s {c1} accelerators.",
    "{b1} added {f1} to the Entity List on 12 March 2025.",
    "{f1} ordered 20,000 {c1} chips from {f2} in a deal worth $1.2 billion.",
    "{p1}, chief executive of {f1}, said the export controls would cost {f2} sales.",
    "{f1} manufactures the {c1} for {f2}, the company said.",
    "Shares of {f1} fell 4% after {b1} tightened the rules on {c1} exports.",
    "{f1} launched the {c1}, a rival to {f2}'s chips.",
    "Analysts said the curbs on {c1} sales pushed {f1} to buy chips from {f2}.",
]


@st.composite
def articles(draw: st.DrawFn) -> str:
    """A short article: one to four sentences from the templates, with gazetteer names."""
    sentences = draw(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=4))
    out = []
    for template in sentences:
        names = {
            "f1": draw(st.sampled_from(FIRMS)),
            "f2": draw(st.sampled_from(FIRMS)),
            "f3": draw(st.sampled_from(FIRMS)),
            "c1": draw(st.sampled_from(CHIPS)),
            "b1": draw(st.sampled_from(BODIES)),
            "p1": draw(st.sampled_from(PEOPLE)),
        }
        out.append(template.format(**names))
    return " ".join(out)


class ArticleQuads:
    """A view of a store holding only its article graphs (not the gazetteer and the ontology)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        prefix = str(CKG["article/"])
        return (q for q in self.store.quads(graph) if str(q.graph_name.value).startswith(prefix))


@pytest.fixture(scope="module")
def scratch() -> KnowledgeGraph:
    """One in-memory store for every generated article (each replaces the previous one)."""
    return KnowledgeGraph.in_memory()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=articles())
def test_store_export_trig_round_trips_generated_articles(scratch: KnowledgeGraph, text: str) -> None:
    report = scratch.ingest_text(text, source="generated.txt")
    assume(not report.failed)  # a pipeline failure stores nothing: nothing to export
    view = ArticleQuads(scratch.store)
    expected = Dataset()
    expected.parse(data=ox.serialize(view.quads(), format=ox.RdfFormat.N_QUADS), format="nquads")
    back = Dataset()
    back.parse(data=export_bytes(view, "trig"), format="trig")
    assert len(named_graphs(expected)) == 1
    assert_same_graphs(expected, back)
