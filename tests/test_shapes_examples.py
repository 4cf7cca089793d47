"""The SHACL shapes (ontology/shapes.ttl) against hand-written examples.

``tests/shapes/valid/<Shape>.ttl`` must produce no validation result at all;
``tests/shapes/invalid/<Shape>.ttl`` must fail, even with warnings allowed, and every Violation it
raises must come from ``cks:<Shape>`` or one of its property shapes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.vocab import CK

ROOT = Path(__file__).resolve().parents[1]
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
EXAMPLES = ROOT / "tests" / "shapes"
CKS = Namespace("https://w3id.org/chipkg/shapes#")

# ck: classes that never have asserted instances: superclasses and the defined classes.
ABSTRACT_CLASSES = {
    CK.Organization,
    CK.Jurisdiction,
    CK.Product,
    CK.Fact,
    CK.Event,
    CK.ChipDesigner,
    CK.Foundry,
    CK.ChipBuyer,
    CK.ExportControlledChip,
}


@cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def node_shape_names() -> list[str]:
    """Local names of the node shapes that target a class."""
    graph = shapes_graph()
    names = []
    for shape in set(graph.subjects(SH.targetClass, None)):
        assert isinstance(shape, URIRef), shape
        assert shape.startswith(str(CKS)), shape
        names.append(shape[len(str(CKS)) :])
    return sorted(names)


def shape_family(shape: URIRef) -> set[URIRef]:
    """The node shape, its sh:property shapes and the named operands of its logical lists."""
    graph = shapes_graph()
    family = {shape, *graph.objects(shape, SH.property)}
    for predicate in (SH["or"], SH["and"], SH.xone):
        for head in graph.objects(shape, predicate):
            family.update(m for m in Collection(graph, head) if isinstance(m, URIRef))
    return {m for m in family if isinstance(m, URIRef)}


def property_shapes() -> set[Node]:
    graph = shapes_graph()
    return (
        set(graph.subjects(SH.path, None))
        | set(graph.objects(None, SH.property))
        | set(graph.subjects(RDF.type, SH.PropertyShape))
    )


def run(data: Graph, *, allow_warnings: bool) -> tuple[bool, Graph, str]:
    conforms, report, text = validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        allow_warnings=allow_warnings,
        advanced=False,
    )
    assert isinstance(report, Graph)
    return bool(conforms), report, str(text)


def load(kind: str, name: str) -> Graph:
    path = EXAMPLES / kind / f"{name}.ttl"
    assert path.is_file(), f"missing example {path.relative_to(ROOT)}"
    return Graph().parse(path, format="turtle")


NODE_SHAPES = node_shape_names()


@pytest.mark.parametrize("name", NODE_SHAPES)
def test_shapes_examples_valid_conforms(name: str) -> None:
    conforms, _, text = run(load("valid", name), allow_warnings=False)
    assert conforms, text


@pytest.mark.parametrize("name", NODE_SHAPES)
def test_shapes_examples_invalid_fails_on_own_shape(name: str) -> None:
    data = load("invalid", name)
    conforms, report, text = run(data, allow_warnings=True)
    assert not conforms, f"invalid/{name}.ttl conforms"
    violations = [r for r in report.subjects(SH.resultSeverity, SH.Violation)]
    sources = {report.value(r, SH.sourceShape) for r in violations}
    family = shape_family(CKS[name])
    assert sources, text
    assert sources <= family, f"violations outside cks:{name}: {sources - family}\n{text}"


def test_shapes_examples_no_orphan_files() -> None:
    for kind in ("valid", "invalid"):
        stems = {p.stem for p in (EXAMPLES / kind).glob("*.ttl")}
        assert stems == set(NODE_SHAPES), f"{kind}: {stems ^ set(NODE_SHAPES)}"


def test_shapes_examples_target_classes_are_the_concrete_classes() -> None:
    targets = set(shapes_graph().objects(None, SH.targetClass))
    classes = {CK[name] for name in CK.__annotations__ if name[0].isupper()}
    assert targets == classes - ABSTRACT_CLASSES


def test_shapes_examples_node_shapes_named_after_their_class() -> None:
    graph = shapes_graph()
    for name in NODE_SHAPES:
        assert graph.value(CKS[name], SH.targetClass) == CK[name]


def test_shapes_examples_property_shapes_named_with_name_message_severity() -> None:
    graph = shapes_graph()
    shapes = property_shapes()
    assert shapes
    for shape in shapes:
        assert isinstance(shape, URIRef), f"blank property shape {shape!r}"
        assert shape.startswith(str(CKS)), shape
        assert graph.value(shape, SH.name) is not None, f"{shape} has no sh:name"
        assert graph.value(shape, SH.message) is not None, f"{shape} has no sh:message"
        assert graph.value(shape, SH.severity) in {SH.Violation, SH.Warning, SH.Info}, shape


def test_shapes_examples_shapes_graph_passes_meta_shacl() -> None:
    conforms, _, text = validate(Graph(), shacl_graph=shapes_graph(), meta_shacl=True, inference="none")
    assert conforms, text


def test_shapes_examples_union_of_valid_examples_conforms() -> None:
    """All valid examples together form one article's graph and still produce no result."""
    data = Graph()
    for name in NODE_SHAPES:
        data += load("valid", name)
    conforms, _, text = run(data, allow_warnings=False)
    assert conforms, text


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_shapes_examples_union_conforms_with_ontology_inference(inference: str) -> None:
    """Mixing the ontology in (subclass, domain/range, inverse inferences) adds no result."""
    data = Graph()
    for name in NODE_SHAPES:
        data += load("valid", name)
    ontology = Graph().parse(ROOT / "ontology" / "chipkg.ttl", format="turtle")
    conforms, _, text = validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology,
        inference=inference,
        allow_warnings=False,
    )
    assert conforms, text
