"""The extraction pipeline: stages over one document, in one place.

Every stage has a ``name``, declares what it ``needs`` and what it ``adds`` (fields of
:class:`~kg.ingest.document.ArticleDoc`), and is called with the document. The pipeline checks
at build time that every need is met by an earlier stage, and wraps a stage failure into a
:class:`~kg.errors.StageError` that names the article and the stage.

>>> doc = Pipeline.default().extract_text("Huawei unveiled the Ascend 910C chip.")
>>> [(f.kind, f.links) for f in doc.facts if f.kind == "ChipDevelopment"]
[('ChipDevelopment', {'product': 'chip/ascend-910c', 'designer': 'firm/huawei'})]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

from kg.errors import ConfigError, StageError
from kg.gazetteer import Gazetteer
from kg.ingest.causal import CausalFinder
from kg.ingest.coref import Coreference
from kg.ingest.document import ArticleDoc
from kg.ingest.entities import EntityFinder
from kg.ingest.policies import PolicyFinder
from kg.ingest.reader import ArticleInput
from kg.ingest.rules import RuleEngine, load_rules
from kg.ingest.segment import Segmenter
from kg.ingest.statements import StatementFinder

PROVIDED = ("text",)


class Stage(Protocol):
    """One step of extraction."""

    @property
    def name(self) -> str:
        """The stage's name, used in error messages."""

    @property
    def needs(self) -> tuple[str, ...]:
        """Document fields the stage reads."""

    @property
    def adds(self) -> tuple[str, ...]:
        """Document fields the stage writes."""

    def __call__(self, doc: ArticleDoc) -> None:
        """Read what the stage needs from ``doc`` and add what it adds."""


class Pipeline:
    """An ordered list of stages whose needs are checked when it is built."""

    def __init__(self, stages: Sequence[Stage]) -> None:
        have = set(PROVIDED)
        for st in stages:
            missing = set(st.needs) - have
            if missing:
                raise ConfigError(f"stage {st.name!r} needs {sorted(missing)} that no earlier stage adds")
            have |= set(st.adds)
        self.stages = list(stages)

    @classmethod
    def default(cls) -> Pipeline:
        """The standard pipeline (built once per process and shared)."""
        return _default()

    def process(self, article: ArticleInput, *, on_stage: Callable[[str], None] | None = None) -> ArticleDoc:
        """Run every stage over one article."""
        doc = ArticleDoc(article)
        for st in self.stages:
            if on_stage is not None:
                on_stage(st.name)
            try:
                st(doc)
            except Exception as e:
                raise StageError(article.source, st.name, f"{type(e).__name__}: {e}") from e
        return doc

    def extract_text(self, text: str, *, source: str = "inline.txt") -> ArticleDoc:
        """Run the pipeline over a string (for examples and tests)."""
        return self.process(ArticleInput(source=source, path=source, text=text))


@lru_cache(maxsize=1)
def _default() -> Pipeline:
    gaz = Gazetteer.load()
    suppliers = {}
    for e in gaz.entities.values():
        if e.type in {"Chip", "ChipFamily"} and e.data.get("designer"):
            designer = gaz.by_id(e.data["designer"])
            if designer is not None:
                suppliers[e.key] = designer.key
    parents = {}
    for e in gaz.entities.values():
        if e.type == "Firm" and e.data.get("parent") and (parent := gaz.by_id(e.data["parent"])) is not None:
            parents[e.key] = parent.key
    engine = RuleEngine(load_rules("relations.yaml"), suppliers=suppliers, parents=parents)
    engine.firm_names = {
        e.key: tuple(n.lower() for n in (e.label, *e.data.get("aliases", ())))
        for e in gaz.entities.values()
        if e.type == "Firm"
    }
    return Pipeline(
        [
            Segmenter.load(),
            EntityFinder.load(gaz),
            Coreference.load(),
            engine,
            PolicyFinder.load(gaz),
            StatementFinder.load(),
            CausalFinder.load(),
        ]
    )
