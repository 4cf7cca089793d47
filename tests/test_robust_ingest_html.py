"""HTML: the text of ``<script>``, ``<style>`` and ``<noscript>`` never becomes text, facts or entities."""

from __future__ import annotations

from pathlib import Path

from kg import KnowledgeGraph

PAGE = """<!DOCTYPE html><html><head><title>Nvidia sells H20 chips</title>
<style>body { font-family: "SMIC"; } .x::after { content: "Huawei designs the Ascend 910C chip"; }</style>
<script>var s = "Huawei designs the Ascend 910C chip. SMIC manufactures it for Baidu."; document.write(s);</script>
</head><body><article><h1>Nvidia sells H20 chips</h1>
<p>Nvidia sold H20 chips to Alibaba in April, the company said in a statement on Tuesday.</p>
<script type="application/ld+json">{"@context": "https://schema.org", "headline": "Cambricon buys SMIC"}</script>
<p>Alibaba said it would keep buying Nvidia chips for its cloud unit this year.</p>
<noscript>Tencent switched from Nvidia to Huawei Ascend chips.</noscript>
</article></body></html>"""
HIDDEN = ("Huawei", "Ascend", "SMIC", "Baidu", "Cambricon", "Tencent", "font-family", "document.write")
PREFIXES = """PREFIX ck: <https://w3id.org/chipkg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _kg(tmp_path: Path) -> KnowledgeGraph:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    g = KnowledgeGraph.in_memory()
    assert g.ingest([path]).stored == 1
    return g


def test_robust_html_script_text_is_not_article_text(tmp_path: Path) -> None:
    """The stored article body holds the paragraphs, and none of the script/style/noscript text."""
    body = _kg(tmp_path).store.select(PREFIXES + "SELECT ?b WHERE { GRAPH ?g { ?a schema:articleBody ?b } }")[0]["b"]
    assert "Nvidia sold H20 chips to Alibaba" in body
    assert [w for w in HIDDEN if w in body] == []


def test_robust_html_script_text_gives_no_entities(tmp_path: Path) -> None:
    """No entity named only inside a script or style is mentioned by the article."""
    rows = _kg(tmp_path).store.select(
        PREFIXES
        + """SELECT DISTINCT ?label WHERE { GRAPH ?g { ?a a ck:Article ; ck:mentions ?e }
             GRAPH ?h { ?e rdfs:label ?label } }"""
    )
    labels = {r["label"] for r in rows}
    assert "Nvidia" in labels
    assert [w for w in HIDDEN if any(w in label for label in labels)] == []


def test_robust_html_script_text_gives_no_evidence(tmp_path: Path) -> None:
    """No fact's evidence quotes a script or style."""
    rows = _kg(tmp_path).store.select(PREFIXES + "SELECT ?q WHERE { GRAPH ?g { ?e a ck:Evidence ; ck:quote ?q } }")
    assert rows
    assert [r["q"] for r in rows if any(w in r["q"] for w in HIDDEN)] == []
