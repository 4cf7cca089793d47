"""``kg.api.KnowledgeGraph``: ingest text, ask questions, run SPARQL, export, on an in-memory store.

The articles are two short texts written for these tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.api import KnowledgeGraph, Row
from kg.errors import ParameterError, UnsafeQuery
from kg.query.pack import QueryPack

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CK = "https://w3id.org/chipkg/ontology#"
ALIBABA = (
    "Title: Alibaba turns to domestic accelerators\n"
    "Date: 2025-05-12\n\n"
    "Alibaba is migrating away from Nvidia hardware towards Huawei for new data centres. "
    "Executives said the change would take most of the year. "
    "Nvidia shares slipped 2% after the report.\n"
)
IFLYTEK = (
    "Title: iFlytek signs chip deal\n"
    "Date: 2025-05-19\n\n"
    "iFlytek purchased 1,200 Ascend 910B chips from Huawei for 150 million yuan. "
    "The chips will power its speech models.\n"
)
SWITCH_QUOTE = "Alibaba is migrating away from Nvidia hardware towards Huawei for new data centres."
EVIDENCE = f"""
PREFIX ck: <{CK}>
PREFIX schema: <https://schema.org/>
SELECT ?article ?quote ?start ?end ?body WHERE {{
  GRAPH ?g {{
    ?ev a ck:Evidence ; ck:inArticle ?article ; ck:quote ?quote ; ck:start ?start ; ck:end ?end .
    ?article schema:articleBody ?body .
  }}
}}"""
UPDATES = {
    "insert-data": "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }",
    "delete-where": "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "drop-all": "DROP ALL",
    "clear-default": "CLEAR DEFAULT",
}


def two_articles() -> KnowledgeGraph:
    """A fresh in-memory graph holding the two test articles."""
    g = KnowledgeGraph.in_memory()
    for text, source in [(ALIBABA, "alibaba.txt"), (IFLYTEK, "iflytek.txt")]:
        report = g.ingest_text(text, source=source)
        assert (report.stored, report.ok) == (1, True), report.summary()
    return g


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    """The two articles, ingested once (read by the tests, never written)."""
    return two_articles()


@pytest.fixture(scope="module")
def evidence(kg: KnowledgeGraph) -> list[Row]:
    """Every evidence node of the store with its quote, offsets and its article's body."""
    return kg.sparql(EVIDENCE)


# -- ask -------------------------------------------------------------------------------------


def test_api_knowledge_graph_ask_returns_rows_with_attributes(kg: KnowledgeGraph) -> None:
    """``ask`` returns Row objects whose columns read as attributes too."""
    rows = kg.ask("switched-away-from", supplier="Nvidia")
    assert len(rows) == 1
    row = rows[0]
    assert isinstance(row, Row)
    assert (row.firm, row.supplier, row.alternative) == ("Alibaba", "Nvidia", "Huawei")
    assert row.source == row["source"] == "alibaba.txt"
    assert row.evidence == row["evidence"] == SWITCH_QUOTE


def test_api_knowledge_graph_row_missing_attribute_is_attribute_error(kg: KnowledgeGraph) -> None:
    """A column that is not there raises AttributeError (so ``getattr(row, x, default)`` works)."""
    row = kg.ask("procurements")[0]
    with pytest.raises(AttributeError):
        _ = row.no_such_column
    assert getattr(row, "no_such_column", "absent") == "absent"


def test_api_knowledge_graph_none_parameter_counts_as_not_given(kg: KnowledgeGraph) -> None:
    """``supplier=None`` asks without the parameter (it is not looked up as the name "None")."""
    everything = kg.ask("switched-away-from")
    assert everything
    assert kg.ask("switched-away-from", supplier=None) == everything


def test_api_knowledge_graph_none_for_required_parameter_is_refused(kg: KnowledgeGraph) -> None:
    """``about(entity=None)`` is a missing required parameter."""
    with pytest.raises(ParameterError, match="'entity'"):
        kg.ask("about", entity=None)


# -- evidence ----------------------------------------------------------------------------------


def test_api_knowledge_graph_evidence_quote_is_the_body_slice(evidence: list[Row]) -> None:
    """Every stored evidence quote is exactly ``articleBody[start:end]``."""
    assert len(evidence) >= 3
    for e in evidence:
        assert e.body[e.start : e.end] == e.quote


def test_api_knowledge_graph_row_evidence_is_the_body_slice(kg: KnowledgeGraph, evidence: list[Row]) -> None:
    """The evidence of every answer row is the body slice [start:end] of one evidence node."""
    spans: dict[tuple[str, str], list[str]] = {}
    for e in evidence:
        spans.setdefault((e.article, e.quote), []).append(e.body[e.start : e.end])
    checked = set()
    for q in QueryPack.load().questions.values():
        if any(p.required for p in q.parameters):
            continue
        for row in kg.ask(q.id):
            if "evidence" in row:
                assert row.evidence in spans.get((row.article, row.evidence), []), (q.id, row.evidence)
                checked.add(q.id)
    assert {"switched-away-from", "procurements", "market-impacts"} <= checked


def test_api_knowledge_graph_switch_offsets_slice_the_body(kg: KnowledgeGraph, evidence: list[Row]) -> None:
    """The start/end columns of a switch row slice its article body to the row's evidence."""
    bodies = {e.article: e.body for e in evidence}
    row = kg.ask("switched-away-from")[0]
    assert bodies[row.article][row.start : row.end] == row.evidence == SWITCH_QUOTE


# -- re-ingest ---------------------------------------------------------------------------------


def test_api_knowledge_graph_same_text_twice_is_unchanged() -> None:
    """Ingesting the same text again stores nothing and reports it unchanged."""
    g = two_articles()
    report = g.ingest_text(ALIBABA, source="alibaba.txt")
    assert (report.stored, report.unchanged, report.ok) == (0, 1, True)


def test_api_knowledge_graph_same_text_twice_keeps_the_store(store_hash: Any) -> None:
    """Ingesting the same text again leaves the store as it was (size and content)."""
    g = two_articles()
    size, digest = len(g.store), store_hash(g.store)
    g.ingest_text(ALIBABA, source="alibaba.txt")
    assert len(g.store) == size
    assert store_hash(g.store) == digest


# -- sparql ------------------------------------------------------------------------------------


@pytest.mark.parametrize("update", UPDATES.values(), ids=list(UPDATES))
def test_api_knowledge_graph_sparql_refuses_updates(update: str, store_hash: Any) -> None:
    """``sparql`` refuses an update with UnsafeQuery and the store keeps every quad."""
    g = KnowledgeGraph.in_memory()
    g.store.load_file(FIXTURES / "pack.trig", fmt=ox.RdfFormat.TRIG)
    size, digest = len(g.store), store_hash(g.store)
    with pytest.raises(UnsafeQuery):
        g.sparql(update)
    assert len(g.store) == size
    assert store_hash(g.store) == digest


# -- export ------------------------------------------------------------------------------------


def test_api_knowledge_graph_export_writes_turtle(kg: KnowledgeGraph, tmp_path: Path) -> None:
    """``export("x.ttl")`` writes Turtle that rdflib parses, holding the articles and the quotes."""
    path = tmp_path / "x.ttl"
    data = kg.export(path)
    assert path.read_bytes() == data
    graph = Graph().parse(path, format="turtle")
    sources = {
        str(o)
        for s in graph.subjects(RDF.type, URIRef(f"{CK}Article"))
        for o in graph.objects(s, URIRef(f"{CK}source"))
    }
    assert sources == {"alibaba.txt", "iflytek.txt"}
    assert (None, URIRef(f"{CK}quote"), Literal(SWITCH_QUOTE)) in graph
