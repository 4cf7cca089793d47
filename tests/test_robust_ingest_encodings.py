"""Encodings are decoded by the documented rule (kg/ingest/reader.py), never a crash.

UTF-8 (BOM allowed); UTF-16 with a BOM, or without one when every other byte is NUL; any
other bytes without NUL as Windows-1252, with Latin-1 for the five bytes it leaves undefined
(those are C1 controls, which cleaning removes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import KnowledgeGraph

TEXT = "Title: Chips in Zürich\n\nNvidia sold H20 chips to Alibaba, a café owner in Zürich said.\n"
BODY = "Chips in Zürich\n\nNvidia sold H20 chips to Alibaba, a café owner in Zürich said."
BODY_QUERY = """SELECT ?body ?src WHERE { GRAPH ?g { ?a a <https://w3id.org/chipkg/ontology#Article> ;
    <https://schema.org/articleBody> ?body ; <https://w3id.org/chipkg/ontology#source> ?src } }"""


def _ingest(tmp_path: Path, data: bytes, name: str = "a.txt") -> tuple[KnowledgeGraph, list[dict[str, str]]]:
    path = tmp_path / name
    path.write_bytes(data)
    g = KnowledgeGraph.in_memory()
    report = g.ingest([path])
    assert report.stored == 1, report.summary()
    return g, g.store.select(BODY_QUERY)


ENCODINGS = {
    "utf-8": TEXT.encode("utf-8"),
    "utf-8-bom": TEXT.encode("utf-8-sig"),
    "latin-1": TEXT.encode("latin-1"),
    "windows-1252": TEXT.replace("said.", "said \u201cyes\u201d.").encode("cp1252"),
    "utf-16-bom": TEXT.encode("utf-16"),
    "utf-16-le-no-bom": TEXT.encode("utf-16-le"),
    "utf-16-be-no-bom": TEXT.encode("utf-16-be"),
    "crlf": TEXT.replace("\n", "\r\n").encode("utf-8"),
}


@pytest.mark.parametrize("name", ENCODINGS, ids=list(ENCODINGS))
def test_robust_encoding_is_decoded_to_the_same_text(tmp_path: Path, name: str) -> None:
    """Every supported encoding gives the same stored text (line ends normalised)."""
    _, rows = _ingest(tmp_path, ENCODINGS[name])
    expected = BODY.replace("said.", "said \u201cyes\u201d.") if name == "windows-1252" else BODY
    assert [r["body"] for r in rows] == [expected]


def test_robust_invalid_utf8_falls_back_to_windows_1252(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are read as Windows-1252 as a whole (documented), not refused."""
    data = TEXT.encode("utf-8").replace(b"Alibaba", b"Ali\xc3\x28baba")
    _, rows = _ingest(tmp_path, data)
    assert rows[0]["body"] == BODY.encode("utf-8").replace(b"Alibaba", b"Ali\xc3\x28baba").decode("cp1252")
    assert "ZÃ¼rich" in rows[0]["body"]


def test_robust_windows_1252_undefined_bytes_are_dropped(tmp_path: Path) -> None:
    """The five bytes Windows-1252 leaves undefined are read as Latin-1 C1 controls, then removed."""
    data = TEXT.encode("cp1252").replace(b"Nvidia", b"Nvi\x81di\x8da\x8f\x90\x9d")
    _, rows = _ingest(tmp_path, data)
    assert rows[0]["body"] == BODY
