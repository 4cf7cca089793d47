"""Binding query variables for a remote endpoint (kg.store.bindings), checked against pyoxigraph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import QueryError
from kg.query.pack import LABEL_QUERY
from kg.store.bindings import bind_values, safe_iri, sparql_term, term_from_json
from kg.store.local import LocalStore
from kg.vocab import CKG, CKR, RDFS, XSD

LABEL = ox.NamedNode(str(RDFS.label))


def answer(query: str, substitutions: dict[ox.Variable, object] | None = None) -> list[object]:
    """The values of ``?x`` when ``query`` runs on an empty in-memory store."""
    result = ox.Store().query(query, substitutions=substitutions)
    assert isinstance(result, ox.QuerySolutions)
    return [row["x"] for row in result]


def as_substitution(term: object) -> list[object]:
    """What pyoxigraph's own binding (the local store's way) gives."""
    return answer("SELECT ?x WHERE { }", {ox.Variable("x"): term})


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_store_bindings_any_string_literal_binds_to_itself(text: str) -> None:
    term = ox.Literal(text)
    assert answer(bind_values("SELECT ?x WHERE { }", {"x": term})) == [term]


@pytest.mark.parametrize(
    "term",
    [
        ox.Literal("Nvidia", language="en"),
        ox.Literal("01", datatype=ox.NamedNode(str(XSD.integer))),
        ox.Literal("0.80", datatype=ox.NamedNode(str(XSD.decimal))),
        ox.Literal("2025-04-24", datatype=ox.NamedNode(str(XSD.date))),
        ox.NamedNode(str(CKR["firm/nvidia"])),
    ],
)
def test_store_bindings_typed_terms_bind_like_local_substitutions(term: object) -> None:
    assert answer(bind_values("SELECT ?x WHERE { }", {"x": term})) == as_substitution(term)


@pytest.mark.parametrize("iri", ["http://example.org/a b", "http://example.org/a> . <x", 'http://x/"', "no-scheme", ""])
def test_store_bindings_unsafe_iris_are_refused(iri: str) -> None:
    with pytest.raises(QueryError, match="unsafe IRI"):
        safe_iri(iri)


def test_store_bindings_blank_nodes_are_refused() -> None:
    with pytest.raises(QueryError, match="only IRIs and literals"):
        sparql_term(ox.BlankNode())


def test_store_bindings_bind_inside_the_where_group_so_filters_see_the_value() -> None:
    store = LocalStore.in_memory()
    store.raw.add(ox.Quad(ox.NamedNode(str(CKR["firm/nvidia"])), LABEL, ox.Literal("Nvidia"), ox.NamedNode(str(CKG.x))))
    bound = bind_values(LABEL_QUERY, {"q": ox.Literal("nvidia")})
    assert [r["e"] for r in store.select(bound)] == [str(CKR["firm/nvidia"])]
    assert store.select(LABEL_QUERY + '\nVALUES ?q { "nvidia" }') == []  # why a trailing VALUES is not used


def test_store_bindings_skip_braces_in_comments_strings_and_iris() -> None:
    query = 'PREFIX a: <http://x/a>\n# { not here\nSELECT ("{" AS ?s) ?x WHERE { }'
    assert answer(bind_values(query, {"x": ox.Literal("v")})) == [ox.Literal("v")]


def test_store_bindings_refuse_a_query_without_a_where_group() -> None:
    with pytest.raises(QueryError, match="no WHERE group"):
        bind_values("ASK", {"x": ox.Literal("v")})


def test_store_bindings_read_virtuoso_style_blank_nodes() -> None:
    term = term_from_json({"type": "bnode", "value": "nodeID://b10007"})
    assert isinstance(term, ox.BlankNode)
