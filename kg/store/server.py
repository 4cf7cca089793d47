"""``kg serve``: the store over the SPARQL 1.1 protocol, served by Oxigraph's own HTTP server.

What runs: the ``oxigraph`` binary of the ``oxigraph`` PyPI package, ``serve-read-only`` (the
default) or ``serve`` (with ``--allow-updates``) on ``<store>/oxigraph``, bound to a private
port on 127.0.0.1; in front of it, :mod:`kg.store.guard` listens on ``--host``/``--port``
(127.0.0.1:7878 by default). A person can use the YASGUI query page at ``/`` (served by the
binary, works offline); programs use ``/query`` (and ``/update``, ``/store`` when allowed).

Limits: each query may run ``$KG_SERVE_TIMEOUT`` seconds (default 30; Oxigraph's
``--timeout-s``). Oxigraph itself caps SPARQL bodies at 128 MiB and has a 60 s HTTP timeout, and
has no flag for either; the guard caps query bodies at 1 MiB and write bodies at
``$KG_SERVE_MAX_BODY`` bytes (default 16 MiB).

Safety:

* Read-only unless asked: ``--allow-updates`` needs a token (``--token`` or ``$KG_TOKEN``, at
  least 16 characters; clients send ``Authorization: Bearer <token>``) and a loopback host.
  Oxigraph has no authentication: the guard checks the token. Oxigraph's private port is on
  loopback without a token: anyone with a shell on this machine can write through it, so do
  not allow updates on a shared machine.
* Oxigraph forwards ``SERVICE`` calls to any URL and has no switch to stop it. The guard parses
  every query and refuses ``SERVICE``; a query the parser sees differently from Oxigraph could
  slip through, so binding to a non-loopback host prints a warning: put a reverse proxy with
  TLS and rate limits in front before exposing it.
* Oxigraph reading a store that another process writes is undefined behaviour: ``kg serve``
  refuses to start while another process holds the store's write lock. Stop it before
  ``kg ingest``, or ingest through it (``--allow-updates``, then ``kg ingest --store
  http://127.0.0.1:7878`` with ``$KG_TOKEN`` set).

>>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.4")]
[True, True, True, False, False]
>>> refusal(host="0.0.0.0", allow_updates=True, token="x" * 32)
'--allow-updates is only offered on a loopback host (127.0.0.1, ::1), not 0.0.0.0'
"""

from __future__ import annotations

import argparse
import collections
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import StoreError, StoreInUse
from kg.resources import default_store_path
from kg.store.guard import GuardConfig, GuardServer
from kg.store.local import DB_DIR

EXIT_OK, EXIT_USAGE, EXIT_STORE, EXIT_ERROR = 0, 2, 4, 6
MIN_TOKEN = 16
DEFAULT_TIMEOUT_S = 30
DEFAULT_MAX_BODY = 16 << 20
READY_WITHIN_S = 60.0  # a server started right after a killed writer replays its log (~10 s seen)


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(*, host: str, allow_updates: bool, token: str | None) -> str | None:
    """Why these options are refused, or ``None``."""
    if not allow_updates:
        return None
    if not token:
        return "--allow-updates needs a token: pass --token (or set $KG_TOKEN); clients send it as a Bearer token"
    if len(token) < MIN_TOKEN:
        return f"the update token must be at least {MIN_TOKEN} characters long"
    if not is_loopback(host):
        return f"--allow-updates is only offered on a loopback host (127.0.0.1, ::1), not {host}"
    return None


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable installed beside this Python (or on ``$PATH``)."""
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not found:
        raise StoreError("the oxigraph server binary is missing: pip install 'oxigraph>=0.5,<0.6'")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Upstream:
    """The Oxigraph server process behind the guard."""

    proc: subprocess.Popen[bytes]
    port: int
    log: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=40))

    def drain(self) -> None:
        """Keep the last lines Oxigraph wrote (its stderr must be read or it blocks)."""
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line.decode("utf-8", "replace").rstrip())

    def stop(self) -> None:
        """Stop Oxigraph: SIGTERM, then SIGKILL after 10 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_oxigraph(db: Path, *, read_only: bool, timeout_s: int) -> Upstream:
    """Start Oxigraph on a private loopback port and wait until it answers."""
    verb = "serve-read-only" if read_only else "serve"
    for _attempt in range(3):  # the free port may be taken between choosing and binding it
        port = free_port()
        cmd = [oxigraph_binary(), verb, "--location", str(db), "--bind", f"127.0.0.1:{port}"]
        proc = subprocess.Popen(
            [*cmd, "--timeout-s", str(timeout_s)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        up = Upstream(proc, port)
        threading.Thread(target=up.drain, daemon=True).start()
        if _wait_ready(up):
            return up
        up.stop()
        text = " ".join(up.log)
        if "lock" in text.lower():
            raise StoreInUse(f"store is in use by another process: {db.parent} ({text})")
        if "address" not in text.lower():
            raise StoreError(f"the oxigraph server did not start on {db.parent}: {text or 'no message'}")
    raise StoreError("the oxigraph server could not bind a loopback port")


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM it if ``kg serve`` dies (even by SIGKILL)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait_ready(up: Upstream) -> bool:
    deadline = time.monotonic() + READY_WITHIN_S
    url = f"http://127.0.0.1:{up.port}/query?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if up.proc.poll() is not None:
            time.sleep(0.1)  # let the drain thread read the last message
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def writer_active(db: Path) -> bool:
    """True when another process holds the store's write lock (probe: open and close it)."""
    import pyoxigraph as ox

    try:
        probe = ox.Store(str(db))
    except OSError as e:
        if "lock" in str(e).lower():
            return True
        raise StoreError(f"cannot open store {db.parent}: {e}") from e
    del probe
    return False


def serve(args: argparse.Namespace) -> int:
    """Run ``kg serve`` until interrupted (Ctrl-C or SIGTERM); returns the exit code."""
    token = getattr(args, "token", None) or os.environ.get("KG_TOKEN") or None
    allow = bool(getattr(args, "allow_updates", False))
    host, port = str(args.host), int(args.port)
    why = refusal(host=host, allow_updates=allow, token=token)
    if why:
        print(f"kg: {why}", file=sys.stderr)
        return EXIT_USAGE
    folder = Path(args.store) if args.store else default_store_path()
    db = folder / DB_DIR
    if not allow:
        if not db.is_dir():
            raise StoreError(f"no store at {folder}: create one with `kg ingest ARTICLES --store {folder}`")
        if writer_active(db):
            raise StoreInUse(f"store is in use by another process: {folder} (stop the writer, or serve it from there)")
    db.mkdir(parents=True, exist_ok=True)
    timeout_s = int(os.environ.get("KG_SERVE_TIMEOUT", DEFAULT_TIMEOUT_S))
    max_body = int(os.environ.get("KG_SERVE_MAX_BODY", DEFAULT_MAX_BODY))
    up = start_oxigraph(db, read_only=not allow, timeout_s=timeout_s)
    try:
        config = GuardConfig(up.port, allow_updates=allow, token=token, max_body=max_body, timeout_s=timeout_s)
        try:
            server = GuardServer(host, port, config)
        except OSError as e:
            print(f"kg: cannot listen on {host}:{port}: {e}", file=sys.stderr)
            return EXIT_ERROR
        _announce(folder, host, int(server.server_address[1]), allow=allow, timeout_s=timeout_s, up=up)
        return _run(server, up)
    finally:
        up.stop()


def _run(server: GuardServer, up: Upstream) -> int:
    died = threading.Event()

    def watch() -> None:
        up.proc.wait()
        died.set()
        server.shutdown()

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    threading.Thread(target=watch, daemon=True).start()
    previous = signal.signal(signal.SIGTERM, on_term)
    interrupted = False
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        interrupted = True  # Ctrl-C reaches Oxigraph too (same process group): not a failure
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
    if died.is_set() and not interrupted:
        print(f"kg: the oxigraph server stopped: {' '.join(up.log) or 'no message'}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _announce(folder: Path, host: str, port: int, *, allow: bool, timeout_s: int, up: Upstream) -> None:
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    mode = "read-write (updates need the token)" if allow else "read-only"
    lines = [
        f"kg serve: {folder} ({mode}) at {base}/",
        f"  query page: {base}/   SPARQL endpoint: {base}/query" + (f"   updates: {base}/update" if allow else ""),
        f"  query time limit {timeout_s} s; oxigraph pid {up.proc.pid} on 127.0.0.1:{up.port}; Ctrl-C stops",
    ]
    if not is_loopback(host):
        lines.append(
            f"kg serve: WARNING: listening on {host}, beyond this machine. Oxigraph forwards SERVICE calls to any "
            "URL; the guard refuses them in the queries it can parse, but it has no TLS and no rate limit: put a "
            "reverse proxy in front before exposing it."
        )
    print("\n".join(lines), file=sys.stderr, flush=True)
