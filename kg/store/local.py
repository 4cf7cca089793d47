"""The embedded store: pyoxigraph (RocksDB on disk, or in memory), one named graph per article.

Why pyoxigraph directly: on this project's measurements it loads 1M triples ~10x faster and in
~3x less memory than rdflib's in-memory store and answers joins 7-20x faster; using it without
the oxrdflib layer avoids converting every result term to rdflib objects. rdflib stays where it
serves: the terms of each article's triples, serialising, and SHACL validation.

Writes of one article are one transaction: one ``extend`` call for a new graph, or one SPARQL
Update request (drop the old graph, insert the new one) for a replacement. A failure leaves the
store as it was.

>>> s = LocalStore.in_memory()
>>> s.count_graphs()
0
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import QueryError, StoreError, StoreInUse
from kg.store.bindings import Triple, ox_quads, safe_iri
from kg.store.terms import row_values

DB_DIR = "oxigraph"
# Oxigraph's RocksDB keeps written data in memory until a flush (~1 KB per quad): flush after
# this many quads so that a long ingest stays flat in memory (~1.2 MB per article otherwise).
FLUSH_EVERY_QUADS = 100_000


class LocalStore:
    """A quad store with named graphs, on disk or in memory."""

    def __init__(self, store: ox.Store, *, path: Path | None = None, read_only: bool = False) -> None:
        self._store = store
        self.path = path
        self.read_only = read_only
        self._unflushed = 0

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def in_memory(cls) -> LocalStore:
        """A fresh store in memory (for tests and the Python API)."""
        return cls(ox.Store())

    @classmethod
    def open(cls, folder: str | Path, *, read_only: bool = False, create: bool = True) -> LocalStore:
        """Open (or create) the store in ``folder``.

        Only one process may open a folder read-write (:class:`~kg.errors.StoreInUse` otherwise).
        A read-only open beside a live writer is undefined behaviour in Oxigraph (pyoxigraph's
        documentation): while ``kg serve --allow-updates`` runs, read through its URL instead.
        """
        folder = Path(folder)
        db = folder / DB_DIR
        if not db.exists():
            if not create or read_only:
                raise StoreError(f"no store at {folder}: create one with `kg ingest ARTICLES --store {folder}`")
            db.mkdir(parents=True)
        try:
            store = ox.Store.read_only(str(db)) if read_only else ox.Store(str(db))
        except OSError as e:
            if "lock" in str(e).lower():
                raise StoreInUse(f"store is in use by another process: {folder} ({e})") from e
            raise StoreError(f"cannot open store {folder}: {e}") from e
        return cls(store, path=folder, read_only=read_only)

    # -- writing ---------------------------------------------------------------------------
    def replace_graphs(
        self, graph: str, data: Graph | Iterable[Triple] | Iterable[ox.Triple], *, drop: Iterable[str] = ()
    ) -> None:
        """Atomically drop ``drop`` graphs and ``graph``, then write ``data`` as ``graph``."""
        self._writable()
        names = [graph, *[d for d in drop if d != graph]]
        quads = ox_quads(data, graph)
        if not any(self._store.contains_named_graph(ox.NamedNode(n)) for n in names):
            self.extend(quads)  # nothing to drop: one atomic extend, no SPARQL text to parse
            return
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        try:
            drops = " ".join(f"DROP SILENT GRAPH {safe_iri(g)} ;" for g in names)
            self._store.update(f"{drops}\nINSERT DATA {{ GRAPH {safe_iri(graph)} {{\n{body}\n}} }}")
        except (OSError, SyntaxError, ValueError, RuntimeError) as e:
            # RuntimeError: Oxigraph failed while running the update (it rolled it back).
            raise StoreError(f"writing graph {graph} failed: {e}") from e
        self._wrote(len(quads))

    def drop_graph(self, graph: str) -> None:
        """Remove one named graph."""
        self._writable()
        try:
            self._store.update(f"DROP SILENT GRAPH {safe_iri(graph)}")
        except (OSError, ValueError, RuntimeError) as e:
            raise StoreError(f"dropping graph {graph} failed: {e}") from e

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction (pyoxigraph makes each call atomic)."""
        self._writable()
        quads = quads if isinstance(quads, list) else list(quads)
        try:
            self._store.extend(quads)
        except (OSError, ValueError, RuntimeError) as e:
            raise StoreError(f"adding quads failed: {e}") from e
        self._wrote(len(quads))

    def load_file(self, path: str | Path, *, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Load an RDF file (parsed strictly by Oxigraph; nothing is written on failure)."""
        self._writable()
        to_graph = ox.NamedNode(graph) if graph else None
        try:
            quads = list(ox.parse(path=str(path), format=fmt, without_named_graphs=False))
        except (SyntaxError, ValueError, OSError) as e:
            raise StoreError(f"{path}: {e}") from e
        if to_graph is not None:
            quads = [ox.Quad(q.subject, q.predicate, q.object, to_graph) for q in quads]
        self._store.extend(quads)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only")

    # -- reading ---------------------------------------------------------------------------
    def select(self, query: str, *, substitutions: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query and return rows of plain Python values."""
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        try:
            result = self._store.query(query, substitutions=subs or None)
        except (SyntaxError, ValueError, OSError, RuntimeError) as e:
            raise QueryError(f"query failed: {e}") from e
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        names = [v.value for v in result.variables]
        return [row_values(names, sol) for sol in result]

    def ask(self, query: str) -> bool:
        """Run an ASK query."""
        try:
            result = self._store.query(query)
        except (SyntaxError, ValueError, OSError, RuntimeError) as e:
            raise QueryError(f"query failed: {e}") from e
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("not an ASK query")
        return bool(result)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad (of one graph, or of all named graphs)."""
        g = ox.NamedNode(graph) if graph else None
        return iter(self._store.quads_for_pattern(None, None, None, g))

    def graphs(self) -> list[str]:
        """The names of every named graph."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count_graphs(self) -> int:
        """How many named graphs there are."""
        return len(self.graphs())

    def __len__(self) -> int:
        return len(self._store)

    def dump(self, fmt: ox.RdfFormat, *, graph: str | None = None) -> bytes:
        """Serialise the store (all graphs) or one graph."""
        if graph is not None:
            return self._store.dump(format=fmt, from_graph=ox.NamedNode(graph)) or b""
        return self._store.dump(format=fmt) or b""

    def optimize(self) -> None:
        """Compact the on-disk store after a bulk load."""
        if not self.read_only:
            self._store.optimize()

    def flush(self) -> None:
        """Write buffered data to disk."""
        if not self.read_only:
            self._store.flush()
        self._unflushed = 0

    def _wrote(self, quads: int) -> None:
        self._unflushed += quads
        if self._unflushed >= FLUSH_EVERY_QUADS and self.path is not None:
            self.flush()

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._store
