"""Causal claims: cause, effect, polarity, hedging, negation and attribution per cue.

A cue from ``kg/data/lexicons/causal.yaml`` splits its clause: for a forward cue ("X spurred
Y") the cause is the clause's subject and the effect what follows; for a backward cue ("Y
because of X") the other way round; a purpose cue ("intended to curb Y") states an aim and is
hedged by nature. A claim is what the article *reports*: it keeps its hedge ("may", "could",
a question), its negation ("did not slow") and who it is attributed to. Rule ids are
``causal.<cue id>``.

>>> from kg.ingest.pipeline import Pipeline
>>> doc = Pipeline.default().extract_text("The export controls could accelerate Huawei's chip push.")
>>> [(f.values["causeText"], f.values["effectText"], f.values["polarity"], f.values["hedged"])
...  for f in doc.facts if f.kind == "CausalClaim"]
[('The export controls', "Huawei's chip push", 'increases', True)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from kg.ingest.document import ArticleDoc, Fact, Mention, Sentence
from kg.resources import lexicon_path

_SUBORDINATE = re.compile(
    r"^(?:while|when|whereas|although|though|as|after|before|since|if|despite|however|in|for|with|by|because|once|even|given)\b",
    re.I,
)
_TRAIL = re.compile(
    r"(?:\s+(?:is|are|was|were|has|have|had|been|be|being|will|would|could|may|might|can|should|must|"
    r"likely|also|further|inadvertently|paradoxically|ultimately|effectively|already|actively|rapidly|"
    r"significantly|simply|just|not|only|to|that|which|who|and|continues|continue|set|poised|expected|"
    r"beginning|begun|starting|appears|seems|serve|serves|aim|aimed|now|increasingly|in turn|itself|"
    r"themselves|indeed|arguably|potentially|possibly|perhaps|probably|in fact|helped|helping|help|did|does|do|"
    r"n['’]t|never|no longer|could have|may have|might have|surprisingly|effective|very|so far|"
    r"dramatically|quickly|further|directly|indirectly|largely|partly))+\s*$",
)
_DETERMINER = re.compile(
    r"\b(?:the|a|an|this|these|those|its|their|his|her|our|of|for|whose|such)\s+(?:[a-z\-]+\s+)?$",
    re.I,
)
_ACTION_EFFECT = re.compile(
    r"^(?:its|their|the|our)\s+(?:own\s+)?(?:reliance|dependence|dependency|exposure|purchases|orders|use)\b", re.I
)
_SPEECH = re.compile(
    r"^.*\b(?:said|says|say|argued|argues|argue|noted|notes|warned|warns|believes|believe|thinks|think|added|adds|"
    r"wrote|writes|contends|contend|predicted|predicts|expects|expect|suggests|suggest|points out|pointed out|"
    r"told \w+|acknowledged|insisted|claimed|claims|estimates|reckons|fears|fear)\b(?:\s+\w+ly)?(?:\s+that)?\s+",
    re.I,
)
_AUX = re.compile(
    r"\s+(?:has|have|had|is|are|was|were|will|would|could|may|might|can|did|does|do|should|must)\b.*$", re.I
)
_REL_END = re.compile(r"\s+(?:that|which|who)(?:\s+\w+ly)?\s*$", re.I)
_REL_MID = re.compile(
    r"^.*\b(?:where|whereby|so that|because|since|if|unless|once|as|(?:concerns?|fears?|worr(?:y|ies)|hopes?|"
    r"expectations?|beliefs?|risks?|signs?|evidence|news|reports?|bets?|view|argument|idea) that)\s+",
    re.I,
)
_PREP_START = re.compile(r"^(?:on|for|of|in|at|by|from|with|as|over|against|into)\b", re.I)
_EFFECT_END = re.compile(
    r"[,;:—–(]|\s+-\s+|\s+(?:while|which|but|whereas|although|though|because|as well as)\b|\s+and\s+(?=\w+(?:ed|es)\b)"
)
_VERB_AFTER_TO = re.compile(r"^\s*(\w+)")


@dataclass(frozen=True)
class _Cue:
    id: str
    polarity: str
    order: str
    pattern: re.Pattern[str]


@dataclass
class CausalFinder:
    """The causal-claim stage."""

    cues: list[_Cue]
    hedges: re.Pattern[str]
    negations: re.Pattern[str]
    groups: re.Pattern[str]
    strip: re.Pattern[str]
    aims: dict[str, str]
    name: str = "causal"
    needs: tuple[str, ...] = ("sentences", "mentions")
    adds: tuple[str, ...] = ("facts",)

    @classmethod
    def load(cls) -> CausalFinder:
        """Compile the causal cue lexicon."""
        d: dict[str, Any] = yaml.safe_load(lexicon_path("causal.yaml").read_text(encoding="utf-8"))
        cues = [
            _Cue(c["id"], c["polarity"], c["order"], re.compile(rf"(?<!-)\b(?:{c['pattern']})\b(?!-)", re.I))
            for c in d["cues"]
        ]
        return cls(
            cues,
            re.compile(d["hedges"], re.I),
            re.compile(d["negations"], re.I),
            re.compile(d["attribution_groups"], re.I),
            re.compile(d["strip_leading"], re.I),
            {
                **dict.fromkeys(d["purpose_decreases"], "decreases"),
                **dict.fromkeys(d["purpose_increases"], "increases"),
            },
        )

    def __call__(self, doc: ArticleDoc) -> None:
        """Add one claim per cue occurrence that has both a cause and an effect."""
        for s in doc.sentences:
            if s.furniture:
                continue
            seen: set[str] = set()
            for cue, m in self._matches(s.text):
                fact = self._claim(doc, s, cue, m)
                if fact is not None and fact.values["polarity"] not in seen:
                    seen.add(fact.values["polarity"])
                    doc.add_fact(fact)

    def _matches(self, text: str) -> list[tuple[_Cue, re.Match[str]]]:
        found = [(c, m) for c in self.cues for m in c.pattern.finditer(text)]
        found.sort(key=lambda cm: (-(cm[1].end() - cm[1].start()), cm[1].start()))
        kept: list[tuple[_Cue, re.Match[str]]] = []
        for c, m in found:
            if all(m.end() <= k.start() or m.start() >= k.end() for _, k in kept):
                kept.append((c, m))
        kept.sort(key=lambda cm: cm[1].start())
        # a purpose cue consumes the verb right after it ("intended to curb")
        out: list[tuple[_Cue, re.Match[str]]] = []
        for c, m in kept:
            if out and out[-1][0].order == "purpose" and 0 <= m.start() - out[-1][1].end() <= 2:
                continue
            out.append((c, m))
        return out

    def _claim(self, doc: ArticleDoc, s: Sentence, cue: _Cue, m: re.Match[str]) -> Fact | None:
        text = s.text
        lead_start = _clause_start(text, m.start())
        lead = text[lead_start : m.start()]
        single = " " not in m.group(0)
        after = text[m.end() :].lstrip()
        if cue.order == "forward" and (_DETERMINER.search(lead) or (single and _PREP_START.match(after))):
            return None
        if _ACTION_EFFECT.match(after):
            return None
        polarity = cue.polarity
        if cue.order == "purpose":
            spans = self._purpose(text, lead, m)
            if spans is None:
                return None
            cause, effect, polarity = spans
        elif cue.order == "backward":
            spans2 = self._backward(text, lead, m)
            if spans2 is None:
                return None
            cause, effect = spans2
        else:
            cause, effect = self._subject(lead), _effect(text, m.end())
        cause, effect = self._tidy(cause), self._tidy(effect)
        if not _content(cause) or not _content(effect):
            return None
        fact = Fact("CausalClaim", s, f"causal.{cue.id}", 0.6)
        fact.values.update(
            causeText=cause,
            effectText=effect,
            polarity=polarity,
            hedged=cue.order == "purpose"
            or bool(self.hedges.search(lead))
            or text.rstrip().endswith("?")
            or bool(re.match(r"^\s*(?:if|whether)\b", text, re.I)),
            negated=bool(self.negations.search(lead)),
            cue=m.group(0),
        )
        self._link(doc, s, fact, cause, effect)
        self._attribute(doc, s, fact)
        return fact

    def _subject(self, lead: str) -> str:
        """The cause (or effect) phrase before a cue: the clause's subject, as well as rules can tell."""
        lead = _SPEECH.sub("", lead)
        if _REL_END.search(lead):  # "failures that forced ..." -> "failures"
            head = _REL_END.sub("", lead)
            return " ".join(re.split(r",\s+", head)[-1].split()[-6:])
        lead = _REL_MID.sub("", lead)
        pieces = [p for p in re.split(r",\s+", lead) if self._tidy(p)]
        good = [p for p in pieces if not _SUBORDINATE.match(p.strip()) and not re.match(r"^\s*\w+(?:ing|ed)\b", p)]
        chosen = (good or pieces or [""])[0]
        chosen = _TRAIL.sub("", chosen)
        cut = _TRAIL.sub("", _AUX.sub("", chosen))
        return cut if self._tidy(cut) else chosen

    def _backward(self, text: str, lead: str, m: re.Match[str]) -> tuple[str, str] | None:
        after = text[m.end() :]
        if lead.strip():
            return _effect(text, m.end()), self._subject(lead) if not lead.rstrip().endswith(",") else lead
        comma = re.search(r",\s+", after)
        if comma is None:
            return None
        return after[: comma.start()], _effect(text, m.end() + comma.end(), max_words=18)

    def _purpose(self, text: str, lead: str, m: re.Match[str]) -> tuple[str, str, str] | None:
        verb = _VERB_AFTER_TO.match(text[m.end() :])
        if verb is None:
            return None
        word = verb.group(1).lower()
        polarity = self.aims.get(word) or self.aims.get(re.sub(r"(?:e?s|ed|ing)$", "", word))
        if polarity is None:
            return None
        effect = _effect(text, m.end() + verb.end())
        cause = self._subject(lead)
        if not _content(self._tidy(cause)):
            rest = text[m.end() :]
            comma = re.search(r",\s+", rest)
            cause = self._subject(_effect(rest, comma.end(), max_words=6)) if comma else ""
        return cause, effect, polarity

    def _tidy(self, span: str) -> str:
        span = span.strip(" ,;:.!?\"'“”‘’")
        for _ in range(4):
            new = self.strip.sub("", span).strip(" ,")
            if new == span:
                break
            span = new
        return re.sub(r"^(?:the|a|an)\s+(?=\w)", lambda mm: mm.group(0) if span[:1].isupper() else "", span).strip()

    def _link(self, doc: ArticleDoc, s: Sentence, fact: Fact, cause: str, effect: str) -> None:
        for prop, span in (("cause", cause), ("effect", effect)):
            at = s.text.find(span)
            if at < 0 or not span:
                continue
            a, b = s.start + at, s.start + at + len(span)
            inside = [x for x in doc.mentions_in(s) if a <= x.start and x.end <= b and not x.anaphor]
            if inside:
                fact.links[prop] = inside[0].key

    def _attribute(self, doc: ArticleDoc, s: Sentence, fact: Fact) -> None:
        mentions: list[Mention] = doc.mentions_in(s)
        acc = re.search(r"\baccording to\b", s.text, re.I)
        speakers = [x for x in mentions if x.type == "Person"]
        if acc:
            after = [
                x for x in mentions if x.start >= s.start + acc.end() and x.type in {"Person", "Firm", "GovernmentBody"}
            ]
            if after:
                fact.links["attributedTo"] = after[0].key
                return
        if speakers and re.search(
            r"\b(?:said|says|argued?s?|told|noted|warned|believes?|predicted|wrote|points? out|contends?)\b",
            s.text,
        ):
            fact.links["attributedTo"] = speakers[0].key
            return
        if (g := self.groups.search(s.text)) and re.search(
            r"\b(?:argue|say|said|believe|warn|contend|suggest|note|expect)",
            s.text[g.end() : g.end() + 30],
        ):
            fact.values["attributionText"] = g.group(0).strip()


def _clause_start(text: str, at: int) -> int:
    best = 0
    for m in re.finditer(r"[;:—–]\s*|\s-\s|[.?!]\s+", text[:at]):
        best = m.end()
    return best


def _effect(text: str, start: int, *, max_words: int = 14) -> str:
    rest = text[start:]
    end = _EFFECT_END.search(rest)
    chunk = rest[: end.start()] if end else rest
    return " ".join(chunk.split()[:max_words])


def _content(span: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2,}", span))
