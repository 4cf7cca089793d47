"""chipkg benchmarks: ingest throughput, query latency, memory and export, measured side by side.

    python bench/run.py --sizes small     # 100 + 1,000 articles, 1M triples (under 5 minutes)
    python bench/run.py --sizes full      # adds 10,000 articles and 10M triples (about 2 hours)
    python bench/run.py --sizes small --sections ingest      # one section only

Every measurement runs in its own process (``bench/workers.py``) so that its peak RSS is its own,
and writes JSON under ``bench/out/raw``. After each measurement the Markdown report
``bench/out/results.md`` (and ``results.json``) is rewritten, so a long run can be watched.

Bounds (so that a slow build of kg cannot make the run endless): ingest runs can be time-boxed
with ``--ingest-deadline`` (no article is started after it; the throughput is then over the
articles done, and the table says so); every pack question gets a budget of timed runs and a
hard cap after which its process is killed and it is reported as "> cap". See
``bench/README.md`` for what each number means.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import corpus_digest, write_corpus  # noqa: E402
from graphgen import ensure_nquads  # noqa: E402
from workers import dir_bytes  # noqa: E402

SECTIONS = ("ingest", "query", "export")
FORMATS = ("turtle", "trig", "nquads", "jsonld")


@dataclass(frozen=True)
class QuerySettings:
    """How hard to time the pack questions on one backend at one size."""

    reps: int
    min_reps: int
    budget: float  # seconds of timed runs per question
    cap: float  # kill the question's process after this many seconds
    user_only: bool = False  # only the parameterised user cases (USER_CASES in workers.py)


@dataclass(frozen=True)
class Plan:
    """What a ``--sizes`` choice measures."""

    articles: tuple[int, ...]
    deadlines: dict[int, float]  # per ingest run, 0 = none
    sample_every: dict[int, float]  # RSS sampling interval per size, 0 = off
    triples: tuple[int, ...]
    oxigraph: dict[int, QuerySettings]
    rdflib: dict[int, QuerySettings]  # sizes absent here are skipped for rdflib
    export_triples: int
    export_cap: float


PLANS = {
    "tiny": Plan(  # a smoke test of the harness (a minute), not a benchmark
        articles=(10,),
        deadlines={10: 0},
        sample_every={10: 0.5},
        triples=(50_000,),
        oxigraph={50_000: QuerySettings(reps=3, min_reps=1, budget=1, cap=10)},
        rdflib={50_000: QuerySettings(reps=2, min_reps=1, budget=1, cap=10)},
        export_triples=50_000,
        export_cap=60,
    ),
    "small": Plan(  # under 5 minutes on 2 cores
        articles=(1000,),
        deadlines={1000: 0},
        sample_every={1000: 2},
        triples=(100_000, 1_000_000),
        oxigraph={
            100_000: QuerySettings(reps=5, min_reps=3, budget=1, cap=8),
            1_000_000: QuerySettings(reps=5, min_reps=3, budget=1, cap=8),
        },
        rdflib={100_000: QuerySettings(reps=2, min_reps=1, budget=1, cap=8)},  # 1M takes 10-25 s a question
        export_triples=100_000,
        export_cap=30,
    ),
    "full": Plan(
        articles=(100, 1000, 10000),
        deadlines={100: 0, 1000: 0, 10000: 0},
        sample_every={100: 0, 1000: 5, 10000: 10},
        triples=(1_000_000, 10_000_000),
        oxigraph={
            1_000_000: QuerySettings(reps=20, min_reps=20, budget=30, cap=120),
            10_000_000: QuerySettings(reps=20, min_reps=3, budget=40, cap=300),
        },
        rdflib={
            1_000_000: QuerySettings(reps=5, min_reps=1, budget=15, cap=60),
            # rdflib holds 10M quads in ~12 GB and needs minutes a question: the user cases only
            10_000_000: QuerySettings(reps=1, min_reps=0, budget=0, cap=240, user_only=True),
        },
        export_triples=1_000_000,
        export_cap=300,
    ),
}


@dataclass
class Results:
    """Everything measured, as written to ``results.json``."""

    meta: dict[str, Any] = field(default_factory=dict)
    ingest: list[dict[str, Any]] = field(default_factory=list)
    query: dict[str, dict[str, Any]] = field(default_factory=dict)  # "oxigraph@1000000" -> worker JSON
    export: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- helpers ---------------------------------------------------------------------------------
def worker(args: list[str], json_path: Path, *, timeout: float | None = None) -> dict[str, Any] | None:
    """Run ``bench/workers.py`` with ``args``; its JSON, or None when it failed or timed out."""
    cmd = [sys.executable, str(HERE / "workers.py"), *args, "--json", str(json_path)]
    json_path.unlink(missing_ok=True)
    before = os.getloadavg()[0]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0 or not json_path.exists():
        print(proc.stderr[-3000:], file=sys.stderr)
        return None
    data: dict[str, Any] = json.loads(json_path.read_text())
    data["load_before"], data["load_after"] = before, os.getloadavg()[0]
    return data


def log(msg: str) -> None:
    """Progress on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def git_state() -> dict[str, str]:
    """The commit and a digest of uncommitted changes to what is measured (kg/, queries/, ontology/)."""

    def git(*a: str) -> str:
        r = subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True)
        return r.stdout.strip()

    diff = git("diff", "HEAD", "--", "kg", "queries", "ontology")
    untracked = git("ls-files", "--others", "--exclude-standard", "--", "kg", "queries", "ontology")
    digest = hashlib.sha256((diff + untracked).encode()).hexdigest()[:12]
    dirty = [x for x in git("status", "--short", "--", "kg", "queries", "ontology").splitlines() if x]
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty_files": str(len(dirty)), "dirty_digest": digest}


def machine() -> dict[str, str]:
    """CPU, cores, memory, Python and library versions."""
    from importlib.metadata import version

    cpu = "unknown"
    mem = "unknown"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name"))
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = next(int(x.split()[1]) for x in meminfo if x.startswith("MemTotal"))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    libs = ", ".join(f"{p} {version(p)}" for p in ("pyoxigraph", "rdflib", "pyshacl", "spacy"))
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "python": platform.python_version(),
        "libraries": libs,
    }


# -- sections --------------------------------------------------------------------------------
def run_ingest(plan: Plan, out: Path, res: Results, report: Any) -> None:
    """Ingest each corpus size with one process, then with one process per core."""
    corpus = write_corpus(out / "corpus", max(plan.articles))
    res.meta["corpus"] = {"articles": max(plan.articles), "digest": corpus_digest(corpus)}
    files = sorted(str(p) for p in corpus.glob("*.txt"))
    cores = os.cpu_count() or 1
    stores = out / "stores"
    for n in plan.articles:
        subset = files[:n]
        deadline = plan.deadlines.get(n, 0)
        sample = plan.sample_every.get(n, 0)
        # one process
        store = stores / f"ingest-{n}-1"
        shutil.rmtree(store, ignore_errors=True)
        lst = out / "raw" / f"files-{n}.txt"
        lst.write_text("\n".join(subset))
        log(f"ingest {n} articles, 1 process" + (f" (time-boxed {deadline:g} s)" if deadline else ""))
        t = time.perf_counter()
        args = ["ingest", "--store", str(store), "--files", str(lst), "--sample", str(sample)]
        r = worker([*args, "--deadline", str(deadline)], out / "raw" / f"ingest-{n}-1.json")
        wall = time.perf_counter() - t
        if r is not None:
            res.ingest.append(
                {"articles": n, "mode": "1 process", "workers": 1, "wall_s": wall, "store_bytes": dir_bytes(store), **r}
            )
        report()
        # kg ingest --jobs <cores>: workers extract and validate, one process stores
        store = stores / f"ingest-{n}-{cores}"
        shutil.rmtree(store, ignore_errors=True)
        log(f"ingest {n} articles, --jobs {cores}")
        t = time.perf_counter()
        args = ["ingest", "--store", str(store), "--files", str(lst), "--sample", str(sample), "--jobs", str(cores)]
        r = worker(args, out / "raw" / f"ingest-{n}-{cores}.json")
        wall = time.perf_counter() - t
        if r is not None:
            res.ingest.append(
                {
                    "articles": n,
                    "mode": f"--jobs {cores}",
                    "workers": cores,
                    "wall_s": wall,
                    "store_bytes": dir_bytes(store),
                    **r,
                }
            )
        report()


def run_query(plan: Plan, out: Path, res: Results, report: Any) -> None:
    """Every pack question on the embedded store and (where planned) on rdflib, per size."""
    timed_out: set[str] = set()
    for n in plan.triples:
        path = out / f"graph-{_short(n)}.nq"
        log(f"N-Quads with {n:,} triples: {path}")
        stats = ensure_nquads(path, n)
        res.meta[f"graph_{n}"] = {"triples": stats.triples, "articles": stats.articles, "bytes": path.stat().st_size}
        for backend, settings in (("oxigraph", plan.oxigraph.get(n)), ("rdflib", plan.rdflib.get(n))):
            if settings is None:
                res.notes.append(f"rdflib skipped at {n:,} triples (not planned at this size: load time and memory).")
                continue
            skip = sorted(q for q in timed_out if q.startswith(backend + ":"))
            if backend == "rdflib" and f"oxigraph@{n}" in res.query:  # no ratio without an oxigraph time
                killed = [q for q, v in res.query[f"oxigraph@{n}"]["questions"].items() if v.get("timed_out")]
                skip = sorted({*skip, *(f"rdflib:{q}" for q in killed)})
            args = ["query", "--backend", backend, "--nquads", str(path), "--reps", str(settings.reps)]
            args += ["--min-reps", str(settings.min_reps), "--budget", str(settings.budget), "--cap", str(settings.cap)]
            if skip or settings.user_only:
                from workers import cases

                keep = [key for key, _qid, _params in cases() if f"{backend}:{key}" not in skip]
                if settings.user_only:
                    keep = [k for k in keep if "(" in k]
                args += ["--only", *keep]
            store = out / "stores" / f"query-{_short(n)}"
            if backend == "oxigraph":
                shutil.rmtree(store, ignore_errors=True)
                args += ["--store", str(store)]
            log(f"query pack on {backend} at {n:,} triples")
            r = worker(args, out / "raw" / f"query-{backend}-{_short(n)}.json")
            if backend == "oxigraph":
                shutil.rmtree(store, ignore_errors=True)
            if r is None:
                res.notes.append(f"{backend} at {n:,} triples: the worker failed (see stderr).")
                continue
            r["settings"] = asdict(settings)
            r["skipped_after_timeout"] = [s.split(":", 1)[1] for s in skip]
            r["skip_reason"] = (
                "killed on oxigraph at this size or on this backend at a smaller size"
                if backend == "rdflib"
                else "killed at a smaller size"
            )
            res.query[f"{backend}@{n}"] = r
            timed_out |= {f"{backend}:{q}" for q, v in r["questions"].items() if v.get("timed_out")}
            report()


def run_export(plan: Plan, out: Path, res: Results, report: Any) -> None:
    """``kg.store.export.export_bytes`` per format on a store holding the N-Quads."""
    n = plan.export_triples
    path = out / f"graph-{_short(n)}.nq"
    ensure_nquads(path, n)
    for fmt in FORMATS:
        log(f"export {fmt} at {n:,} triples")
        r = worker(
            ["export", "--nquads", str(path), "--format", fmt],
            out / "raw" / f"export-{fmt}.json",
            timeout=plan.export_cap,
        )
        res.export.append(r if r is not None else {"format": fmt, "timed_out": True, "cap_s": plan.export_cap})
        report()


def _short(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


# -- main ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", choices=sorted(PLANS), default="small")
    ap.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated subset of " + ", ".join(SECTIONS))
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--ingest-deadline", type=float, default=None, help="override the time box of timed ingest runs")
    args = ap.parse_args(argv)
    plan = PLANS[args.sizes]
    if args.ingest_deadline is not None:
        plan = Plan(
            **{
                **asdict(plan),
                "deadlines": {k: args.ingest_deadline if v else 0 for k, v in plan.deadlines.items()},
                "oxigraph": plan.oxigraph,
                "rdflib": plan.rdflib,
            }
        )
    sections = [s for s in args.sections.split(",") if s]
    bad = set(sections) - set(SECTIONS)
    if bad:
        ap.error(f"unknown section(s): {', '.join(sorted(bad))}")
    out: Path = args.out
    (out / "raw").mkdir(parents=True, exist_ok=True)
    res = Results()
    started = time.perf_counter()
    res.meta = {
        "date": date.today().isoformat(),
        "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "sizes": args.sizes,
        "machine": machine(),
        "git": git_state(),
        "plan": {
            k: (v if not isinstance(v, dict) else {str(a): b for a, b in v.items()}) for k, v in asdict(plan).items()
        },
    }

    from report import render

    def report() -> None:
        res.meta["elapsed_s"] = time.perf_counter() - started
        (out / "results.json").write_text(json.dumps(asdict(res), indent=1, default=str))
        (out / "results.md").write_text(render(asdict(res)))

    report()
    if "ingest" in sections:
        run_ingest(plan, out, res, report)
    if "export" in sections:
        run_export(plan, out, res, report)
    if "query" in sections:
        run_query(plan, out, res, report)
    res.meta["finished"] = True
    report()
    print((out / "results.md").read_text())
    log(f"done in {time.perf_counter() - started:.0f} s; wrote {out / 'results.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
