"""A kill between the two reference-graph writes of a fresh store must heal on the next run.

``ensure_reference_graphs`` writes the gazetteer graph (which carries the content-hash marker
it checks) and then the ontology graph, in two transactions. A ``kg ingest`` killed between
the two leaves a store with the marker but no ontology; the next run sees the marker, skips
both, and the ontology graph is missing for good. The window is milliseconds wide, so the
random kills of test_robust_crash_kill.py almost never hit it: this test puts the store in
that state directly.
"""

from __future__ import annotations

from kg.store.local import LocalStore
from kg.store.setup import GAZETTEER, ONTOLOGY, ensure_reference_graphs


def test_robust_crash_missing_ontology_is_rewritten() -> None:
    """Marker present, ontology graph missing (killed in between): the next run writes the ontology."""
    store = LocalStore.in_memory()
    ensure_reference_graphs(store)
    store.drop_graph(ONTOLOGY)  # the state a kill between the two writes leaves
    assert GAZETTEER in store.graphs()
    ensure_reference_graphs(store)
    assert ONTOLOGY in store.graphs()
