"""Resolve simple references back to the entity just named.

"the Chinese tech giant", "the company", "its", "it" refer to the most recent firm named in the
same or the previous two sentences; "he", "she", "his", "her" to the most recent person. Only
clear cases are resolved: the antecedent must be the most recent entity of that type.

>>> from kg.ingest.reader import ArticleInput
>>> from kg.ingest.segment import Segmenter
>>> from kg.ingest.entities import EntityFinder
>>> text = "Startup Lumora Compute grew. The company unveiled its LX-9 chip."
>>> doc = ArticleDoc(ArticleInput(source="a", path="a", text=text))
>>> Segmenter.load()(doc); EntityFinder.load()(doc); Coreference.load()(doc)
>>> [(m.text, m.key) for m in doc.mentions if m.anaphor]
[('The company', 'firm/lumora-compute'), ('its', 'firm/lumora-compute')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from kg.ingest.document import ArticleDoc, Mention
from kg.resources import lexicon_path

_FIRM_TYPES = {"Firm"}
_PERSON_PRONOUNS = re.compile(r"\b(?:he|she|his|her)\b", re.I)
_FIRM_PRONOUNS = re.compile(
    r"\b[Ii]ts\b|\b[Ii]t(?=\s+(?:has\s+|had\s+|have\s+)?(?:ordered|bought|purchased|acquired|shifted|moved|switched|"
    r"replaced|signed|raised|launched|unveiled|placed|cut|reduced|returned|dropped|ditched|invested|agreed)\b)"
)


@dataclass(frozen=True)
class Coreference:
    """Adds anaphoric mentions (``anaphor=True``) pointing at their antecedent's key."""

    descriptions: re.Pattern[str]
    name: str = "coref"
    needs: tuple[str, ...] = ("sentences", "mentions")
    adds: tuple[str, ...] = ("mentions",)
    reach: int = 2

    @classmethod
    def load(cls) -> Coreference:
        """Build the description pattern from the entity lexicon's anaphora heads."""
        data = yaml.safe_load(lexicon_path("entities.yaml").read_text(encoding="utf-8"))
        heads = "|".join(sorted((re.escape(h) for h in data["firm_anaphora_heads"]), key=len, reverse=True))
        modifiers = "|".join(data["firm_anaphora_modifiers"])
        pattern = rf"\b[Tt]he\s+(?:(?:{modifiers})\s+){{0,3}}(?:{heads})\b(?!\s+(?:of|that|which|who|[A-Z]))"
        return cls(re.compile(pattern))

    def __call__(self, doc: ArticleDoc) -> None:
        """Append resolved anaphoric mentions to ``doc.mentions``."""
        added: list[Mention] = []
        taken = [(m.start, m.end) for m in doc.mentions]
        for s in doc.sentences:
            if s.furniture:
                continue
            for pattern, types in (
                (self.descriptions, _FIRM_TYPES),
                (_FIRM_PRONOUNS, _FIRM_TYPES),
                (_PERSON_PRONOUNS, {"Person"}),
            ):
                for m in pattern.finditer(s.text):
                    start, end = s.start + m.start(), s.start + m.end()
                    if any(a < end and start < b for a, b in taken):
                        continue
                    key = self._antecedent(doc, start, s.index, types)
                    if key:
                        typ = doc.entities[key].type
                        added.append(
                            Mention(
                                start,
                                end,
                                m.group(0),
                                key,
                                typ,
                                s.index,
                                "coref.recent",
                                anaphor=True,
                            )
                        )
                        taken.append((start, end))
        doc.mentions = sorted(doc.mentions + added, key=lambda m: m.start)

    def _antecedent(self, doc: ArticleDoc, at: int, sentence: int, types: set[str]) -> str | None:
        """The subject-most (first) entity of the nearest sentence that names one; persons: the latest."""
        for back in range(sentence, max(-1, sentence - self.reach - 1), -1):
            cands = [
                m for m in doc.mentions if m.sentence == back and m.start < at and not m.anaphor and m.type in types
            ]
            if cands:
                return (cands[-1] if "Person" in types else cands[0]).key
        return None
