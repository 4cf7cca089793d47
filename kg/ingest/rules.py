"""A small engine for trigger-and-slot relation rules kept as data (``relations.yaml``).

A rule has a trigger (a regular expression over one sentence), slots filled from the
entity mentions of that sentence (before the trigger: the nearest, or a coordinated list;
after it, or after a marker that follows it: the first), values (money, quantity, date,
a text span), and guards: a guard pattern (negation, intent, being urged) found between the
clause start and the trigger blocks the rule, so "did not switch" never yields a switch.

>>> from kg.ingest.pipeline import Pipeline
>>> doc = Pipeline.default().extract_text("Baidu moved away from Nvidia chips to Huawei's Ascend.")
>>> [(f.kind, f.links["switcher"], f.links["fromSupplier"]) for f in doc.facts if f.kind == "SupplierSwitch"]
[('SupplierSwitch', 'firm/baidu', 'firm/nvidia')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from kg.errors import ConfigError
from kg.ingest.amounts import find_money, find_quantity
from kg.ingest.dates import month_year
from kg.ingest.document import ArticleDoc, Fact, Mention, Sentence
from kg.resources import lexicon_path

GUARD_WORDS = 8  # guards read at most this many words before a trigger
_LIST_GAP = re.compile(r"^\s*(?:,|and|or|&|,\s*and|,\s*or)?\s*(?:the\s+)?(?:[a-z]+\s+)?$")
_CLAUSE_END = re.compile(r"[;:—–]|,\s+(?:which|while|but|as|where|and\s+(?:is|are|was|were|has|have))\b|\.\s")


@dataclass(frozen=True)
class Slot:
    """Where a rule finds one argument."""

    name: str
    types: frozenset[str]
    side: str = "after"
    marker: re.Pattern[str] | None = None
    pick: str = "first"
    required: bool = False
    supplier: bool = False
    window: int = 160
    previous_sentence: bool = False
    recent: int = 1
    role: str | None = None  # the entity must have this role (designer, foundry)
    gap: re.Pattern[str] | None = None  # what may stand between the trigger and the mention


@dataclass(frozen=True)
class Rule:
    """One relation rule loaded from data."""

    id: str
    version: str
    fact: str
    confidence: float
    trigger: re.Pattern[str]
    slots: tuple[Slot, ...]
    guards: tuple[re.Pattern[str], ...]
    values: dict[str, Any] = field(default_factory=dict)
    distinct: tuple[tuple[str, str], ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)
    require_any: tuple[str, ...] = ()
    require_values: tuple[str, ...] = ()
    derive_supplier: tuple[tuple[str, str], ...] = ()  # (slot, from slot): fill with the chip's designer


def load_rules(name: str = "relations.yaml") -> list[Rule]:
    """Load and compile the rules of one lexicon file."""
    data = yaml.safe_load(lexicon_path(name).read_text(encoding="utf-8"))
    guards = {k: re.compile(v, re.I) for k, v in data.get("guards", {}).items()}
    rules = []
    for raw in data["rules"]:
        try:
            rules.append(_rule(raw, guards))
        except (KeyError, re.error, TypeError) as e:
            raise ConfigError(f"{name}: rule {raw.get('id', '?')}: {e}") from e
    return rules


def _rule(raw: dict[str, Any], guards: dict[str, re.Pattern[str]]) -> Rule:
    slots = []
    for slot_name, s in raw.get("slots", {}).items():
        slots.append(
            Slot(
                name=slot_name,
                types=frozenset(s["types"]),
                side=s.get("side", "after"),
                marker=re.compile(s["marker"], re.I) if s.get("marker") else None,
                pick=s.get("pick", "nearest" if s.get("side") == "before" else "first"),
                required=bool(s.get("required", False)),
                supplier=bool(s.get("supplier", False)),
                window=int(s.get("window", 160)),
                previous_sentence=bool(s.get("previous_sentence", False)),
                recent=int(s.get("recent", 1)),
                role="designer" if s.get("designer") else "foundry" if s.get("foundry") else None,
                gap=re.compile(s["gap"]) if s.get("gap") else None,
            )
        )
    return Rule(
        id=raw["id"],
        version=str(raw.get("version", 1)),
        fact=raw["fact"],
        confidence=float(raw.get("confidence", 0.7)),
        trigger=re.compile(raw["trigger"], re.I if not raw.get("case_sensitive") else 0),
        slots=tuple(slots),
        guards=tuple(guards[g] for g in raw.get("block", [])),
        values=dict(raw.get("values", {})),
        distinct=tuple(tuple(p) for p in raw.get("distinct", [])),
        fixed=dict(raw.get("fixed", {})),
        require_any=tuple(raw.get("require_any", ())),
        require_values=tuple(raw.get("require_values", ())),
        derive_supplier=tuple(tuple(p) for p in raw.get("derive_supplier", [])),
    )


class RuleEngine:
    """Applies relation rules to every sentence of a document."""

    name = "relations"
    needs: tuple[str, ...] = ("sentences", "mentions", "entities")
    adds: tuple[str, ...] = ("facts",)

    def __init__(
        self, rules: list[Rule], *, suppliers: dict[str, str] | None = None, parents: dict[str, str] | None = None
    ) -> None:
        self.rules = rules
        self.suppliers = suppliers or {}
        self.parents = parents or {}
        self.firm_names: dict[str, tuple[str, ...]] = {}

    def __call__(self, doc: ArticleDoc) -> None:
        """Add the facts every rule finds."""
        for s in doc.sentences:
            if s.furniture:
                continue
            mentions = doc.mentions_in(s)
            self._named_designers(doc, s, mentions)
            for rule in self.rules:
                for m in rule.trigger.finditer(s.text):
                    for fact in self._apply(doc, rule, s, mentions, m):
                        doc.add_fact(fact)

    def _apply(self, doc: ArticleDoc, rule: Rule, s: Sentence, mentions: list[Mention], m: re.Match[str]) -> list[Fact]:
        t0, t1 = s.start + m.start(), s.start + m.end()
        lead = " ".join(s.text[clause_start(s.text, m.start()) : m.start()].split()[-GUARD_WORDS:])
        if any(g.search(self._guard_scope(g, s, m, lead)) for g in rule.guards):
            return []
        links: list[dict[str, str]] = [{}]
        used: set[str] = set()
        for slot in rule.slots:
            keys = self._fill(doc, slot, s, mentions, t0, t1, used)
            if not keys:
                if slot.required:
                    return []
                continue
            used.update(keys)
            links = [{**base, slot.name: k} for base in links for k in keys]
        facts = []
        for link in links:
            for target, source in rule.derive_supplier:
                if target not in link and source in link and (sup := supplier_of(doc, link[source], self.suppliers)):
                    link[target] = sup
                    if sup not in doc.entities:
                        doc.entities[sup] = self._entity(sup)
            if any(a in link and link.get(a) == link.get(b) for a, b in rule.distinct):
                continue
            if rule.require_any and not any(k in link for k in rule.require_any):
                continue
            if not self._consistent(rule.fact, link):
                continue
            fact = Fact(rule.fact, s, rule.id, rule.confidence, links=link, rule_version=rule.version)
            self._values(doc, rule, fact, s, m)
            if any(v not in fact.values for v in rule.require_values):
                continue
            fact.values.update(rule.fixed)
            facts.append(fact)
        return facts

    def _named_designers(self, doc: ArticleDoc, s: Sentence, mentions: list[Mention]) -> None:
        """A chip named with its maker ("Nvidia H20", "Huawei Ascend 910B") states its designer (develop.named)."""
        for x in mentions:
            designer = self.suppliers.get(x.key)
            if designer is None or x.anaphor:
                continue
            text = x.text.lower()
            if any(text.startswith(n + " ") for n in self.firm_names.get(designer, ())):
                fact = Fact("ChipDevelopment", s, "develop.named", 0.8, links={"designer": designer, "product": x.key})
                if designer not in doc.entities:
                    doc.entities[designer] = self._entity(designer)
                doc.add_fact(fact)

    def _entity(self, key: str) -> Any:
        from kg.gazetteer import Gazetteer

        return Gazetteer.load().entities[key]

    def _consistent(self, kind: str, link: dict[str, str]) -> bool:
        """A chip's designer must agree with the gazetteer's designer (or its parent or unit)."""
        if kind not in {"ChipDevelopment", "ProductLaunch"}:
            return True
        known = self.suppliers.get(link.get("product", ""))
        designer = link.get("designer")
        if known is None or designer is None:
            return True
        return designer in {known, self.parents.get(known)} or self.parents.get(designer) == known

    @staticmethod
    def _guard_scope(guard: re.Pattern[str], s: Sentence, m: re.Match[str], lead: str) -> str:
        """What a guard reads: the whole sentence (``...$``), the trigger and what follows (``(?#trigger)``),
        or the clause before the trigger."""
        if guard.pattern.endswith("$"):
            return s.text
        if guard.pattern.startswith("(?#trigger)"):
            return s.text[m.start() : m.end() + 40]
        return lead

    def _fill(
        self,
        doc: ArticleDoc,
        slot: Slot,
        s: Sentence,
        mentions: list[Mention],
        t0: int,
        t1: int,
        used: set[str],
    ) -> list[str]:
        cands = [x for x in mentions if self._fits(doc, slot, x, used)]
        if slot.side == "at":
            return _unique([self._key(doc, slot, x) for x in cands if x.start <= t0 and x.end >= t1])[:1]
        if slot.side == "anywhere":
            keys = _unique([self._key(doc, slot, x) for x in cands])
            return keys[:1] if keys else self._previous(doc, slot, s, used)
        if slot.side == "before":
            before = [x for x in cands if x.end <= t0 and t0 - x.end <= slot.window]
            if slot.pick == "first":
                lead = s.start + clause_start(s.text, t0 - s.start)
                before = [x for x in before if x.start >= lead] or before
            if not before:
                return self._previous(doc, slot, s, used)
            chosen = [before[0] if slot.pick == "first" else before[-1]]
            if slot.pick == "list":
                for x in reversed(before[:-1]):
                    if _LIST_GAP.match(doc.text[x.end : chosen[-1].start]):
                        chosen.append(x)
            return _unique([self._key(doc, slot, x) for x in reversed(chosen)])
        start = t1
        if slot.marker is not None:
            mk = slot.marker.search(doc.text, t1, s.end)
            if mk is None or mk.start() - t1 > slot.window:
                return self._previous(doc, slot, s, used) if slot.previous_sentence else []
            start = mk.end()
        after = [x for x in cands if x.start >= start and x.start - start <= slot.window]
        if slot.gap is not None:
            after = [x for x in after if slot.gap.fullmatch(doc.text[start : x.start])]
        if not after:
            return self._previous(doc, slot, s, used)
        if slot.pick == "list":
            chosen = [after[0]]
            for x in after[1:]:
                if _LIST_GAP.match(doc.text[chosen[-1].end : x.start]):
                    chosen.append(x)
            return _unique([self._key(doc, slot, x) for x in chosen])
        return [self._key(doc, slot, after[0])]

    def _previous(self, doc: ArticleDoc, slot: Slot, s: Sentence, used: set[str]) -> list[str]:
        if not slot.previous_sentence:
            return []
        for back in range(1, slot.recent + 1):
            if s.index - back < 0:
                break
            prev = [x for x in doc.mentions_in(doc.sentences[s.index - back]) if self._fits(doc, slot, x, used)]
            if prev:
                return [self._key(doc, slot, prev[-1])]
        return []

    def _fits(self, doc: ArticleDoc, slot: Slot, x: Mention, used: set[str]) -> bool:
        if x.type not in slot.types or self._key(doc, slot, x) in used:
            return False
        if x.anaphor and x.text.lower() == "its" and slot.side != "at":
            return False  # a possessive is never the agent of the event
        if slot.role is None:
            return True
        key = self._key(doc, slot, x)
        ent = doc.entities.get(key)
        if ent is not None and not ent.linked:
            return slot.role == "designer"  # an unknown firm may design chips; a foundry must be known
        roles = set(ent.data.get("roles", [])) if ent else set()
        if slot.role == "designer":
            return (
                bool(roles & {"designer", "memory"})
                or key in self.suppliers.values()
                or any(f.links.get("designer") == key for f in doc.facts)
            )
        return bool(roles & {"foundry", "memory"})

    def _key(self, doc: ArticleDoc, slot: Slot, x: Mention) -> str:
        if slot.supplier and x.type in {"Chip", "ChipFamily"}:
            return supplier_of(doc, x.key, self.suppliers) or x.key
        return x.key

    def _values(self, doc: ArticleDoc, rule: Rule, fact: Fact, s: Sentence, m: re.Match[str]) -> None:
        spec = rule.values
        if spec.get("money"):
            money = find_money(s.text)
            if money:
                near = min(money, key=lambda x: abs(x.start - m.start()))
                fact.values[spec["money"]] = near.amount
                fact.values["currency"] = near.currency
        names = [(x.start - s.start, x.end - s.start) for x in doc.mentions_in(s)]
        if spec.get("quantity") and (q := find_quantity(s.text, exclude=names)) is not None:
            fact.values["quantity"] = q
        if spec.get("date") and (d := month_year(s.text)):
            fact.values["date"] = d
        if spec.get("direction"):
            fact.values["direction"] = "up" if m.groupdict().get("up") else "down"
        if trig := spec.get("trigger_text"):
            mk = re.compile(trig, re.I).search(s.text, m.end())
            if mk is not None and (span := clause_text(s.text, mk.end(), max_words=20)):
                fact.values["trigger"] = span
        if prop := spec.get("before_text"):
            lead = s.text[clause_start(s.text, m.start()) : m.start()]
            words = re.sub(r"[,\s]+$", "", lead).split()[-6:]
            if words:
                fact.values[prop] = " ".join(words)
        if text_spec := spec.get("text"):
            marker = re.compile(text_spec["marker"], re.I)
            mk = marker.search(s.text, m.end())
            if mk is not None:
                span = clause_text(s.text, mk.end())
                if span:
                    fact.values[text_spec["property"]] = span


def supplier_of(doc: ArticleDoc, key: str, suppliers: dict[str, str]) -> str | None:
    """The firm whose chip ``key`` is: from the gazetteer, or a development fact in the article."""
    if key in suppliers:
        return suppliers[key]
    for f in doc.facts:
        if f.kind in {"ChipDevelopment", "ProductLaunch"} and f.links.get("product") == key:
            return f.links.get("designer")
    return None


_INTRO = re.compile(
    r"(?:after|when|while|although|though|as|despite|following|since|if|because|once|before|until|in|on|for|with|"
    r"amid|under|by|last|this|earlier|later|meanwhile|separately|however|still|yet|now)\b",
    re.I,
)


def clause_start(text: str, at: int) -> int:
    """Where the clause holding position ``at`` begins: after ; : — , a comma + connective, or an intro phrase."""
    best = 0
    for m in re.finditer(r"[;:—–]\s*|,\s+(?=(?:but|while|which|although|though|whereas|however)\b)", text[:at]):
        best = m.end()
    for m in re.finditer(r",\s+", text[best:at]):  # "After months of crashes on X, Y returned ..."
        if _INTRO.match(text[best:].lstrip()):
            best += m.end()
        break
    return best


def clause_text(text: str, start: int, *, max_words: int = 14) -> str:
    """The text from ``start`` to the end of its clause, at most ``max_words`` words."""
    rest = text[start:]
    end = _CLAUSE_END.search(rest)
    chunk = rest[: end.start()] if end else rest
    chunk = re.sub(r"[\s,.;:!?]+$", "", chunk).strip()
    words = chunk.split()
    return " ".join(words[:max_words])


def _unique(keys: list[str]) -> list[str]:
    out: list[str] = []
    for k in keys:
        if k not in out:
            out.append(k)
    return out
