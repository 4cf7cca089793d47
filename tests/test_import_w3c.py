"""The W3C RDF 1.1 Turtle, TriG, N-Triples and N-Quads suites against ``kg import``'s parser.

Each manifest entry is one test: positive syntax tests must load, negative ones must be
refused with :class:`RDFImportError` (and leave the store empty), evaluation tests must parse to
a dataset isomorphic to the expected N-Triples / N-Quads (parsed by rdflib, an independent
parser; compared with ``rdflib.compare.isomorphic``). The suites are read from
``../shared/w3c/rdf-tests`` (set ``KG_SHARED`` to move it); the tests skip where it is absent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from kg.store.imports import RDFImportError, import_file, read_rdf
from kg.store.local import LocalStore

W3C = Path(os.environ.get("KG_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "w3c" / "rdf-tests"
pytestmark = [
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
    pytest.mark.skipif(not W3C.is_dir(), reason=f"the W3C suites are not at {W3C}"),
]
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFT = Namespace("http://www.w3.org/ns/rdftest#")
SUITES = ("rdf-turtle", "rdf-trig", "rdf-n-triples", "rdf-n-quads")
TEST_BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/{suite}/"


@dataclass(frozen=True)
class Entry:
    """One manifest entry."""

    suite: str
    name: str
    kind: str  # "positive", "negative" or "eval"
    action: Path
    result: Path | None
    base: str


def _kind(test_type: URIRef) -> str:
    local = str(test_type).rsplit("#", 1)[1]
    if local.endswith("PositiveSyntax"):
        return "positive"
    if local.endswith("NegativeSyntax"):
        return "negative"
    if local.endswith("Eval"):
        return "eval"
    raise ValueError(f"unknown W3C test type {test_type}")


@cache
def entries(suite: str) -> list[Entry]:
    """Every entry of one suite's manifest, in manifest order."""
    base = TEST_BASE.format(suite=suite)
    g = Graph().parse(W3C / suite / "manifest.ttl", format="turtle", publicID=base + "manifest.ttl")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    out = []
    for test in Collection(g, g.value(manifest, MF.entries)):
        action = str(g.value(test, MF.action))
        result = g.value(test, MF.result)
        out.append(
            Entry(
                suite=suite,
                name=str(g.value(test, MF.name)),
                kind=_kind(g.value(test, RDF.type)),
                action=W3C / suite / action.rsplit("/", 1)[1],
                result=W3C / suite / str(result).rsplit("/", 1)[1] if result is not None else None,
                base=action,
            )
        )
    return out


ALL = [e for s in SUITES for e in entries(s)] if W3C.is_dir() else []


def _rdflib(term: Any) -> Any:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language.lower())
        return _plain(Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False))
    return None  # the default graph


def _plain(term: Any) -> Any:
    """Literals compared as RDF 1.1 says: xsd:string is implicit, language tags are lower case."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    if isinstance(term, Literal) and term.language:
        return Literal(str(term), lang=term.language.lower())
    return term


def _as_graph(quads: set[tuple[Any, Any, Any, Any]]) -> Graph:
    """A graph isomorphic to another iff the datasets are: each quad becomes a blank node."""
    g = Graph()
    if all(q[3] is None for q in quads):
        for s, p, o, _ in quads:
            g.add((s, p, o))
        return g
    pos = [URIRef(f"urn:w3c-test:{n}") for n in ("s", "p", "o", "g")]
    for quad in quads:
        node = BNode()
        for p, t in zip(pos, quad, strict=True):
            g.add((node, p, URIRef("urn:w3c-test:default") if t is None else t))
    return g


def _expected(path: Path) -> set[tuple[Any, Any, Any, Any]]:
    """The expected dataset, parsed by rdflib with its literal normalisation off (exact lexical forms)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rdflib, "NORMALIZE_LITERALS", False)
        return _parse_expected(path)


def _parse_expected(path: Path) -> set[tuple[Any, Any, Any, Any]]:
    if path.suffix == ".nt":
        return {(_plain(s), p, _plain(o), None) for s, p, o in Graph().parse(path, format="nt")}
    ds = Dataset()
    ds.parse(path, format="nquads")
    out = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = None if g is None or g == ds.default_graph.identifier else g
        out.add((_plain(s), p, _plain(o), name))
    return out


def _actual(quads: list[ox.Quad]) -> set[tuple[Any, Any, Any, Any]]:
    return {(_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object), _rdflib(q.graph_name)) for q in quads}


def test_w3c_suites_are_complete() -> None:
    """Every suite is present, with the expected number of entries."""
    assert {s: len(entries(s)) for s in SUITES} == {
        "rdf-turtle": 313,
        "rdf-trig": 356,
        "rdf-n-triples": 70,
        "rdf-n-quads": 87,
    }


@pytest.mark.parametrize("entry", [e for e in ALL if e.kind == "positive"], ids=lambda e: f"{e.suite}/{e.name}")
def test_import_w3c_positive_syntax_loads(entry: Entry) -> None:
    """A W3C positive syntax test loads without error."""
    import_file(LocalStore.in_memory(), entry.action, base_iri=entry.base)


@pytest.mark.parametrize("entry", [e for e in ALL if e.kind == "negative"], ids=lambda e: f"{e.suite}/{e.name}")
def test_import_w3c_negative_syntax_is_refused(entry: Entry) -> None:
    """A W3C negative syntax test is refused, naming the file, and nothing is loaded."""
    store = LocalStore.in_memory()
    with pytest.raises(RDFImportError, match=entry.action.name):
        import_file(store, entry.action, base_iri=entry.base)
    assert len(store) == 0


@pytest.mark.parametrize("entry", [e for e in ALL if e.kind == "eval"], ids=lambda e: f"{e.suite}/{e.name}")
def test_import_w3c_eval_gives_expected_dataset(entry: Entry) -> None:
    """A W3C evaluation test parses to the expected graph (up to blank node names).

    The parser's output is compared (``read_rdf``, what ``import_file`` adds): the store itself
    keeps numbers and dates by value, so ``1.0e0`` would read back from it as ``"1"``.
    """
    assert entry.result is not None
    actual, expected = _actual(read_rdf(entry.action, base_iri=entry.base)), _expected(entry.result)
    assert len(actual) == len(expected)
    assert isomorphic(_as_graph(actual), _as_graph(expected))
