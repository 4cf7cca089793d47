"""Compile a SHACL shapes graph into plain Python objects, once.

Only SHACL Core is compiled, and of it the constraint components listed in ``SUPPORTED``;
a shapes graph that uses anything else (SPARQL constraints, sh:closed, qualified value
shapes, ...) raises :class:`UnsupportedShapes`, and the caller falls back to pyshacl.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
... @prefix ex: <http://example.org/> .
... ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .''',
... format="turtle")
>>> [(str(s.targets.classes[0]), len(s.properties)) for s in compile_shapes(g).roots]
[('http://example.org/C', 1)]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.vocab import RDF, RDFS, SH

# SHACL Core parameters this module compiles (each names its constraint component).
SUPPORTED = frozenset(
    SH[n]
    for n in (
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "minLength",
        "maxLength",
        "pattern",
        "in",
        "hasValue",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "or",
        "and",
        "not",
        "xone",
        "node",
    )
)
# Parameters that are read with another parameter, or carry no constraint of their own.
COMPANIONS = frozenset(SH[n] for n in ("flags",))
# SHACL Core parameters that are not compiled: their presence makes compilation fail.
UNSUPPORTED = frozenset(
    SH[n]
    for n in (
        "closed",
        "ignoredProperties",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "sparql",
        "rule",
        "target",
        "expression",
    )
)
PATH_KINDS = ("inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")


class UnsupportedShapes(ValueError):
    """The shapes graph uses a SHACL feature that the compiled engine does not implement."""


@dataclass(frozen=True)
class Path:
    """A SHACL property path: ``kind`` is "pred", "inverse", "seq", "alt", "star", "plus" or "opt"."""

    kind: str
    pred: URIRef | None = None
    parts: tuple[Path, ...] = ()
    node: Node | None = None  # the path as written in the shapes graph, for reports


@dataclass(frozen=True)
class Targets:
    """How a shape selects its focus nodes."""

    classes: tuple[URIRef, ...] = ()
    nodes: tuple[Node, ...] = ()
    subjects_of: tuple[URIRef, ...] = ()
    objects_of: tuple[URIRef, ...] = ()

    def any(self) -> bool:
        """True when the shape has at least one target."""
        return bool(self.classes or self.nodes or self.subjects_of or self.objects_of)


@dataclass
class Shape:
    """A node shape (``path`` is None) or a property shape."""

    node: Node
    path: Path | None
    severity: URIRef
    messages: tuple[Literal, ...]
    targets: Targets
    deactivated: bool
    params: dict[URIRef, list[Node]] = field(default_factory=dict)
    lists: dict[URIRef, list[Node]] = field(default_factory=dict)
    properties: list[Shape] = field(default_factory=list)
    # shape-based parameters: one group per value (a list for sh:or/sh:and/sh:xone, else one shape)
    refs: dict[URIRef, list[list[Shape]]] = field(default_factory=dict)


@dataclass(frozen=True)
class CompiledShapes:
    """Every shape of a shapes graph; ``roots`` are those with targets."""

    roots: tuple[Shape, ...]
    shapes: dict[Node, Shape]


LIST_PARAMS = frozenset(SH[n] for n in ("in", "languageIn"))
SHAPE_LIST_PARAMS = frozenset(SH[n] for n in ("or", "and", "xone"))
SHAPE_PARAMS = frozenset(SH[n] for n in ("not", "node"))


def compile_shapes(g: Graph) -> CompiledShapes:
    """Compile every shape of ``g`` (raises :class:`UnsupportedShapes`)."""
    nodes = _shape_nodes(g)
    shapes: dict[Node, Shape] = {}
    for n in nodes:
        _shape(g, n, shapes)
    roots = tuple(s for s in shapes.values() if s.targets.any() and not s.deactivated)
    return CompiledShapes(roots, shapes)


def _shape_nodes(g: Graph) -> set[Node]:
    found: set[Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        found |= set(g.subjects(RDF.type, kind))
    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path):
        found |= set(g.subjects(p, None))
    for p in UNSUPPORTED:
        if next(iter(g.subject_objects(p)), None) is not None:
            raise UnsupportedShapes(f"shapes use {g.qname(p)}, which the compiled engine does not implement")
    return found


def _shape(g: Graph, n: Node, shapes: dict[Node, Shape]) -> Shape:
    if n in shapes:
        return shapes[n]
    path_node = g.value(n, SH.path)
    shape = Shape(
        node=n,
        path=None if path_node is None else _path(g, path_node),
        severity=_iri(g.value(n, SH.severity)) or SH.Violation,
        messages=tuple(m for m in g.objects(n, SH.message) if isinstance(m, Literal)),
        targets=_targets(g, n),
        deactivated=g.value(n, SH.deactivated) == Literal(True),
    )
    shapes[n] = shape
    for p, o in g.predicate_objects(n):
        if not isinstance(p, URIRef):
            continue
        if p in LIST_PARAMS:
            shape.lists[p] = _list(g, o)
        elif p in SHAPE_LIST_PARAMS:
            shape.refs.setdefault(p, []).append([_shape(g, m, shapes) for m in _list(g, o)])
        elif p in SHAPE_PARAMS:
            shape.refs.setdefault(p, []).append([_shape(g, o, shapes)])
        elif p == SH.property:
            shape.properties.append(_shape(g, o, shapes))
        elif p in SUPPORTED or p in COMPANIONS:
            shape.params.setdefault(p, []).append(o)
    return shape


def _list(g: Graph, head: Node) -> list[Node]:
    if not isinstance(head, BNode | URIRef):
        raise UnsupportedShapes(f"{head!r} is not an RDF list")
    return list(Collection(g, head))


def _targets(g: Graph, n: Node) -> Targets:
    classes = [c for c in g.objects(n, SH.targetClass) if isinstance(c, URIRef)]
    if isinstance(n, URIRef) and (n, RDF.type, RDFS.Class) in g:
        classes.append(n)  # implicit class target
    return Targets(
        classes=tuple(classes),
        nodes=tuple(g.objects(n, SH.targetNode)),
        subjects_of=tuple(p for p in g.objects(n, SH.targetSubjectsOf) if isinstance(p, URIRef)),
        objects_of=tuple(p for p in g.objects(n, SH.targetObjectsOf) if isinstance(p, URIRef)),
    )


def _path(g: Graph, node: Node) -> Path:
    if isinstance(node, URIRef):
        return Path("pred", pred=node, node=node)
    if not isinstance(node, BNode):
        raise UnsupportedShapes(f"sh:path {node!r} is not an IRI or a blank node")
    if g.value(node, RDF.first) is not None:
        return Path("seq", parts=tuple(_path(g, m) for m in _list(g, node)), node=node)
    for kind, short in zip(PATH_KINDS, ("inverse", "alt", "star", "plus", "opt"), strict=True):
        inner = g.value(node, SH[kind])
        if inner is None:
            continue
        if kind == "alternativePath":
            return Path("alt", parts=tuple(_path(g, m) for m in _list(g, inner)), node=node)
        return Path(short, parts=(_path(g, inner),), node=node)
    raise UnsupportedShapes(f"sh:path {node!r} is not a SHACL property path")


def _iri(n: Node | None) -> URIRef | None:
    return n if isinstance(n, URIRef) else None
