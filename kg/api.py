"""The Python API: one object for ingesting, asking, querying and exporting.

>>> from kg import KnowledgeGraph
>>> g = KnowledgeGraph.in_memory()
>>> report = g.ingest_text("Baidu moved away from Nvidia chips to Huawei's Ascend.", source="note.txt")
>>> [(r.firm, r.supplier, r.source) for r in g.ask("switched-away-from", supplier="Nvidia")]
[('Baidu', 'Nvidia', 'note.txt')]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.errors import QueryError
from kg.query.pack import QueryPack, Question, run_question
from kg.query.safety import check_query
from kg.resources import default_store_path
from kg.store.local import LocalStore
from kg.store.quarantine import Quarantine

if TYPE_CHECKING:
    from kg.ingest.batch import IngestReport


class Row(dict[str, Any]):
    """One answer row: a dict whose keys are also attributes (``row.source``, ``row.evidence``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e


class KnowledgeGraph:
    """A knowledge graph of articles, facts and evidence, in an embedded store."""

    def __init__(self, store: LocalStore, *, folder: Path | None = None) -> None:
        self.store = store
        self.folder = folder

    @classmethod
    def open(cls, folder: str | Path | None = None, *, read_only: bool = False, create: bool = True) -> KnowledgeGraph:
        """Open (or create) the store in ``folder`` (default: ``$KG_STORE`` or ``kg-data``)."""
        if isinstance(folder, str) and folder.startswith(("http://", "https://")):
            from kg.store.remote import RemoteStore

            return cls(RemoteStore(folder, read_only=read_only))  # type: ignore[arg-type]
        path = Path(folder) if folder is not None else default_store_path()
        return cls(LocalStore.open(path, read_only=read_only, create=create), folder=path)

    @classmethod
    def in_memory(cls) -> KnowledgeGraph:
        """A store in memory, for tests and notebooks."""
        return cls(LocalStore.in_memory())

    @property
    def quarantine(self) -> Quarantine | None:
        """The quarantine area (on-disk stores only)."""
        return Quarantine(self.folder / "quarantine") if self.folder is not None else None

    def ingest(self, paths: Iterable[str | Path], *, progress: bool = False, jobs: int = 1) -> IngestReport:
        """Ingest article files and folders; see :class:`~kg.ingest.batch.IngestReport`.

        ``jobs`` > 1 extracts in that many worker processes (0: one per core); this process
        stores, so the store is the same as with one job. Workers are started with Python's
        ``forkserver`` method, so a script that asks for jobs > 1 must guard its entry point with
        ``if __name__ == "__main__":``, as any multiprocessing script must.
        """
        from kg.ingest.batch import ingest_paths

        return ingest_paths(
            [str(p) for p in paths], store=self.store, quarantine=self.quarantine, progress=progress, jobs=jobs
        )

    def ingest_text(self, text: str, *, source: str = "inline.txt") -> IngestReport:
        """Ingest one plain-text article given as a string; ``source`` names it."""
        from kg.ingest.batch import ingest_articles
        from kg.ingest.reader import parse_text

        return ingest_articles([parse_text(text, source)], store=self.store, quarantine=self.quarantine)

    def questions(self) -> list[Question]:
        """The question pack."""
        return list(QueryPack.load().questions.values())

    def ask(self, question: str, **params: Any) -> list[Row]:
        """Answer a named question; parameters by name (``supplier="Nvidia"``; ``None`` = not given)."""
        q = QueryPack.load().get(question)
        rows = run_question(self._select, q, {k: "" if v is None else str(v) for k, v in params.items()})
        return [Row(r) for r in rows]

    def sparql(self, query: str, *, timeout: float | None = None) -> list[Row]:
        """Run a read-only SPARQL SELECT (or ASK) written by the user.

        With ``timeout`` (seconds) the query runs in a child process that is stopped when the
        time is up (:class:`~kg.query.limits.QueryTimeout`); a store on disk opened read-only is
        reopened read-only in the child.
        """
        form = check_query(query)
        if form not in {"SelectQuery", "AskQuery"}:
            raise QueryError(f"only SELECT and ASK queries are answered as rows, not {form}")
        if timeout is None or not isinstance(self.store, LocalStore):  # a remote server has its own limit
            return [Row(r) for r in self._answer(query, form)]
        from kg.query.limits import run_with_timeout

        source: Any = (
            self.folder if self.folder is not None and self.store.read_only else (lambda q: self._answer(q, form))
        )
        return [Row(r) for r in run_with_timeout(source, query, seconds=timeout)]

    def _answer(self, query: str, form: str) -> list[dict[str, Any]]:
        if form == "AskQuery":
            return [{"boolean": self.store.ask(query)}]
        return self.store.select(query)

    def _select(self, query: str, bindings: dict[str, Any] | None) -> list[dict[str, Any]]:
        subs = {k: _ox_term(v) for k, v in (bindings or {}).items()}
        return self.store.select(query, substitutions=subs)

    def export(self, path: str | Path | None = None, *, format: str | None = None) -> bytes:
        """Serialise the store; the format comes from the suffix unless given."""
        from kg.store.export import export_bytes, format_for

        fmt = format or format_for(Path(path) if path else None)
        data = export_bytes(self.store, fmt)
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def close(self) -> None:
        """Flush and release the store."""
        self.store.flush()
        del self.store


def _ox_term(term: Any) -> Any:
    """The pyoxigraph term of an rdflib IRI or literal."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal) and term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term))
