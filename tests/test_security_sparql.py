"""``kg sparql`` refuses what could leave the local store, change it, or crash the process.

Each refusal: exit code 5, one ``kg: <reason>`` line on stderr, nothing on stdout, no socket
opened (the conftest's audit hook records every non-loopback connection and name lookup).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main
from kg.store.imports import import_file
from kg.store.local import LocalStore

EXIT_UNSAFE = 5
REMOTE = "http://192.0.2.1/sparql"  # TEST-NET-1: never routed
SERVICE = "SERVICE calls are refused: the query may only read the local store"
FROM = "FROM and FROM NAMED are refused: the query may only read the local store"
UPDATE = "updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are refused: the store is read-only here"
DEEP = "(" * 10_000 + "1" + ")" * 10_000

REFUSED = {
    "service": (f"SELECT * WHERE {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}", SERVICE),
    "service-escaped": (f"SELECT * WHERE {{ \\u0053ERVICE <{REMOTE}> {{ ?s ?p ?o }} }}", SERVICE),
    "service-silent-variable": ("SELECT * WHERE { { SELECT * WHERE { SERVICE SILENT ?x { ?s ?p ?o } } } }", SERVICE),
    "load": (f"LOAD <{REMOTE}>", UPDATE),
    "load-file": ("LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/g>", UPDATE),
    "from-file": ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", FROM),
    "from-named": (f"SELECT * FROM NAMED <{REMOTE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", FROM),
    "ask-from": ("ASK FROM <file:///etc/hosts> { ?s ?p ?o }", FROM),
    "insert": ("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", UPDATE),
    "delete": ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", UPDATE),
    "drop": ("DROP ALL", UPDATE),
    "clear": ("CLEAR DEFAULT", UPDATE),
    "nested-parentheses": (f"SELECT * WHERE {{ FILTER({DEEP}) }}", "the query is nested 10002 deep (limit 64)"),
    "nested-after-hash-iri": (
        f"SELECT * WHERE {{ ?s <http://example.org/#p> ?o FILTER({DEEP}) }}",
        "the query is nested 10002 deep (limit 64)",
    ),
    "nested-braces": ("SELECT * WHERE " + "{ " * 10_000 + "}" * 10_000, "the query is nested 10000 deep (limit 64)"),
}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk with a few triples in a named graph (closed: the CLI opens it)."""
    folder = tmp_path_factory.mktemp("sparql")
    data = folder / "data.ttl"
    data.write_text("<http://example.org/s> <http://example.org/p> 1 , 2 .\n", encoding="utf-8")
    store = LocalStore.open(folder / "store")
    import_file(store, data, graph="http://example.org/g")
    store.flush()
    del store
    return folder / "store"


@pytest.mark.parametrize("name", REFUSED, ids=list(REFUSED))
def test_security_sparql_is_refused(store_dir: Path, capsys, audit, store_hash, name: str) -> None:
    """A refused query: exit code 5, its reason on stderr, no output, no socket, the store unchanged."""
    query, reason = REFUSED[name]
    before = store_hash(LocalStore.open(store_dir, read_only=True))
    code = main(["sparql", query, "--store", str(store_dir), "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (EXIT_UNSAFE, "", f"kg: {reason}\n")
    assert audit.network == []
    assert store_hash(LocalStore.open(store_dir, read_only=True)) == before


def test_security_sparql_plain_query_is_answered(store_dir: Path, capsys) -> None:
    """The positive control: a plain SELECT on the named graph answers."""
    code = main(["sparql", "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?o", "--store", str(store_dir)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[2:4] == ["1", "2"]


@pytest.mark.parametrize("name", ["nested-parentheses", "service"])
def test_security_sparql_cli_process_survives(store_dir: Path, run_kg, name: str) -> None:
    """The real ``kg sparql`` process refuses and exits normally (code 5), it does not crash."""
    query, reason = REFUSED[name]
    done = run_kg("sparql", query, "--store", str(store_dir))
    assert (done.returncode, done.stdout, done.stderr) == (EXIT_UNSAFE, "", f"kg: {reason}\n")


def test_security_sparql_query_file_is_checked(store_dir: Path, tmp_path: Path, capsys) -> None:
    """A query given as a ``.rq`` file is checked like one given inline."""
    path = tmp_path / "q.rq"
    path.write_text(REFUSED["from-file"][0], encoding="utf-8")
    assert main(["sparql", str(path), "--store", str(store_dir)]) == EXIT_UNSAFE
    assert capsys.readouterr().err == f"kg: {FROM}\n"
