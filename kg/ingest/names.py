"""Unknown names typed from their context: firms, people and government bodies.

Rules (recorded as each mention's rule): ``ent.firm-cue`` — a capitalised name after a firm
cue noun ("startup Qianxing Micro"), before a corporate suffix ("Lumora Compute"), in a list
with known firms or after "companies such as", next to "shares", or in an appositive
(", a Chengdu-based company"); ``ent.person-cue`` — a two- or three-word name next to a role
word or a verb of speech; ``ent.body-cue`` — "<Place> government", "Ministry of ...".
Cue words are data (``kg/data/lexicons/entities.yaml``).

>>> from kg.ingest.nlp import make_nlp
>>> cues = NameCues(CueLexicon.load())
>>> doc = make_nlp()("Demand rose, said economist Lin Haoran.")
>>> [(doc.char_span(s, e).text, t) for s, e, t, _ in cues.cue_names(doc[:], set(), {})]
[('Lin Haoran', 'Person')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import yaml
from spacy.tokens import Token

from kg.ingest.document import Entity, Mention
from kg.resources import lexicon_path

_CAP = re.compile(r"^[A-ZÀ-Þ][\w&.\-]*$")
_POSS = {"'s", "’s", "'", "’"}
_GOVERNMENT_TAIL = {
    ("government",): 1,
    ("municipal", "government"): 2,
    ("city", "government"): 2,
    ("provincial", "government"): 2,
    ("local", "government"): 2,
}
_INSTITUTIONS = {"Ministry", "Department", "Bureau", "Commission", "Office", "Administration", "Agency", "Council"}


@dataclass
class CueLexicon:
    firm_cues: list[list[str]]
    firm_suffixes: set[str]
    chip_nouns: set[str]
    device_nouns: set[str]
    not_models: set[str]
    roles: list[list[str]]
    speech: set[str]
    stop: set[str]
    not_firms: set[str]
    anaphora: list[list[str]]
    role_heads: set[str]
    list_cues: list[list[str]]
    share_cues: list[list[str]]
    generic_suffixes: set[str]
    launch_verbs: set[str]

    @classmethod
    def load(cls) -> CueLexicon:
        d: dict[str, Any] = yaml.safe_load(lexicon_path("entities.yaml").read_text(encoding="utf-8"))

        def phrases(key: str) -> list[list[str]]:
            return sorted((p.lower().split() for p in d[key]), key=len, reverse=True)

        return cls(
            firm_cues=phrases("firm_cue_nouns"),
            firm_suffixes=set(d["firm_suffixes"]),
            chip_nouns={w.lower() for p in d["chip_nouns"] for w in p.split()[-1:]},
            device_nouns={w.lower() for w in d["device_nouns"]},
            not_models={w.lower() for w in d["not_models"]},
            roles=phrases("person_roles"),
            speech={w.lower() for w in d["speech_verbs"]},
            stop=set(d["name_stopwords"]),
            not_firms={w.lower() for w in d["sources_not_firms"]},
            anaphora=phrases("firm_anaphora_heads"),
            role_heads={p.split()[-1].lower() for p in d["person_roles"]},
            list_cues=phrases("firm_list_cues"),
            share_cues=phrases("firm_share_cues"),
            generic_suffixes=set(d["generic_firm_suffixes"]),
            launch_verbs={w.lower() for w in d["launch_verbs"]},
        )


@dataclass(frozen=True)
class NameCues:
    """Finds capitalised names whose context types them."""

    lex: CueLexicon

    def cue_names(self, span: Any, taken: set[int], known: dict[int, Mention]) -> list[tuple[int, int, str, str]]:
        found: list[tuple[int, int, str, str]] = []
        toks = list(span)
        for i, tok in enumerate(toks):
            if tok.idx in taken or not _CAP.match(tok.text) or tok.text in self.lex.stop:
                continue
            if i > 0 and _CAP.match(toks[i - 1].text) and toks[i - 1].text not in self.lex.stop:
                continue  # not the start of a name
            j = name_end(toks, i, taken)
            k = j
            person_first = 2 <= j - i + 1 <= 3 and all(t.text[1:].islower() for t in toks[i : j + 1])
            while k + 2 < len(toks) and toks[k + 1].text in {"of", "and"} and _CAP.match(toks[k + 2].text):
                if person_first and toks[k + 1].text == "of":
                    break  # "Daniel Okafor of Redpine Capital" is a person of a firm
                k = name_end(toks, k + 2, taken)
            if k > j and (toks[k].text in self.lex.firm_suffixes | {"China"} or toks[i].text in _INSTITUTIONS):
                j = k
            gov = _GOVERNMENT_TAIL.get(tuple(t.lower_ for t in toks[j + 1 : j + 3])) or _GOVERNMENT_TAIL.get(
                tuple(t.lower_ for t in toks[j + 1 : j + 2])
            )
            if gov and toks[i].text not in self.lex.stop:  # "Hefei municipal government"
                last = toks[j + gov]
                found.append((toks[i].idx, last.idx + len(last.text), "GovernmentBody", "ent.body-cue"))
                continue
            name = toks[i : j + 1]
            cue_word = False
            while len(name) > 1 and [name[0].lower_] in self.lex.firm_cues:
                name, cue_word = name[1:], True
            while name and (
                name[-1].text in {"&", "-"}
                or (name[-1].text in self.lex.stop and name[-1].text not in self.lex.firm_suffixes)
            ):
                name = name[:-1]
            if not name or " ".join(t.text for t in name).lower() in self.lex.not_firms:
                continue
            if re.search(r"-(?:listed|based|made|owned|backed|funded|led|linked)$", name[-1].text):
                continue
            start = toks.index(name[0]) if cue_word else i
            typ = ("Firm", "ent.firm-cue") if cue_word else self.name_type(toks, start, start + len(name) - 1, known)
            if typ:
                found.append((name[0].idx, name[-1].idx + len(name[-1].text), *typ))
        return found

    def name_type(self, toks: list[Token], i: int, j: int, known: dict[int, Mention]) -> tuple[str, str] | None:
        words = [t.text for t in toks[i : j + 1]]
        before = [t.lower_ for t in toks[max(0, i - 6) : i]]
        after = [t.lower_ for t in toks[j + 1 : j + 12]]
        if (len(words) >= 2 and words[-1] == "government") or (words[0] in _INSTITUTIONS and len(words) > 2):
            return "GovernmentBody", "ent.body-cue"
        if after[:1] in (["government"], ["-"]) or after[:2] in (["municipal", "government"], ["city", "government"]):
            return None  # a body handled on the extended span, or a place ("Shenzhen-based")
        if (words[-1] in self.lex.firm_suffixes and len(words) >= 2) or ends_with(before, self.lex.firm_cues):
            return "Firm", "ent.firm-cue"
        if (
            len(before) >= 2
            and before[-1] in {"at", "of", "with", "from"}
            and before[-2]
            in self.lex.role_heads
            | {
                "analysts",
                "economists",
                "strategists",
            }
        ):
            return "Firm", "ent.firm-cue"
        if self._person_like(words) and self._person_context(before, after):
            return "Person", "ent.person-cue"
        if after[:1] and after[0] in _POSS and len(after) > 1 and after[1] in self.lex.chip_nouns:
            return "Firm", "ent.firm-cue"
        if after[:1] == [","] and after[1:2] in (["a"], ["an"]):
            clause = after[2 : after.index(",", 1) if "," in after[1:] else len(after)]
            if contains_any(clause, self.lex.firm_cues):
                return "Firm", "ent.firm-cue"
        if self._listed_with_firms(toks, i, j, known) or contains_any(before[-2:] + after[:1], self.lex.share_cues):
            return "Firm", "ent.firm-cue"
        return None

    def _person_like(self, words: list[str]) -> bool:
        return 2 <= len(words) <= 3 and all(w[:1].isupper() and (w[1:].islower() or "-" in w) for w in words)

    def _person_context(self, before: list[str], after: list[str]) -> bool:
        lead = [w for w in before if w not in {",", "the"}]
        if (lead[-1:] and lead[-1] in self.lex.role_heads | self.lex.speech) or (
            len(lead) >= 2 and lead[-2] in self.lex.role_heads and lead[-1] not in {"at", "of", "for", "with", "in"}
        ):
            return True
        if after[:1] and after[0] in self.lex.speech:
            return True
        if after[:1] == [","]:
            rest = after[1 : after.index(",", 1) if "," in after[1:] else len(after)]
            return any(w in self.lex.role_heads for w in rest[:6]) or bool(rest[:1] and rest[0] in self.lex.speech)
        return False

    def _listed_with_firms(self, toks: list[Token], i: int, j: int, known: dict[int, Mention]) -> bool:
        """A name in a list with known firms, or after "companies such as" / "firms including"."""
        k = i - 1
        while k >= 0 and (toks[k].text in {",", "and", "or", "&"} or _CAP.match(toks[k].text)):
            m = known.get(toks[k].idx + len(toks[k].text))
            if m is not None and m.type == "Firm":
                return True
            k -= 1
        lead = [t.lower_ for t in toks[max(0, k - 3) : k + 1]]
        if ends_with(lead, self.lex.list_cues):
            return True
        nxt = toks[j + 1 : j + 3]
        if nxt and nxt[0].text in {",", "and", "or"} and len(nxt) > 1:
            return any(m.start == nxt[1].idx and m.type == "Firm" for m in known.values())
        return False


def name_end(toks: list[Token], i: int, taken: set[int]) -> int:
    """The last token of the capitalised run starting at ``i`` (``&`` and ``-`` may join it)."""
    j = i
    while j + 1 < len(toks) and (_CAP.match(toks[j + 1].text) or toks[j + 1].text in {"&", "-"}):
        if toks[j + 1].idx in taken:
            break
        j += 1
    return j


def mention(start: int, end: int, text: str, ent: Entity, starts: list[int], rule: str) -> Mention:
    return Mention(start, end, text, ent.key, ent.type, bisect.bisect_right(starts, start) - 1, rule)


def ends_with(words: list[str], phrases: list[list[str]]) -> bool:
    return any(len(p) <= len(words) and words[len(words) - len(p) :] == p for p in phrases)


def starts_with(words: list[str], phrases: list[list[str]]) -> bool:
    return any(words[: len(p)] == p for p in phrases)


def contains_any(words: list[str], phrases: list[list[str]]) -> bool:
    return any(words[k : k + len(p)] == p for p in phrases for k in range(len(words)))
