"""Namespace discipline: every ck: term used in queries, data files and lexicons is declared in the ontology,
and the closed namespace refuses unknown terms."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from rdflib import OWL, RDF, Graph

from kg.resources import gazetteer_dir, lexicon_path, ontology_dir, queries_dir
from kg.vocab import CK, CK_IRI

ONTOLOGY = Graph().parse(ontology_dir() / "chipkg.ttl", format="turtle")
DECLARED = {
    str(s)[len(CK_IRI) :]
    for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for s in ONTOLOGY.subjects(RDF.type, t)
    if str(s).startswith(CK_IRI)
}


def test_vocab_closed_namespace_refuses_unknown_terms() -> None:
    with pytest.raises(AttributeError):
        _ = CK.Frim


def test_vocab_namespace_equals_ontology() -> None:
    assert set(CK.__annotations__) == DECLARED


@pytest.mark.parametrize("path", sorted(queries_dir().glob("*.rq")), ids=lambda p: p.name)
def test_vocab_queries_use_declared_terms(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    used = set(re.findall(r"\bck:([A-Za-z]\w*)", text)) | set(re.findall(re.escape(CK_IRI) + r"([A-Za-z]\w*)", text))
    assert used - DECLARED == set()


def test_vocab_shapes_use_declared_terms() -> None:
    text = (ontology_dir() / "shapes.ttl").read_text(encoding="utf-8")
    assert set(re.findall(r"\bck:([A-Za-z]\w*)", text)) - DECLARED == set()


def test_vocab_gazetteer_types_are_classes() -> None:
    used = set()
    for path in gazetteer_dir().glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            used.add(rec.get("policy_type") or rec["type"])
    assert used - DECLARED == set()


def test_vocab_relation_rules_use_declared_terms() -> None:
    data = yaml.safe_load(lexicon_path("relations.yaml").read_text(encoding="utf-8"))
    used = set()
    for rule in data["rules"]:
        used.add(rule["fact"])
        used |= set(rule.get("slots", {}))
        values = rule.get("values", {})
        used |= {v for k, v in values.items() if k in {"money"}}
        used |= {values[k]["property"] for k in ("text",) if k in values}
        used |= {values[k] for k in ("before_text",) if k in values}
    assert used - DECLARED == set()


def test_vocab_policy_cue_types_are_classes() -> None:
    data = yaml.safe_load(lexicon_path("policies.yaml").read_text(encoding="utf-8"))
    assert {c["type"] for c in data["cues"]} - DECLARED == set()


def test_vocab_code_uses_declared_terms() -> None:
    package = Path(__file__).resolve().parents[1] / "kg"
    used: set[str] = set()
    for path in package.rglob("*.py"):
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if ">>>" not in line)
        used |= set(re.findall(r"\bCK\.([A-Za-z]\w*)", text))
        used |= set(re.findall(r"\bCK\[\"([A-Za-z]\w*)\"\]", text))
    assert used and used - DECLARED == set()


def test_vocab_fact_kinds_and_arguments_are_declared() -> None:
    from kg.ingest.document import KEY_ARGUMENTS

    used = set(KEY_ARGUMENTS) | {a for args in KEY_ARGUMENTS.values() for a in args}
    assert used - DECLARED == set()
