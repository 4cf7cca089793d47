"""The one error hierarchy of chipkg.

Every error is rooted in a built-in exception so that callers may catch either. Messages name
the article, the stage and the rule where they apply.

>>> from kg.errors import UnreadableArticle
>>> err = UnreadableArticle("a.txt", "empty file")
>>> str(err)
'a.txt: unreadable (empty file)'
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations


class KGError(Exception):
    """Base of every chipkg error."""


class ConfigError(KGError, ValueError):
    """A data file (lexicon, gazetteer, query header) is malformed."""


class UnreadableArticle(KGError, ValueError):
    """An input file could not be read as an article."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: unreadable ({reason})")
        self.name = name
        self.reason = reason


class StageError(KGError, RuntimeError):
    """A pipeline stage failed on one article."""

    def __init__(self, article: str, stage: str, detail: str) -> None:
        super().__init__(f"{article}: stage {stage!r} failed: {detail}")
        self.article = article
        self.stage = stage
        self.detail = detail


class ValidationFailed(KGError, ValueError):
    """An article's graph does not conform to the SHACL shapes."""

    def __init__(self, article: str, report: str) -> None:
        super().__init__(f"{article}: graph fails SHACL validation")
        self.article = article
        self.report = report


class StoreError(KGError, OSError):
    """The store cannot be opened or written."""


class StoreInUse(StoreError):
    """Another process holds the store's write lock."""


class QueryError(KGError, ValueError):
    """A question or SPARQL query is unknown, malformed, or refused."""


class UnsafeQuery(QueryError):
    """A query uses a feature refused for safety (SERVICE, LOAD, updates, remote FROM)."""


class ParameterError(QueryError):
    """A query parameter is missing or malformed."""
