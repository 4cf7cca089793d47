"""The same article twice is stored once; different articles that share a title are both stored."""

from __future__ import annotations

from pathlib import Path

from kg import KnowledgeGraph

ARTICLE = "Title: Nvidia sells H20 chips\n\nNvidia sold H20 chips to Alibaba in April, the company said.\n"
OTHER_BODY = "Title: Nvidia sells H20 chips\n\nTencent ordered H20 chips from Nvidia in May, people familiar said.\n"
ARTICLES = """SELECT ?g ?title WHERE { GRAPH ?g {
  ?a a <https://w3id.org/chipkg/ontology#Article> ; <http://purl.org/dc/terms/title> ?title } } ORDER BY ?g"""


def test_robust_same_file_twice_is_unchanged(tmp_path: Path, store_hash) -> None:
    """Ingesting the same file again reports it ``unchanged`` and leaves the store as it was."""
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    g = KnowledgeGraph.in_memory()
    assert g.ingest([path]).stored == 1
    before = store_hash(g.store)
    again = g.ingest([path])
    assert (again.stored, again.unchanged, again.ok) == (0, 1, True)
    assert store_hash(g.store) == before


def test_robust_same_text_in_two_files_is_stored_once(tmp_path: Path) -> None:
    """Two files with the same text (no URL) are one article: the second is ``unchanged``."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    g = KnowledgeGraph.in_memory()
    report = g.ingest([tmp_path])
    assert (report.stored, report.unchanged) == (1, 1)
    assert len(g.store.select(ARTICLES)) == 1


def test_robust_same_url_in_one_batch_is_stored_once(tmp_path: Path) -> None:
    """The same URL and text twice in one JSON Lines batch: stored once, then ``unchanged``."""
    line = '{"url": "https://news.example/a", "title": "Nvidia sells H20 chips", "text": "Nvidia sold H20 chips."}'
    (tmp_path / "feed.jsonl").write_text(line + "\n" + line + "\n", encoding="utf-8")
    report = KnowledgeGraph.in_memory().ingest([tmp_path / "feed.jsonl"])
    assert (report.stored, report.unchanged) == (1, 1)


def test_robust_two_articles_with_one_title_are_both_stored(tmp_path: Path) -> None:
    """Different texts under the same title are two articles, each with that title."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(OTHER_BODY, encoding="utf-8")
    g = KnowledgeGraph.in_memory()
    assert g.ingest([tmp_path]).stored == 2
    rows = g.store.select(ARTICLES)
    assert len({r["g"] for r in rows}) == 2
    assert {r["title"] for r in rows} == {"Nvidia sells H20 chips"}
