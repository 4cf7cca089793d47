"""Synthetic N-Quads shaped like ``kg ingest`` output, of any size, streamed to disk.

Shape: the real thing. ``TEMPLATE_ARTICLES`` synthetic articles (``bench/generate.py``) go through
the project's own extraction pipeline and mapper (``Pipeline.process`` + ``to_graph``); each
resulting article graph (article node with its body, evidence nodes, fact nodes, and the
type/label/link flag of every referenced entity) becomes a template. Copy ``n`` of a template
gets a fresh article key (so new article/fact/evidence/graph IRIs), a run IRI shared by 500
copies, and its entities remapped: each entity is kept or swapped for another entity of the
same class (gazetteer entries for linked entities, a pool of invented names for unlinked ones,
popular ones drawn more often), the labels are swapped in the texts too, evidence offsets are
recomputed and the body gets a copy marker (so bodies are distinct strings). The file starts
with the ontology and gazetteer graphs exactly as ``ensure_reference_graphs`` writes them.

Only one template copy is in memory at a time: 10M quads need ~60 MB of Python, not gigabytes.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox
from generate import ArticleWriter, source_digest
from rdflib import Graph, Literal, URIRef

TEMPLATE_ARTICLES = 60
RUN_EVERY = 500
KEEP = 0.4
CKR = "https://w3id.org/chipkg/id/"
CK = "https://w3id.org/chipkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TEXT_PROPS = {
    "https://schema.org/articleBody",
    CK + "quote",
    CK + "causeText",
    CK + "effectText",
    CK + "content",
    CK + "alternativeText",
    CK + "productText",
    CK + "purpose",
    CK + "trigger",
    CK + "attributionText",
    "http://purl.org/dc/terms/title",
}
ENTITY_CLASSES = {
    CK + c
    for c in (
        "Firm",
        "GovernmentBody",
        "Person",
        "Country",
        "Chip",
        "ChipFamily",
        "Device",
        "Technology",
        "Policy",
        "ExportControl",
        "EntityListing",
        "LicenceRequirement",
        "PurchaseGuidance",
        "StateFunding",
        "Tariff",
        "Sanction",
    )
}
SYLLABLES = ["an", "bao", "chen", "da", "fei", "gu", "hai", "jin", "kai", "lan", "ming", "nuo"]
SYLLABLES += ["pei", "qin", "rui", "shan", "tai", "wei", "xin", "yao", "zhi", "lu", "mo", "ke"]
FIRM_SUFFIX = ["Micro", "Compute", "Semiconductor", "Silicon", "Technologies", "Labs", "Securities", "Capital"]
GIVEN = ["Mara", "Jonah", "Elif", "Tobias", "Leila", "Ravi", "Annika", "Mateo", "Yara", "Oskar"]
GIVEN += ["Noor", "Felix", "Ingrid", "Caleb", "Wen", "Sanna"]


@dataclass
class Stats:
    """What a generation run wrote."""

    triples: int = 0
    articles: int = 0
    reference_triples: int = 0


@dataclass
class EntityRef:
    """One entity of a template: its IRI, class, label and whether it is from the gazetteer."""

    iri: str
    cls: str
    label: str
    linked: bool


@dataclass
class Template:
    """One article graph, as format strings with ``{K}`` (key) ``{R}`` (run) ``{E<i>}`` ``{T<i>}``."""

    key: str
    url: str
    lines: str
    entities: list[EntityRef]
    texts: list[str]
    body_index: int
    quotes: list[tuple[int, int, int]]  # (text index of quote, start slot, end slot)
    triples: int


def escape(value: str) -> str:
    """The inside of an N-Triples string literal."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def term(t: object) -> str:
    """An N-Triples term for an rdflib term."""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        body = f'"{escape(str(t))}"'
        if t.language:
            return f"{body}@{t.language}"
        if t.datatype and str(t.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return f"{body}^^<{t.datatype}>"
        return body
    raise TypeError(f"unexpected term {t!r}")


def _braces(s: str) -> str:
    return s.replace("{", "{{").replace("}", "}}")


def build_template(g: Graph, key: str, run_iri: str) -> Template:
    """Turn one mapped article graph into a :class:`Template`."""
    ents: dict[str, EntityRef] = {}
    for s, _p, o in g.triples((None, URIRef(RDF_TYPE), None)):
        if str(o) in ENTITY_CLASSES:
            label = next((str(x) for x in g.objects(s, URIRef(RDFS_LABEL))), "")
            linked = str(next(g.objects(s, URIRef(CK + "linked")), "true")).lower() == "true"
            ents[str(s)] = EntityRef(str(s), str(o), label, linked)
    order = sorted(ents)
    slot = {iri: f"{{E{i}}}" for i, iri in enumerate(order)}
    texts: list[str] = []
    body_index = -1
    starts: dict[str, str] = {}
    ends: dict[str, str] = {}
    quote_of: dict[str, int] = {}
    lines: list[str] = []
    n = 0
    for s, p, o in sorted(g):
        ss, ps = str(s), str(p)
        if ss in ents:
            continue  # entity description: written from the mapped entity
        n += 1
        subj = slot.get(ss) or _braces(term(s)).replace(key, "{K}").replace(run_iri, "{R}")
        if ps in TEXT_PROPS and isinstance(o, Literal):
            idx = len(texts)
            texts.append(str(o))
            if ps == "https://schema.org/articleBody":
                body_index = idx
            if ps == CK + "quote":
                quote_of[ss] = idx
            obj = f'"{{T{idx}}}"'
        elif ps in (CK + "start", CK + "end"):
            name = f"O{len(starts) + len(ends)}"
            (starts if ps.endswith("start") else ends)[ss] = name
            obj = f'"{{{name}}}"^^<http://www.w3.org/2001/XMLSchema#integer>'
        elif ps == CK + "contentHash":
            obj = '"{H}"'
        elif ps in (CK + "source", "https://schema.org/url") and isinstance(o, Literal):
            obj = _braces(term(o)).replace(str(o), "{U}", 1)
        elif str(o) in slot:
            obj = f"<{slot[str(o)]}>"
        else:
            obj = _braces(term(o)).replace(key, "{K}").replace(run_iri, "{R}")
        pred = f"<{_braces(ps)}>"
        graph = "<https://w3id.org/chipkg/graph/article/{K}>"
        lines.append(f"{subj} {pred} {obj} {graph} .\n")
    quotes = [(quote_of[ev], int(starts[ev][1:]), int(ends[ev][1:])) for ev in quote_of if ev in starts and ev in ends]
    entities = [ents[i] for i in order]
    url = next((str(o) for o in g.objects(None, URIRef(CK + "source"))), "")
    return Template(key, url, "".join(lines), entities, texts, body_index, quotes, n)


class EntityPools:
    """Replacement entities per class: gazetteer (linked) and invented names (unlinked)."""

    def __init__(self, rng: random.Random) -> None:
        from kg.gazetteer import Gazetteer, add_entity

        gaz = Gazetteer.load()
        self.blocks: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.linked: dict[str, list[str]] = {}
        for e in gaz.entities.values():
            g = Graph()
            add_entity(g, e)
            iri = str(next(iter(g.subjects())))
            cls = str(next(o for _s, p, o in g if str(p) == RDF_TYPE))
            self._add(iri, cls, e.label, g)
            self.linked.setdefault(cls, []).append(iri)
        popular = ["firm/nvidia", "firm/huawei", "firm/alibaba", "firm/bytedance", "firm/smic", "chip/h20"]
        for iris in self.linked.values():
            iris.sort(key=lambda i: (0 if i[len(CKR) :] in popular else 1, i))
            rng.shuffle(iris[len([i for i in iris if i[len(CKR) :] in popular]) :])
        self.unlinked: dict[str, list[str]] = {}
        names = [a.capitalize() + b + c for a in SYLLABLES for b in SYLLABLES for c in ["", *SYLLABLES] if a != b]
        rng.shuffle(names)
        for i, stem in enumerate(names[:3000]):
            self._invent(CK + "Firm", f"{stem} {FIRM_SUFFIX[i % len(FIRM_SUFFIX)]}", "firm")
        for i, stem in enumerate(names[:2000]):
            self._invent(CK + "Person", f"{GIVEN[i % len(GIVEN)]} {stem}", "person")
        for i in range(1000):
            self._invent(CK + "Chip", f"{names[i][:3].upper()}-{i % 97 + 2}", "chip")
        for i in range(200):
            self._invent(CK + "Device", f"{names[i]} Pad {i % 9 + 1}", "device")
        self.cum = {(True, c): _zipf(len(v)) for c, v in self.linked.items()}
        self.cum |= {(False, c): _zipf(len(v)) for c, v in self.unlinked.items()}

    def _add(self, iri: str, cls: str, label: str, g: Graph) -> None:
        self.labels[iri] = label
        self.blocks[iri] = "".join(f"<{iri}> <{p}> {term(o)} {{G}} .\n" for _s, p, o in sorted(g))

    def _invent(self, cls: str, label: str, kind: str) -> None:
        from kg.gazetteer import slug

        iri = f"{CKR}{kind}/{slug(label)}"
        if iri in self.labels:
            return
        self._add(iri, cls, label, entity_graph(iri, cls, label, False))
        self.unlinked.setdefault(cls, []).append(iri)

    def pick(self, rng: random.Random, ent: EntityRef) -> str:
        """The entity a copy uses in place of ``ent``."""
        if ent.iri not in self.blocks:  # an unlinked name of the template: make it known
            self._add(ent.iri, ent.cls, ent.label, entity_graph(ent.iri, ent.cls, ent.label, ent.linked))
        pool = (self.linked if ent.linked else self.unlinked).get(ent.cls)
        if not pool or rng.random() < KEEP:
            return ent.iri
        return rng.choices(pool, cum_weights=self.cum[ent.linked, ent.cls])[0]


def entity_graph(iri: str, cls: str, label: str, linked: bool) -> Graph:
    """Type, label and link flag of an entity, as the mapper writes them for unlinked names."""
    g = Graph()
    g.add((URIRef(iri), URIRef(RDF_TYPE), URIRef(cls)))
    g.add((URIRef(iri), URIRef(RDFS_LABEL), Literal(label, lang="en")))
    g.add((URIRef(iri), URIRef(CK + "linked"), Literal(linked)))
    return g


def _zipf(n: int) -> list[float]:
    out, total = [], 0.0
    for i in range(n):
        total += 1.0 / (i + 1) ** 0.9
        out.append(total)
    return out


def make_templates(count: int = TEMPLATE_ARTICLES, seed: int = 7) -> list[Template]:
    """Run the real pipeline and mapper over ``count`` synthetic articles."""
    from kg.errors import StageError
    from kg.ingest.mapper import RunInfo, to_graph
    from kg.ingest.pipeline import Pipeline
    from kg.ingest.reader import parse_text

    pipe = Pipeline.default()
    writer = ArticleWriter(seed + 1000)
    run = RunInfo("0" * 32, "2026-11-23T00:00:00+00:00")
    out = []
    for i in range(count):
        name, text = writer.article(i)
        try:
            doc = pipe.process(parse_text(text, name))
        except StageError:
            continue
        out.append(build_template(to_graph(doc, run=run), doc.article.key, f"{CKR}run/{run.id}"))
    return out


def reference_nquads() -> str:
    """The ontology and gazetteer graphs, as ``ensure_reference_graphs`` stores them."""
    from kg.store.local import LocalStore
    from kg.store.setup import ensure_reference_graphs

    s = LocalStore.in_memory()
    ensure_reference_graphs(s)
    return s.dump(ox.RdfFormat.N_QUADS).decode("utf-8")


def write_copy(
    out: TextIO, t: Template, n: int, seed: int, pools: EntityPools, rng: random.Random
) -> tuple[int, list[str]]:
    """Write copy ``n`` of template ``t``; returns (quads written, entity IRIs used)."""
    key = hashlib.sha256(f"bench:{seed}:{n}".encode()).hexdigest()[:16]
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for ent in t.entities:
        new = ent.iri
        for _ in range(4):
            new = pools.pick(rng, ent)
            if new not in used:
                break
        if new in used:
            new = ent.iri
        used.add(new)
        mapping[ent.iri] = new
    swaps = {
        t_ent.label: pools.labels[mapping[t_ent.iri]]
        for t_ent in t.entities
        if mapping[t_ent.iri] != t_ent.iri and len(t_ent.label) > 2
    }
    texts = list(t.texts)
    if swaps:
        pat = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(swaps, key=len, reverse=True)) + r")\b")
        texts = [pat.sub(lambda m: swaps[m.group(0)], x) for x in texts]
    body = texts[t.body_index] + f"\n\n[synthetic copy {n}]" if t.body_index >= 0 else ""
    if t.body_index >= 0:
        texts[t.body_index] = body
    values: dict[str, str] = {
        "K": key,
        "U": escape(f"{t.url}?copy={n}"),
        "R": CKR + "run/" + hashlib.sha256(f"run:{seed}:{n // RUN_EVERY}".encode()).hexdigest()[:32],
        "H": hashlib.sha256(body.encode("utf-8")).hexdigest(),
    }
    for i, ent in enumerate(t.entities):
        values[f"E{i}"] = mapping[ent.iri]
    for i, x in enumerate(texts):
        values[f"T{i}"] = escape(x)
    for qi, si, ei in t.quotes:
        start = max(body.find(texts[qi]), 0)
        values[f"O{si}"] = str(start)
        values[f"O{ei}"] = str(start + len(texts[qi]))
    out.write(t.lines.format_map(values))
    graph = f"<https://w3id.org/chipkg/graph/article/{key}>"
    ent_quads = 0
    for iri in used:
        block = pools.blocks[iri]
        out.write(block.replace("{G}", graph))
        ent_quads += block.count("\n")
    return t.triples + ent_quads, sorted(used)


def write_nquads(path: Path, triples: int, *, seed: int = 7, templates: Iterable[Template] | None = None) -> Stats:
    """Write at least ``triples`` quads (stopping after the copy that reaches it) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pools = EntityPools(rng)
    tmpl = list(templates) if templates is not None else make_templates(seed=seed)
    stats = Stats()
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as out:
        ref = reference_nquads()
        out.write(ref)
        stats.reference_triples = ref.count("\n")
        stats.triples = stats.reference_triples
        n = 0
        while stats.triples < triples:
            t = tmpl[n % len(tmpl)]
            written, _ = write_copy(out, t, n, seed, pools, rng)
            stats.triples += written
            stats.articles += 1
            n += 1
    tmp.replace(path)
    path.with_suffix(path.suffix + ".meta").write_text(f"{stats.triples} {stats.articles} {seed} {source_digest()}\n")
    return stats


def ensure_nquads(path: Path, triples: int, *, seed: int = 7) -> Stats:
    """Reuse ``path`` when a previous run wrote it with the same size, seed and sources."""
    meta = path.with_suffix(path.suffix + ".meta")
    if path.exists() and meta.exists():
        parts = meta.read_text().split()
        if len(parts) == 4 and parts[2:] == [str(seed), source_digest()] and triples <= int(parts[0]) < triples + 5000:
            return Stats(int(parts[0]), int(parts[1]))
    return write_nquads(path, triples, seed=seed)
