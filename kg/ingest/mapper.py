"""Map one processed article to its RDF graph (see ``docs/data-model.md``).

The graph holds the article, the extraction run, every fact with its evidence, and the type,
label and link flag of every entity the article refers to (so that it validates on its own).

>>> from kg.ingest.pipeline import Pipeline
>>> doc = Pipeline.default().extract_text("Nvidia unveiled the H20 chip.")
>>> g = to_graph(doc, run=RunInfo("r1", "2025-01-01T00:00:00+00:00"))
>>> from kg.vocab import CK, RDF
>>> len(list(g.subjects(RDF.type, CK.ChipDevelopment)))
1
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef

from kg import __version__
from kg.gazetteer import add_entity, entity_iri
from kg.ingest.document import ArticleDoc, Fact
from kg.store.bindings import Triple
from kg.vocab import CK, CKG, CKR, DCTERMS, PREFIXES, PROV, RDF, SDO

DECIMALS = {"quantity", "value", "amount"}
BOOLEANS = {"hedged", "negated"}
INTERNAL = {"currency_hint"}


@dataclass(frozen=True)
class RunInfo:
    """The extraction run that produced a graph."""

    id: str
    started: str


def article_iri(key: str) -> URIRef:
    """The IRI of an article."""
    return CKR[f"article/{key}"]


def graph_iri(key: str) -> URIRef:
    """The IRI of an article's named graph."""
    return CKG[f"article/{key}"]


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g


class TripleList(list[Triple]):
    """A list of triples with rdflib's ``Graph.add`` spelling, so the same code fills either."""

    def add(self, triple: Triple) -> TripleList:
        """Append one triple."""
        self.append(triple)
        return self


def graph_of(triples: Iterable[Triple]) -> Graph:
    """An rdflib ``Graph`` of ``triples``, with the project's prefixes bound."""
    g = new_graph()
    for t in triples:
        g.add(t)
    return g


def to_graph(doc: ArticleDoc, *, run: RunInfo) -> Graph:
    """The article's graph (an rdflib ``Graph`` of :func:`to_triples`)."""
    return graph_of(to_triples(doc, run=run))


def to_triples(doc: ArticleDoc, *, run: RunInfo) -> list[Triple]:
    """The article's graph as distinct triples, without the cost of an rdflib ``Graph``.

    >>> from kg.ingest.pipeline import Pipeline
    >>> doc = Pipeline.default().extract_text("Nvidia unveiled the H20 chip.")
    >>> len(to_triples(doc, run=RunInfo("r1", "2025-01-01T00:00:00+00:00"))) > 10
    True
    """
    art = doc.article
    g = TripleList()
    a = article_iri(art.key)
    run_node = CKR[f"run/{run.id}"]
    g.add((run_node, RDF.type, CK.ExtractionRun))
    g.add((run_node, PROV.startedAtTime, Literal(run.started, datatype=XSD.dateTime)))
    g.add((run_node, CK.softwareVersion, Literal(__version__)))
    _article(g, doc, a, run_node)
    referenced: set[str] = set()
    for n, fact in enumerate(doc.facts):
        referenced |= _fact(g, doc, fact, n, a, run_node)
    for n, key in enumerate(_first_mentions(doc), start=len(doc.facts)):
        mention = _first_mentions(doc)[key]
        fact = Fact(
            "EntityMention",
            doc.sentences[mention.sentence],
            mention.rule,
            0.9,
            links={"entity": key},
        )
        referenced |= _fact(g, doc, fact, n, a, run_node)
        g.add((a, CK.mentions, entity_iri(key)))
    for key in sorted(referenced):
        if key in doc.entities:
            add_entity(g, doc.entities[key])
    return list(dict.fromkeys(g))


def _article(g: TripleList, doc: ArticleDoc, a: URIRef, run_node: URIRef) -> None:
    art = doc.article
    g.add((a, RDF.type, CK.Article))
    g.add((a, CK.source, Literal(art.source)))
    g.add((a, CK.contentHash, Literal(art.content_hash)))
    g.add((a, SDO.articleBody, Literal(art.text)))
    g.add((a, PROV.wasGeneratedBy, run_node))
    if art.title:
        g.add((a, DCTERMS.title, Literal(art.title)))
    if art.url:
        g.add((a, SDO.url, Literal(art.url, datatype=XSD.anyURI)))
    if art.date:
        g.add((a, SDO.datePublished, _date(art.date)))
    if art.publisher:
        g.add((a, SDO.publisher, Literal(art.publisher)))
    if art.author:
        g.add((a, SDO.author, Literal(art.author)))


def _fact(g: TripleList, doc: ArticleDoc, fact: Fact, n: int, a: URIRef, run_node: URIRef) -> set[str]:
    key = doc.article.key
    node = CKR[f"fact/{key}/{n}"]
    ev = CKR[f"evidence/{key}/{n}"]
    s = fact.sentence
    g.add((node, RDF.type, CK[fact.kind]))
    g.add((node, CK.reportedIn, a))
    g.add((node, CK.hasEvidence, ev))
    g.add((ev, RDF.type, CK.Evidence))
    g.add((ev, CK.inArticle, a))
    g.add((ev, CK.quote, Literal(s.text)))
    g.add((ev, CK.start, Literal(s.start)))
    g.add((ev, CK.end, Literal(s.end)))
    g.add((ev, CK.rule, Literal(fact.rule)))
    g.add((ev, CK.ruleVersion, Literal(fact.rule_version)))
    g.add((ev, CK.confidence, Literal(Decimal(str(round(fact.confidence, 3))))))
    g.add((ev, PROV.wasGeneratedBy, run_node))
    for prop, target in fact.links.items():
        g.add((node, CK[prop], entity_iri(target)))
    for prop, value in fact.values.items():
        if prop not in INTERNAL and value is not None and value != "":
            g.add((node, CK[prop], _literal(prop, value)))
    return set(fact.links.values())


def _literal(prop: str, value: Any) -> Literal:
    if prop in DECIMALS:
        return Literal(Decimal(str(value)))
    if prop in BOOLEANS:
        return Literal(bool(value))
    if prop == "date":
        return _date(str(value))
    return Literal(str(value))


def _date(value: str) -> Literal:
    if len(value) == 10:
        return Literal(value, datatype=XSD.date)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value[:4], datatype=XSD.gYear)


def _first_mentions(doc: ArticleDoc) -> dict[str, Any]:
    first: dict[str, Any] = {}
    for m in doc.mentions:
        if not m.anaphor and m.key not in first:
            first[m.key] = m
    return first
