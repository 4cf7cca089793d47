"""HermiT (through owlready2) on the ontology plus a handful of individuals.

The ontology is converted to N-Triples with rdflib and loaded into a private owlready2
``World``; nothing is fetched from the network. Needs Java (HermiT is a Java program).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from kg.vocab import CK, CKR

pytestmark = [
    pytest.mark.java,
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="HermiT needs a Java runtime and `java` is not on PATH",
    ),
]

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "chipkg.ttl"

FIRM = CKR["firm/acme-designs"]
FAB = CKR["firm/acme-fab"]
BODY = CKR["body/acme-buyer-ministry"]
CHIP = CKR["chip/acme-x1"]
LISTED_CHIP = CKR["chip/acme-x2"]
POLICY_CHIP = CKR["chip/acme-x3"]
FREE_CHIP = CKR["chip/acme-x4"]
CONTROL = CKR["policy/acme-export-rule"]
LISTING = CKR["policy/acme-entity-listing"]


def _abox() -> list[tuple[URIRef, URIRef, URIRef]]:
    """Individuals: asserted classes only, never a defined class."""
    return [
        (FIRM, RDF.type, CK.Firm),
        (FAB, RDF.type, CK.Firm),
        (BODY, RDF.type, CK.GovernmentBody),
        (CHIP, RDF.type, CK.Chip),
        (LISTED_CHIP, RDF.type, CK.Chip),
        (POLICY_CHIP, RDF.type, CK.Chip),
        (FREE_CHIP, RDF.type, CK.Chip),
        (CONTROL, RDF.type, CK.ExportControl),
        (LISTING, RDF.type, CK.EntityListing),
        (FIRM, CK.designs, CHIP),
        (FAB, CK.manufactures, CHIP),
        (BODY, CK.buys, CHIP),
        (CHIP, CK.targetedBy, CONTROL),
        (LISTED_CHIP, CK.targetedBy, LISTING),
        (CONTROL, CK.targets, POLICY_CHIP),
    ]


def _reason(extra: list[tuple[URIRef, URIRef, URIRef]], tmp_path: Path) -> Any:
    """Load ontology + ``extra`` into a fresh owlready2 World, run HermiT, return the World."""
    owlready2 = pytest.importorskip("owlready2")
    graph = Graph().parse(ONTOLOGY, format="turtle")
    for triple in extra:
        if triple[1] == RDF.type:
            graph.add((triple[0], RDF.type, OWL.NamedIndividual))
        graph.add(triple)
    nt_file = tmp_path / "chipkg.nt"
    graph.serialize(nt_file, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(nt_file.as_uri()).load(format="ntriples")
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


@pytest.fixture(scope="module")
def reasoned(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _reason(_abox(), tmp_path_factory.mktemp("hermit"))


def _types(world: Any, iri: URIRef) -> set[str]:
    individual = world[str(iri)]
    assert individual is not None, f"{iri} not loaded"
    return {c.iri for c in individual.INDIRECT_is_a if hasattr(c, "iri")}


def test_ontology_reasoning_consistent(reasoned: Any) -> None:
    nothing = [str(c.iri) for c in reasoned.inconsistent_classes()]
    assert nothing == []


def test_ontology_reasoning_infers_chip_designer(reasoned: Any) -> None:
    assert str(CK.ChipDesigner) in _types(reasoned, FIRM)


def test_ontology_reasoning_infers_foundry(reasoned: Any) -> None:
    assert str(CK.Foundry) in _types(reasoned, FAB)


def test_ontology_reasoning_infers_chip_buyer(reasoned: Any) -> None:
    assert str(CK.ChipBuyer) in _types(reasoned, BODY)


def test_ontology_reasoning_infers_export_controlled_chip(reasoned: Any) -> None:
    assert str(CK.ExportControlledChip) in _types(reasoned, CHIP)


def test_ontology_reasoning_infers_export_controlled_chip_via_subclass(reasoned: Any) -> None:
    assert str(CK.ExportControlledChip) in _types(reasoned, LISTED_CHIP)


def test_ontology_reasoning_infers_export_controlled_chip_via_inverse(reasoned: Any) -> None:
    assert str(CK.ExportControlledChip) in _types(reasoned, POLICY_CHIP)


def test_ontology_reasoning_does_not_over_infer(reasoned: Any) -> None:
    assert str(CK.ExportControlledChip) not in _types(reasoned, FREE_CHIP)


def test_ontology_reasoning_detects_firm_person_clash(tmp_path: Path) -> None:
    owlready2 = pytest.importorskip("owlready2")
    clash = CKR["firm/acme-person"]
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason([(clash, RDF.type, CK.Firm), (clash, RDF.type, CK.Person)], tmp_path)


def test_ontology_reasoning_valid_shape_examples_consistent(tmp_path: Path) -> None:
    """The ontology's domains, ranges and disjointness agree with every valid SHACL example."""
    owlready2 = pytest.importorskip("owlready2")
    graph = Graph().parse(ONTOLOGY, format="turtle")
    for example in sorted((ONTOLOGY.parents[1] / "tests" / "shapes" / "valid").glob("*.ttl")):
        graph.parse(example, format="turtle")
    nt_file = tmp_path / "examples.nt"
    graph.serialize(nt_file, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(nt_file.as_uri()).load(format="ntriples")
    # xsd:date, xsd:gYear and xsd:gYearMonth values are outside the OWL 2 datatype map
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True)
    assert list(world.inconsistent_classes()) == []
