"""The HTTP guard ``kg serve`` puts in front of Oxigraph's server.

Oxigraph's server has no authentication, no request filter and forwards ``SERVICE`` calls to
any URL. The guard listens where the user asked, forwards to an Oxigraph bound to a private
loopback port, and enforces:

* queries (``/query``) are parsed (rdflib) and refused with 403 when they use ``SERVICE``,
  ``FROM``/``FROM NAMED`` or are not queries (see :func:`kg.query.safety.check_query`);
* writes (``POST /update``, ``PUT``/``POST``/``DELETE`` on ``/store``) are refused with 403
  unless updates were allowed, and then need ``Authorization: Bearer <token>`` (401 otherwise);
  an authenticated update is forwarded as it is (a token holder is trusted with the store);
* request bodies need a ``Content-Length`` and are capped (413 above the limit);
* everything else that is read-only (``GET``/``HEAD``: the YASGUI page at ``/``, its assets,
  ``GET /store``) is forwarded unchanged.

It is a thread-per-request ``http.server``: no TLS, no rate limiting. Put a real reverse proxy
in front before exposing it to anyone you do not trust.

>>> bearer_ok("Bearer s3cret-token-0123456789", "s3cret-token-0123456789")
True
>>> bearer_ok("Bearer wrong", "s3cret-token-0123456789")
False
"""

from __future__ import annotations

import hmac
import http.client
import socket
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from kg.errors import QueryError, UnsafeQuery
from kg.query.safety import check_query

MAX_QUERY_BYTES = 1 << 20
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "server", "date", "proxy-connection"}
QUERY_TYPES = {"application/sparql-query", "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class GuardConfig:
    """What the guard forwards to and what it allows."""

    upstream_port: int
    allow_updates: bool = False
    token: str | None = None
    max_body: int = 16 << 20
    timeout_s: float = 30.0


def bearer_ok(header: str | None, token: str | None) -> bool:
    """True when ``header`` is ``Bearer <token>`` (constant-time comparison)."""
    if not token or not header:
        return False
    return hmac.compare_digest(header.encode("utf-8"), f"Bearer {token}".encode())


class GuardServer(ThreadingHTTPServer):
    """The listening socket; ``config`` is read by every request handler."""

    daemon_threads = True

    def __init__(self, host: str, port: int, config: GuardConfig) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.config = config
        super().__init__((host, port), GuardHandler)


class GuardHandler(BaseHTTPRequestHandler):
    """One request: check it, then forward it to Oxigraph or refuse it."""

    server: GuardServer
    server_version = "chipkg-serve"
    timeout = 60  # seconds a client may take to send its request
    _consumed = False  # the request body was read

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: refusals are in the responses, Oxigraph has no request log either."""

    def do_GET(self) -> None:
        self._route("GET")

    def do_HEAD(self) -> None:
        self._route("HEAD")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def do_PATCH(self) -> None:
        self._route("PATCH")

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/query":
            self._query(method, parts.query)
        elif parts.path == "/update":
            self._write(method, allowed=("POST",))
        elif parts.path == "/store" or parts.path.startswith("/store/"):
            if method in ("GET", "HEAD"):
                self._forward(method, None)
            else:
                self._write(method, allowed=("PUT", "POST", "DELETE"))
        elif method in ("GET", "HEAD"):
            self._forward(method, None)
        else:
            self._refuse(405, f"{method} is not allowed on {parts.path}")

    def _query(self, method: str, query_string: str) -> None:
        if method in ("GET", "HEAD"):
            texts = parse_qs(query_string, keep_blank_values=True).get("query", [])
            if not texts:
                self._forward(method, None)  # the service description
                return
            body = None
        elif method == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype not in QUERY_TYPES:
                self._refuse(415, f"send queries as {' or '.join(sorted(QUERY_TYPES))}")
                return
            body = self._body(min(MAX_QUERY_BYTES, self.server.config.max_body))
            if body is None:
                return
            try:
                decoded = body.decode("utf-8")
            except UnicodeDecodeError:
                self._refuse(400, "the request body is not UTF-8")
                return
            if ctype == "application/sparql-query":
                texts = [decoded]
            else:
                form = parse_qs(decoded, keep_blank_values=True)
                if "update" in form:
                    self._refuse(403, "updates go to /update")
                    return
                texts = form.get("query", [])
        else:
            self._refuse(405, f"{method} is not allowed on /query")
            return
        if len(texts) != 1:
            self._refuse(400, "give exactly one query")
            return
        try:
            check_query(texts[0])
        except UnsafeQuery as e:
            self._refuse(403, str(e))
            return
        except (QueryError, RecursionError) as e:
            self._refuse(400, str(e))
            return
        self._forward(method, body)

    def _write(self, method: str, *, allowed: tuple[str, ...]) -> None:
        config = self.server.config
        if method not in allowed:
            self._refuse(405, f"{method} is not allowed here")
        elif not config.allow_updates:
            self._refuse(403, "The server is read-only (start it with kg serve --allow-updates --token ...)")
        elif not bearer_ok(self.headers.get("Authorization"), config.token):
            self._refuse(401, "updates need the header 'Authorization: Bearer <token>'", bearer=True)
        else:
            body = self._body(config.max_body)
            if body is not None:
                self._forward(method, body)

    def _body(self, limit: int) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._refuse(411, "send a Content-Length (chunked bodies are not accepted)")
            return None
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            self._refuse(400, "bad Content-Length")
            return None
        if length < 0 or length > limit:
            self._refuse(413, f"request bodies are limited to {limit} bytes")
            return None
        self._consumed = True
        return self.rfile.read(length) if length else b""

    def _drain(self) -> None:
        """Read an unread request body before answering, so the client sees the answer (no TCP reset)."""
        if self._consumed:
            return
        self._consumed = True
        try:
            left = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            return
        if left > self.server.config.max_body:
            return
        while left > 0 and (chunk := self.rfile.read(min(left, 1 << 16))):
            left -= len(chunk)

    def _forward(self, method: str, body: bytes | None) -> None:
        config = self.server.config
        headers = {k: v for k in ("Content-Type", "Accept") if (v := self.headers.get(k))}
        conn = http.client.HTTPConnection("127.0.0.1", config.upstream_port, timeout=config.timeout_s + 30)
        sent = False
        try:
            conn.request(method, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            self.send_response(resp.status, resp.reason)
            for name, value in resp.getheaders():
                if name.lower() not in HOP_HEADERS:
                    self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            sent = True
            while method != "HEAD" and (chunk := resp.read(1 << 16)):
                self.wfile.write(chunk)
        except OSError:
            if not sent:  # nothing sent yet: say what happened
                self._refuse(502, "the Oxigraph server behind kg serve did not answer")
        finally:
            conn.close()

    def _refuse(self, code: int, message: str, *, bearer: bool = False) -> None:
        data = (message + "\n").encode("utf-8")
        self._drain()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if bearer:
            self.send_header("WWW-Authenticate", 'Bearer realm="kg serve"')
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.close_connection = True
