"""``kg ingest`` (a subprocess) on a folder of bad files and one good article.

Exit code 1 ("some articles were not stored"), one ``unreadable:`` line per bad file with its
reason, the good article stored, and the bad files leave the store as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.store.local import LocalStore

GOOD = "Title: Nvidia sells H20 chips\n\nNvidia sold H20 chips to Alibaba in April, the company said.\n"
BAD = {
    "a_empty.txt": (b"", "empty file"),
    "b_binary.txt": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "binary file (NUL bytes)"),
    "c_deep.json": (b'{"text": "x", "d": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "JSON nested 10001 deep (limit 64)"),
    "d_dup.json": (b'{"text": "Nvidia.", "text": "Alibaba."}', "bad JSON: duplicate key 'text'"),
}
EXIT_PARTIAL = 1
ARTICLES = "SELECT ?g WHERE { GRAPH ?g { ?a a <https://w3id.org/chipkg/ontology#Article> } }"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, run_kg) -> tuple[Path, Path, object]:
    """The folder, the store, and the finished ``kg ingest`` run."""
    root = tmp_path_factory.mktemp("cli-ingest")
    folder = root / "articles"
    folder.mkdir()
    for name, (data, _) in BAD.items():
        (folder / name).write_bytes(data)
    (folder / "z_good.txt").write_text(GOOD, encoding="utf-8")
    done = run_kg("ingest", str(folder), "--store", str(root / "store"), "--no-progress")
    return folder, root / "store", done


def test_robust_cli_bad_files_give_exit_code_1(batch) -> None:
    """Some files were not stored: exit code 1, and the summary counts them."""
    _, _, done = batch
    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert done.stderr.startswith("stored 1 article(s), 0 unchanged, 0 quarantined, 4 unreadable, 0 failed\n")


def test_robust_cli_each_bad_file_is_named_with_its_reason(batch) -> None:
    """One ``unreadable: <path>: <reason>`` line per bad file, in order."""
    folder, _, done = batch
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("unreadable: ")]
    assert lines == [f"unreadable: {folder / name}: {reason}" for name, (_, reason) in BAD.items()]


def test_robust_cli_good_article_is_stored(batch) -> None:
    """The good article after the bad files is in the store."""
    _, store, _ = batch
    assert len(LocalStore.open(store, read_only=True).select(ARTICLES)) == 1


def test_robust_cli_bad_files_again_change_nothing(batch, run_kg, store_hash) -> None:
    """Ingesting the bad files again (alone) leaves the store unchanged, with exit code 1."""
    folder, store, _ = batch
    before = store_hash(LocalStore.open(store, read_only=True))
    done = run_kg("ingest", *[str(folder / n) for n in BAD], "--store", str(store), "--no-progress")
    assert done.returncode == EXIT_PARTIAL
    assert store_hash(LocalStore.open(store, read_only=True)) == before
