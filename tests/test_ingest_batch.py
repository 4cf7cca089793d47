"""The ingest loop: a graph that fails SHACL is quarantined with its report, and the batch goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from kg.api import KnowledgeGraph
from kg.ingest import mapper
from kg.vocab import CK

GOOD = "Title: Good\n\nTencent replaced Nvidia GPUs with Huawei accelerators.\n"
BAD = "Title: Bad\n\nBaidu bought Kunlun chips from Kunlunxin.\n"


def _write(folder: Path) -> None:
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b_bad.txt").write_text(BAD, encoding="utf-8")


def test_ingest_batch_quarantines_invalid_graph_and_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = mapper.to_triples

    def broken(doc, *, run):  # type: ignore[no-untyped-def]
        triples = original(doc, run=run)
        if "Baidu" in doc.text:  # an evidence node with a confidence out of range violates the shapes
            triples = [(s, p, Literal(7) if p == CK.confidence else o) for s, p, o in triples]
        return triples

    monkeypatch.setattr("kg.ingest.batch.to_triples", broken)
    _write(tmp_path / "in")
    g = KnowledgeGraph.open(tmp_path / "store")
    report = g.ingest([tmp_path / "in"])
    assert report.stored == 1 and not report.ok
    assert [src for src, _ in report.quarantined] == [str(tmp_path / "in" / "b_bad.txt")]
    assert g.quarantine is not None
    (item,) = g.quarantine.list()
    assert item["source"].endswith("b_bad.txt") and Path(item["report"]).read_text(encoding="utf-8")
    sources = [r.source for r in g.ask("sources")]
    assert sources == [str(tmp_path / "in" / "a_good.txt")]


def test_ingest_batch_reports_unreadable_by_name(tmp_path: Path) -> None:
    _write(tmp_path / "in")
    (tmp_path / "in" / "c_empty.txt").write_bytes(b"")
    report = KnowledgeGraph.in_memory().ingest([tmp_path / "in"])
    assert report.stored == 2
    assert report.unreadable == [(str(tmp_path / "in" / "c_empty.txt"), "empty file")]
