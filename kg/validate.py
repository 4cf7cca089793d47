"""SHACL validation of one article's graph against the project's shapes.

The shapes are parsed once and passed to pyshacl as a graph (never as a path string).

>>> from rdflib import Graph
>>> Validator.load().check(Graph()).conforms
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyshacl import validate
from rdflib import Graph

from kg.resources import ontology_dir
from kg.vocab import SH


@dataclass(frozen=True)
class Outcome:
    """The result of validating one graph."""

    conforms: bool
    report: Graph
    text: str

    def violations(self) -> int:
        """How many results have Violation severity."""
        return sum(1 for _ in self.report.subjects(SH.resultSeverity, SH.Violation))


@dataclass(frozen=True)
class Validator:
    """Validates graphs with the project's shapes."""

    shapes: Graph

    @classmethod
    def load(cls) -> Validator:
        """The validator for ``ontology/shapes.ttl`` (parsed once per process)."""
        return _validator()

    def check(self, data: Graph) -> Outcome:
        """Validate ``data``; only Violations make it fail (Warnings are reported)."""
        conforms, report, text = validate(
            data,
            shacl_graph=self.shapes,
            inference="none",
            allow_warnings=True,
            advanced=True,
        )
        assert isinstance(report, Graph)
        return Outcome(bool(conforms), report, str(text))


@lru_cache(maxsize=1)
def _validator() -> Validator:
    shapes = Graph()
    shapes.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return Validator(shapes)
