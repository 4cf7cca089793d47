"""Load RDF a user already has into the store, through a strict parser, all or nothing.

Turtle, TriG, N-Triples, N-Quads, RDF/XML and JSON-LD (chosen by the file suffix) are parsed
by Oxigraph, which passes every W3C syntax test of the first four. Before parsing:

* every file: at most ``max_bytes`` (default :data:`MAX_BYTES`);
* RDF/XML: must be UTF-8 and may hold no ``<!DOCTYPE`` or ``<!ENTITY`` declaration (entity
  expansion, "billion laughs", and external entities that read files or URLs);
* JSON-LD: nested at most :data:`MAX_JSONLD_DEPTH` deep (Oxigraph crashes the interpreter on
  ~4,000), no duplicate keys, no NaN, and every ``@context`` inline: a context given as an IRI
  (or ``@import``) is refused, so no document is ever fetched.

The whole file is parsed before anything is written, then added in one transaction: a file
with an error anywhere leaves the store as it was. Blank nodes are renamed apart from those
already stored.

>>> import tempfile
>>> from pathlib import Path
>>> from kg.store.local import LocalStore
>>> f = Path(tempfile.mkdtemp()) / "data.ttl"
>>> _ = f.write_text('<http://example.org/s> <http://example.org/p> "o" .')
>>> store = LocalStore.in_memory()
>>> import_file(store, f, graph="http://example.org/g")
1
>>> _ = f.write_text('<http://example.org/s> <http://example.org/p> "o" ; .. .')
>>> import_file(store, f)
Traceback (most recent call last):
kg.store.imports.RDFImportError: ...data.ttl: not imported (syntax error: ...)
>>> len(store)
1
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from kg.errors import KGError
from kg.ingest.reader import max_depth, strict_json_loads

MAX_BYTES = 256 * 1024 * 1024
MAX_JSONLD_DEPTH = 100
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json-ld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}
DATASET_FORMATS = {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD}
_XML_DECL_ENCODING = re.compile(r"""\A\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_XML_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class QuadSink(Protocol):
    """What an import needs from a store (:class:`LocalStore` or ``RemoteStore``)."""

    read_only: bool

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        ...


class RDFImportError(KGError, ValueError):
    """An RDF file was refused or could not be parsed; nothing of it was loaded."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: not imported ({reason})")
        self.name = name
        self.reason = reason


def format_for(path: str | Path) -> ox.RdfFormat:
    """The RDF format named by a file's suffix.

    >>> format_for("a.trig")
    <RdfFormat TriG>
    >>> format_for("a.n3")
    Traceback (most recent call last):
    kg.store.imports.RDFImportError: a.n3: not imported (unknown RDF suffix '.n3': use .ttl, .trig, ...)
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(s for s in FORMATS if s not in {".turtle", ".ntriples", ".nquads", ".json-ld"})
        raise RDFImportError(str(path), f"unknown RDF suffix {suffix!r}: use {known}")
    return FORMATS[suffix]


def import_file(
    store: QuadSink,
    path: str | Path,
    *,
    graph: str | None = None,
    max_bytes: int = MAX_BYTES,
    base_iri: str | None = None,
) -> int:
    """Parse ``path`` strictly and add all its quads to ``store``; return how many were read.

    ``graph`` puts the triples of a triples file (or of a dataset file without named graphs)
    into that named graph. ``base_iri`` resolves relative IRIs; without it they are an error.
    Raises :class:`RDFImportError` naming the file and the reason; nothing is written then.
    Oxigraph stores numbers and dates by value: a decimal written ``1.0`` reads back as ``"1"``.

    >>> import tempfile
    >>> from kg.store.local import LocalStore
    >>> f = Path(tempfile.mkdtemp()) / "x.rdf"
    >>> _ = f.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r/>')
    >>> import_file(LocalStore.in_memory(), f)
    Traceback (most recent call last):
    kg.store.imports.RDFImportError: ...x.rdf: not imported (RDF/XML with a DOCTYPE or ENTITY declaration ...)
    """
    name = str(path)
    if store.read_only:
        raise RDFImportError(name, "the store was opened read-only")
    quads = read_rdf(path, graph=graph, max_bytes=max_bytes, base_iri=base_iri)
    try:
        store.extend(quads)
    except (KGError, OSError) as e:
        raise RDFImportError(name, f"writing to the store failed: {e}") from e
    return len(quads)


def read_rdf(
    path: str | Path, *, graph: str | None = None, max_bytes: int = MAX_BYTES, base_iri: str | None = None
) -> list[ox.Quad]:
    """Check and parse ``path`` (see :func:`import_file`) into quads, writing nothing.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "x.nt"
    >>> _ = f.write_text('@prefix ex: <http://example.org/> . ex:s ex:p 1.0 .')
    >>> f = f.rename(f.with_suffix(".ttl"))
    >>> [q.object.value for q in read_rdf(f)]
    ['1.0']
    """
    name = str(path)
    fmt = format_for(path)
    data = _read(Path(path), name, max_bytes)
    if fmt == ox.RdfFormat.RDF_XML:
        check_rdfxml(data, name)
    elif fmt == ox.RdfFormat.JSON_LD:
        check_jsonld(data, name)
    target = _graph_node(graph, name)
    quads = _parse(data, fmt, name, base_iri=base_iri, triples_only=target is not None)
    if target is not None:
        quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
    return quads


def _read(path: Path, name: str, max_bytes: int) -> bytes:
    if not path.is_file():
        raise RDFImportError(name, "no such file" if not path.exists() else "not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise RDFImportError(name, f"{size} bytes is over the {max_bytes}-byte limit")
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise RDFImportError(name, f"cannot read: {e.strerror}") from e
    if len(data) > max_bytes:
        raise RDFImportError(name, f"over the {max_bytes}-byte limit")
    return data


def _graph_node(graph: str | None, name: str) -> ox.NamedNode | None:
    if graph is None:
        return None
    try:
        return ox.NamedNode(graph)
    except ValueError as e:
        raise RDFImportError(name, f"--graph {graph!r} is not an absolute IRI: {e}") from e


def _parse(data: bytes, fmt: ox.RdfFormat, name: str, *, base_iri: str | None, triples_only: bool) -> list[ox.Quad]:
    try:
        return list(
            ox.parse(
                data,
                format=fmt,
                base_iri=base_iri,
                without_named_graphs=triples_only and fmt in DATASET_FORMATS,
                rename_blank_nodes=True,
            )
        )
    except (SyntaxError, ValueError, OSError) as e:
        if triples_only and "named graph" in str(e).lower():
            raise RDFImportError(
                name, f"the file names its own graphs: a target graph is for triples only ({e})"
            ) from e
        raise RDFImportError(name, f"syntax error: {e}") from e


def check_rdfxml(data: bytes, name: str) -> None:
    """Refuse RDF/XML that is not UTF-8 or declares a DOCTYPE or ENTITY.

    >>> check_rdfxml(b'<?xml version="1.0"?><rdf:RDF/>', "ok.rdf")
    >>> check_rdfxml('<?xml version="1.0" encoding="UTF-16"?>'.encode("utf-16"), "w.rdf")
    Traceback (most recent call last):
    kg.store.imports.RDFImportError: w.rdf: not imported (RDF/XML must be UTF-8)
    """
    if b"\x00" in data:
        raise RDFImportError(name, "RDF/XML must be UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RDFImportError(name, "RDF/XML must be UTF-8") from e
    m = _XML_DECL_ENCODING.match(text)
    if m and m.group(1).strip().lower() not in {"utf-8", "utf8", "us-ascii", "ascii"}:
        raise RDFImportError(name, f"RDF/XML must be UTF-8, not {m.group(1)!r}")
    if _XML_DECLARATION.search(text):
        raise RDFImportError(
            name, "RDF/XML with a DOCTYPE or ENTITY declaration is refused (entity expansion, external entities)"
        )


def check_jsonld(data: bytes, name: str, *, max_nesting: int = MAX_JSONLD_DEPTH) -> None:
    """Refuse JSON-LD that is too deep, not strict JSON, or names a context to fetch.

    >>> check_jsonld(b'{"@context": {"@vocab": "http://example.org/"}, "name": "x"}', "ok.jsonld")
    >>> check_jsonld(b'{"@context": "https://schema.org/", "name": "x"}', "r.jsonld")
    Traceback (most recent call last):
    kg.store.imports.RDFImportError: r.jsonld: not imported (remote @context 'https://schema.org/' is refused: ...)
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RDFImportError(name, "JSON-LD must be UTF-8") from e
    depth = max_depth(text)
    if depth > max_nesting:
        raise RDFImportError(name, f"JSON-LD nested {depth} deep (limit {max_nesting})")
    try:
        doc = strict_json_loads(text)
    except (ValueError, RecursionError) as e:
        raise RDFImportError(name, f"bad JSON: {e}") from e
    _check_contexts(doc, name)


def _check_contexts(node: Any, name: str) -> None:
    if isinstance(node, list):
        for item in node:
            _check_contexts(item, name)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@import":
                raise RDFImportError(name, f"@import {value!r} is refused: nothing is fetched")
            if key == "@context":
                _check_context_value(value, name)
            _check_contexts(value, name)


def _check_context_value(value: Any, name: str) -> None:
    if isinstance(value, list):
        for item in value:
            _check_context_value(item, name)
    elif value is not None and not isinstance(value, dict):
        raise RDFImportError(
            name, f"remote @context {value!r} is refused: only inline contexts are read, nothing is fetched"
        )
