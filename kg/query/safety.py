"""Check a user's SPARQL before running it: read-only, local, bounded.

The query is parsed (rdflib's SPARQL parser) and its algebra inspected, so escapes such as
``\\u0053ERVICE`` cannot slip past a text filter. Refused: updates (INSERT, DELETE, LOAD,
CLEAR, DROP...), SERVICE, FROM / FROM NAMED, nesting deeper than ``MAX_DEPTH``, and texts over
``MAX_CHARS``.

>>> check_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
'SelectQuery'
>>> check_query("SELECT * WHERE { SERVICE <http://x.example/> { ?s ?p ?o } }")
Traceback (most recent call last):
kg.errors.UnsafeQuery: SERVICE calls are refused: the query may only read the local store
"""

from __future__ import annotations

import re
from typing import Any

from kg.errors import QueryError, UnsafeQuery

MAX_DEPTH = 64
MAX_CHARS = 100_000
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, IRIs and comments.

    >>> nesting_depth("SELECT * WHERE { ?s <http://example.org/#p> ?o FILTER((1 < 2)) }")
    3
    """
    depth = best = 0
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch == "<" and (iri := _IRIREF.match(text, i)):
            i = iri.end() - 1
        elif ch == "#":
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
        elif text.startswith('"""', i) or text.startswith("'''", i):
            quote = text[i : i + 3]
            i += 2
        elif ch in "\"'":
            quote = ch
        elif ch in "({[":
            depth += 1
            best = max(best, depth)
        elif ch in ")}]":
            depth -= 1
        i += 1
    return best


def check_query(text: str) -> str:
    """Return the query form (``SelectQuery``...) or raise :class:`UnsafeQuery`."""
    if len(text) > MAX_CHARS:
        raise UnsafeQuery(f"the query is {len(text)} characters long (limit {MAX_CHARS})")
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise UnsafeQuery(f"the query is nested {depth} deep (limit {MAX_DEPTH})")
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except ParseException as e:
        try:
            parseUpdate(text)
        except ParseException:
            raise QueryError(f"not a valid SPARQL query: {e}") from e
        raise UnsafeQuery(
            "updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are refused: the store is read-only here"
        ) from e
    except RecursionError as e:
        raise UnsafeQuery("the query is too deeply nested") from e
    form = parsed[1]
    if "datasetClause" in form:
        raise UnsafeQuery("FROM and FROM NAMED are refused: the query may only read the local store")
    if _has(parsed, "ServiceGraphPattern"):
        raise UnsafeQuery("SERVICE calls are refused: the query may only read the local store")
    return str(form.name)


def _has(node: Any, name: str, depth: int = 0) -> bool:
    if depth > 400:
        return True
    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, dict):
        return any(_has(v, name, depth + 1) for v in node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return any(_has(v, name, depth + 1) for v in node)
    return False
