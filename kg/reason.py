"""``kg reason``: shortcut relations from facts, and the defined classes a reasoner infers.

1. Each reported fact gives a direct relation between entities, materialised with SPARQL
   (``ChipDevelopment`` -> ``ck:designs``, ``Manufacturing`` -> ``ck:manufactures``,
   ``Procurement`` -> ``ck:buys``, ``PolicyAction`` -> ``ck:targets`` / ``ck:targetedBy``),
   plus the gazetteer's ``ck:designedBy`` read the other way.
2. HermiT (through owlready2, in its own ``World``) classifies the entities against the
   ontology's defined classes: ``ChipDesigner``, ``Foundry``, ``ChipBuyer``,
   ``ExportControlledChip``. Only our own ontology and the entity/relation triples built here
   are loaded into owlready2 (never RDF from outside), and no literals, so no datatype issues.
3. Both results replace the ``ckg:inferred`` named graph.

>>> from kg.store.local import LocalStore
>>> shortcut_graph(LocalStore.in_memory()).__len__()
0
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from rdflib import Graph, URIRef

from kg.errors import KGError
from kg.resources import ontology_dir
from kg.store.local import LocalStore
from kg.store.setup import INFERRED
from kg.vocab import CK, CK_IRI, CKR, RDF

SHORTCUTS = {  # fact class -> (subject property, object property, shortcut property)
    "ChipDevelopment": ("designer", "product", "designs"),
    "ProductLaunch": ("designer", "product", "designs"),
    "Manufacturing": ("manufacturer", "product", "manufactures"),
    "Procurement": ("buyer", "item", "buys"),
    "PolicyAction": ("policy", "target", "targets"),
}
DEFINED = ("ChipDesigner", "Foundry", "ChipBuyer", "ExportControlledChip")


def shortcut_graph(store: LocalStore) -> Graph:
    """Direct entity-to-entity relations implied by the stored facts and the gazetteer."""
    g = Graph()
    for kind, (subj, obj, prop) in SHORTCUTS.items():
        rows = store.select(
            f"SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?f a <{CK[kind]}> ; <{CK[subj]}> ?s ; <{CK[obj]}> ?o }} }}"
        )
        for r in rows:
            g.add((URIRef(r["s"]), CK[prop], URIRef(r["o"])))
            if prop == "targets":
                g.add((URIRef(r["o"]), CK.targetedBy, URIRef(r["s"])))
    for r in store.select(f"SELECT DISTINCT ?c ?d WHERE {{ GRAPH ?g {{ ?c <{CK.designedBy}> ?d }} }}"):
        g.add((URIRef(r["d"]), CK.designs, URIRef(r["c"])))
    return g


def _types(store: LocalStore, nodes: set[str]) -> Graph:
    g = Graph()
    rows = store.select(
        f'SELECT DISTINCT ?e ?t WHERE {{ GRAPH ?g {{ ?e a ?t }} FILTER(STRSTARTS(STR(?t), "{CK_IRI}")) '
        f'FILTER(STRSTARTS(STR(?e), "{CKR}")) }}'
    )
    for r in rows:
        if r["e"] in nodes:
            g.add((URIRef(r["e"]), RDF.type, URIRef(r["t"])))
    return g


def classify(relations: Graph, types: Graph) -> Graph:
    """Run HermiT over the ontology plus ``relations`` and ``types``; return the inferred defined types."""
    if shutil.which("java") is None:
        raise KGError("kg reason needs a Java runtime for HermiT (install a JRE, e.g. openjdk-17-jre-headless)")
    import owlready2

    onto = Graph().parse(ontology_dir() / "chipkg.ttl", format="turtle")
    data = onto + relations + types
    out = Graph()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.nt"
        data.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load(format="ntriples")
        with world.get_ontology("https://w3id.org/chipkg/inferred#"):
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        for name in DEFINED:
            cls = world.search_one(iri=str(CK[name]))
            if cls is None:
                continue
            for ind in cls.instances(world=world):
                out.add((URIRef(ind.iri), RDF.type, CK[name]))
    return out


def reason_store(store: LocalStore) -> int:
    """Materialise shortcuts and inferred types into ``ckg:inferred``; return the number of triples."""
    relations = shortcut_graph(store)
    nodes = {str(n) for n in relations.all_nodes()}
    inferred = relations + classify(relations, _types(store, nodes))
    store.replace_graphs(INFERRED, inferred)
    return len(inferred)
