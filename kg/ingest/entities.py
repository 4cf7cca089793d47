"""Find entities: gazetteer names (linked) and unknown names typed from their context.

Rules (ids in parentheses, recorded as each mention's rule):
* ``ent.gazetteer``: a label or alias of a gazetteer entry (PhraseMatcher on exact and
  upper/capitalised forms);
* ``ent.model-number``: a model-number-shaped token (H20, 910B, MI308, QX-7) next to a chip
  noun, a chip family or a firm's possessive; a device when a device noun follows;
* ``ent.firm-cue``: a capitalised name after a firm cue noun ("startup Qianxing Micro"), before
  a corporate suffix, or before a possessive chip noun ("Lumora's chips");
* ``ent.person-cue``: a two- or three-word name next to a role word or a verb of speech;
* ``ent.body-cue``: "<Place> government", "Ministry of ...";
* ``ent.short-ref``: a later surname of a person, or the first word of an unknown firm's name.
Cue words are data (``kg/data/lexicons/entities.yaml``).

>>> from kg.ingest.reader import ArticleInput
>>> from kg.ingest.segment import Segmenter
>>> doc = ArticleDoc(ArticleInput(source="a", path="a", text="Startup Lumora Compute unveiled its LX-9 chip."))
>>> Segmenter.load()(doc); EntityFinder.load()(doc)
>>> sorted((m.text, m.type, m.rule) for m in doc.mentions)
[('LX-9', 'Chip', 'ent.model-number'), ('Lumora Compute', 'Firm', 'ent.firm-cue')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from kg.gazetteer import Gazetteer, slug
from kg.ingest.document import ArticleDoc, Entity, Mention
from kg.ingest.nlp import make_nlp
from kg.resources import lexicon_path

_MODEL = re.compile(r"^(?=[A-Za-z0-9\-]*\d)(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
_NOT_MODEL = re.compile(r"^(?:\d{4}s|\d+(?:nm|st|nd|rd|th|m|k|bn|x|s|pm|am|mm|gb|tb)|[A-Z]\d?)$", re.I)
_CAP = re.compile(r"^[A-ZÀ-Þ][\w&.\-]*$")
_POSS = {"'s", "’s", "'", "’"}


@dataclass
class _Lex:
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
    def load(cls) -> _Lex:
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


@dataclass
class EntityFinder:
    """The entity stage: adds ``mentions`` and ``entities`` to the document."""

    gazetteer: Gazetteer
    lex: _Lex
    matcher: PhraseMatcher
    name: str = "entities"
    needs: tuple[str, ...] = ("sentences",)
    adds: tuple[str, ...] = ("tokens", "mentions", "entities")
    models: dict[str, list[str]] = field(default_factory=dict)
    qualified: PhraseMatcher | None = None
    makers: dict[str, set[str]] = field(default_factory=dict)  # entity key -> keys of its designer and kin

    @classmethod
    def load(cls, gazetteer: Gazetteer | None = None) -> EntityFinder:
        """Build the matcher from the gazetteer and the cue lexicon."""
        gaz = gazetteer or Gazetteer.load()
        nlp = make_nlp()
        matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        forms: dict[str, set[str]] = {}
        for name, key in gaz.surface_forms():
            for variant in {
                name,
                name.upper() if len(name) <= 12 else name,
                name[:1].upper() + name[1:],
            }:
                forms.setdefault(key, set()).add(variant)
        for key, variants in forms.items():
            matcher.add(key, [nlp.make_doc(v) for v in sorted(variants)])
        models: dict[str, list[str]] = {}
        for e in gaz.entities.values():
            if e.type in {"Chip", "Device"}:
                last = e.label.split()[-1]
                if any(c.isdigit() for c in last):
                    models.setdefault(last.lower(), []).append(e.key)
        qualified = PhraseMatcher(nlp.vocab, attr="ORTH")
        makers: dict[str, set[str]] = {}
        for e in gaz.entities.values():
            if e.data.get("qualified_aliases") and (d := gaz.by_id(e.data.get("designer", ""))) is not None:
                qualified.add(e.key, [nlp.make_doc(a) for a in e.data["qualified_aliases"]])
                kin = {d.key}
                if (parent := gaz.by_id(d.data.get("parent", ""))) is not None:
                    kin.add(parent.key)
                makers[e.key] = kin
        return cls(gaz, _Lex.load(), matcher, models=models, qualified=qualified, makers=makers)

    def __call__(self, doc: ArticleDoc) -> None:
        """Fill ``doc.tokens``, ``doc.mentions`` and ``doc.entities``."""
        tokens = make_nlp().make_doc(doc.text)
        doc.tokens = tokens
        starts = [s.start for s in doc.sentences]
        found: list[Mention] = []
        self._gazetteer(doc, tokens, starts, found)
        self._qualified(doc, tokens, starts, found)
        self._models(doc, tokens, starts, found)
        self._cued(doc, tokens, starts, found)
        mentions = _resolve_overlaps(found)
        mentions = _merge_short_firms(doc, mentions)
        mentions += self._short_refs(doc, tokens, starts, mentions)
        mentions = _resolve_overlaps(mentions)
        self._relabel(doc, mentions)
        furniture = {s.index for s in doc.sentences if s.furniture}
        doc.mentions = sorted((m for m in mentions if m.sentence not in furniture), key=lambda m: m.start)

    # -- gazetteer -------------------------------------------------------------------------
    def _qualified(self, doc: ArticleDoc, tokens: Doc, starts: list[int], out: list[Mention]) -> None:
        """Generic short names ("PPU") count only beside their maker in the same sentence."""
        if self.qualified is None:
            return
        for match_id, s, e in self.qualified(tokens):
            key = tokens.vocab.strings[match_id]
            span = tokens[s:e]
            m = _mention(
                span.start_char, span.end_char, span.text, self.gazetteer.entities[key], starts, "ent.gazetteer"
            )
            if any(o.sentence == m.sentence and o.key in self.makers.get(key, set()) for o in out):
                doc.entities.setdefault(key, self.gazetteer.entities[key])
                out.append(m)

    def _gazetteer(self, doc: ArticleDoc, tokens: Doc, starts: list[int], out: list[Mention]) -> None:
        for match_id, s, e in self.matcher(tokens):
            key = tokens.vocab.strings[match_id]
            span = tokens[s:e]
            ent = self.gazetteer.entities[key]
            if ent.type in {"GovernmentBody", "Country"} and tokens[e : e + 2].text.replace(" ", "") in {
                "-based",
                "-headquartered",
            }:
                continue
            doc.entities.setdefault(key, ent)
            out.append(_mention(span.start_char, span.end_char, span.text, ent, starts, "ent.gazetteer"))

    # -- model numbers ---------------------------------------------------------------------
    def _models(self, doc: ArticleDoc, tokens: Doc, starts: list[int], out: list[Mention]) -> None:
        taken = {i for m in out for i in range(m.start, m.end)}
        for tok in tokens:
            if not self._is_model(tok) or tok.idx in taken:
                continue
            kind = self._model_kind(tok, out)
            if kind is None:
                continue
            first = tok.i
            while first > 0 and self._extends_left(tokens[first - 1], taken):
                first -= 1
            span = tokens[first : tok.i + 1]
            start = span.start_char
            family = next((m for m in out if m.type == "ChipFamily" and 0 <= start - m.end <= 1), None)
            ent = self._model_entity(doc, span.text, tok.text, kind, out, start)
            if family is not None:
                out.remove(family)
                start = family.start
            text = doc.text[start : span.end_char]
            out.append(_mention(start, span.end_char, text, ent, starts, "ent.model-number"))

    def _is_model(self, tok: Token) -> bool:
        t = tok.text
        return (
            len(t) <= 14
            and bool(_MODEL.match(t))
            and not _NOT_MODEL.match(t)
            and t.lower() not in self.lex.not_models
            and not t.isdigit()
        )

    def _model_kind(self, tok: Token, known: list[Mention]) -> str | None:
        after = [t.lower_ for t in tok.doc[tok.i + 1 : tok.i + 4]]
        for w in after:
            if w in self.lex.device_nouns:
                return "Device"
            if w in self.lex.chip_nouns:
                return "Chip"
            if not (w[:1].isalpha() or w == "-"):
                break
        prev = tok.doc[tok.i - 1] if tok.i > 0 else None
        if prev is None:
            return None
        lead = [t.lower_ for t in tok.doc[max(0, tok.i - 3) : tok.i]]
        if any(w in self.lex.launch_verbs for w in lead):
            return "Chip"
        stem = re.split(r"[-\d]", tok.text)[0]
        if len(stem) >= 2 and any(m.type == "Chip" and m.text.startswith(stem + "-") for m in known):
            return "Chip"
        if prev.text in _POSS or prev.lower_ == "its":
            return "Chip"
        for m in known:
            if m.end == prev.idx + len(prev.text) and m.type in {"ChipFamily", "Chip"}:
                return "Chip"
        if tok.text.lower() in self.models:
            return "Chip"
        return None

    def _extends_left(self, tok: Token, taken: set[int]) -> bool:
        t = tok.text
        if tok.idx in taken or t in self.lex.stop or t in _POSS:
            return False
        return bool(_CAP.match(t)) and (t.isupper() or t in {"Pro", "Max", "Ultra", "Plus", "Mini"})

    def _model_entity(
        self, doc: ArticleDoc, label: str, model: str, kind: str, known: list[Mention], at: int
    ) -> Entity:
        for name in (label, _family_before(known, at, model)):
            if name:
                hits = [e for e in self.gazetteer.lookup(name) if e.type in {"Chip", "Device", "ChipFamily"}]
                if hits:
                    return hits[0]
        keys = self.models.get(model.lower(), [])
        if len(keys) == 1:
            return self.gazetteer.entities[keys[0]]
        family = _family_before(known, at, model)
        label = family or label
        prefix = "device" if kind == "Device" else "chip"
        return doc.entities.setdefault(f"{prefix}/{slug(label)}", Entity(f"{prefix}/{slug(label)}", kind, label, False))

    # -- cue-based names --------------------------------------------------------------------
    def _cued(self, doc: ArticleDoc, tokens: Doc, starts: list[int], out: list[Mention]) -> None:
        taken = {i for m in out for i in range(m.start, m.end)}
        for s in doc.sentences:
            if s.furniture:
                continue
            span = tokens.char_span(s.start, s.end, alignment_mode="expand")
            if span is None:
                continue
            known = {m.end: m for m in out}
            for start, end, typ, rule in self._cue_names(span, taken, known):
                text = doc.text[start:end]
                prefix = {"Firm": "firm", "Person": "person", "GovernmentBody": "body"}[typ]
                key = f"{prefix}/{slug(text)}"
                ent = doc.entities.setdefault(key, Entity(key, typ, text, False))
                out.append(_mention(start, end, text, ent, starts, rule))
                taken.update(range(start, end))

    def _cue_names(self, span: Any, taken: set[int], known: dict[int, Mention]) -> list[tuple[int, int, str, str]]:
        found: list[tuple[int, int, str, str]] = []
        toks = list(span)
        for i, tok in enumerate(toks):
            if tok.idx in taken or not _CAP.match(tok.text) or tok.text in self.lex.stop:
                continue
            if i > 0 and _CAP.match(toks[i - 1].text) and toks[i - 1].text not in self.lex.stop:
                continue  # not the start of a name
            j = _name_end(toks, i, taken)
            k = j
            while k + 2 < len(toks) and toks[k + 1].text in {"of", "and"} and _CAP.match(toks[k + 2].text):
                k = _name_end(toks, k + 2, taken)
            if k > j and toks[k].text in self.lex.firm_suffixes | {"China"}:
                j = k
            name = toks[i : j + 1]
            while name and (
                name[-1].text in {"&", "-"}
                or (name[-1].text in self.lex.stop and name[-1].text not in self.lex.firm_suffixes)
            ):
                name = name[:-1]
            if not name or " ".join(t.text for t in name).lower() in self.lex.not_firms:
                continue
            typ = self._name_type(toks, i, i + len(name) - 1, known)
            if typ:
                found.append((name[0].idx, name[-1].idx + len(name[-1].text), *typ))
        return found

    def _name_type(self, toks: list[Token], i: int, j: int, known: dict[int, Mention]) -> tuple[str, str] | None:
        words = [t.text for t in toks[i : j + 1]]
        before = [t.lower_ for t in toks[max(0, i - 6) : i]]
        after = [t.lower_ for t in toks[j + 1 : j + 12]]
        if (len(words) >= 2 and words[-1] == "government") or (words[0] == "Ministry" and len(words) > 2):
            return "GovernmentBody", "ent.body-cue"
        if after[:1] in (["government"], ["-"]) or after[:2] in (["municipal", "government"], ["city", "government"]):
            return None  # a body handled on the extended span, or a place ("Shenzhen-based")
        if (words[-1] in self.lex.firm_suffixes and len(words) >= 2) or _ends_with(before, self.lex.firm_cues):
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
            if _contains_any(clause, self.lex.firm_cues):
                return "Firm", "ent.firm-cue"
        if self._listed_with_firms(toks, i, j, known) or _contains_any(before[-2:] + after[:1], self.lex.share_cues):
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
        if _ends_with(lead, self.lex.list_cues):
            return True
        nxt = toks[j + 1 : j + 3]
        if nxt and nxt[0].text in {",", "and", "or"} and len(nxt) > 1:
            return any(m.start == nxt[1].idx and m.type == "Firm" for m in known.values())
        return False

    def _relabel(self, doc: ArticleDoc, mentions: list[Mention]) -> None:
        """An unknown firm used mostly by its first word is labelled by it ("Kuaishou Technology" -> "Kuaishou")."""
        for ent in list(doc.entities.values()):
            if ent.linked or ent.type != "Firm":
                continue
            words = ent.label.split()
            if len(words) < 2 or words[-1] not in self.lex.generic_suffixes:
                continue
            short = sum(1 for m in mentions if m.key == ent.key and m.text == words[0])
            full = sum(1 for m in mentions if m.key == ent.key and m.text != words[0])
            if short >= full:
                ent.label = " ".join(words[:-1])

    # -- short references ------------------------------------------------------------------
    def _short_refs(self, doc: ArticleDoc, tokens: Doc, starts: list[int], mentions: list[Mention]) -> list[Mention]:
        refs: dict[str, str] = {}
        for m in mentions:
            words = m.text.split()
            if m.type == "Person" and len(words) >= 2:
                refs.setdefault(words[-1], m.key)
            elif (
                m.type == "Firm"
                and len(words) >= 2
                and not doc.entities[m.key].linked
                and words[0] not in self.lex.stop
                and len(words[0]) > 3
            ):
                refs.setdefault(words[0], m.key)
        taken = {i for m in mentions for i in range(m.start, m.end)}
        out = []
        first_seen = {m.key: m.start for m in reversed(mentions)}
        for tok in tokens:
            key = refs.get(tok.text)
            if key and tok.idx not in taken and tok.idx > first_seen.get(key, 0):
                out.append(
                    _mention(
                        tok.idx,
                        tok.idx + len(tok.text),
                        tok.text,
                        doc.entities[key],
                        starts,
                        "ent.short-ref",
                    )
                )
        return out


def _name_end(toks: list[Token], i: int, taken: set[int]) -> int:
    """The last token of the capitalised run starting at ``i`` (``&`` and ``-`` may join it)."""
    j = i
    while j + 1 < len(toks) and (_CAP.match(toks[j + 1].text) or toks[j + 1].text in {"&", "-"}):
        if toks[j + 1].idx in taken:
            break
        j += 1
    return j


def _mention(start: int, end: int, text: str, ent: Entity, starts: list[int], rule: str) -> Mention:
    return Mention(start, end, text, ent.key, ent.type, bisect.bisect_right(starts, start) - 1, rule)


def _merge_short_firms(doc: ArticleDoc, mentions: list[Mention]) -> list[Mention]:
    """Point a one-word unknown firm at the longer unknown firm it starts ("Jiuzhou" -> "Jiuzhou Compute")."""
    longer: dict[str, str] = {}
    for e in doc.entities.values():
        if e.type == "Firm" and not e.linked and " " in e.label:
            longer.setdefault(e.label.split()[0], e.key)
    out = []
    for m in mentions:
        ent = doc.entities.get(m.key)
        if ent is not None and not ent.linked and ent.type == "Firm" and " " not in ent.label and ent.label in longer:
            doc.entities.pop(m.key, None)
            m = Mention(m.start, m.end, m.text, longer[ent.label], "Firm", m.sentence, "ent.short-ref")
        out.append(m)
    return out


def _family_before(known: list[Mention], at: int, model: str) -> str | None:
    for m in known:
        if m.type == "ChipFamily" and 0 <= at - m.end <= 1:
            return f"{m.text} {model}"
    return None


def _ends_with(words: list[str], phrases: list[list[str]]) -> bool:
    return any(len(p) <= len(words) and words[len(words) - len(p) :] == p for p in phrases)


def _starts_with(words: list[str], phrases: list[list[str]]) -> bool:
    return any(words[: len(p)] == p for p in phrases)


def _contains_any(words: list[str], phrases: list[list[str]]) -> bool:
    return any(words[k : k + len(p)] == p for p in phrases for k in range(len(words)))


def _resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (the earlier rule on ties)."""
    order = sorted(enumerate(mentions), key=lambda im: (-(im[1].end - im[1].start), im[0]))
    kept: list[Mention] = []
    for _, m in order:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
