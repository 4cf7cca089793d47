"""Reference graphs (ontology, gazetteer) in the store, and what articles it holds already.

>>> from kg.store.local import LocalStore
>>> s = LocalStore.in_memory()
>>> ensure_reference_graphs(s)
>>> "https://w3id.org/chipkg/graph/gazetteer" in s.graphs()
True
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rdflib import Graph, Literal

from kg.gazetteer import Gazetteer
from kg.resources import gazetteer_dir, ontology_dir
from kg.store.local import LocalStore
from kg.vocab import CK, CKG

GAZETTEER = str(CKG.gazetteer)
ONTOLOGY = str(CKG.ontology)
INFERRED = str(CKG.inferred)
ARTICLE_PREFIX = str(CKG["article/"])


@lru_cache(maxsize=1)
def _reference() -> tuple[str, Graph, Graph]:
    h = hashlib.sha256()
    for p in [*sorted(gazetteer_dir().glob("*.jsonl")), ontology_dir() / "chipkg.ttl"]:
        h.update(p.read_bytes())
    digest = h.hexdigest()
    gaz = Gazetteer.load().to_graph()
    gaz.add((CKG.gazetteer, CK.contentHash, Literal(digest)))
    onto = Graph().parse(ontology_dir() / "chipkg.ttl", format="turtle")
    return digest, gaz, onto


def ensure_reference_graphs(store: LocalStore) -> None:
    """Write the ontology and gazetteer graphs when absent or out of date."""
    digest, gaz, onto = _reference()
    rows = store.select(f"SELECT ?h WHERE {{ GRAPH <{GAZETTEER}> {{ <{GAZETTEER}> <{CK.contentHash}> ?h }} }}")
    if rows and rows[0]["h"] == digest and ONTOLOGY in store.graphs():
        return
    store.replace_graphs(ONTOLOGY, onto)  # first: the gazetteer carries the "up to date" marker
    store.replace_graphs(GAZETTEER, gaz)


def existing_versions(store: LocalStore) -> dict[str, tuple[str, str]]:
    """For every stored article graph: (content hash, source)."""
    rows = store.select(
        f"""SELECT ?g ?h ?src WHERE {{ GRAPH ?g {{ ?a a <{CK.Article}> ;
              <{CK.contentHash}> ?h ; <{CK.source}> ?src }} }}"""
    )
    return {r["g"]: (r["h"], r["src"]) for r in rows if str(r["g"]).startswith(ARTICLE_PREFIX)}
