"""The reference gazetteer: well-formed entries, unique names, valid references, and RDF that conforms to the shapes."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.gazetteer import Gazetteer
from kg.resources import gazetteer_dir
from kg.validate import Validator

RECORDS: list[dict[str, Any]] = [
    json.loads(line)
    for path in sorted(gazetteer_dir().glob("*.jsonl"))
    for line in Path(path).read_text(encoding="utf-8").splitlines()
    if line.strip()
]
MINIMUMS = {"Firm": 60, "Chip": 40, "Policy": 25, "GovernmentBody": 20, "Country": 10}


def test_gazetteer_data_ids_are_unique_slugs() -> None:
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids)


def test_gazetteer_data_no_two_entries_share_a_name() -> None:
    owners: dict[str, set[str]] = {}
    for r in RECORDS:
        for name in [r["label"], *r.get("aliases", []), *r.get("qualified_aliases", [])]:
            owners.setdefault(name.lower(), set()).add(r["id"])
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}


def test_gazetteer_data_references_exist() -> None:
    ids = {r["id"] for r in RECORDS}
    refs = [
        (r["id"], ref)
        for r in RECORDS
        for key in ("designer", "family", "manufacturer", "parent", "issuer", "affiliation", "government")
        for ref in ([r[key]] if key in r else [])
    ]
    refs += [(r["id"], t) for r in RECORDS for t in r.get("targets", [])]
    assert [(a, b) for a, b in refs if b not in ids] == []


def test_gazetteer_data_qids_are_wikidata_items() -> None:
    assert all(re.fullmatch(r"Q[1-9]\d*", r["qid"]) for r in RECORDS if "qid" in r)


def test_gazetteer_data_covers_the_domain() -> None:
    counts = Counter("Chip" if r["type"] in {"Chip", "ChipFamily"} else r["type"] for r in RECORDS)
    assert all(counts[t] >= n for t, n in MINIMUMS.items()), counts


def test_gazetteer_data_rdf_conforms_to_shapes() -> None:
    graph: Graph = Gazetteer.load().to_graph()
    outcome = Validator.load().check(graph)
    assert outcome.conforms, outcome.text[:2000]


def test_gazetteer_lookup_is_case_insensitive() -> None:
    gaz = Gazetteer.load()
    assert [e.key for e in gaz.lookup("semiconductor manufacturing international corporation")] == ["firm/smic"]
