"""The 26 test articles of tests/articles, with their hand-made gold: traps stay silent, evidence is exact,
and each kind of fact is found at least as often as the floor below (a regression guard, not a benchmark)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.api import KnowledgeGraph

ARTICLES = Path(__file__).parent / "articles"
GOLD: dict[str, Any] = yaml.safe_load((ARTICLES / "gold.yaml").read_text(encoding="utf-8"))
KINDS = {  # gold kind -> (fact class, the role that names the entity the gold names, gold field)
    "switched_away_from": ("SupplierSwitch", "switcher", "firm"),
    "developed": ("ChipDevelopment", "designer", "designer"),
    "procured": ("Procurement", "buyer", "buyer"),
    "manufactured": ("Manufacturing", "manufacturer", "manufacturer"),
    "policy_targets": ("PolicyAction", "target", "target"),
    "investment": ("Investment", "investor", "investor"),
    "statement": ("Statement", "speaker", "person"),
    "market_impact": ("MarketMove", "subject", "subject"),
    "causal_claim": ("CausalClaim", None, None),
}
# Recall floors per kind on this corpus (measured 2026-11-23: see the issue note); a drop below fails.
FLOORS = {
    "switched_away_from": 0.7,
    "developed": 0.75,
    "procured": 0.35,
    "manufactured": 0.5,
    "policy_targets": 0.5,
    "investment": 0.35,
    "statement": 0.6,
    "market_impact": 0.5,
    "causal_claim": 0.75,
}
FACTS_QUERY = """
PREFIX ck: <https://w3id.org/chipkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?source ?kind ?role ?label ?quote ?start ?end ?body WHERE {
  GRAPH ?g {
    ?f ck:reportedIn ?a ; ck:hasEvidence ?ev ; a ?c .
    ?a ck:source ?source ; <https://schema.org/articleBody> ?body .
    ?ev ck:quote ?quote ; ck:start ?start ; ck:end ?end .
    OPTIONAL { ?f ?p ?e . ?e rdfs:label ?label . BIND(STRAFTER(STR(?p), "#") AS ?role) }
  }
  BIND(STRAFTER(STR(?c), "#") AS ?kind)
}"""


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _overlaps(quote: str, evidence: str) -> bool:
    q, e = _words(quote), _words(evidence)
    return bool(q and e) and len(q & e) / len(q) >= 0.6 and len(q & e) / len(e) >= 0.5


def _norm(name: Any) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(name).lower()))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    g = KnowledgeGraph.in_memory()
    report = g.ingest([ARTICLES])
    assert report.ok, report.summary()
    return [dict(r) for r in g.sparql(FACTS_QUERY)]


def _article_rows(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    url = re.search(r"^URL:\s*(\S+)", (ARTICLES / name).read_text(encoding="utf-8")[:2000], re.M)
    keys = {url.group(1)} if url else set()
    return [r for r in rows if r["source"] in keys or str(r["source"]).endswith(name)]


def test_ingest_corpus_every_evidence_is_an_exact_slice(rows: list[dict[str, Any]]) -> None:
    bad = [r for r in rows if r["body"][r["start"] : r["end"]] != r["quote"]]
    assert rows and not bad


def test_ingest_corpus_every_article_is_stored(rows: list[dict[str, Any]]) -> None:
    missing = [name for name in GOLD if not _article_rows(rows, name)]
    assert missing == []


@pytest.mark.parametrize(
    ("article", "trap"),
    [(a, t) for a, v in GOLD.items() for t in v.get("traps") or [] if t["kind"] in KINDS],
    ids=lambda x: x if isinstance(x, str) else x["kind"],
)
def test_ingest_corpus_trap_yields_no_fact(rows: list[dict[str, Any]], article: str, trap: dict[str, str]) -> None:
    kind = KINDS[trap["kind"]][0]
    hits = [r for r in _article_rows(rows, article) if r["kind"] == kind and _overlaps(trap["quote"], r["quote"])]
    gold_quotes = [f["quote"] for f in GOLD[article]["facts"] if f["q"] == trap["kind"]]
    hits = [r for r in hits if not any(_overlaps(q, r["quote"]) for q in gold_quotes)]
    assert hits == [], trap["description"]


def test_ingest_corpus_page_furniture_names_no_entity(rows: list[dict[str, Any]]) -> None:
    traps = [
        (a, t)
        for a, v in GOLD.items()
        for t in v.get("traps") or []
        if t["kind"] == "entities" and re.search(r"furniture|related|may like|newsletter|share", t["description"], re.I)
    ]
    hits = [(a, t["quote"]) for a, t in traps for r in _article_rows(rows, a) if _overlaps(t["quote"], r["quote"])]
    assert hits == []


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_ingest_corpus_recall_floor(rows: list[dict[str, Any]], kind: str) -> None:
    fact_class, role, field = KINDS[kind]
    found = total = 0
    for article, gold in GOLD.items():
        mine = [r for r in _article_rows(rows, article) if r["kind"] == fact_class]
        for fact in (f for f in gold["facts"] if f["q"] == kind):
            total += 1
            names = fact[field] if field and isinstance(fact[field], list) else [fact.get(field or "", "")]
            found += any(
                _overlaps(fact["quote"], r["quote"])
                and (role is None or (r["role"] == role and any(_norm(n) in _norm(r["label"]) for n in names)))
                for r in mine
            )
    assert total and found / total >= FLOORS[kind], f"{kind}: {found}/{total}"
