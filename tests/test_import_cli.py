"""``kg import`` in a subprocess: refusals exit with code 6 and a message, and the store is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg.store.imports import import_file
from kg.store.local import LocalStore

EXIT_ERROR = 6
GOOD = "@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk holding one good Turtle file (closed again: the CLI opens it)."""
    folder = tmp_path_factory.mktemp("import-cli")
    good = folder / "good.ttl"
    good.write_text(GOOD, encoding="utf-8")
    store = LocalStore.open(folder / "store")
    import_file(store, good)
    store.flush()
    del store
    return folder / "store"


def _hash(folder: Path, store_hash: Callable[[LocalStore], str]) -> str:
    return store_hash(LocalStore.open(folder, read_only=True))


def _refused(store_dir: Path, path: Path, run_kg: Callable[..., Any], store_hash: Callable[..., str]) -> str:
    before = _hash(store_dir, store_hash)
    done = run_kg("import", str(path), "--store", str(store_dir))
    assert done.returncode == EXIT_ERROR
    assert _hash(store_dir, store_hash) == before
    assert done.stderr.startswith(f"kg: {path}: not imported (")
    return str(done.stderr)


def test_import_cli_good_file_is_counted(tmp_path: Path, run_kg) -> None:
    """The positive control: ``kg import`` creates the store and reports how many quads it read."""
    f = tmp_path / "more.nt"
    f.write_text("<http://example.org/x> <http://example.org/p> <http://example.org/y> .\n", encoding="utf-8")
    done = run_kg("import", str(f), "--store", str(tmp_path / "store"))
    assert (done.returncode, done.stderr.strip()) == (0, f"imported 1 quad(s) from {f}")
    assert len(LocalStore.open(tmp_path / "store", read_only=True)) == 1


def test_import_cli_malformed_turtle_changes_nothing(store_dir: Path, tmp_path: Path, run_kg, store_hash) -> None:
    """Malformed Turtle: exit code 6, the file and the parser's reason named, the store as it was."""
    f = tmp_path / "bad.ttl"
    f.write_text(GOOD.replace("ex:b .", "ex:b ;; ex:c") + "ex:c ex:p ex:d .\n", encoding="utf-8")
    assert "syntax error: Parser error at line 3" in _refused(store_dir, f, run_kg, store_hash)


def test_import_cli_malformed_trig_changes_nothing(store_dir: Path, tmp_path: Path, run_kg, store_hash) -> None:
    """Malformed TriG (a literal as graph name): refused, the store as it was."""
    f = tmp_path / "bad.trig"
    f.write_text('<http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 }\n"g" { }\n')
    assert "syntax error" in _refused(store_dir, f, run_kg, store_hash)


def test_import_cli_billion_laughs_is_refused(store_dir: Path, tmp_path: Path, run_kg, store_hash) -> None:
    """RDF/XML with entity declarations: refused before parsing."""
    f = tmp_path / "laughs.rdf"
    f.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        encoding="utf-8",
    )
    assert "DOCTYPE or ENTITY declaration" in _refused(store_dir, f, run_kg, store_hash)


def test_import_cli_deep_jsonld_does_not_crash(store_dir: Path, tmp_path: Path, run_kg, store_hash) -> None:
    """JSON-LD nested 10,000 deep: a clear error and exit code 6, not a crashed interpreter."""
    f = tmp_path / "deep.jsonld"
    f.write_text('{"http://example.org/p": ' + "[" * 10_000 + "]" * 10_000 + "}", encoding="utf-8")
    assert "JSON-LD nested 10001 deep (limit 100)" in _refused(store_dir, f, run_kg, store_hash)


def test_import_cli_remote_context_is_refused(store_dir: Path, tmp_path: Path, run_kg, store_hash) -> None:
    """JSON-LD with a remote context: refused, nothing fetched."""
    f = tmp_path / "remote.jsonld"
    f.write_text('{"@context": "http://192.0.2.1/ctx.jsonld", "@id": "http://example.org/s"}', encoding="utf-8")
    assert "remote @context 'http://192.0.2.1/ctx.jsonld' is refused" in _refused(store_dir, f, run_kg, store_hash)
