"""Bad header values: a URL that is not a URL, a date that is not a date. The article is stored
without them, and the report carries a warning naming the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import KnowledgeGraph

BODY = "Nvidia sold H20 chips to Alibaba, the company said in a statement.\n"
ARTICLE = """PREFIX ck: <https://w3id.org/chipkg/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?src ?url ?date WHERE { GRAPH ?g { ?a a ck:Article ; ck:source ?src .
  OPTIONAL { ?a schema:url ?url } OPTIONAL { ?a schema:datePublished ?date } } }"""


def _ingest(tmp_path: Path, header: str) -> tuple[Path, list[tuple[str, str]], dict[str, str]]:
    path = tmp_path / "a.txt"
    path.write_text(f"Title: Nvidia sells chips\n{header}\n\n{BODY}", encoding="utf-8")
    g = KnowledgeGraph.in_memory()
    report = g.ingest([path])
    assert report.stored == 1, report.summary()
    (row,) = g.store.select(ARTICLE)
    return path, report.warnings, row


@pytest.mark.parametrize(
    "url", ["not a url", "javascript:alert(1)", "file:///etc/passwd", "https://", "https://ex ample.com/a"]
)
def test_robust_url_that_is_not_a_url_is_a_warning(tmp_path: Path, url: str) -> None:
    """A URL header that is not an http(s) URL: the path is the source, no schema:url, one warning."""
    path, warnings, row = _ingest(tmp_path, f"URL: {url}")
    assert row["src"] == str(path)
    assert row["url"] is None
    assert warnings == [(str(path), f"URL {url!r} is not an http(s) URL; the file path is the source")]


def test_robust_good_url_is_the_source(tmp_path: Path) -> None:
    """The positive control: an http(s) URL is the source and schema:url, with no warning."""
    _, warnings, row = _ingest(tmp_path, "URL: https://news.example/a")
    assert (row["src"], row["url"], warnings) == ("https://news.example/a", "https://news.example/a", [])


@pytest.mark.parametrize("value", ["sometime soon", "2025-13-45", "31/02/2025", "Tuesday"])
def test_robust_date_that_is_not_a_date_is_a_warning(tmp_path: Path, value: str) -> None:
    """A Date header that is not a date: no schema:datePublished, one warning naming the value."""
    path, warnings, row = _ingest(tmp_path, f"Date: {value}")
    assert row["date"] is None
    assert warnings == [(str(path), f"date {value!r} is not a date; ignored")]


def test_robust_good_date_is_stored(tmp_path: Path) -> None:
    """The positive control: a real date is stored, with no warning."""
    _, warnings, row = _ingest(tmp_path, "Date: 2025-04-24")
    assert (row["date"], warnings) == ("2025-04-24", [])
