"""Files that cannot be articles are reported by name with their reason; the batch goes on.

Each bad file, ingested into a store that holds an article, leaves the store byte-for-byte as
it was (``store_hash``); in a batch with a good article, the good one is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kg.ingest.reader
from kg import KnowledgeGraph

GOOD = "Title: Nvidia sells H20 chips\n\nNvidia sold H20 chips to Alibaba in April, the company said.\n"
OTHER = "Title: Alibaba buys chips\n\nAlibaba bought Ascend chips from Huawei, people familiar with the matter said.\n"

BAD: dict[str, tuple[str, bytes, str]] = {
    "empty": ("empty.txt", b"", "empty file"),
    "whitespace": ("blank.md", b" \n\t\n", "empty file"),
    "binary": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file (NUL bytes)"),
    "bad-utf16": ("u16.txt", b"\xff\xfe" + "Nvidia".encode("utf-16-le") + b"\x00\xd8A\x00", "invalid utf-16"),
    "json-duplicate-key": (
        "dup.json",
        b'{"title": "a", "text": "Nvidia.", "text": "b"}',
        "bad JSON: duplicate key 'text'",
    ),
    "json-nan": ("nan.json", b'{"title": "a", "text": "Nvidia.", "score": NaN}', "bad JSON: NaN is not valid JSON"),
    "json-deep": ("deep.json", b'{"text": "x", "d": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "JSON nested 10001 deep"),
    "json-huge-number": (
        "num.json",
        b'{"text": "Nvidia sells chips.", "n": ' + b"7" * 100_000 + b"}",
        "bad JSON: Exceeds the limit (4300 digits) for integer string conversion",
    ),
    "json-not-object": ("str.json", b'"just a string"', "a JSON record must be an object"),
    "json-no-text": ("notext.json", b'{"title": "Only a title"}', "record has no 'text' or 'body' string"),
    "html-no-text": (
        "empty.html",
        b"<html><head><script>var nvidia = 1;</script></head><body></body></html>",
        "HTML page has no main text",
    ),
}


@pytest.fixture(scope="module")
def kg_one(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """An in-memory graph holding one article (shared: the tests below must not change it)."""
    g = KnowledgeGraph.in_memory()
    path = tmp_path_factory.mktemp("good") / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    assert g.ingest([path]).stored == 1
    return g


@pytest.mark.parametrize("kind", BAD, ids=list(BAD))
def test_robust_unreadable_is_named_and_changes_nothing(kg_one, tmp_path: Path, store_hash, kind: str) -> None:
    """A bad file: one ``unreadable`` entry (its path, its reason), nothing stored, the store unchanged."""
    name, data, reason = BAD[kind]
    path = tmp_path / name
    path.write_bytes(data)
    before = store_hash(kg_one.store)
    report = kg_one.ingest([path])
    assert [n for n, _ in report.unreadable] == [str(path)]
    assert report.unreadable[0][1].startswith(reason)
    assert (report.stored, report.unchanged, report.failed, report.quarantined) == (0, 0, [], [])
    assert store_hash(kg_one.store) == before


def test_robust_unreadable_does_not_stop_the_batch(tmp_path: Path) -> None:
    """Every bad file of a batch is reported, in order, and the good article after them is stored."""
    paths = []
    for name, data, _ in BAD.values():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    (tmp_path / "zz_other.txt").write_text(OTHER, encoding="utf-8")
    report = KnowledgeGraph.in_memory().ingest([*paths, tmp_path / "zz_other.txt"])
    assert [n for n, _ in report.unreadable] == [str(p) for p in paths]
    assert report.stored == 1
    assert not report.ok


def test_robust_file_over_size_cap_is_unreadable(kg_one, tmp_path: Path, store_hash, monkeypatch) -> None:
    """A file over ``kg.ingest.reader.MAX_BYTES`` is refused by size, before it is read."""
    monkeypatch.setattr(kg.ingest.reader, "MAX_BYTES", 64)
    path = tmp_path / "long.txt"
    path.write_text(OTHER, encoding="utf-8")
    before = store_hash(kg_one.store)
    report = kg_one.ingest([path])
    assert report.unreadable == [(str(path), f"{len(OTHER.encode())} bytes is over the 64-byte limit")]
    assert store_hash(kg_one.store) == before


def test_robust_jsonl_bad_line_is_named_by_line(kg_one, tmp_path: Path) -> None:
    """In JSON Lines, a bad line makes the file unreadable, naming the line."""
    path = tmp_path / "feed.jsonl"
    good = json.dumps({"title": "Alibaba buys chips", "text": OTHER})
    path.write_text(good + "\n" + '{"text": NaN}\n', encoding="utf-8")
    report = kg_one.ingest([path])
    assert report.unreadable == [(f"{path}:2", "bad JSON: NaN is not valid JSON")]
