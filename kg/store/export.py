"""Export the store: Turtle merges every graph; TriG, N-Quads and JSON-LD keep one graph per article.

Turtle, TriG, N-Quads and N-Triples are written by Oxigraph's serialisers (strict, fast, and
deterministic for the same store content) with the prefixes of :data:`kg.vocab.PREFIXES`.
JSON-LD is written by rdflib, compacted with those prefixes in an *inline* ``@context``
object: re-importing it never fetches a remote context.

Works on a local store and on a :class:`~kg.store.remote.RemoteStore` alike: only ``quads()``
is used. The quads are gathered in an in-memory Oxigraph store first (so Turtle's merge drops
duplicate triples and every graph is written in one block): budget ~350 MB per million quads.

>>> format_for(None)
'turtle'
>>> from kg.store.local import LocalStore
>>> export_bytes(LocalStore.in_memory(), "nquads")
b''
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Dataset

from kg.vocab import PREFIXES

FORMATS = {
    "turtle": ".ttl",
    "trig": ".trig",
    "nquads": ".nq",
    "jsonld": ".jsonld",
    "ntriples": ".nt",
}
SUFFIX = {v: k for k, v in FORMATS.items()} | {".json": "jsonld"}
OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}


class QuadSource(Protocol):
    """What an export needs from a store."""

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad (of one graph, or of all graphs)."""
        ...


def format_for(path: Path | None) -> str:
    """The export format named by a file suffix (Turtle by default).

    >>> format_for(Path("kg.trig")), format_for(Path("kg.json"))
    ('trig', 'jsonld')
    """
    if path is None:
        return "turtle"
    return SUFFIX.get(path.suffix.lower(), "turtle")


def export_bytes(store: QuadSource, fmt: str) -> bytes:
    """The whole store in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "jsonld":
        return _jsonld(store)
    mem = ox.Store()
    if fmt in ("turtle", "ntriples"):
        mem.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in store.quads())
        data = mem.dump(format=OX_FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=_prefixes(fmt))
    else:
        mem.extend(store.quads())
        data = mem.dump(format=OX_FORMATS[fmt], prefixes=_prefixes(fmt))
    return _sorted_prefixes(data or b"")


def _prefixes(fmt: str) -> dict[str, str] | None:
    return dict(PREFIXES) if fmt in ("turtle", "trig") else None


def _sorted_prefixes(data: bytes) -> bytes:
    """Oxigraph writes the ``@prefix`` lines in hash order: put them in PREFIXES order."""
    lines = data.split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix "):
        n += 1
    rank = {p: i for i, p in enumerate(PREFIXES)}
    head = sorted(lines[:n], key=lambda line: rank.get(line.split(b" ")[1][:-1].decode(), len(rank)))
    return b"\n".join(head + lines[n:])


def _jsonld(store: QuadSource) -> bytes:
    mem = ox.Store()
    mem.extend(store.quads())
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True)
    ds.parse(data=mem.dump(format=ox.RdfFormat.N_QUADS) or b"", format="nquads")
    data = ds.serialize(format="json-ld", encoding="utf-8", context=dict(PREFIXES), auto_compact=True)
    _check_inline_context(data)
    return data


def _check_inline_context(data: bytes) -> None:
    """Refuse to write JSON-LD whose ``@context`` would make a reader fetch something."""
    doc = json.loads(data) if data.strip() else {}
    ctx = doc.get("@context") if isinstance(doc, dict) else None
    if ctx is not None and not isinstance(ctx, dict):
        raise ValueError("the JSON-LD export must carry its @context inline")
