"""SHACL validation of one article's graph against the project's shapes.

Two engines give the same verdict and the same results: ``compiled`` (:mod:`kg.shacl`, the
ingest gate, ~40x faster on an article graph) and ``pyshacl`` (the reference). The compiled
engine is used unless the shapes use a feature it does not implement; then pyshacl is used.
The shapes are parsed once and passed to pyshacl as a graph (never as a path string).

>>> from rdflib import Graph
>>> Validator.load().check(Graph()).conforms
True
>>> Validator.load(engine="pyshacl").check(Graph()).conforms
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

from pyshacl import validate
from rdflib import Graph

from kg.errors import ConfigError
from kg.resources import ontology_dir
from kg.shacl import Engine, Report, UnsupportedShapes, report_graph, report_text
from kg.shacl.data import Triple
from kg.vocab import SH

EngineName = Literal["compiled", "pyshacl"]
ENGINES: tuple[EngineName, ...] = ("compiled", "pyshacl")


@dataclass(frozen=True)
class Outcome:
    """The result of validating one graph; the report graph and text are built on first use."""

    conforms: bool
    compiled: Report | None = None
    reference: tuple[Graph, str] | None = field(default=None, repr=False)

    @cached_property
    def report(self) -> Graph:
        """The ``sh:ValidationReport`` graph."""
        if self.reference is not None:
            return self.reference[0]
        assert self.compiled is not None
        return report_graph(self.compiled)

    @cached_property
    def text(self) -> str:
        """The report as text, in pyshacl's layout."""
        if self.reference is not None:
            return self.reference[1]
        assert self.compiled is not None
        return report_text(self.compiled)

    def violations(self) -> int:
        """How many results have Violation severity."""
        if self.compiled is not None:
            return self.compiled.violations()
        return sum(1 for _ in self.report.subjects(SH.resultSeverity, SH.Violation))


@dataclass(frozen=True)
class Validator:
    """Validates graphs with the project's shapes."""

    shapes: Graph
    engine: Engine | None

    @classmethod
    def load(cls, *, engine: EngineName = "compiled") -> Validator:
        """The validator for ``ontology/shapes.ttl`` (parsed once per process)."""
        if engine not in ENGINES:
            raise ConfigError(f"unknown SHACL engine {engine!r}: use one of {', '.join(ENGINES)}")
        return _validator(engine)

    @property
    def engine_name(self) -> EngineName:
        """Which engine :meth:`check` uses."""
        return "compiled" if self.engine is not None else "pyshacl"

    def check(self, data: Graph | Sequence[Triple]) -> Outcome:
        """Validate ``data`` (a graph, or distinct triples); only Violations make it fail."""
        if self.engine is not None:
            report = self.engine.validate(data, allow_warnings=True)
            return Outcome(report.conforms, compiled=report)
        return self.check_reference(data)

    def check_reference(self, data: Graph | Sequence[Triple]) -> Outcome:
        """Validate ``data`` with pyshacl, the reference engine."""
        if not isinstance(data, Graph):
            graph = Graph()
            for t in data:
                graph.add(t)
            data = graph
        conforms, report, text = validate(
            data,
            shacl_graph=self.shapes,
            inference="none",
            allow_warnings=True,
            advanced=True,
        )
        assert isinstance(report, Graph)
        return Outcome(bool(conforms), reference=(report, str(text)))


@lru_cache(maxsize=2)
def _validator(engine: EngineName) -> Validator:
    shapes = _shapes()
    if engine == "pyshacl":
        return Validator(shapes, None)
    try:
        return Validator(shapes, Engine.compile(shapes))
    except UnsupportedShapes:
        return Validator(shapes, None)


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    shapes = Graph()
    shapes.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return shapes
