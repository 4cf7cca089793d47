"""The project's one namespace module: every ontology IRI used in code comes from here.

``CK`` is closed: an unknown term raises ``AttributeError`` at import or call time, so a typo
can never mint a new IRI silently.

>>> from kg.vocab import CK
>>> str(CK.Firm)
'https://w3id.org/chipkg/ontology#Firm'
>>> CK.Frim  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
AttributeError: term 'Frim' not in namespace 'https://w3id.org/chipkg/ontology#'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
)

__all__ = [
    "CK",
    "CKG",
    "CKR",
    "DCTERMS",
    "OA",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SDO",
    "SH",
    "SKOS",
    "WD",
    "XSD",
]

CK_IRI = "https://w3id.org/chipkg/ontology#"


class CK(DefinedNamespace):
    """Terms of the chipkg ontology (``ontology/chipkg.ttl``)."""

    _NS = Namespace(CK_IRI)
    _fail = True

    # classes: agents and places
    Organization: URIRef
    Firm: URIRef
    GovernmentBody: URIRef
    Person: URIRef
    Jurisdiction: URIRef
    Country: URIRef
    Technology: URIRef
    # classes: defined roles
    ChipDesigner: URIRef
    Foundry: URIRef
    ChipBuyer: URIRef
    ExportControlledChip: URIRef
    # classes: products
    Product: URIRef
    Chip: URIRef
    ChipFamily: URIRef
    Device: URIRef
    # classes: policies
    Policy: URIRef
    ExportControl: URIRef
    EntityListing: URIRef
    LicenceRequirement: URIRef
    PurchaseGuidance: URIRef
    StateFunding: URIRef
    Tariff: URIRef
    Sanction: URIRef
    # classes: facts and events
    Fact: URIRef
    Event: URIRef
    EntityMention: URIRef
    SupplierSwitch: URIRef
    Procurement: URIRef
    ChipDevelopment: URIRef
    ProductLaunch: URIRef
    Manufacturing: URIRef
    Investment: URIRef
    MarketMove: URIRef
    Statement: URIRef
    PolicyAction: URIRef
    CausalClaim: URIRef
    # classes: sources and evidence
    Article: URIRef
    Evidence: URIRef
    ExtractionRun: URIRef

    # entity properties
    linked: URIRef
    designs: URIRef
    designedBy: URIRef
    manufactures: URIRef
    manufacturedBy: URIRef
    buys: URIRef
    boughtBy: URIRef
    targets: URIRef
    targetedBy: URIRef
    issuedBy: URIRef
    issued: URIRef
    inFamily: URIRef
    hasMember: URIRef
    basedIn: URIRef
    subOrganizationOf: URIRef
    hasSubOrganization: URIRef
    affiliatedWith: URIRef
    role: URIRef
    announcedOn: URIRef
    effectiveOn: URIRef
    processNode: URIRef
    ticker: URIRef
    # article and evidence properties
    source: URIRef
    contentHash: URIRef
    mentions: URIRef
    mentionedIn: URIRef
    inArticle: URIRef
    quote: URIRef
    start: URIRef
    end: URIRef
    rule: URIRef
    ruleVersion: URIRef
    confidence: URIRef
    softwareVersion: URIRef
    # fact properties
    reportedIn: URIRef
    hasEvidence: URIRef
    evidenceFor: URIRef
    entity: URIRef
    switcher: URIRef
    fromSupplier: URIRef
    toSupplier: URIRef
    alternativeText: URIRef
    buyer: URIRef
    seller: URIRef
    item: URIRef
    quantity: URIRef
    value: URIRef
    currency: URIRef
    designer: URIRef
    product: URIRef
    manufacturer: URIRef
    productText: URIRef
    policy: URIRef
    issuer: URIRef
    target: URIRef
    date: URIRef
    investor: URIRef
    investee: URIRef
    amount: URIRef
    purpose: URIRef
    subject: URIRef
    direction: URIRef
    trigger: URIRef
    speaker: URIRef
    affiliation: URIRef
    content: URIRef
    causeText: URIRef
    effectText: URIRef
    cause: URIRef
    effect: URIRef
    polarity: URIRef
    hedged: URIRef
    negated: URIRef
    attributedTo: URIRef
    attributionText: URIRef
    cue: URIRef


CKR = Namespace("https://w3id.org/chipkg/id/")
CKG = Namespace("https://w3id.org/chipkg/graph/")
WD = Namespace("http://www.wikidata.org/entity/")


class OA(DefinedNamespace):
    """The W3C Web Annotation terms the ontology reuses."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    Annotation: URIRef
    TextQuoteSelector: URIRef
    TextPositionSelector: URIRef
    exact: URIRef
    start: URIRef
    end: URIRef
    hasSource: URIRef
    hasTarget: URIRef
    hasSelector: URIRef


PREFIXES: dict[str, str] = {
    "ck": CK_IRI,
    "ckr": str(CKR),
    "ckg": str(CKG),
    "prov": str(PROV),
    "oa": "http://www.w3.org/ns/oa#",
    "schema": str(SDO),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "org": str(ORG),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "wd": str(WD),
}
