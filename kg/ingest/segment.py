"""Sentence segmentation with character offsets, and page-furniture detection.

Lines are hard boundaries (headlines, bullets and list items end without punctuation);
inside a line a sentence ends at ``.``, ``!`` or ``?`` (with closing quotes) before a capital,
a digit or an opening quote, unless the token is a known abbreviation. Bullet marks are left
out of the sentence span.

>>> from kg.ingest.reader import ArticleInput
>>> doc = ArticleDoc(ArticleInput(source="a", path="a", text="U.S. rules bite. Huawei gains.\\n- Shares rose"))
>>> Segmenter.load()(doc)
>>> [s.text for s in doc.sentences]
['U.S. rules bite.', 'Huawei gains.', 'Shares rose']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from kg.ingest.document import ArticleDoc, Sentence
from kg.resources import lexicon_path

_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_BULLET = re.compile(r"^\s*(?:[-*•·▪‣–—]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Segmenter:
    """Splits an article into sentences and marks furniture lines (data: segment.yaml)."""

    abbreviations: frozenset[str]
    cut_from: re.Pattern[str]
    drop_line: re.Pattern[str]
    name: str = "segment"
    needs: tuple[str, ...] = ("text",)
    adds: tuple[str, ...] = ("sentences",)

    @classmethod
    def load(cls) -> Segmenter:
        """Build the segmenter from ``kg/data/lexicons/segment.yaml``."""
        data = yaml.safe_load(lexicon_path("segment.yaml").read_text(encoding="utf-8"))

        def alt(items: list[str]) -> re.Pattern[str]:
            return re.compile("^(?:" + "|".join(items) + r")\s*$", re.I)

        return cls(
            abbreviations=frozenset(a.lower() for a in data["abbreviations"]),
            cut_from=alt(data["cut_from"]),
            drop_line=alt(data["drop_line"]),
        )

    def __call__(self, doc: ArticleDoc) -> None:
        """Fill ``doc.sentences``."""
        sentences: list[Sentence] = []
        furniture_from = len(doc.text)
        for start, line in _lines(doc.text):
            stripped = line.strip()
            if stripped and self.cut_from.match(stripped) and start > len(doc.text) // 4:
                furniture_from = min(furniture_from, start)
            furniture = start >= furniture_from or bool(self.drop_line.match(stripped))
            for s, e in self._split_line(line):
                text = doc.text[start + s : start + e]
                sentences.append(Sentence(len(sentences), start + s, start + e, text, furniture))
        doc.sentences = sentences

    def _split_line(self, line: str) -> Iterator[tuple[int, int]]:
        m = _BULLET.match(line)
        pos = m.end() if m else 0
        begin = pos
        for end in _END.finditer(line, pos):
            if self._is_abbreviation(line, end.start()):
                continue
            yield from _trimmed(line, begin, end.end())
            begin = end.end()
        yield from _trimmed(line, begin, len(line))

    def _is_abbreviation(self, line: str, dot: int) -> bool:
        if line[dot] != ".":
            return False
        word = re.search(r"([A-Za-z][A-Za-z.]*)$", line[:dot])
        if not word:
            return False
        w = word.group(1).lower()
        return w in self.abbreviations or (len(w) == 1 and w.isalpha())


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _trimmed(line: str, s: int, e: int) -> Iterator[tuple[int, int]]:
    while s < e and line[s].isspace():
        s += 1
    while e > s and line[e - 1].isspace():
        e -= 1
    if e > s and any(c.isalnum() for c in line[s:e]):
        yield s, e
