"""The one conftest of the project: a network and file-system guard, and shared fixtures.

An audit hook (``sys.addaudithook``) watches the whole test run:

* ``socket.connect`` / ``socket.sendto`` to anything but loopback (127.0.0.0/8, ::1,
  ``localhost``) or a Unix socket, and name lookups (``socket.getaddrinfo``...) of anything but
  a loopback name, are refused on the spot (``PermissionError``) and recorded;
* ``open`` of a path outside :data:`READ_ROOTS` (reading) or :data:`WRITE_ROOTS` (writing) is
  recorded (not refused: a library that swallows the error would hide it).

An autouse fixture fails the test that caused a violation, at its teardown; violations
outside any test (collection, doctests outside ``tests/``) fail the session. Tests that
provoke violations on purpose use the ``audit`` fixture and clear them.

rdflib's ``SPARQL_LOAD_GRAPHS`` is switched off here too, so no test can make rdflib
dereference a ``FROM`` IRI. (Production code never evaluates SPARQL with rdflib: it only
parses queries, in :mod:`kg.query.safety`; answers come from Oxigraph.)
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import rdflib.plugins.sparql

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED", REPO.parent / "shared"))
HOME = Path.home()

rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


def _roots(paths: list[str | Path]) -> tuple[str, ...]:
    """Absolute and real forms of each path; "/" is never a root (it would allow everything)."""
    out: set[str] = set()
    for p in paths:
        for q in {os.path.abspath(p), os.path.realpath(p)}:
            if q.rstrip(os.sep):
                out.add(q.rstrip(os.sep))
    return tuple(sorted(out))


_TMP = [tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"]
# Caches that spaCy, pyshacl, owlready2 and Java (HermiT) may use.
_HOME_CACHES = [HOME / ".cache"]
_PYTHON = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path[1:]]
WRITE_ROOTS = _roots([REPO, *_TMP, "/dev", *_HOME_CACHES, sys.prefix])
READ_ROOTS = _roots(
    [
        *WRITE_ROOTS,
        *_PYTHON,
        SHARED,
        "/proc",
        "/sys",
        "/usr",
        "/etc",
        "/lib",
        "/lib64",
        HOME / ".pyenv",
        HOME / ".pdbrc",  # doctest builds a pdb.Pdb, which reads it
    ]
)
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@dataclass
class AuditLog:
    """What the hook saw during the current test."""

    violations: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)

    def clear(self) -> None:
        """Forget what was recorded (for tests that provoke violations on purpose)."""
        self.violations.clear()
        self.network.clear()


_LOG = AuditLog()
_OUTSIDE: list[str] = []
_IN_TEST = threading.local()
_BUSY = threading.local()


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r + os.sep) for r in roots)


def path_allowed(path: str, *, write: bool) -> bool:
    """True when ``path`` may be opened (for writing when ``write``) during the tests.

    >>> path_allowed(str(REPO / "pyproject.toml"), write=False)
    True
    >>> path_allowed("/root-of-nothing/x", write=False)
    False
    >>> path_allowed("/etc/hosts", write=True)
    False
    """
    roots = WRITE_ROOTS if write else READ_ROOTS
    full = os.path.abspath(path)
    return _under(full, roots) or _under(os.path.realpath(full), roots)


def host_is_loopback(host: Any) -> bool:
    """True for loopback addresses and names.

    >>> host_is_loopback("127.0.0.1"), host_is_loopback("::1"), host_is_loopback("93.184.216.34")
    (True, True, False)
    """
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _is_write(mode: Any, flags: Any) -> bool:
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def classify(event: str, args: tuple[Any, ...]) -> tuple[str | None, bool]:
    """(violation text or None, whether to refuse the call) for one audit event.

    >>> classify("socket.connect", (None, ("192.0.2.1", 80)))
    ("network: socket.connect to ('192.0.2.1', 80)", True)
    >>> classify("socket.connect", (None, ("127.0.0.1", 7878)))
    (None, False)
    """
    if event in {"socket.connect", "socket.sendto", "socket.sendmsg"}:
        sock, address = args[0], args[1] if len(args) > 1 else None
        if isinstance(sock, socket.socket) and sock.family == getattr(socket, "AF_UNIX", None):
            return None, False
        if isinstance(address, tuple) and address and host_is_loopback(address[0]):
            return None, False
        if address is None:
            return None, False
        return f"network: {event} to {address!r}", True
    if event in {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"}:
        host = args[0] if args else None
        if host is None or host == "" or host_is_loopback(host):
            return None, False
        return f"network: {event} of {host!r}", True
    if event == "open":
        path, mode, flags = [*args, None, None, None][:3]
        if isinstance(path, int) or path is None:
            return None, False
        try:
            name = os.fsdecode(path)
        except TypeError:
            return None, False
        write = _is_write(mode, flags)
        if not path_allowed(name, write=write):
            return f"file: open({name!r}, {'write' if write else 'read'}) outside the allowed roots", False
    return None, False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" and not event.startswith("socket."):
        return
    if getattr(_BUSY, "on", False):
        return
    _BUSY.on = True
    try:
        problem, refuse = classify(event, args)
    finally:
        _BUSY.on = False
    if problem is None:
        return
    if getattr(_IN_TEST, "on", False) or threading.current_thread() is not threading.main_thread():
        _LOG.violations.append(problem)
        if problem.startswith("network"):
            _LOG.network.append(problem)
    else:
        _OUTSIDE.append(problem)
    if refuse:
        raise PermissionError(f"the test guard refuses {problem}")


sys.addaudithook(_hook)


@pytest.fixture(autouse=True)
def _guard() -> Iterator[AuditLog]:
    """Fail the test if it opened a non-loopback socket or a file outside the allowed roots."""
    _LOG.clear()
    _IN_TEST.on = True
    try:
        yield _LOG
    finally:
        _IN_TEST.on = False
    found = list(dict.fromkeys(_LOG.violations))
    _LOG.clear()
    if found:
        pytest.fail("the test guard saw:\n" + "\n".join(found[:20]), pytrace=False)


@pytest.fixture
def audit(_guard: AuditLog) -> AuditLog:
    """The guard's record for this test: ``.violations``, ``.network``, ``.clear()``."""
    return _guard


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Violations seen outside any test fail the run too."""
    if _OUTSIDE:
        found = list(dict.fromkeys(_OUTSIDE))
        print("\nthe test guard saw, outside any test:\n" + "\n".join(found[:20]), file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# -- shared fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed articles of ``../shared/corpus/seeds`` (the test is skipped without them)."""
    d = SHARED / "corpus" / "seeds"
    if not d.is_dir():
        pytest.skip(f"no seed corpus at {d}")
    return d


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The example articles (``examples/articles``)."""
    return REPO / "examples" / "articles"


@pytest.fixture
def tmp_store(tmp_path: Path) -> Path:
    """A store folder path that does not exist yet (``kg ingest --store`` creates it)."""
    return tmp_path / "store"


@pytest.fixture(scope="session")
def kg_bin() -> list[str]:
    """The command that runs ``kg`` in a subprocess (the venv's console script)."""
    script = Path(sys.executable).with_name("kg")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kg"]


RUN_PREFIX = "https://w3id.org/chipkg/id/run/"
STARTED = "<http://www.w3.org/ns/prov#startedAtTime>"


def quad_lines(store: Any, *, mask_runs: bool = False, blank: bool = True) -> list[str]:
    """Every quad of the store as a sorted list of N-Quads lines.

    ``mask_runs`` replaces each extraction-run IRI by ``<run>`` and drops its start time, so
    two ingests of the same articles compare equal. ``blank=False`` leaves out the quads that
    hold a blank node.
    """
    import pyoxigraph as ox

    lines = []
    for q in store.raw.quads_for_pattern(None, None, None, None):
        parts = (q.subject, q.predicate, q.object, q.graph_name)
        if not blank and any(isinstance(t, ox.BlankNode) for t in parts):
            continue
        terms = [str(t) for t in parts]
        if mask_runs:
            if terms[1] == STARTED:
                continue
            terms = ["<run>" if t.startswith(f"<{RUN_PREFIX}") else t for t in terms]
        lines.append(" ".join(t for t in terms if t != "DEFAULT") + " .")
    return sorted(lines)


def canonical_hash(store: Any, *, mask_runs: bool = False) -> str:
    """A canonical SHA-256 of every quad of a store (a ``LocalStore``).

    The quads without blank nodes: their sorted N-Quads lines. The quads with one (the
    ontology's OWL axioms have some): canonicalised with rdflib's ``to_canonical_graph``
    first, since their labels are arbitrary.

    >>> from kg.store.local import LocalStore
    >>> canonical_hash(LocalStore.in_memory()) == hashlib.sha256(b"").hexdigest()
    True
    """
    h = hashlib.sha256("\n".join(quad_lines(store, mask_runs=mask_runs, blank=False)).encode("utf-8"))
    blank = _canonical_blank_quads(store)
    if blank:
        h.update(b"\n#blank\n" + blank)
    return h.hexdigest()


def _canonical_blank_quads(store: Any) -> bytes:
    """The quads that hold a blank node, canonicalised graph by graph (RDFC via rdflib).

    Blank nodes shared between two graphs are canonicalised together, in one reified graph.
    """
    import pyoxigraph as ox
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.compare import to_canonical_graph

    def term(t: Any) -> Any:
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if isinstance(t, ox.Literal):
            if t.language:
                return Literal(t.value, lang=t.language)
            return Literal(t.value, datatype=URIRef(t.datatype.value))
        if isinstance(t, ox.DefaultGraph):
            return URIRef("urn:kg-test:default-graph")
        return URIRef(t.value)

    by_graph: dict[str, list[Any]] = {}
    owner: dict[str, str] = {}
    shared = False
    for q in store.raw.quads_for_pattern(None, None, None, None):
        parts = (q.subject, q.predicate, q.object, q.graph_name)
        blanks = [t.value for t in parts if isinstance(t, ox.BlankNode)]
        if not blanks:
            continue
        gname = str(q.graph_name)
        by_graph.setdefault(gname, []).append(parts)
        for b in blanks:
            shared = shared or owner.setdefault(b, gname) != gname
    if shared:  # one reified graph: each quad becomes a blank node with four edges
        reified = Graph()
        pos = [URIRef(f"urn:kg-test:{n}") for n in ("s", "p", "o", "g")]
        for quads in by_graph.values():
            for parts in quads:
                node = BNode()
                for p, t in zip(pos, parts, strict=True):
                    reified.add((node, p, term(t)))
        groups = {"*": reified}
    else:
        groups = {}
        for gname, quads in by_graph.items():
            g = Graph()
            for s, p, o, _ in quads:
                g.add((term(s), term(p), term(o)))
            groups[gname] = g
    out = []
    for gname in sorted(groups):
        canon = to_canonical_graph(groups[gname]).serialize(format="nt")
        out += [f"{gname} {line}" for line in sorted(canon.splitlines()) if line]
    return "\n".join(out).encode("utf-8")


@pytest.fixture(scope="session")
def store_hash() -> Any:
    """``store_hash(store, mask_runs=False) -> str``: see :func:`canonical_hash`."""
    return canonical_hash


@pytest.fixture(scope="session")
def store_quads() -> Any:
    """``store_quads(store, mask_runs=False) -> list[str]``: see :func:`quad_lines`."""
    return quad_lines


@dataclass(frozen=True)
class ReferenceStore:
    """A store made by one clean ``kg ingest examples/articles``, and what it holds."""

    folder: Path
    seconds: float
    graph_counts: dict[str, int]
    masked_hash: str


GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def graph_counts(store: Any) -> dict[str, int]:
    """Quads per named graph."""
    return {r["g"]: r["n"] for r in store.select(GRAPH_COUNTS)}


@pytest.fixture(scope="session")
def per_graph_counts() -> Any:
    """``per_graph_counts(store) -> {graph: quads}``: see :func:`graph_counts`."""
    return graph_counts


@pytest.fixture(scope="session")
def examples_store(tmp_path_factory: pytest.TempPathFactory, kg_bin: list[str], examples_dir: Path) -> ReferenceStore:
    """The example corpus ingested cleanly once by ``kg ingest`` (do not write to it)."""
    import time

    from kg.store.local import LocalStore

    folder = tmp_path_factory.mktemp("reference") / "store"
    t = time.monotonic()
    done = subprocess.run(
        [*kg_bin, "ingest", str(examples_dir), "--store", str(folder), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    seconds = time.monotonic() - t
    assert done.returncode == 0, done.stderr
    store = LocalStore.open(folder, read_only=True)
    return ReferenceStore(folder, seconds, graph_counts(store), canonical_hash(store, mask_runs=True))


@pytest.fixture(scope="session")
def run_kg(kg_bin: list[str]) -> Any:
    """``run_kg(*args, timeout=120) -> CompletedProcess``: the ``kg`` command in a subprocess."""

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*kg_bin, *args], capture_output=True, text=True, timeout=timeout, cwd=REPO)

    return run
