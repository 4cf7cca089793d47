"""``kg reason``: shortcut relations from facts and HermiT's defined classes, written to the inferred graph."""

from __future__ import annotations

import shutil

import pytest

from kg.api import KnowledgeGraph
from kg.reason import reason_store, shortcut_graph
from kg.vocab import CK, CKG, CKR

TEXT = (
    "Moore Threads unveiled the MTT S4000 accelerator on Monday.\n\n"
    "China Mobile ordered 5,000 of Huawei's Ascend 910C chips for $400 million.\n\n"
    "Washington added the H20 to its list of chips that need an export licence for China."
)


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    g = KnowledgeGraph.in_memory()
    g.ingest_text(TEXT, source="reason.txt")
    return g


def test_reason_store_shortcuts_follow_facts(graph: KnowledgeGraph) -> None:
    shortcuts = shortcut_graph(graph.store)
    assert (CKR["firm/moore-threads"], CK.designs, CKR["chip/mtt-s4000"]) in shortcuts
    assert (CKR["firm/china-mobile"], CK.buys, CKR["chip/ascend-910c"]) in shortcuts


@pytest.mark.java
@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")
def test_reason_store_infers_defined_classes(graph: KnowledgeGraph) -> None:
    added = reason_store(graph.store)
    rows = graph.sparql(f"SELECT ?e ?t WHERE {{ GRAPH <{CKG.inferred}> {{ ?e a ?t }} }} ORDER BY ?e ?t")
    types = {(r["e"], r["t"]) for r in rows}
    assert added > 0
    assert (str(CKR["firm/moore-threads"]), str(CK.ChipDesigner)) in types
    assert (str(CKR["firm/china-mobile"]), str(CK.ChipBuyer)) in types
