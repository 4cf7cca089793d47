"""A compiled SHACL Core engine for the small per-article graphs of ingest.

pyshacl stays the reference (``kg validate --engine pyshacl``); this engine implements the
SHACL Core constraint components the project's shapes use, plus the rest of Core except
qualified value shapes, sh:closed and SPARQL, and is checked against pyshacl and against the
W3C SHACL Core test suite in the tests.

>>> from kg.shacl import Engine, Report
>>> Report(()).conforms
True
"""

from kg.shacl.engine import Engine, RecursiveShapes, Report, Result, report_graph, report_text
from kg.shacl.model import UnsupportedShapes

__all__ = ["Engine", "RecursiveShapes", "Report", "Result", "UnsupportedShapes", "report_graph", "report_text"]
