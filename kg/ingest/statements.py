"""Statements: who said what, with the speaker's role and affiliation.

One ``Statement`` per (person, sentence) where a named person (or "he"/"she" resolved to
one) is quoted or paraphrased: the sentence has a verb of speech, "according to", or quote
marks (rule ``statement.speech``). The role and affiliation come from the article's own
wording ("Natixis economist Gary Ng", "Jane Doe, an analyst at X"), else from the gazetteer.

>>> from kg.ingest.pipeline import Pipeline
>>> doc = Pipeline.default().extract_text("Demand is strong, said Lin Haoran, an analyst at Fictional Securities.")
>>> [(f.links["speaker"], f.values.get("role")) for f in doc.facts if f.kind == "Statement"]
[('person/lin-haoran', 'analyst')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from kg.ingest.document import ArticleDoc, Fact, Mention
from kg.resources import lexicon_path

ORG_TYPES = {"Firm", "GovernmentBody"}


@dataclass
class StatementFinder:
    """The statement stage."""

    speech: re.Pattern[str]
    roles: re.Pattern[str]
    name: str = "statements"
    needs: tuple[str, ...] = ("sentences", "mentions", "entities")
    adds: tuple[str, ...] = ("facts",)

    @classmethod
    def load(cls) -> StatementFinder:
        """Compile speech verbs and role words from the entity lexicon."""
        d: dict[str, Any] = yaml.safe_load(lexicon_path("entities.yaml").read_text(encoding="utf-8"))
        verbs = "|".join(sorted(map(re.escape, d["speech_verbs"]), key=len, reverse=True))
        roles = "|".join(sorted(map(re.escape, d["person_roles"]), key=len, reverse=True))
        speech = re.compile(
            rf"\b(?:{verbs}|according to|in an interview|in a statement|told reporters)\b|[“”\"]",
            re.I,
        )
        return cls(speech, re.compile(rf"\b(?:{roles})\b", re.I))

    def __call__(self, doc: ArticleDoc) -> None:
        """Add statements and remember each speaker's role and affiliation."""
        profile = self._profiles(doc)
        for s in doc.sentences:
            if s.furniture or not self.speech.search(s.text):
                continue
            seen: set[str] = set()
            for m in doc.mentions_in(s):
                if m.type != "Person" or m.key in seen:
                    continue
                seen.add(m.key)
                fact = Fact("Statement", s, "statement.speech", 0.7 if not m.anaphor else 0.55)
                fact.links["speaker"] = m.key
                role, org = profile.get(m.key, (None, None))
                if role:
                    fact.values["role"] = role
                if org:
                    fact.links["affiliation"] = org
                fact.values["content"] = s.text
                doc.add_fact(fact)

    def _profiles(self, doc: ArticleDoc) -> dict[str, tuple[str | None, str | None]]:
        out: dict[str, tuple[str | None, str | None]] = {}
        for s in doc.sentences:
            mentions = doc.mentions_in(s)
            for i, m in enumerate(mentions):
                if m.type != "Person" or m.anaphor:
                    continue
                role, org = self._around(doc, mentions, i, m)
                old = out.get(m.key, (None, None))
                out[m.key] = (old[0] or role, old[1] or org)
        for key, ent in list(doc.entities.items()):
            if ent.type == "Person" and ent.linked:
                role, org = out.get(key, (None, None))
                aff = ent.data.get("affiliation")
                org_key = _gaz_key(doc, aff) if aff else None
                out[key] = (role or ent.data.get("role"), org or org_key)
        return out

    def _around(self, doc: ArticleDoc, mentions: list[Mention], i: int, m: Mention) -> tuple[str | None, str | None]:
        text = doc.text
        before = text[max(0, m.start - 60) : m.start]
        after = text[m.end : m.end + 80]
        role = org = None
        # "Natixis economist Gary Ng", "economist Gary Ng of Natixis"
        rb = re.search(rf"({self.roles.pattern})\s+$", before, re.I)
        if rb:
            role = rb.group(1)
            orgs = [
                x for x in mentions[:i] if x.type in ORG_TYPES and 0 <= m.start - len(before) + rb.start() - x.end <= 4
            ]
            if orgs:
                org = orgs[-1].key
        # "Gary Ng, an economist at Natixis" / "Gary Ng, Natixis's chief economist"
        ra = re.match(
            rf",\s+(?:(?:a|an|the)\s+)?(?:senior\s+|chief\s+|lead\s+|former\s+)?({self.roles.pattern})\b",
            after,
            re.I,
        )
        if ra and not role:
            role = ra.group(1)
        if not org:
            window_end = m.end + (ra.end() + 40 if ra else 40)
            for x in mentions[i + 1 :]:
                gap = text[m.end : x.start]
                if (
                    x.type in ORG_TYPES
                    and x.start < window_end
                    and re.search(r"\b(?:at|of|with|from)\s+(?:the\s+)?$|,\s+$", gap)
                ):
                    if not re.search(r"[.;]", gap):
                        org = x.key
                    break
        return (role.lower() if role and not role.isupper() else role), org


def _gaz_key(doc: ArticleDoc, record_id: str) -> str | None:
    from kg.gazetteer import Gazetteer

    ent = Gazetteer.load().by_id(record_id)
    if ent is None:
        return None
    doc.entities.setdefault(ent.key, ent)
    return ent.key
