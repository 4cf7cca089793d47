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

import re
from dataclasses import dataclass, field

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from kg.gazetteer import Gazetteer, slug
from kg.ingest.document import ArticleDoc, Entity, Mention
from kg.ingest.names import CueLexicon, NameCues, mention
from kg.ingest.nlp import make_nlp

_MODEL = re.compile(r"^(?=[A-Za-z0-9\-]*\d)(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
_NOT_MODEL = re.compile(r"^(?:\d{4}s|\d+(?:nm|st|nd|rd|th|m|k|bn|x|s|pm|am|mm|gb|tb)|[A-Z]\d?)$", re.I)
_CAP = re.compile(r"^[A-ZÀ-Þ][\w&.\-]*$")
_POSS = {"'s", "’s", "'", "’"}


@dataclass
class EntityFinder:
    """The entity stage: adds ``mentions`` and ``entities`` to the document."""

    gazetteer: Gazetteer
    lex: CueLexicon
    matcher: PhraseMatcher
    name: str = "entities"
    needs: tuple[str, ...] = ("sentences",)
    adds: tuple[str, ...] = ("tokens", "mentions", "entities")
    models: dict[str, list[str]] = field(default_factory=dict)
    names: NameCues | None = None
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
            dotted = name + "." if name.split()[-1] in {"Co", "Corp", "Inc", "Ltd"} else name
            for variant in {
                name,
                dotted,
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
        lex = CueLexicon.load()
        return cls(gaz, lex, matcher, models=models, names=NameCues(lex), qualified=qualified, makers=makers)

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
            m = mention(
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
            out.append(mention(span.start_char, span.end_char, span.text, ent, starts, "ent.gazetteer"))

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
            out.append(mention(start, span.end_char, text, ent, starts, "ent.model-number"))

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
            for start, end, typ, rule in self._names().cue_names(span, taken, known):
                text = doc.text[start:end]
                prefix = {"Firm": "firm", "Person": "person", "GovernmentBody": "body"}[typ]
                key = f"{prefix}/{slug(text)}"
                ent = doc.entities.setdefault(key, Entity(key, typ, text, False))
                out.append(mention(start, end, text, ent, starts, rule))
                taken.update(range(start, end))

    def _names(self) -> NameCues:
        if self.names is None:
            self.names = NameCues(self.lex)
        return self.names

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
                refs.setdefault(words[-1], m.key)  # "Huang" for Jensen Huang
                refs.setdefault(words[0], m.key)  # "Gao" for Gao Ming (family name first)
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
                    mention(
                        tok.idx,
                        tok.idx + len(tok.text),
                        tok.text,
                        doc.entities[key],
                        starts,
                        "ent.short-ref",
                    )
                )
        return out


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


def _resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (the earlier rule on ties)."""
    order = sorted(enumerate(mentions), key=lambda im: (-(im[1].end - im[1].start), im[0]))
    kept: list[Mention] = []
    for _, m in order:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
