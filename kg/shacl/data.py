"""An in-memory index of a small data graph, built in one pass, for the compiled SHACL engine.

>>> from rdflib import Graph, URIRef
>>> g = Graph().parse(data="<http://e/a> a <http://e/C> ; <http://e/p> 1 .", format="turtle")
>>> idx = DataIndex.of(g)
>>> idx.is_instance(URIRef("http://e/a"), URIRef("http://e/C"))
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from rdflib import Graph
from rdflib.term import Node

from kg.shacl.model import Path
from kg.vocab import RDF, RDFS

Triple = tuple[Node, Node, Node]


class DataIndex:
    """Subject and object indexes, and the rdfs:subClassOf closure of the data graph.

    The triples must be distinct (as those of an rdflib ``Graph`` are).
    """

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.out: defaultdict[Node, defaultdict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.inv: defaultdict[Node, defaultdict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.by_pred: defaultdict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        for s, p, o in triples:
            self.out[s][p].append(o)
            self.inv[o][p].append(s)
            self.by_pred[p].append((s, o))
        self._supers: dict[Node, set[Node]] = {}

    @classmethod
    def of(cls, graph: Graph) -> DataIndex:
        """Index an rdflib graph."""
        return cls(graph.triples((None, None, None)))

    def objects(self, s: Node, p: Node) -> list[Node]:
        """Objects of ``s p ?o``."""
        row = self.out.get(s)
        return row.get(p, []) if row is not None else []

    def subjects(self, p: Node, o: Node) -> list[Node]:
        """Subjects of ``?s p o``."""
        row = self.inv.get(o)
        return row.get(p, []) if row is not None else []

    def superclasses(self, c: Node) -> set[Node]:
        """``c`` and every class it is an rdfs:subClassOf*, in the data graph."""
        got = self._supers.get(c)
        if got is None:
            got = _closure(c, lambda x: self.objects(x, RDFS.subClassOf))
            self._supers[c] = got
        return got

    def is_instance(self, node: Node, cls: Node) -> bool:
        """SHACL instance: ``node rdf:type/rdfs:subClassOf* cls`` in the data graph."""
        return any(cls in self.superclasses(t) for t in self.objects(node, RDF.type))

    def instances(self, cls: Node) -> list[Node]:
        """Every SHACL instance of ``cls``, each once."""
        classes = _closure(cls, lambda x: self.subjects(RDFS.subClassOf, x))
        seen: dict[Node, None] = {}
        for c in classes:
            for s in self.subjects(RDF.type, c):
                seen.setdefault(s, None)
        return list(seen)

    def values(self, focus: Node, path: Path) -> list[Node]:
        """The value nodes of ``focus`` for ``path``, each once, in a stable order."""
        if path.kind == "pred" and path.pred is not None:
            return self.objects(focus, path.pred)  # triples are distinct, so are these
        return list(dict.fromkeys(self._walk([focus], path)))

    def _walk(self, nodes: list[Node], path: Path) -> list[Node]:
        if path.kind == "pred":
            return [o for n in nodes for o in self.objects(n, path.pred)] if path.pred is not None else []
        if path.kind == "inverse":
            inner = path.parts[0]
            if inner.kind == "pred" and inner.pred is not None:
                return [s for n in nodes for s in self.subjects(inner.pred, n)]
            return self._inverse(nodes, inner)
        if path.kind == "seq":
            for part in path.parts:
                nodes = list(dict.fromkeys(self._walk(nodes, part)))
            return nodes
        if path.kind == "alt":
            return [v for part in path.parts for v in self._walk(nodes, part)]
        inner = path.parts[0]
        if path.kind == "opt":
            return nodes + self._walk(nodes, inner)
        reach: set[Node] = set()
        out: list[Node] = list(nodes) if path.kind == "star" else []
        frontier = nodes
        while frontier:
            step = [v for v in self._walk(frontier, inner) if v not in reach]
            reach.update(step)
            out += step
            frontier = list(dict.fromkeys(step))
        return out

    def _inverse(self, nodes: list[Node], inner: Path) -> list[Node]:
        subjects = {s for s in self.out} | {o for row in self.out.values() for vs in row.values() for o in vs}
        targets = set(nodes)
        return [s for s in subjects if targets & set(self._walk([s], inner))]


def _closure(start: Node, step: Callable[[Node], list[Node]]) -> set[Node]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
