"""Export the store: Turtle merges every graph; TriG, N-Quads and JSON-LD keep named graphs.

>>> format_for(None)
'turtle'
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from kg.store.local import LocalStore
from kg.vocab import PREFIXES

FORMATS = {
    "turtle": ".ttl",
    "trig": ".trig",
    "nquads": ".nq",
    "jsonld": ".jsonld",
    "ntriples": ".nt",
}
SUFFIX = {v: k for k, v in FORMATS.items()} | {".json": "jsonld"}


def format_for(path: Path | None) -> str:
    """The export format named by a file suffix (Turtle by default)."""
    if path is None:
        return "turtle"
    return SUFFIX.get(path.suffix.lower(), "turtle")


def export_bytes(store: LocalStore, fmt: str) -> bytes:
    """The whole store in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    nquads = store.dump(ox.RdfFormat.N_QUADS)
    if fmt == "nquads":
        return nquads
    if fmt == "trig":
        ds = Dataset()
        _bind(ds)
        ds.parse(data=nquads, format="nquads")
        return ds.serialize(format="trig", encoding="utf-8")
    if fmt == "jsonld":
        ds = Dataset()
        _bind(ds)
        ds.parse(data=nquads, format="nquads")
        return ds.serialize(format="json-ld", encoding="utf-8", context=dict(PREFIXES), auto_compact=True)
    merged = Graph()
    _bind(merged)
    merged.parse(data=_merged_nt(store), format="nt")
    return merged.serialize(format="turtle" if fmt == "turtle" else "nt", encoding="utf-8")


def _merged_nt(store: LocalStore) -> bytes:
    lines = {f"{q.subject} {q.predicate} {q.object} ." for q in store.quads()}
    return "\n".join(sorted(lines)).encode("utf-8")


def _bind(g: Graph) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
