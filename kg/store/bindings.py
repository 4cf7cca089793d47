"""SPARQL text for a remote endpoint: bind variables safely, and read SPARQL JSON result terms.

pyoxigraph binds query variables with ``substitutions=``; a remote endpoint has no such API, so
:func:`bind_values` writes the bindings into the query as a ``VALUES`` block placed at the start
of the query's outer ``WHERE`` group. A *trailing* ``VALUES`` block (after the query) would be
joined only after the ``WHERE`` group is evaluated, so a ``FILTER`` inside it would see the
variable unbound (the pack's label lookup would find nothing). Terms are serialised by
:func:`sparql_term`: literals through rdflib's ``Literal(...).n3()`` (escapes quotes, backslashes
and line breaks), IRIs only after checking that they contain no character an IRI may not hold.

>>> import pyoxigraph as ox
>>> bind_values('SELECT ?e WHERE { ?e ?p ?q }', {"q": ox.Literal('say "hi"')})
'SELECT ?e WHERE { VALUES (?q) { ("say \\\\"hi\\\\"") } ?e ?p ?q }'
>>> sparql_term(ox.NamedNode("https://w3id.org/chipkg/id/firm/nvidia"))
'<https://w3id.org/chipkg/id/firm/nvidia>'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError, StoreError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Triple = tuple[Node, Node, Node]  # an rdflib triple
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# An absolute IRI without the characters the SPARQL grammar forbids inside <...>.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRIREF = re.compile(r"<[^\x00-\x20<>\"{}|^`\\]*>")


def safe_iri(iri: str) -> str:
    """``iri`` as ``<iri>`` after checking it cannot break out of the brackets.

    >>> safe_iri("http://example.org/a b")
    Traceback (most recent call last):
    kg.errors.QueryError: refusing to write the unsafe IRI 'http://example.org/a b' into a query
    """
    if not _IRI.match(iri):
        raise QueryError(f"refusing to write the unsafe IRI {iri!r} into a query")
    return f"<{iri}>"


def sparql_term(term: Any) -> str:
    """A pyoxigraph IRI or literal written as SPARQL text (blank nodes cannot be bound remotely).

    >>> import pyoxigraph as ox
    >>> sparql_term(ox.Literal("1.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
    '"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    >>> sparql_term(ox.Literal("Nvidia", language="en"))
    '"Nvidia"@en'
    """
    if isinstance(term, ox.NamedNode):
        return safe_iri(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", term.language):
                raise QueryError(f"refusing the language tag {term.language!r}")
            return str(Literal(term.value, lang=term.language).n3())
        dt = term.datatype.value
        if dt in (XSD_STRING, RDF_LANG_STRING):
            return str(Literal(term.value).n3())
        safe_iri(dt)
        return str(Literal(term.value, datatype=URIRef(dt), normalize=False).n3())
    raise QueryError(f"only IRIs and literals can be bound in a remote query, not {term!r}")


def bind_values(query: str, substitutions: Mapping[str, Any]) -> str:
    """``query`` with a ``VALUES`` block binding ``substitutions`` at the start of its ``WHERE`` group."""
    if not substitutions:
        return query
    names = list(substitutions)
    for name in names:
        if not _VAR.match(name):
            raise QueryError(f"refusing the variable name {name!r}")
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(sparql_term(substitutions[n]) for n in names)
    at = where_brace(query)
    return f"{query[: at + 1]} VALUES ({head}) {{ ({row}) }}{query[at + 1 :]}"


def where_brace(query: str) -> int:
    """The offset of the ``{`` opening the query's ``WHERE`` group.

    It is the first ``{`` outside strings, IRIs, comments and parentheses (a ``SELECT``
    expression such as ``(EXISTS { ... } AS ?x)`` sits inside parentheses).

    >>> q = 'PREFIX a: <http://x/a>  # {\\nSELECT ("{" AS ?s) (EXISTS { ?a ?b ?c } AS ?e) WHERE { }'
    >>> q[where_brace(q):]
    '{ }'
    """
    i, depth, n = 0, 0, len(query)
    while i < n:
        ch = query[i]
        if ch == "#":
            nl = query.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        if ch in "\"'":
            i = _string_end(query, i)
            continue
        if ch == "<":
            m = _IRIREF.match(query, i)
            if m:
                i = m.end()
                continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "{" and depth == 0:
            return i
        i += 1
    raise QueryError("cannot bind parameters: the query has no WHERE group")


def _string_end(text: str, start: int) -> int:
    quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
    i = start + len(quote)
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            return i + len(quote)
        i += 1
    raise QueryError("cannot bind parameters: the query has an unterminated string")


def term_from_json(binding: Mapping[str, Any] | None) -> Any:
    """A pyoxigraph term for one value of a SPARQL 1.1 JSON result (``None`` when unbound).

    >>> term_from_json({"type": "literal", "value": "5", "datatype": "http://www.w3.org/2001/XMLSchema#integer"})
    <Literal value=5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    >>> term_from_json({"type": "uri", "value": "https://w3id.org/chipkg/id/firm/nvidia"})
    <NamedNode value=https://w3id.org/chipkg/id/firm/nvidia>
    """
    if binding is None:
        return None
    kind, value = binding.get("type"), str(binding.get("value", ""))
    try:
        if kind == "uri":
            return ox.NamedNode(value)
        if kind == "bnode":
            # Labels are only meaningful within one result; some servers use characters
            # (``nodeID://b1``) that are not valid blank node identifiers.
            return ox.BlankNode("b" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:24])
        if kind in ("literal", "typed-literal"):
            if binding.get("xml:lang"):
                return ox.Literal(value, language=str(binding["xml:lang"]))
            if binding.get("datatype"):
                return ox.Literal(value, datatype=ox.NamedNode(str(binding["datatype"])))
            return ox.Literal(value)
    except ValueError as e:
        raise QueryError(f"the endpoint returned an invalid term {binding!r}: {e}") from e
    raise QueryError(f"the endpoint returned a term of unsupported type {kind!r}")


def ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term (Oxigraph checks IRIs and language tags).

    >>> ox_term(Literal("5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
    <Literal value=5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


def ox_quads(data: Graph | Iterable[Triple] | Iterable[ox.Triple], graph: str) -> list[ox.Quad]:
    """``data`` (rdflib triples, or Oxigraph triples) as quads in ``graph``; a bad term is a :class:`StoreError`.

    rdflib lets an IRI with a space into a graph; Oxigraph's constructors refuse it here, before
    anything is written.

    >>> from kg.vocab import CKR, RDFS
    >>> [q.object.value for q in ox_quads([(CKR["firm/nvidia"], RDFS.label, Literal("Nvidia"))], "urn:g")]
    ['Nvidia']
    """
    name = ox.NamedNode(graph)
    terms: dict[Node, Any] = {}

    def conv(t: Node) -> Any:
        got = terms.get(t)
        if got is None:
            got = terms[t] = ox_term(t)
        return got

    try:
        return [
            ox.Quad(t.subject, t.predicate, t.object, name)
            if isinstance(t, ox.Triple | ox.Quad)
            else ox.Quad(conv(t[0]), conv(t[1]), conv(t[2]), name)
            for t in data
        ]
    except (ValueError, TypeError, UnicodeError) as e:
        raise StoreError(f"writing graph {graph} failed: the graph holds an invalid term: {e}") from e


def triples_text(data: Graph | Iterable[Triple], graph: str) -> str:
    """``data`` as N-Triples lines for an ``INSERT DATA`` block, checked by Oxigraph's term constructors.

    >>> from kg.vocab import CKR, RDFS
    >>> g = Graph()
    >>> _ = g.add((CKR["firm/nvidia"], RDFS.label, Literal("Nvidia", lang="en")))
    >>> triples_text(g, "https://w3id.org/chipkg/graph/x")
    '<https://w3id.org/chipkg/id/firm/nvidia> <http://www.w3.org/2000/01/rdf-schema#label> "Nvidia"@en .'
    """
    return "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in ox_quads(data, graph))
