"""Control, zero-width and bidi characters and lone surrogates never reach the store, and every
evidence quote is still exactly ``articleBody[start:end]`` (checked by SPARQL on the store)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from kg import KnowledgeGraph

DIRTY = (
    "Nvi\u200bdia sold H20\u0007 chips to Ali\u202ebaba\u202c in April,\u00a0the company said.\u2066\u2069 "
    "Baidu moved away from Nvidia chips to Huawei\u2019s Ascend\ufeff processors\u200d this year.\r\n\r\n"
    "Nvidia\u0000 shares fell 7% on\u0085 Wednesday\ud800 after the\udfff announcement\u200f.\u001b[31m "
    "Cafe\u0301 owners in Zu\u0308rich said nothing."
)
PREFIXES = """PREFIX ck: <https://w3id.org/chipkg/ontology#>
PREFIX schema: <https://schema.org/>
"""
OFFSETS = (
    PREFIXES
    + """SELECT (COUNT(?e) AS ?n) (SUM(IF(SUBSTR(?body, ?s + 1, ?end - ?s) = ?q, 0, 1)) AS ?bad) WHERE {
  GRAPH ?g { ?e a ck:Evidence ; ck:inArticle ?a ; ck:quote ?q ; ck:start ?s ; ck:end ?end .
             ?a schema:articleBody ?body } }"""
)
BODY = PREFIXES + "SELECT ?body WHERE { GRAPH ?g { ?a a ck:Article ; schema:articleBody ?body } }"


def _json_file(tmp_path: Path) -> Path:
    path = tmp_path / "dirty.json"
    # ensure_ascii escapes the lone surrogates as \ud800, as a real JSON feed would carry them.
    path.write_text(json.dumps({"title": "Chips\u200b and\u202e bidi", "text": DIRTY}), encoding="utf-8")
    return path


@pytest.fixture(params=["json-file", "ingest_text"])
def dirty_kg(request: pytest.FixtureRequest, tmp_path: Path) -> KnowledgeGraph:
    """A graph holding the dirty article, read from a JSON file or given as a Python string."""
    g = KnowledgeGraph.in_memory()
    if request.param == "json-file":
        report = g.ingest([_json_file(tmp_path)])
    else:
        report = g.ingest_text(DIRTY, source="dirty.txt")
    assert report.stored == 1, report.summary()
    return g


def _bad_chars(text: str) -> list[str]:
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if (unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\n\t")
        or ch in "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
    ]


def test_robust_stored_text_is_clean(dirty_kg: KnowledgeGraph) -> None:
    """No control, zero-width, bidi or surrogate character is stored; text is NFC; lines end in \\n."""
    body = dirty_kg.store.select(BODY)[0]["body"]
    assert _bad_chars(body) == []
    assert "\r" not in body
    assert "Café owners in Zürich" in body
    assert unicodedata.is_normalized("NFC", body)


def test_robust_lone_surrogates_become_replacement_characters(dirty_kg: KnowledgeGraph) -> None:
    """A lone surrogate is stored as U+FFFD (it cannot be encoded), not dropped silently."""
    body = dirty_kg.store.select(BODY)[0]["body"]
    assert "Wednesday\ufffd after the\ufffd announcement." in body


def test_robust_evidence_offsets_are_exact(dirty_kg: KnowledgeGraph) -> None:
    """Every evidence quote equals SUBSTR(articleBody, start + 1, end - start), in SPARQL."""
    rows = dirty_kg.store.select(OFFSETS)
    assert rows[0]["n"] > 0
    assert rows[0]["bad"] == 0


def test_robust_hidden_characters_do_not_hide_names(dirty_kg: KnowledgeGraph) -> None:
    """``Nvi<ZWSP>dia`` is read as Nvidia: the quote of the first evidence starts with it."""
    quotes = dirty_kg.store.select(PREFIXES + "SELECT ?q WHERE { GRAPH ?g { ?e ck:quote ?q } }")
    assert any(r["q"].startswith("Nvidia sold H20 chips to Alibaba in April") for r in quotes)
