"""Policies: a policy cue, its issuer, its type, its targets and its date, per sentence.

One ``PolicyAction`` fact per (policy, named target) in a sentence (rule ``policy.cue``);
the policy is the gazetteer policy named in the sentence, or a policy minted from the cue
("US export controls", "H20 chip ban"). Cues, issuers and target markers are data
(``kg/data/lexicons/policies.yaml``).

>>> from kg.ingest.pipeline import Pipeline
>>> doc = Pipeline.default().extract_text("The US imposed export controls on China in October 2022.")
>>> [(f.links["target"], f.values.get("date")) for f in doc.facts if f.kind == "PolicyAction"]
[('country/china', '2022-10')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from kg.gazetteer import Gazetteer, slug
from kg.ingest.dates import month_year
from kg.ingest.document import ArticleDoc, Entity, Fact, Mention, Sentence
from kg.resources import lexicon_path

TARGET_TYPES = {"Country", "Firm", "Chip", "ChipFamily", "Technology", "Device"}
ISSUER_TYPES = {"GovernmentBody", "Person", "Country"}
_NEG = re.compile(
    r"\b(?:no|not|never|without|lift\w*|eas\w*|scrap\w*|rescind\w*|revok\w*)\s+(?:\w+\s+){0,2}$",
    re.I,
)


@dataclass(frozen=True)
class _Cue:
    type: str
    strong: bool
    pattern: re.Pattern[str]


@dataclass
class PolicyFinder:
    """The policy stage: adds ``PolicyAction`` facts and minted policy entities."""

    cues: list[_Cue]
    issuers: list[tuple[re.Pattern[str], str]]
    markers: re.Pattern[str]
    purpose: re.Pattern[str]
    subject: re.Pattern[str]
    gazetteer: Gazetteer
    name: str = "policies"
    needs: tuple[str, ...] = ("sentences", "mentions", "entities")
    adds: tuple[str, ...] = ("facts", "entities")

    @classmethod
    def load(cls, gazetteer: Gazetteer | None = None) -> PolicyFinder:
        """Compile the policy lexicon."""
        d: dict[str, Any] = yaml.safe_load(lexicon_path("policies.yaml").read_text(encoding="utf-8"))
        return cls(
            cues=[_Cue(c["type"], bool(c["strong"]), re.compile(rf"\b(?:{c['pattern']})\b", re.I)) for c in d["cues"]],
            issuers=[(re.compile(rf"(?:^|\b)(?:{k})\s+(?:\w+[\s-]+){{0,3}}$"), v) for k, v in d["issuers"].items()],
            markers=re.compile(d["target_markers"], re.I),
            purpose=re.compile(d["purpose_verbs"], re.I),
            subject=re.compile(d["subject_markers"], re.I),
            gazetteer=gazetteer or Gazetteer.load(),
        )

    def __call__(self, doc: ArticleDoc) -> None:
        """Add policy facts for every sentence with a policy cue."""
        for s in doc.sentences:
            if s.furniture:
                continue
            mentions = [m for m in doc.mentions_in(s)]
            for cue, m in self._cues(s):
                self._one(doc, s, mentions, cue, m)

    def _cues(self, s: Sentence) -> list[tuple[_Cue, re.Match[str]]]:
        found: list[tuple[_Cue, re.Match[str]]] = []
        for cue in self.cues:
            for m in cue.pattern.finditer(s.text):
                if all(m.end() <= o.start() or m.start() >= o.end() for _, o in found):
                    found.append((cue, m))
        return sorted(found, key=lambda cm: cm[1].start())

    def _one(self, doc: ArticleDoc, s: Sentence, mentions: list[Mention], cue: _Cue, m: re.Match[str]) -> None:
        c0, c1 = s.start + m.start(), s.start + m.end()
        if _NEG.search(s.text[: m.start()][-40:]):
            return
        issuer = self._issuer(doc, s, mentions, m)
        if issuer is None and not cue.strong:
            return
        targets = self._targets(doc, s, mentions, m, c0, c1)
        if not targets:
            return
        policy = self._policy(doc, mentions, cue, m, issuer)
        rule = "policy.cue"
        issuer_country = doc.entities[issuer].data.get("country") if issuer else None
        for t in targets:
            ent = doc.entities.get(t)
            if t in (issuer, policy.key) or (ent and ent.type == "Country" and ent.data.get("iso2") == issuer_country):
                continue
            fact = Fact("PolicyAction", s, rule, 0.7 if cue.strong else 0.55)
            fact.links["policy"] = policy.key
            fact.links["target"] = t
            if issuer:
                fact.links["issuer"] = issuer
            if d := month_year(s.text):
                fact.values["date"] = d
            doc.add_fact(fact)

    def _issuer(self, doc: ArticleDoc, s: Sentence, mentions: list[Mention], m: re.Match[str]) -> str | None:
        lead = s.text[max(0, m.start() - 40) : m.start()]
        for pattern, name in self.issuers:
            if pattern.search(lead):
                hits = self.gazetteer.lookup(name)
                if hits:
                    doc.entities.setdefault(hits[0].key, hits[0])
                    return hits[0].key
        bodies = [x for x in mentions if x.type == "GovernmentBody"]
        if not bodies:
            states = [x for x in mentions if x.type == "Country" and x.end <= s.start + m.start()]
            for x in reversed(states):
                gov = self._government_of(doc, x.key)
                if gov:
                    return gov
        before = [x for x in bodies if x.end <= s.start + m.start()]
        if before:
            return before[-1].key
        if bodies:
            return bodies[0].key
        people = [x for x in mentions if x.type == "Person" and 0 <= s.start + m.start() - x.end <= 30]
        return people[-1].key if people else None

    def _government_of(self, doc: ArticleDoc, country_key: str) -> str | None:
        country = doc.entities.get(country_key)
        iso = str(country.data.get("iso2", "")) if country else ""
        for e in self.gazetteer.entities.values():
            if (
                e.type == "GovernmentBody"
                and e.label.endswith("government")
                and e.data.get("country") == iso
                and not e.data.get("parent")
            ):
                doc.entities.setdefault(e.key, e)
                return e.key
        return None

    def _targets(
        self,
        doc: ArticleDoc,
        s: Sentence,
        mentions: list[Mention],
        m: re.Match[str],
        c0: int,
        c1: int,
    ) -> list[str]:
        cands = [x for x in mentions if x.type in TARGET_TYPES and not x.anaphor]
        out: list[str] = []
        # a modifier right before the cue: "H20 chip ban", "Huawei sanctions"
        for x in cands:
            if (
                x.type != "Country"
                and 0 <= c0 - x.end <= 6
                and re.fullmatch(r"[\s'’s]*(?:chip\s*|AI\s*)?", doc.text[x.end : c0])
            ):
                out.append(x.key)
        # after a target marker that follows the cue
        mk = self.markers.search(s.text, m.end())
        if mk is not None and mk.start() - m.end() <= 40:
            start = s.start + mk.end()
            after = [x for x in cands if 0 <= x.start - start <= 50]
            for x in after[:1]:
                out.append(x.key)
                last = x
                for y in after[1:]:
                    if re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*", doc.text[last.end : y.start]):
                        out.append(y.key)
                        last = y
        # the object of a purpose verb: "intended to curb China's rise"
        for pv in self.purpose.finditer(s.text):
            at = s.start + pv.end()
            out += [x.key for x in cands if 0 <= x.start - at <= 4]
        # the subject of "navigating US sanctions"
        if self.subject.search(s.text[: m.start()]):
            before = [x for x in cands if x.end <= c0 and x.type in {"Firm", "Country"}]
            if before:
                out.append(before[-1].key)
        return list(dict.fromkeys(out))

    def _policy(
        self,
        doc: ArticleDoc,
        mentions: list[Mention],
        cue: _Cue,
        m: re.Match[str],
        issuer: str | None,
    ) -> Entity:
        named = [x for x in mentions if x.key.startswith("policy/")]
        if named:
            return doc.entities[named[0].key]
        text = re.sub(r"^the\s+", "", m.group(0), flags=re.I)
        first = text.split()[0]
        if issuer and not (first[:1].isupper() or any(c.isdigit() for c in first)):
            short = re.sub(r"\s*government$|^the\s+", "", doc.entities[issuer].label, flags=re.I)
            label = f"{short} {text}"
        else:
            label = text
        label = re.sub(r"\s+", " ", label).strip()
        key = f"policy/{slug(label)}"
        return doc.entities.setdefault(key, Entity(key, cue.type, label, False))
