"""Render ``results.json`` (written by ``bench/run.py``) as Markdown, with the targets checked.

python bench/report.py bench/out/results.json     # print the Markdown again
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

STAGES = ("read", "extract", "map", "validate", "store")
TARGET_PER_CORE = 50.0  # articles/s per core, SHACL included
TARGET_SCALING = 1.7  # all cores vs one core
TARGET_P50 = {1_000_000: 0.050, 10_000_000: 0.500}  # seconds, embedded store
TARGET_RATIO = 10.0  # embedded store vs rdflib in memory
FLAT_GROWTH = 0.10  # RSS growth over the second half of a run that still counts as flat


def fmt_s(s: float | None) -> str:
    """Seconds as ``12.3 ms`` or ``4.56 s``."""
    if s is None:
        return "-"
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def size(n: int) -> str:
    """1000000 -> '1M', 50000 -> '50k'."""
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def fmt_mb(b: float | None) -> str:
    """Bytes as MB."""
    return "-" if b is None else f"{b / 1e6:,.1f}"


def throughput(r: dict[str, Any]) -> tuple[float, float]:
    """(end to end, in process) articles/s: stored over the parent's wall time (start-up, imports,
    model loading included), and attempted over the worker's ingest loop time."""
    e2e = r["stored"] / r["wall_s"] if r["wall_s"] else 0.0
    inner = r["seconds"]
    loop = sum(inner.values())
    return e2e, (r["attempted"] / loop if loop else 0.0)


def render(res: dict[str, Any]) -> str:
    """The whole report."""
    m = res["meta"]
    out = [f"# chipkg benchmark results ({m.get('sizes')})", ""]
    mach, git = m.get("machine", {}), m.get("git", {})
    status = "finished" if m.get("finished") else "IN PROGRESS"
    out += [
        f"- date: {m.get('date')}; command: `{m.get('command')}`; {status} after {m.get('elapsed_s', 0):.0f} s",
        f"- machine: {mach.get('cores')} cores ({mach.get('cpu')}), {mach.get('memory')}; Python {mach.get('python')}; "
        f"{mach.get('libraries')}",
        f"- code measured: commit {git.get('commit')} with {git.get('dirty_files')} uncommitted file(s) under "
        f"kg/ queries/ ontology/ (digest {git.get('dirty_digest')})",
    ]
    loads = [x for r in _records(res) for x in (r.get("load_before"), r.get("load_after")) if x is not None]
    if loads:
        out.append(
            f"- 1-minute load average before/after the measurements: {min(loads):.1f} to {max(loads):.1f} "
            f"(the machine has {mach.get('cores')} cores; above that, other processes competed for CPU)"
        )
    out.append("")
    out += _ingest(res)
    out += _stages(res)
    out += _samples(res)
    out += _query(res)
    out += _export(res)
    out += _targets(res)
    if res.get("notes"):
        out += ["## Notes", "", *[f"- {n}" for n in res["notes"]], ""]
    return "\n".join(out)


def _records(res: dict[str, Any]) -> list[dict[str, Any]]:
    return [*(res.get("ingest") or []), *(res.get("query") or {}).values(), *(res.get("export") or [])]


def _ingest(res: dict[str, Any]) -> list[str]:
    rows = res.get("ingest") or []
    if not rows:
        return []
    out = [
        "## Ingest throughput (read, extract, map, SHACL validate, store)",
        "",
        "| articles | processes | stored / failed / quarantined | wall | articles/s end to end | per core "
        "| articles/s in loop | articles per CPU-s | vs 1 process | peak RSS MB | store on disk MB | quads | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    single: dict[int, float] = {}
    for r in rows:
        e2e, inner = throughput(r)
        if r["workers"] == 1:
            single[r["articles"]] = e2e
        base = single.get(r["articles"])
        vs = f"{e2e / base:.2f}x" if base and r["workers"] > 1 else "-"
        n = f"{r['articles']:,}"
        if r.get("timed_out"):
            n += f" (time-boxed: {r['attempted']:,} done)"
        rss = f"{r['peak_rss_mb']:.0f}"
        if r["workers"] > 1 and r.get("peak_rss_storing_mb"):
            rss += f" (all processes, sampled; storing one {r['peak_rss_storing_mb']:.0f})"
        out.append(
            f"| {n} | {r['mode']} | {r['stored']} / {r['failed']} / {r['quarantined']} | {r['wall_s']:.1f} s "
            f"| {e2e:.2f} | {e2e / r['workers']:.2f} | {inner:.2f} | {per_cpu(r)} | {vs} | {rss} "
            f"| {fmt_mb(r['store_bytes'])} "
            f"| {r['triples']:,} | {load(r)} |"
        )
    out += [
        "",
        "*end to end*: stored articles over the wall time of the whole process(es) (Python start-up, imports, "
        "gazetteer/shapes loading included). *in loop*: articles over the sum of the stage timers. *per CPU-s*: "
        "articles over the CPU seconds (user + system) of the ingest loop, summed over processes - the rate "
        "one core would give if nothing else competed for it. *load*: the machine's 1-minute load average "
        "before -> after (above the core count, other processes competed and the wall-clock numbers, above "
        "all the N-process speed-up, understate what idle cores give). *--jobs N* is `kg ingest --jobs N`: N "
        "worker processes read, extract, map and validate, the main process stores (Oxigraph allows one "
        "writer), so the result is one queryable store. Its stage timers add up the workers' time; its peak "
        "RSS is the largest sampled sum over the process tree (storing process, forkserver, workers).",
        "",
    ]
    return out


def load(r: dict[str, Any]) -> str:
    """The 1-minute load average before -> after a measurement."""
    if r.get("load_before") is None:
        return "-"
    return f"{r['load_before']:.1f} -> {r['load_after']:.1f}"


def per_cpu(r: dict[str, Any]) -> str:
    """Articles per CPU second of the ingest loop."""
    c = r.get("cpu_loop_s")
    if r.get("workers", 1) > 1:
        return "-"  # the workers' CPU time is not seen from the storing process
    return f"{r['attempted'] / c:.2f}" if c else "-"


def _stages(res: dict[str, Any]) -> list[str]:
    rows = [r for r in res.get("ingest") or [] if r["workers"] == 1]
    if not rows:
        return []
    out = [
        "## Time per stage (1 process, IngestReport.seconds)",
        "",
        "| articles | " + " | ".join(STAGES) + " | ms per article | facts per article |",
        "|---|" + "---|" * (len(STAGES) + 2),
    ]
    for r in rows:
        sec = r["seconds"]
        total = sum(sec.values()) or 1.0
        n = max(r["attempted"], 1)
        cells = [f"{sec.get(s, 0) / total:.0%} ({sec.get(s, 0) / n * 1000:.0f} ms)" for s in STAGES]
        facts = sum(r.get("facts", {}).values()) / max(r["stored"], 1)
        out.append(f"| {r['attempted']:,} | " + " | ".join(cells) + f" | {total / n * 1000:.0f} | {facts:.1f} |")
    return [*out, ""]


def _samples(res: dict[str, Any]) -> list[str]:
    rows = [r for r in res.get("ingest") or [] if r["workers"] == 1 and len(r.get("samples") or []) > 2]
    if not rows:
        return []
    r = max(rows, key=lambda x: x["attempted"])
    s = r["samples"]
    pick = [s[round(i * (len(s) - 1) / 10)] for i in range(11)]
    out = [
        f"## Resident memory while ingesting {r['attempted']:,} articles (1 process, VmRSS sampled)",
        "",
        "| elapsed | articles done | RSS MB |",
        "|---|---|---|",
    ]
    seen = set()
    for t, n, rss in pick:
        if t in seen:
            continue
        seen.add(t)
        out.append(f"| {t:.0f} s | {n:,} | {rss:.0f} |")
    growth = rss_growth(s)
    out += ["", f"Growth over the second half of the run: {growth:+.1%}.", ""]
    return out


def rss_growth(samples: list[list[float]]) -> float:
    """Relative RSS growth from the middle sample to the highest sample after it."""
    half = len(samples) // 2
    mid = samples[half][2]
    return (max(s[2] for s in samples[half:]) - mid) / mid if mid else 0.0


def _query(res: dict[str, Any]) -> list[str]:
    q = res.get("query") or {}
    if not q:
        return []
    sizes = sorted({int(k.split("@")[1]) for k in q})
    out = ["## Pack question latency (defaults, then as a user asks: one parameter)", ""]
    for key in sorted(q, key=lambda k: (int(k.split("@")[1]), k)):
        v = q[key]
        backend, n = key.split("@")
        extra = f", optimize() {v['optimize_s']:.1f} s" if backend == "oxigraph" else ""
        disk = f", {fmt_mb(v['disk_bytes'])} MB on disk" if v.get("disk_bytes") else ""
        st = v.get("settings", {})
        out.append(
            f"- {backend} at {int(n):,} triples ({v['triples']:,} loaded): load {v['load_s']:.1f} s{extra}{disk}; "
            f"RSS after load {v['rss_after_load_mb']:.0f} MB, peak {v['peak_rss_mb']:.0f} MB; runs per question: "
            f"up to {st.get('reps')} within {st.get('budget')} s, killed after {st.get('cap')} s"
        )
    head = ["question"]
    cols: list[tuple[str, int]] = []
    for n in sizes:
        for backend in ("oxigraph", "rdflib"):
            if f"{backend}@{n}" in q:
                cols.append((backend, n))
                head.append(f"{backend} {size(n)} p50 / p95 (runs)")
        if f"oxigraph@{n}" in q and f"rdflib@{n}" in q:
            head.append(f"rdflib / oxigraph {size(n)}")
            cols.append(("ratio", n))
    head.insert(1, f"rows {size(sizes[0])}")
    out += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    qids = sorted({qid for v in q.values() for qid in v["questions"]})
    first = q.get(f"oxigraph@{sizes[0]}", next(iter(q.values())))
    for qid in qids:
        r0 = first["questions"].get(qid, {})
        cells = [qid, str(r0.get("rows", "-"))]
        for backend, n in cols:
            if backend == "ratio":
                cells.append(_ratio(q[f"oxigraph@{n}"]["questions"].get(qid), q[f"rdflib@{n}"]["questions"].get(qid)))
                continue
            v = q[f"{backend}@{n}"]
            cells.append(_lat(v["questions"].get(qid), qid in v.get("skipped_after_timeout", []), backend))
        out.append("| " + " | ".join(cells) + " |")
    mismatch = []
    for n in sizes:
        a, b = q.get(f"oxigraph@{n}"), q.get(f"rdflib@{n}")
        if a and b:
            for qid, rb in b["questions"].items():
                ra = a["questions"].get(qid, {})
                if "rows" in ra and "rows" in rb and ra["rows"] != rb["rows"]:
                    mismatch.append(f"{qid} at {size(n)}: oxigraph {ra['rows']} rows, rdflib {rb['rows']}")
    out += [
        "",
        f"Row counts of the two backends: {'; '.join(mismatch) if mismatch else 'identical wherever both answered'}.",
    ]
    out += [
        "",
        "Each question runs in a forked child of the loaded process: one warm-up run, then timed runs of "
        "`kg.query.pack.run_question` (entity resolution, query, row conversion, Python-side filters). "
        "A child that passes the cap is killed (its first run's time is shown when that run finished); a "
        "question killed at a smaller size is not re-run at a larger one, and rdflib does not run a "
        "question oxigraph could not finish. `~` marks a ratio that uses a single (first) run.",
        "",
    ]
    return out


def _lat(r: dict[str, Any] | None, skipped: bool, backend: str = "oxigraph") -> str:
    if skipped:
        return "not run (killed on oxigraph)" if backend == "rdflib" else "not run (killed at a smaller size)"
    if r is None:
        return "-"
    if r.get("error"):
        return f"error: {r['error'][:60]}"
    if r.get("timed_out"):
        first = f"; first run {fmt_s(r['first_s'])}" if "first_s" in r else "; first run unfinished"
        return f"killed at {r['cap_s']:g} s{first}"
    cpu = f"; cpu {fmt_s(r['p50_cpu_s'])}" if "p50_cpu_s" in r else ""
    if not r["runs"]:
        return f"{fmt_s(r['first_s'])} (first run only){cpu}"
    return f"{fmt_s(r['p50_s'])} / {fmt_s(r['p95_s'])} ({r['runs']}){cpu}"


def best_time(r: dict[str, Any] | None) -> tuple[float | None, bool]:
    """(p50, exact) or (first run, False) for a killed question, or (None, False)."""
    if not r or r.get("error"):
        return None, False
    if not r.get("timed_out"):
        return float(r["p50_s"]), bool(r.get("runs"))
    return (float(r["first_s"]), False) if "first_s" in r else (None, False)


def ratio(ox: dict[str, Any] | None, rd: dict[str, Any] | None) -> tuple[float | None, str]:
    """rdflib time / oxigraph time: (value, kind) with kind "exact", "approx" (a first run used)
    or "lower" (rdflib was killed before its first run finished: at least cap / oxigraph)."""
    o, o_exact = best_time(ox)
    d, d_exact = best_time(rd)
    if o is None:
        return None, "none"
    if d is None:
        if rd and rd.get("timed_out"):
            return float(rd["cap_s"]) / o, "lower"
        return None, "none"
    return d / o, "exact" if o_exact and d_exact else "approx"


def _ratio(ox: dict[str, Any] | None, rd: dict[str, Any] | None) -> str:
    value, kind = ratio(ox, rd)
    if value is None:
        return "-"
    return {"exact": "", "approx": "~", "lower": "> "}[kind] + f"{value:.1f}x"


def _export(res: dict[str, Any]) -> list[str]:
    rows = res.get("export") or []
    if not rows:
        return []
    n = next((r["triples"] for r in rows if "triples" in r), 0)
    out = [
        f"## Export (`kg.store.export.export_bytes` on a LocalStore, {n:,} quads)",
        "",
        "| format | time | CPU | size MB | peak RSS MB |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r.get("timed_out"):
            out.append(f"| {r['format']} | > {r['cap_s']:g} s (killed) | - | - | - |")
        else:
            out.append(
                f"| {r['format']} | {fmt_s(r['wall_s'])} | {fmt_s(r.get('cpu_s'))} | {fmt_mb(r['bytes'])} "
                f"| {r['peak_rss_mb']:.0f} |"
            )
    return [*out, ""]


def _targets(res: dict[str, Any]) -> list[str]:
    out = ["## Targets (2 cores, 24 GiB)", "", "| target | measured | met? |", "|---|---|---|"]
    ingest = res.get("ingest") or []
    singles = [r for r in ingest if r["workers"] == 1]
    if singles:
        r = max(singles, key=lambda x: (x["articles"], x["attempted"]))
        e2e, _ = throughput(r)
        note = " (time-boxed)" if r.get("timed_out") else ""
        ok = "yes" if e2e >= TARGET_PER_CORE else f"no ({TARGET_PER_CORE / e2e:.0f}x short)" if e2e else "no"
        out.append(
            f"| ingest >= {TARGET_PER_CORE:g} articles/s per core, SHACL included | {e2e:.2f} articles/s "
            f"(1 process, {r['articles']:,} articles{note}) | {ok} |"
        )
        multi = [x for x in ingest if x["workers"] > 1 and x["articles"] == r["articles"]]
        if multi and e2e:
            mr = multi[0]
            s1 = throughput(mr)[0] / e2e
            txt = f"{s1:.2f}x (`--jobs {mr['workers']}`, one store)"
            met = "yes" if s1 >= TARGET_SCALING else "no"
            out.append(f"| {mr['workers']} cores >= {TARGET_SCALING}x one core | {txt} | {met} |")
    sampled = [r for r in singles if len(r.get("samples") or []) > 2]
    if sampled:
        r = max(sampled, key=lambda x: x["attempted"])
        g = rss_growth(r["samples"])
        flat = g <= FLAT_GROWTH
        scope = "" if r["attempted"] >= 10000 else f" - only {r['attempted']:,} articles measured (10,000 in full)"
        out.append(
            f"| RSS flat while ingesting 10,000 articles | {g:+.1%} over the second half{scope} "
            f"| {'yes' if flat else 'no'}{'' if not scope else ' (partial)'} |"
        )
    else:
        out.append("| RSS flat while ingesting 10,000 articles | not measured in this run | - |")
    q = res.get("query") or {}
    for n, limit in TARGET_P50.items():
        v = q.get(f"oxigraph@{n}")
        if not v:
            out.append(f"| every pack question p50 <= {fmt_s(limit)} at {n // 1_000_000}M (embedded) | not run | - |")
            continue
        qs = v["questions"]
        bad = [k for k, x in qs.items() if x.get("timed_out") or x.get("error") or x["p50_s"] > limit]
        bad += list(v.get("skipped_after_timeout", []))
        out.append(
            f"| every pack question p50 <= {fmt_s(limit)} at {n // 1_000_000}M (embedded) | "
            f"{len(qs) - len(bad) + len(v.get('skipped_after_timeout', []))} of "
            f"{len(qs) + len(v.get('skipped_after_timeout', []))} within; over: {', '.join(sorted(bad)) or 'none'} "
            f"| {'yes' if not bad else 'no'} |"
        )
    for key, v in sorted(q.items()):
        if not key.startswith("rdflib@"):
            continue
        n = key.split("@")[1]
        ox = q.get(f"oxigraph@{n}")
        if not ox:
            continue
        ratios, unknown = [], []
        for qid in ox["questions"]:
            value, kind = ratio(ox["questions"].get(qid), v["questions"].get(qid))
            if value is None or (kind == "lower" and value < TARGET_RATIO):
                unknown.append(qid)
            else:
                ratios.append((value, qid, kind))
        under = [f"{qid} {x:.1f}x" for x, qid, _k in sorted(ratios) if x < TARGET_RATIO]
        met = "no" if under else ("yes" if not unknown else "unknown")
        lo = (
            f"{len(ratios)} compared (lower bounds where rdflib was killed): min {min(ratios)[0]:.1f}x"
            if ratios
            else "-"
        )
        out.append(
            f"| embedded store >= {TARGET_RATIO:g}x faster than rdflib (p50, {size(int(n))}) | {lo}; "
            f"under 10x: {', '.join(under) or 'none'}; no ratio: {', '.join(sorted(unknown)) or 'none'} "
            f"| {met} |"
        )
    return [*out, ""]


def main(argv: list[str] | None = None) -> int:
    """Print the report of a ``results.json``."""
    args = argv if argv is not None else sys.argv[1:]
    path = Path(args[0]) if args else Path(__file__).resolve().parent / "out" / "results.json"
    print(render(json.loads(path.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
