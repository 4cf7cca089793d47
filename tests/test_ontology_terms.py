"""ontology/chipkg.ttl declares exactly the terms of ``kg.vocab.CK``, each documented."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.vocab import CK

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "chipkg.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/chipkg/ontology")
CK_NS = str(CK._NS)
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def declared_terms() -> set[URIRef]:
    graph = ontology()
    return {
        s
        for kind in TERM_TYPES
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and s.startswith(CK_NS)
    }


def ck_terms_used(graph: Graph) -> set[URIRef]:
    return {node for triple in graph for node in triple if isinstance(node, URIRef) and node.startswith(CK_NS)}


def test_ontology_terms_parses_with_header() -> None:
    graph = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert graph.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.created):
        assert graph.value(ONTOLOGY_IRI, predicate) is not None, predicate


def test_ontology_terms_has_no_imports() -> None:
    assert not list(ontology().objects(None, OWL.imports))


def test_ontology_terms_declared_set_equals_vocab() -> None:
    declared = {str(t)[len(CK_NS) :] for t in declared_terms()}
    expected = set(CK.__annotations__)
    assert declared == expected, f"missing: {sorted(expected - declared)}, extra: {sorted(declared - expected)}"


def test_ontology_terms_each_term_has_one_kind() -> None:
    graph = ontology()
    for term in declared_terms():
        kinds = [k for k in TERM_TYPES if (term, RDF.type, k) in graph]
        assert len(kinds) == 1, f"{term}: {kinds}"


def test_ontology_terms_used_terms_are_declared() -> None:
    declared = declared_terms()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        undeclared = ck_terms_used(graph) - declared
        assert not undeclared, f"{path.name}: {sorted(undeclared)}"


def test_ontology_terms_have_label_definition_and_defined_by() -> None:
    graph = ontology()
    for term in sorted(declared_terms()):
        labels = [o for o in graph.objects(term, RDFS.label) if isinstance(o, Literal)]
        definitions = [o for o in graph.objects(term, SKOS.definition) if isinstance(o, Literal)]
        assert any(lbl.language == "en" for lbl in labels), f"{term}: no @en rdfs:label"
        assert any(d.language == "en" for d in definitions), f"{term}: no @en skos:definition"
        assert graph.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI, f"{term}: rdfs:isDefinedBy"


def test_ontology_terms_inverses_are_symmetric() -> None:
    graph = ontology()
    pairs = [(a, b) for a, b in graph.subject_objects(OWL.inverseOf) if isinstance(a, URIRef) and a.startswith(CK_NS)]
    assert pairs
    for a, b in pairs:
        assert (b, OWL.inverseOf, a) in graph, f"{b} does not declare owl:inverseOf {a}"


def test_ontology_terms_reused_terms_are_declared() -> None:
    """Every external class or property the ontology builds on is declared in the file itself."""
    graph = ontology()
    declared = {s for kind in TERM_TYPES for s in graph.subjects(RDF.type, kind)}
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range):
        for target in graph.objects(None, predicate):
            if isinstance(target, URIRef) and not target.startswith(XSD_NS):
                assert target in declared, f"{target} ({predicate}) is not declared"
