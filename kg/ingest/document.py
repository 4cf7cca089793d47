"""The document object that flows through the extraction stages.

Each stage reads some fields and adds others (see ``kg.ingest.pipeline``). Offsets are
character offsets into ``ArticleDoc.text`` (the article text as stored).

>>> from kg.ingest.reader import ArticleInput
>>> doc = ArticleDoc(ArticleInput(source="a.txt", path="a.txt", text="Nvidia sells chips."))
>>> doc.text
'Nvidia sells chips.'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.ingest.reader import ArticleInput

RULE_VERSION = "1"
# The arguments that identify a fact of each kind within one sentence (links or values).
KEY_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "SupplierSwitch": ("switcher", "fromSupplier"),
    "ChipDevelopment": ("designer", "product"),
    "Procurement": ("buyer", "item"),
    "Manufacturing": ("manufacturer",),
    "Investment": ("investor", "investee"),
    "MarketMove": ("subject",),
    "Statement": ("speaker",),
    "PolicyAction": ("target",),
    "CausalClaim": ("causeText", "effectText"),
}


@dataclass(frozen=True)
class Sentence:
    """A sentence of the article: its exact text and offsets."""

    index: int
    start: int
    end: int
    text: str
    furniture: bool = False


@dataclass
class Entity:
    """An entity an article refers to: from the gazetteer (linked) or found in text."""

    key: str  # e.g. "firm/nvidia": the IRI path under ckr:
    type: str  # ontology class local name
    label: str
    linked: bool
    qid: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Mention:
    """A span of text that names (or refers back to) an entity."""

    start: int
    end: int
    text: str
    key: str
    type: str
    sentence: int
    rule: str
    anaphor: bool = False


@dataclass
class Fact:
    """One extracted fact: a class, its links to entities, its values and its evidence."""

    kind: str  # ontology class local name, e.g. "SupplierSwitch"
    sentence: Sentence
    rule: str
    confidence: float
    links: dict[str, str] = field(default_factory=dict)  # property -> entity key
    values: dict[str, Any] = field(default_factory=dict)  # property -> python literal
    rule_version: str = RULE_VERSION

    def signature(self) -> tuple[Any, ...]:
        """Identity of a fact within its sentence: its kind and its key arguments."""
        keys = KEY_ARGUMENTS.get(self.kind)
        if keys is None:
            return (self.kind, self.sentence.index, tuple(sorted(self.links.items())))
        return (
            self.kind,
            self.sentence.index,
            tuple(self.links.get(k) or str(self.values.get(k, "")).lower() for k in keys),
        )


@dataclass
class ArticleDoc:
    """Everything known about one article while it is being processed."""

    article: ArticleInput
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    tokens: Any = None  # the spaCy Doc

    @property
    def text(self) -> str:
        """The article text as stored."""
        return self.article.text

    def mentions_in(self, sentence: Sentence) -> list[Mention]:
        """The mentions inside one sentence, in text order."""
        return [m for m in self.mentions if m.sentence == sentence.index]

    def add_fact(self, fact: Fact) -> None:
        """Add a fact; the same fact found again in a sentence only fills in what was missing."""
        sig = fact.signature()
        for f in self.facts:
            if f.signature() == sig:
                for k, v in fact.links.items():
                    f.links.setdefault(k, v)
                for k, v in fact.values.items():
                    f.values.setdefault(k, v)
                return
        self.facts.append(fact)
