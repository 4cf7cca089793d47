"""Convert RDF terms of query results to plain JSON-ready Python values.

>>> import pyoxigraph as ox
>>> to_value(ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
5
>>> to_value(ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")))
True
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {f"{XSD}{t}" for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
NUMBERS = {f"{XSD}{t}" for t in ("decimal", "double", "float")}


def to_value(term: Any) -> Any:
    """A Python value for a pyoxigraph term (numbers, booleans, strings, IRIs as strings)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype is not None else ""
        if dt in INTEGERS:
            return int(term.value)
        if dt in NUMBERS:
            return number(term.value)
        if dt == f"{XSD}boolean":
            return term.value in {"true", "1"}
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def number(text: str) -> int | float:
    """An int when the decimal is integral, else a float."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return float("nan")
    return int(d) if d == d.to_integral_value() else float(d)


def row_values(names: list[str], solution: Any) -> dict[str, Any]:
    """One result row as a dict (unbound variables become None)."""
    return {n: to_value(solution[n]) for n in names}
