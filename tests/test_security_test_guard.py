"""The test suite's own guard (tests/conftest.py) sees what it must: network use and stray files.

Each test provokes one violation on purpose, checks it was refused or recorded, then clears
the record so that the guard does not fail the test at teardown.
"""

from __future__ import annotations

import socket

import pytest
import rdflib.plugins.sparql
from rdflib import Graph

TEST_NET = "192.0.2.1"  # TEST-NET-1, never routed


def test_security_guard_refuses_non_loopback_connect(audit) -> None:
    """A TCP connection to a public address is refused before any packet leaves, and recorded."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(PermissionError, match="test guard"):
        s.connect((TEST_NET, 80))
    assert audit.network == [f"network: socket.connect to ('{TEST_NET}', 80)"]
    audit.clear()


def test_security_guard_refuses_name_lookup(audit) -> None:
    """A DNS lookup of a public name is refused and recorded."""
    with pytest.raises(PermissionError):
        socket.getaddrinfo("example.org", 443)
    assert audit.network == ["network: socket.getaddrinfo of 'example.org'"]
    audit.clear()


def test_security_guard_allows_loopback(audit) -> None:
    """Connections to 127.0.0.1 (the local test servers) are allowed and not recorded."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    assert audit.violations == []


def test_security_guard_records_read_outside_roots(audit) -> None:
    """Reading a file outside the allowed roots is recorded."""
    with pytest.raises(FileNotFoundError):
        open("/kg-guard-probe-nowhere/secret.txt", encoding="utf-8")  # noqa: SIM115
    assert audit.violations == ["file: open('/kg-guard-probe-nowhere/secret.txt', read) outside the allowed roots"]
    audit.clear()


def test_security_guard_records_write_outside_roots(audit) -> None:
    """Writing outside the allowed roots is recorded (a folder that does not exist: nothing is made)."""
    with pytest.raises(FileNotFoundError):
        open("/kg-guard-probe-nowhere/out.txt", "w", encoding="utf-8")  # noqa: SIM115
    assert audit.violations == ["file: open('/kg-guard-probe-nowhere/out.txt', write) outside the allowed roots"]
    audit.clear()


def test_security_guard_rdflib_does_not_load_from_graphs(audit) -> None:
    """rdflib's SPARQL_LOAD_GRAPHS is off: a FROM IRI is not fetched by rdflib's own engine."""
    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False
    rows = list(Graph().query(f"SELECT * FROM <http://{TEST_NET}/data.ttl> WHERE {{ ?s ?p ?o }}"))
    assert rows == []
    assert audit.network == []
