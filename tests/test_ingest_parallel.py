"""``kg ingest --jobs N``: workers extract and validate, one process stores, nothing changes but speed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from kg.ingest.parallel import ingest_files
from kg.ingest.reader import iter_files
from kg.store.local import LocalStore

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_ingest_parallel_store_equals_one_process_store(
    run_kg: Any, examples_dir: Path, examples_store: Any, store_hash: Any, tmp_path: Path
) -> None:
    done = run_kg("ingest", str(examples_dir), "--store", str(tmp_path / "s"), "--no-progress", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    store = LocalStore.open(tmp_path / "s", read_only=True)
    assert store_hash(store, mask_runs=True) == examples_store.masked_hash


def test_ingest_parallel_reports_unreadable_file_by_name_and_stores_the_rest(
    examples_dir: Path, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    shutil.copytree(examples_dir, src)
    (src / "zz_broken.json").write_text("{not json", encoding="utf-8")
    report = ingest_files(sorted(iter_files([str(src)])), jobs=2, store=LocalStore.open(tmp_path / "s"))
    assert [Path(name).name for name, _why in report.unreadable] == ["zz_broken.json"]
    assert report.stored >= len(list(examples_dir.glob("*.txt")))
    assert not report.failed and not report.quarantined


def test_ingest_parallel_second_run_finds_every_article_unchanged(examples_dir: Path, tmp_path: Path) -> None:
    files = sorted(iter_files([str(examples_dir)]))
    store = LocalStore.open(tmp_path / "s")
    first = ingest_files(files, jobs=2, store=store)
    again = ingest_files(files, jobs=2, store=store)
    assert again.stored == 0 and again.unchanged == first.stored > 0


def test_ingest_parallel_worker_crash_names_the_file_and_loses_nothing(
    examples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))  # the worker processes import the crashing worker by name
    import crashing_worker

    src = tmp_path / "in"
    src.mkdir()
    for path in sorted(examples_dir.glob("0[1-6]_*.txt")):
        shutil.copy(path, src / path.name)
    shutil.copy(next(iter(sorted(examples_dir.glob("*.txt")))), src / "03a_crash.txt")
    files = sorted(iter_files([str(src)]))
    report = ingest_files(files, jobs=2, store=LocalStore.open(tmp_path / "s"), work=crashing_worker.work)
    assert [Path(n).name for n, _why in report.failed] == ["03a_crash.txt"]
    assert "worker process died" in report.failed[0][1]
    assert report.stored == len(files) - 1
    assert "crashing_worker" in sys.modules


def test_ingest_parallel_cli_refuses_a_negative_job_count(run_kg: Any, examples_dir: Path, tmp_path: Path) -> None:
    done = run_kg("ingest", str(examples_dir), "--store", str(tmp_path / "s"), "--jobs", "-1")
    assert done.returncode == 2
    assert "--jobs takes a number from 0 to 256" in done.stderr
    assert not (tmp_path / "s").exists()


def test_ingest_parallel_term_oxigraph_refuses_fails_that_article_only() -> None:
    from rdflib import Literal, URIRef

    from kg.ingest.batch import Prepared
    from kg.ingest.parallel import _pack
    from kg.ingest.reader import ArticleInput

    article = ArticleInput(source="a.txt", path="a.txt", text="Nvidia sells chips.")
    bad = Prepared(article, "ok", [(URIRef("https://w3id.org/chipkg/id/firm/a b"), URIRef("urn:p"), Literal("x"))])
    packed = _pack(bad)
    assert packed.status == "failed"
    assert packed.reason.startswith("StoreError: writing graph") and "invalid term" in packed.reason
    good = Prepared(article, "ok", [(URIRef("https://w3id.org/chipkg/id/firm/a"), URIRef("urn:p"), Literal("x"))])
    assert _pack(good).ntriples.startswith(b'<https://w3id.org/chipkg/id/firm/a> <urn:p> "x"')
