"""Whole-store checks: validate every article graph again, and count what is stored.

>>> from kg.store.local import LocalStore
>>> validate_store(LocalStore.in_memory())
[]
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.store.local import LocalStore
from kg.store.setup import ARTICLE_PREFIX
from kg.validate import EngineName, Validator


def validate_store(store: LocalStore, *, engine: EngineName = "compiled") -> list[tuple[str, str]]:
    """Every article graph that does not conform, with its SHACL report."""
    validator = Validator.load(engine=engine)
    bad = []
    for name in store.graphs():
        if not name.startswith(ARTICLE_PREFIX):
            continue
        g = Graph()
        g.parse(data=store.dump(ox.RdfFormat.N_TRIPLES, graph=name), format="nt")
        outcome = validator.check(g)
        if not outcome.conforms:
            bad.append((name, outcome.text))
    return bad


def stats(store: LocalStore) -> list[dict[str, Any]]:
    """Counts: articles, facts by class, entities by class, triples."""
    rows = store.select(
        """SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
             GRAPH ?g { ?x a ?c . ?x <https://w3id.org/chipkg/ontology#reportedIn> ?a }
             BIND(STRAFTER(STR(?c), "#") AS ?kind) } GROUP BY ?kind ORDER BY ?kind"""
    )
    arts = store.select(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a a <https://w3id.org/chipkg/ontology#Article> } }"
    )
    out = [{"what": "articles", "count": arts[0]["n"] if arts else 0}]
    out += [{"what": f"facts: {r['kind']}", "count": r["n"]} for r in rows]
    out.append({"what": "quads", "count": len(store)})
    return out
