"""The compiled SHACL engine: validate a small data graph against compiled shapes.

>>> from rdflib import Graph
>>> shapes = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
... @prefix ex: <http://example.org/> .
... ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .''',
... format="turtle")
>>> data = Graph().parse(data="<http://example.org/a> a <http://example.org/C> .", format="turtle")
>>> report = Engine.compile(shapes).validate(data)
>>> report.conforms, [str(r.component).split("#")[1] for r in report.results]
(False, ['MinCountConstraintComponent'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.shacl.components import Checker, checkers
from kg.shacl.data import DataIndex, Triple
from kg.shacl.model import CompiledShapes, Shape, compile_shapes
from kg.vocab import RDF, SH

MAX_DEPTH = 32  # shape references nested deeper than this are treated as recursive


class RecursiveShapes(ValueError):
    """Shapes refer to each other in a cycle that the data walks into (undefined in SHACL)."""


@dataclass(frozen=True)
class Result:
    """One SHACL validation result."""

    focus: Node
    path: Node | None
    value: Node | None
    shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]


@dataclass(frozen=True)
class Report:
    """Every result of one validation, and whether the data conforms."""

    results: tuple[Result, ...]
    allow_warnings: bool = True

    @property
    def conforms(self) -> bool:
        """No result at all, or (with ``allow_warnings``) none of Violation severity."""
        if self.allow_warnings:
            return not any(r.severity == SH.Violation for r in self.results)
        return not self.results

    def violations(self) -> int:
        """How many results have Violation severity."""
        return sum(1 for r in self.results if r.severity == SH.Violation)


class Engine:
    """Validates data graphs against shapes compiled once."""

    def __init__(self, shapes: CompiledShapes) -> None:
        self.shapes = shapes
        self._checks: dict[int, list[tuple[URIRef, Checker]]] = {id(s): checkers(s) for s in shapes.shapes.values()}

    @classmethod
    def compile(cls, shapes: Graph) -> Engine:
        """Compile ``shapes`` (raises ``UnsupportedShapes`` for features outside the subset)."""
        return cls(compile_shapes(shapes))

    def validate(self, data: Graph | DataIndex | Iterable[Triple], *, allow_warnings: bool = True) -> Report:
        """Validate every target of every shape in ``data`` (a graph, or distinct triples)."""
        if isinstance(data, DataIndex):
            idx = data
        elif isinstance(data, Graph):
            idx = DataIndex.of(data)
        else:
            idx = DataIndex(data)
        results: list[Result] = []
        for shape in self.shapes.roots:
            for focus in _focus_nodes(shape, idx):
                results += self._evaluate(shape, focus, idx, 0)
        return Report(tuple(results), allow_warnings)

    def _evaluate(self, shape: Shape, focus: Node, idx: DataIndex, depth: int) -> list[Result]:
        if shape.deactivated:
            return []
        if depth > MAX_DEPTH:
            raise RecursiveShapes(f"shape {shape.node} is nested more than {MAX_DEPTH} deep (recursive shapes?)")
        values = [focus] if shape.path is None else idx.values(focus, shape.path)
        path = None if shape.path is None else shape.path.node
        results: list[Result] = []

        def conforms(v: Node, other: Shape) -> bool:
            return not self._evaluate(other, v, idx, depth + 1)

        for comp, check in self._checks[id(shape)]:
            for value in check(focus, values, idx, conforms):
                results.append(Result(focus, path, value, shape.node, comp, shape.severity, shape.messages))
        for prop in shape.properties:
            for v in values:
                results += self._evaluate(prop, v, idx, depth + 1)
        return results


def _focus_nodes(shape: Shape, idx: DataIndex) -> list[Node]:
    t = shape.targets
    found: dict[Node, None] = {}
    for c in t.classes:
        found.update(dict.fromkeys(idx.instances(c)))
    found.update(dict.fromkeys(t.nodes))
    for p in t.subjects_of:
        found.update(dict.fromkeys(s for s, _ in idx.by_pred.get(p, [])))
    for p in t.objects_of:
        found.update(dict.fromkeys(o for _, o in idx.by_pred.get(p, [])))
    return list(found)


def report_graph(report: Report) -> Graph:
    """The report as a ``sh:ValidationReport`` graph, as pyshacl writes it."""
    g = Graph()
    g.bind("sh", SH)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for r in report.results:
        node = BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.sourceShape, r.shape))
        g.add((node, SH.sourceConstraintComponent, r.component))
        g.add((node, SH.resultSeverity, r.severity))
        if r.path is not None:
            g.add((node, SH.resultPath, r.path))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        for m in r.messages:
            g.add((node, SH.resultMessage, m))
    return g


def report_text(report: Report) -> str:
    """A plain-text report in the layout of pyshacl's."""
    lines = ["Validation Report", f"Conforms: {report.conforms}"]
    if report.results:
        lines.append(f"Results ({len(report.results)}):")
    for r in report.results:
        kind = str(r.severity).rsplit("#", 1)[-1]
        lines.append(f"Constraint {kind} in {str(r.component).rsplit('#', 1)[-1]} ({r.component}):")
        lines.append(f"\tSeverity: sh:{kind}")
        lines.append(f"\tSource Shape: {_show(r.shape)}")
        lines.append(f"\tFocus Node: {_show(r.focus)}")
        if r.value is not None:
            lines.append(f"\tValue Node: {_show(r.value)}")
        if r.path is not None:
            lines.append(f"\tResult Path: {_show(r.path)}")
        for m in r.messages:
            lines.append(f"\tMessage: {m}")
    return "\n".join(lines) + "\n"


def _show(n: Node) -> str:
    return n.n3() if hasattr(n, "n3") else str(n)
