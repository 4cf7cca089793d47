"""Policies: a policy cue, its issuer, its type, its targets and its date, per sentence.

One ``PolicyAction`` fact per (policy, named target) in a sentence (rule ``policy.cue``); a
target is reported once per sentence. The policy is the gazetteer policy named in the
sentence, or one minted from the cue ("US export controls", "H20 chip ban"). Targets are the
entities in the cue's region: after it up to the end of its clause, inside a verb cue ("added
Biren and Moore Threads to the Entity List"), a modifier right before it ("H20 chip ban"), the
subject of a passive cue ("the H20 would need a licence"), or the object of a purpose verb
("intended to curb China's rise"). Cues, issuers and markers are data
(``kg/data/lexicons/policies.yaml``).

>>> from kg.ingest.pipeline import Pipeline
>>> doc = Pipeline.default().extract_text("The US imposed export controls on China in October 2022.")
>>> [(f.links["target"], f.values.get("date")) for f in doc.facts if f.kind == "PolicyAction"]
[('country/cn', '2022-10')]
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
_NEG = re.compile(
    r"\b(?:no|not|never|without|lift\w*|eas\w*|scrap\w*|rescind\w*|revok\w*|further|future|possible|potential|"
    r"any|more|earlier|comply with|complying with)\s+(?:\w+\s+){0,2}$|\b(?:could|would|may|might)\s+$",
    re.I,
)
_REGION_END = re.compile(
    r"[;:—–(]|\s-\s|,\s+(?!including|such as|as well as)|\b(?:is|are|was|were|will|would|could|may|might|can|"
    r"should|has|have|had|that|which|who|because|but|while|after|when|since|said|says|saying|according|meaning|"
    r"leaving|forcing|prompting|pushing|cutting|sending|hitting|citing|as|prompted|pushed|pushes|push|forced|forces|"
    r"led|leads|drove|drives|spurred|spurs|fuel(?:l?ed|s)?|accelerat\w*|boost\w*|hurt|hurts|hit|hits|caught|"
    r"kept|keeps|left|leaves|made|makes|gave|gives|sent|sends|took|takes|went|goes|means|meant|shows|showed)\b"
)
_NOUN_END = re.compile(
    r"(?:controls?|restrictions?|curbs?|bans?|rules?|list|List|listings?|requirements?|licen[cs]es?|tariffs?|"
    r"sanctions?|guidance|directives?|instructions?|embargo|measures|limits|regulations|package|polic(?:y|ies)|"
    r"blacklist|duties|investigation|probe|funding|subsidies|support|investment|Fund|fund|crackdown|blockade)$"
)
_EXCLUDE_BEFORE = re.compile(r"\b(?:by|from|according to|with|than|unlike|like)\s+(?:the\s+)?$", re.I)
_TARGETED = re.compile(r"\s+(?:on|against|targeting|aimed at|that (?:target|bar|ban|restrict)\w*)\s")
_POSS_CHIP = re.compile(r"\s*['’]s?\s+(?:[a-z\-]+\s+){0,2}")


@dataclass(frozen=True)
class _Cue:
    type: str
    strong: bool
    pattern: re.Pattern[str]
    inside: bool = False
    subject: bool = False


@dataclass
class PolicyFinder:
    """The policy stage: adds ``PolicyAction`` facts and minted policy entities."""

    cues: list[_Cue]
    issuers: list[tuple[re.Pattern[str], str]]
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
        cues = [
            _Cue(
                c["type"],
                bool(c["strong"]),
                re.compile(rf"\b(?:{c['pattern']})\b", re.I),
                c.get("inside", False),
                c.get("subject", False),
            )
            for c in d["cues"]
        ]
        return cls(
            cues=cues,
            issuers=[(re.compile(rf"(?:^|\b)(?:{k})\s+(?:\w+[\s-]+){{0,3}}$"), v) for k, v in d["issuers"].items()],
            purpose=re.compile(d["purpose_verbs"], re.I),
            subject=re.compile(d["subject_markers"], re.I),
            gazetteer=gazetteer or Gazetteer.load(),
        )

    def __call__(self, doc: ArticleDoc) -> None:
        """Add policy facts for every sentence with a policy cue."""
        for s in doc.sentences:
            if s.furniture:
                continue
            mentions = doc.mentions_in(s)
            done: set[str] = set()
            for cue, m in self._cues(s):
                done |= self._one(doc, s, mentions, cue, m, done)

    def _cues(self, s: Sentence) -> list[tuple[_Cue, re.Match[str]]]:
        found: list[tuple[_Cue, re.Match[str]]] = []
        for cue in self.cues:
            for m in cue.pattern.finditer(s.text):
                if all(m.end() <= o.start() or m.start() >= o.end() for _, o in found):
                    found.append((cue, m))
        return sorted(found, key=lambda cm: (not cm[0].strong, cm[1].start()))

    def _one(
        self, doc: ArticleDoc, s: Sentence, mentions: list[Mention], cue: _Cue, m: re.Match[str], done: set[str]
    ) -> set[str]:
        if _NEG.search(s.text[: m.start()][-40:]):
            return set()
        issuer = self._issuer(doc, s, mentions, m)
        if issuer is None and not cue.strong and not _TARGETED.match(s.text, m.end()):
            return set()
        excluded = {issuer, *self._issuer_countries(doc, issuer)}
        targets = [t for t in self._targets(doc, s, mentions, cue, m) if t not in excluded and t not in done]
        if not targets:
            return set()
        policy = self._policy(doc, mentions, cue, m, issuer)
        if issuer is None and policy.linked and (gaz := self.gazetteer.by_id(str(policy.data.get("issuer", "")))):
            issuer = gaz.key
            doc.entities.setdefault(gaz.key, gaz)
        date = month_year(s.text)
        for t in targets:
            fact = Fact("PolicyAction", s, "policy.cue", 0.7 if cue.strong else 0.55)
            fact.links.update(policy=policy.key, target=t)
            if issuer:
                fact.links["issuer"] = issuer
            if date:
                fact.values["date"] = date
            doc.add_fact(fact)
        return set(targets)

    def _issuer(self, doc: ArticleDoc, s: Sentence, mentions: list[Mention], m: re.Match[str]) -> str | None:
        at = s.start + m.start()
        bodies = [x for x in mentions if x.type == "GovernmentBody"]
        before = [x for x in bodies if x.end <= at]
        if before:
            return before[-1].key
        lead = s.text[max(0, m.start() - 40) : m.start()]
        for pattern, name in self.issuers:
            if pattern.search(lead) and (hits := self.gazetteer.lookup(name)):
                doc.entities.setdefault(hits[0].key, hits[0])
                return hits[0].key
        for x in reversed([x for x in mentions if x.type == "Country" and x.end <= at]):
            if gov := self._government_of(doc, x.key):
                return gov
        if bodies:
            return bodies[0].key
        people = [x for x in mentions if x.type == "Person" and doc.entities[x.key].linked and 0 <= at - x.end <= 30]
        return people[-1].key if people else None  # a known leader ("Trump's tariffs"), never an analyst

    def _government_of(self, doc: ArticleDoc, country_key: str) -> str | None:
        country = doc.entities.get(country_key)
        gov = self.gazetteer.by_id(str(country.data.get("government", ""))) if country else None
        if gov is None:
            return None
        doc.entities.setdefault(gov.key, gov)
        return gov.key

    def _issuer_countries(self, doc: ArticleDoc, issuer: str | None) -> set[str]:
        ent = doc.entities.get(issuer or "")
        iso = str(ent.data.get("country", "")) if ent else ""
        return {k for k, e in doc.entities.items() if e.type == "Country" and iso and e.data.get("iso2") == iso}

    def _targets(self, doc: ArticleDoc, s: Sentence, mentions: list[Mention], cue: _Cue, m: re.Match[str]) -> list[str]:
        c0, c1 = s.start + m.start(), s.start + m.end()
        cands = [x for x in mentions if x.type in TARGET_TYPES and not x.anaphor and not self._excluded(doc, x)]
        out: list[str] = []
        for x in cands:  # a modifier right before the cue: "H20 chip ban", "Huawei sanctions"
            if (
                x.type != "Country"
                and 0 <= c0 - x.end <= 6
                and re.fullmatch(r"[\s'’s]*(?:chip\s*|AI\s*)?", doc.text[x.end : c0])
            ):
                out.append(x.key)
        out += [x.key for x in cands if c0 <= x.start and x.end <= c1]
        end = _REGION_END.search(s.text, m.end())
        r1 = s.start + (end.start() if end else len(s.text))
        out += [x.key for x in cands if c1 <= x.start < r1][:6]
        lead = s.text[: m.start()]
        if cue.subject:  # "the H20 would need a licence": the nearest subject in the clause
            start = s.start + max(lead.rfind(", "), lead.rfind("; "), 0)
            before = [x for x in cands if start <= x.start and x.end <= c0 and x.type != "Country"]
            if not before and re.search(r",\s+(?:which|who)\b[^,]*$", lead):  # "Cambricon, which has been on ..."
                before = [x for x in cands if x.end <= c0 and x.type != "Country"][:1]
            out += [x.key for x in before[-1:]]
        if self.subject.search(lead):  # "Huawei ..., navigating US sanctions": the sentence's subject
            before = [x for x in cands if x.end <= c0 and x.type in {"Firm", "Country"}]
            out += [x.key for x in before[:1]]
        for pv in self.purpose.finditer(s.text):
            at = s.start + pv.end()
            out += [x.key for x in cands if 0 <= x.start - at <= 4]
        return list(dict.fromkeys(out))

    def _excluded(self, doc: ArticleDoc, x: Mention) -> bool:
        """Agents ("by X", "from X") and a chip's maker ("Nvidia's A100") are not targets."""
        if _EXCLUDE_BEFORE.search(doc.text[max(0, x.start - 30) : x.start]):
            return True
        if x.type != "Firm":
            return False
        return any(
            m.type in {"Chip", "ChipFamily"} and _POSS_CHIP.fullmatch(doc.text[x.end : m.start])
            for m in doc.mentions_in(doc.sentences[x.sentence])
            if 0 < m.start - x.end <= 30
        )

    def _policy(
        self, doc: ArticleDoc, mentions: list[Mention], cue: _Cue, m: re.Match[str], issuer: str | None
    ) -> Entity:
        named = [x for x in mentions if x.key.startswith("policy/")]
        if named:
            return doc.entities[named[0].key]
        text = re.sub(r"^the\s+", "", m.group(0), flags=re.I)
        if cue.inside or len(text.split()) > 4 or not _NOUN_END.search(text):
            text = _TYPE_NAMES[cue.type]
        first = text.split()[0]
        if issuer and not (first[:1].isupper() or any(c.isdigit() for c in first)):
            short = re.sub(r"\s*government$|^the\s+", "", doc.entities[issuer].label, flags=re.I)
            label = f"{short} {text}"
        else:
            label = text
        label = re.sub(r"\s+", " ", label).strip()
        key = f"policy/{slug(label)}"
        return doc.entities.setdefault(key, Entity(key, cue.type, label, False))


_TYPE_NAMES = {
    "EntityListing": "Entity List additions",
    "LicenceRequirement": "licence requirement",
    "PurchaseGuidance": "purchase guidance",
    "ExportControl": "export restrictions",
    "Tariff": "tariffs",
    "Sanction": "sanctions",
    "StateFunding": "state funding",
    "Policy": "policy",
}
