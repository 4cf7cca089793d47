"""Profiles behind docs/performance.md: where ingest time goes, why SHACL is slow, why queries are.

    python bench/profiling.py ingest --count 40          # cProfile of ingest, top functions
    python bench/profiling.py shacl --count 20           # SHACL validation variants, ms per article
    python bench/profiling.py labels --nquads bench/out/graph-1m.nq   # the label-lookup what-if

Run them on an idle machine: they time things. They read (never change) kg; the what-if
variants of validation and of the queries are built here, in memory.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import write_corpus  # noqa: E402


def _corpus(count: int) -> list[str]:
    folder = write_corpus(HERE / "out" / "corpus", max(count, 1000))
    return sorted(str(p) for p in folder.glob("*.txt"))[:count]


# -- ingest ----------------------------------------------------------------------------------
def profile_ingest(count: int, top: int) -> None:
    """cProfile ``ingest_paths`` over ``count`` articles into a fresh on-disk store."""
    from kg.ingest.batch import ingest_paths
    from kg.ingest.pipeline import Pipeline
    from kg.store.local import LocalStore
    from kg.validate import Validator

    files = _corpus(count)
    Pipeline.default()
    Validator.load()  # loading is start-up, not per-article work
    with tempfile.TemporaryDirectory() as d:
        store = LocalStore.open(Path(d) / "store")
        ingest_paths(files[:2], store=store)  # warm: reference graphs written, caches filled
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        report = ingest_paths(files[2:], store=store)
        prof.disable()
        wall = time.perf_counter() - t
    n = report.stored
    print(f"{n} articles in {wall:.1f} s under cProfile ({wall / max(n, 1) * 1000:.0f} ms per article)")
    print("stage seconds:", {k: round(v, 2) for k, v in report.seconds.items()})
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("cumulative").print_stats(top)
    st.sort_stats("tottime").print_stats(top)
    print(re.sub(r"/[^ ]*/site-packages/", "", buf.getvalue().replace(str(HERE.parent) + "/", "")))


# -- SHACL -----------------------------------------------------------------------------------
def _graphs(count: int, folder: Path | None = None) -> list[Any]:
    """Mapped article graphs of the synthetic corpus, or of the article files under ``folder``."""
    from kg.ingest.mapper import RunInfo, to_graph
    from kg.ingest.pipeline import Pipeline
    from kg.ingest.reader import iter_files, read_path

    pipe = Pipeline.default()
    run = RunInfo("0" * 32, "2026-11-23T00:00:00+00:00")
    files = list(iter_files([str(folder)]))[:count] if folder else _corpus(count)
    return [to_graph(pipe.process(a), run=run) for f in files for a in read_path(f)]


def _time(fn: Callable[[Any], Any], graphs: list[Any]) -> float:
    fn(graphs[0])
    times = []
    for g in graphs:
        t = time.perf_counter()
        fn(g)
        times.append(time.perf_counter() - t)
    return statistics.fmean(times)


def profile_shacl(count: int, folder: Path | None, rounds_n: int = 3) -> None:
    """Time validation variants on the same article graphs; check they give the same verdicts."""
    from pyshacl import validate
    from pyshacl.shapes_graph import ShapesGraph
    from pyshacl.validator import Validator as PyValidator
    from rdflib import Graph

    from kg.validate import Validator
    from kg.vocab import SH

    shapes = Validator.load().shapes
    graphs = _graphs(count, folder)
    sizes = [len(g) for g in graphs]
    print(
        f"{len(graphs)} article graphs, {statistics.fmean(sizes):.0f} triples each; shapes graph {len(shapes)} triples"
    )
    opts: dict[str, Any] = {"inference": "none", "allow_warnings": True}

    violation_only = Graph()
    warn_shapes = set(shapes.subjects(SH.severity, SH.Warning))
    for triple in shapes:
        if triple[0] not in warn_shapes and triple[2] not in warn_shapes:
            violation_only.add(triple)

    cached = ShapesGraph(shapes)

    def with_cached_shapes(g: Any) -> Any:
        v = PyValidator(_datagraph(g), shacl_graph=shapes, options={**opts, "advanced": True, "inplace": True})
        v.shacl_graph = cached
        run: Callable[[], Any] = v.run
        return run()

    variants: list[tuple[str, Callable[[Any], Any]]] = [
        ("kg today: validate(..., advanced=True)", Validator.load().check),
        ("advanced=False", lambda g: validate(g, shacl_graph=shapes, advanced=False, **opts)),
        ("inplace=True (no copy of the data graph)", lambda g: validate(g, shacl_graph=shapes, inplace=True, **opts)),
        ("Violation shapes only (Warning shapes dropped)", lambda g: validate(g, shacl_graph=violation_only, **opts)),
        ("shapes parsed once (cached ShapesGraph) + inplace", with_cached_shapes),
        ("per-call overhead: empty data graph", lambda _g: validate(Graph(), shacl_graph=shapes, **opts)),
    ]
    batch = Graph()
    for g in graphs[:10]:
        batch += g

    def batch_of_10(_g: Any) -> Any:
        return validate(batch, shacl_graph=shapes, advanced=True, **opts)

    def frozen(g: Any) -> Any:
        return Validator.load().check(g)

    variants.append(("10 articles in one call (time / 10)", batch_of_10))
    variants.append(("pyshacl patched: parameter lookup in a set", _with_set_lookup(Validator.load().check)))
    variants.append(
        (
            "set lookup + inplace + Violation shapes only",
            _with_set_lookup(lambda g: validate(g, shacl_graph=violation_only, inplace=True, advanced=True, **opts)),
        )
    )
    variants.append(("kg today, after gc.freeze() of the loaded process", frozen))
    verdicts = {name: [_conforms(fn(g)) for g in graphs[:5]] for name, fn in variants if "articles in one" not in name}
    verdicts.pop("per-call overhead: empty data graph")
    agree = all(v == verdicts[variants[0][0]] for v in verdicts.values())
    rounds: dict[str, list[float]] = {name: [] for name, _fn in variants}
    for _round in range(rounds_n):  # interleaved rounds: drift and GC affect every variant alike
        for name, fn in variants:
            gc.collect()
            if name.startswith("kg today, after gc.freeze"):
                gc.freeze()
            if name.startswith("10 articles"):
                t = time.perf_counter()
                fn(None)
                rounds[name].append((time.perf_counter() - t) / 10)
            else:
                rounds[name].append(_time(fn, graphs))
            gc.unfreeze()
    for name, _fn in variants:
        print(f"  {name:52s} {statistics.median(rounds[name]) * 1000:7.1f} ms per article (median of {rounds_n})")
    print(f"  same verdicts from every variant on the first 5 graphs: {agree}")
    # what pyshacl does per article
    prof = cProfile.Profile()
    prof.enable()
    for g in graphs[:5]:
        Validator.load().check(g)
    prof.disable()
    st = pstats.Stats(prof)
    calls: dict[str, int] = {}
    for k, v in st.stats.items():  # type: ignore[attr-defined]
        key = f"{Path(k[0]).name}:{k[2]}"
        calls[key] = calls.get(key, 0) + v[1]
    print(
        "  per article: Shape.validate calls",
        calls.get("shape.py:validate", 0) // 5,
        "| rdflib Term.__eq__ calls",
        calls.get("term.py:__eq__", 0) // 5,
        "| Graph.triples calls",
        calls.get("graph.py:triples", 0) // 5,
    )
    # the same checks written as SPARQL over the article in an in-memory Oxigraph store
    ox_ms = _sparql_estimate(graphs)
    print(f"  estimate, one SPARQL query per property shape on pyoxigraph: {ox_ms:.1f} ms per article")


class _SetList(list[Any]):
    """A list whose ``in`` is a set lookup (what pyshacl's constraint-parameter scan needs)."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self._set = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._set

    def copy(self) -> _SetList:
        return _SetList(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._set = frozenset(self)


def _with_set_lookup(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` with pyshacl's Shape.validate looking constraint parameters up in a set, not a list.

    pyshacl 0.40 tests ``p in search_parameters`` (a list of ~40 URIRefs) for every predicate of a
    shape on every (focus node, shape) pair, and rdflib's ``URIRef.__eq__`` is Python code. The
    patch lives only for the call; the verdicts are compared with the unpatched ones.
    """
    import pyshacl.shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    def wrapped(g: Any) -> Any:
        namespace = vars(shape_module)  # the module's globals, where pyshacl caches the parameter list
        old = namespace.get("CONSTRAINT_PARAMS")
        namespace["CONSTRAINT_PARAMS"] = (_SetList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
        try:
            return fn(g)
        finally:
            if old is None:
                namespace.pop("CONSTRAINT_PARAMS", None)
            else:
                namespace["CONSTRAINT_PARAMS"] = old

    return wrapped


def _conforms(result: Any) -> bool:
    """The verdict of kg's Outcome or of pyshacl's (conforms, report, text) tuple."""
    return bool(result.conforms if hasattr(result, "conforms") else result[0])


def _datagraph(g: Any) -> Any:
    """pyshacl's data-graph wrapper of an rdflib graph, as pyshacl.validate makes it."""
    from pyshacl.graph_abstraction import DataGraph

    return DataGraph.from_rdflib(g)


def _sparql_estimate(graphs: list[Any]) -> float:
    """Load each article into pyoxigraph and run one SELECT per property shape of the pack.

    The queries are the shapes' common form (class target, path, count / datatype test); this
    measures the cost of that approach, not a finished validator.
    """
    import pyoxigraph as ox

    from kg.validate import Validator
    from kg.vocab import SH

    shapes = Validator.load().shapes
    queries = []
    for node_shape, _p, cls in shapes.triples((None, SH.targetClass, None)):
        for prop_shape in shapes.objects(node_shape, SH.property):
            path = next(shapes.objects(prop_shape, SH.path), None)
            if path is None or not hasattr(path, "n3"):
                continue
            queries.append(
                f"SELECT ?f (COUNT(?v) AS ?n) WHERE {{ ?f a <{cls}> OPTIONAL {{ ?f <{path}> ?v }} }} GROUP BY ?f "
                f"HAVING (COUNT(?v) < 1 || COUNT(?v) > 1)"
            )
    times = []
    for g in graphs:
        nt = g.serialize(format="nt", encoding="utf-8")
        t = time.perf_counter()
        s = ox.Store()
        s.load(nt, format=ox.RdfFormat.N_TRIPLES)
        for q in queries:
            result = s.query(q)
            assert isinstance(result, ox.QuerySolutions)
            list(result)
        times.append(time.perf_counter() - t)
    print(f"  ({len(queries)} queries per article)")
    return statistics.fmean(times) * 1000


# -- queries ---------------------------------------------------------------------------------
_LABEL = re.compile(r"GRAPH \?(\w+) \{ (\?\w+) rdfs:label (\?\w+) \}")


def profile_labels(nquads: Path, cap: float) -> None:
    """Each pack question as shipped vs with entity labels read from the fact's own graph."""
    import pyoxigraph as ox

    sys.path.insert(0, str(HERE))
    from workers import run_capped

    from kg.query.pack import QueryPack

    store = ox.Store()
    t = time.perf_counter()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    print(f"loaded {len(store):,} quads in memory in {time.perf_counter() - t:.1f} s")

    def solutions(text: str) -> list[Any]:
        result = store.query(text)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    copies = solutions(
        "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { <https://w3id.org/chipkg/id/firm/nvidia> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l } }"
    )
    print("graphs holding a copy of Nvidia's rdfs:label:", copies[0]["n"].value)
    print(f"{'question':22s} {'as shipped':>14s} {'labels from GRAPH ?g':>22s} rows")
    for qid, q in sorted(QueryPack.load().questions.items()):
        if not _LABEL.search(q.text):
            continue
        fixed = _LABEL.sub(lambda m: f"GRAPH ?g {{ {m.group(2)} rdfs:label {m.group(3)} }}", q.text)
        row = []
        for text in (q.text, fixed):

            def once(_progress: Any, text: str = text) -> dict[str, Any]:
                t = time.perf_counter()
                n = len(solutions(text))
                return {"s": time.perf_counter() - t, "rows": n}

            r = run_capped(once, cap)
            row.append(("killed" if r.get("timed_out") else f"{r['s'] * 1000:.0f} ms", r.get("rows", "-")))
        print(f"{qid:22s} {row[0][0]:>14s} {row[1][0]:>22s} {row[0][1]} / {row[1][1]}")


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("ingest")
    i.add_argument("--count", type=int, default=40)
    i.add_argument("--top", type=int, default=30)
    s = sub.add_parser("shacl")
    s.add_argument("--count", type=int, default=20)
    s.add_argument("--articles", type=Path, default=None, help="article files to use instead of the corpus")
    q = sub.add_parser("labels")
    q.add_argument("--nquads", type=Path, default=HERE / "out" / "graph-1m.nq")
    q.add_argument("--cap", type=float, default=60.0)
    args = ap.parse_args(argv)
    if args.cmd == "ingest":
        profile_ingest(args.count, args.top)
    elif args.cmd == "shacl":
        profile_shacl(args.count, args.articles)
    else:
        profile_labels(args.nquads, args.cap)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
