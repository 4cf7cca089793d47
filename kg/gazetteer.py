"""The reference gazetteer: known firms, chips, policies, bodies, people and countries.

The entries are data (``kg/data/gazetteer/*.jsonl``); this module loads them, indexes their
names, and maps them to RDF for the ``ckg:gazetteer`` graph.

>>> gaz = Gazetteer.load()
>>> gaz.lookup("NVIDIA")[0].label
'Nvidia'
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import ConfigError
from kg.ingest.document import Entity
from kg.resources import gazetteer_dir
from kg.vocab import CK, CKR, OWL, RDF, RDFS, SKOS, WD, XSD

PREFIX = {
    "Firm": "firm",
    "GovernmentBody": "body",
    "Person": "person",
    "Country": "country",
    "Chip": "chip",
    "ChipFamily": "family",
    "Device": "device",
    "Technology": "tech",
    "Policy": "policy",
}
POLICY_TYPES = {
    "ExportControl",
    "EntityListing",
    "LicenceRequirement",
    "PurchaseGuidance",
    "StateFunding",
    "Tariff",
    "Sanction",
    "Policy",
}
REFS = {  # record field -> (property, is a list)
    "designer": (CK.designedBy, False),
    "manufacturer": (CK.manufacturedBy, False),
    "family": (CK.inFamily, False),
    "parent": (CK.subOrganizationOf, False),
    "issuer": (CK.issuedBy, False),
    "targets": (CK.targets, True),
    "affiliation": (CK.affiliatedWith, False),
}


def slug(text: str) -> str:
    """A lower-case IRI-safe slug.

    >>> slug("Qianxing Micro, Inc.")
    'qianxing-micro-inc'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower())) or "x"


def entity_iri(key: str) -> URIRef:
    """The IRI of an entity key such as ``firm/nvidia``."""
    return CKR[key]


def class_of(entity: Entity) -> URIRef:
    """The ontology class of an entity."""
    return CK[entity.type]


class TripleSink(Protocol):
    """Anything with rdflib's ``Graph.add``: a ``Graph``, or the mapper's triple list."""

    def add(self, triple: tuple[Node, Node, Node], /) -> object:
        """Add one triple."""


@dataclass(frozen=True)
class Gazetteer:
    """All reference entries, indexed by key and by lower-cased name."""

    entities: dict[str, Entity]
    names: dict[str, tuple[str, ...]]  # lower-cased label/alias -> entity keys
    ids: dict[str, str]  # record id -> entity key

    @classmethod
    def load(cls, folder: Path | None = None) -> Gazetteer:
        """Load every ``*.jsonl`` file of the gazetteer folder (cached per folder)."""
        return _load(str(folder or gazetteer_dir()))

    def lookup(self, name: str) -> list[Entity]:
        """Entities whose label or alias is ``name`` (case-insensitive)."""
        return [self.entities[k] for k in self.names.get(name.lower(), ())]

    def by_id(self, record_id: str) -> Entity | None:
        """The entity of a record id (as used in ``designer``/``targets`` fields)."""
        key = self.ids.get(record_id)
        return self.entities.get(key) if key else None

    def surface_forms(self) -> Iterable[tuple[str, str]]:
        """Every (name, entity key) pair to match in text."""
        for e in self.entities.values():
            for name in {e.label, *e.data.get("aliases", [])}:
                yield name, e.key

    def to_graph(self) -> Graph:
        """The gazetteer as RDF (the ``ckg:gazetteer`` graph)."""
        g = Graph()
        for e in self.entities.values():
            add_entity(g, e)
            node = entity_iri(e.key)
            for alias in e.data.get("aliases", []):
                g.add((node, SKOS.altLabel, Literal(alias, lang="en")))
            for field_name, (prop, many) in REFS.items():
                value = e.data.get(field_name)
                for ref in (value or []) if many else ([value] if value else []):
                    target = self.by_id(ref)
                    if target is not None:
                        g.add((node, prop, entity_iri(target.key)))
            self._add_values(g, node, e.data)
        return g

    def _add_values(self, g: Graph, node: URIRef, data: dict[str, Any]) -> None:
        for field_name, prop in (("announced", CK.announcedOn), ("effective", CK.effectiveOn)):
            if value := data.get(field_name):
                dtype = XSD.date if len(str(value)) == 10 else XSD.gYearMonth
                g.add((node, prop, Literal(str(value), datatype=dtype)))
        for field_name, prop in (
            ("process_node", CK.processNode),
            ("ticker", CK.ticker),
            ("role", CK.role),
        ):
            if value := data.get(field_name):
                g.add((node, prop, Literal(str(value))))
        if (country := data.get("country")) and (c := self.by_id_country(str(country))) is not None:
            g.add((node, CK.basedIn, entity_iri(c.key)))

    def by_id_country(self, iso2: str) -> Entity | None:
        """The country entity with an ISO 3166 alpha-2 code."""
        for e in self.entities.values():
            if e.type == "Country" and str(e.data.get("iso2", "")).upper() == iso2.upper():
                return e
        return None


def add_entity(g: TripleSink, e: Entity) -> None:
    """Type, label, link flag and Wikidata identity of an entity."""
    node = entity_iri(e.key)
    g.add((node, RDF.type, class_of(e)))
    g.add((node, RDFS.label, Literal(e.label, lang="en")))
    g.add((node, CK.linked, Literal(e.linked)))
    if e.qid:
        g.add((node, OWL.sameAs, WD[e.qid]))


@lru_cache(maxsize=4)
def _load(folder: str) -> Gazetteer:
    entities: dict[str, Entity] = {}
    names: dict[str, list[str]] = {}
    ids: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                e = _entity(rec)
            except (ValueError, KeyError, TypeError) as err:
                raise ConfigError(f"{path.name}:{n}: bad gazetteer entry: {err}") from err
            entities[e.key] = e
            ids[rec["id"]] = e.key
            for name in {e.label, *rec.get("aliases", [])}:
                keys = names.setdefault(name.lower(), [])
                if e.key not in keys:
                    keys.append(e.key)
    return Gazetteer(entities, {k: tuple(v) for k, v in names.items()}, ids)


def _entity(rec: dict[str, Any]) -> Entity:
    typ = rec["type"]
    if typ in POLICY_TYPES:
        typ = "Policy"
    if typ not in PREFIX:
        raise ValueError(f"unknown type {typ!r}")
    if typ == "Policy":
        ptype = rec.get("policy_type", "Policy")
        if ptype not in POLICY_TYPES:
            raise ValueError(f"unknown policy_type {ptype!r}")
        cls_name = ptype
    else:
        cls_name = typ
    qid = rec.get("qid")
    if qid is not None and not re.fullmatch(r"Q\d+", str(qid)):
        raise ValueError(f"bad QID {qid!r}")
    return Entity(
        key=f"{PREFIX[typ]}/{rec['id']}",
        type=cls_name,
        label=rec["label"],
        linked=True,
        qid=qid,
        data=rec,
    )
