"""A SPARQL 1.1 endpoint used as the store, through SPARQLWrapper: ``--store http://...``.

``RemoteStore`` has the methods the rest of chipkg uses on :class:`~kg.store.local.LocalStore`,
so ``kg ingest``, ``kg ask``, ``kg sparql``, ``kg stats``, ``kg validate`` and ``kg export``
work against Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune or QLever (where it accepts updates).

URL forms (see :func:`endpoints`):

* ``http://host:7878`` or ``http://host:7878/query`` - Oxigraph (``kg serve``): queries go to
  ``/query``, updates to ``/update``. ``.../ds/query`` (Fuseki) likewise gives ``.../ds/update``.
* ``.../repositories/<repo>`` - GraphDB / RDF4J: updates go to ``.../statements``.
* any other URL (``.../sparql`` of Virtuoso, Neptune, QLever, Fuseki) - queries and updates both.
* ``?update=<url>`` names the update endpoint explicitly; the URL's path is then used as the
  query endpoint as it is (QLever: ``http://host:7001/?update=http://host:7001/``).
* ``http://user:password@host/...`` sends HTTP Basic credentials; ``$KG_TOKEN`` (or
  ``token=``) sends ``Authorization: Bearer <token>`` with updates (what ``kg serve
  --allow-updates --token`` checks).

Every article is written as one SPARQL Update request (drop its old graphs, insert the new one):
Oxigraph, Fuseki (TDB2) and GraphDB run one request as one transaction. Reads of whole graphs
use ``SELECT`` with JSON results (portable, not streamed: fine up to a few million quads). Only
named graphs are read; the default graph is ignored (chipkg writes none). Every request has a
timeout; connection and HTTP errors become :class:`~kg.errors.StoreError` naming the URL.

>>> RemoteStore("http://127.0.0.1:7878/query").update_url
'http://127.0.0.1:7878/update'
"""

from __future__ import annotations

import json
import os
import urllib.error
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import Graph
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import QueryError, StoreError
from kg.store.bindings import Triple, bind_values, safe_iri, term_from_json, triples_text
from kg.store.terms import to_value

TOKEN_ENV = "KG_TOKEN"


def endpoints(url: str) -> tuple[str, str]:
    """The (query, update) endpoint URLs for a store URL given by the user.

    >>> endpoints("http://localhost:7878")
    ('http://localhost:7878/query', 'http://localhost:7878/update')
    >>> endpoints("http://localhost:3030/ds/sparql")
    ('http://localhost:3030/ds/sparql', 'http://localhost:3030/ds/sparql')
    >>> endpoints("http://localhost:7200/repositories/chips")
    ('http://localhost:7200/repositories/chips', 'http://localhost:7200/repositories/chips/statements')
    >>> endpoints("http://h:7001/?update=http://h:7001/")
    ('http://h:7001/', 'http://h:7001/')
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"not an http(s) SPARQL endpoint URL: {redact(url)}")
    params = parse_qsl(parts.query, keep_blank_values=True)
    explicit = [v for k, v in params if k == "update"]
    rest = urlencode([(k, v) for k, v in params if k != "update"])
    netloc = parts.netloc.rsplit("@", 1)[-1]
    path = parts.path.rstrip("/")

    def build(p: str) -> str:
        return urlunsplit((parts.scheme, netloc, p, rest, ""))

    if explicit:  # both given: the path is the query endpoint as it is (QLever answers at /)
        return build(parts.path or "/"), explicit[-1]
    if path == "" or path.endswith("/query"):
        base = path[: -len("/query")] if path.endswith("/query") else path
        query, update = build(base + "/query"), build(base + "/update")
    elif "/repositories/" in path and path.rsplit("/", 2)[-2] == "repositories":
        query, update = build(path), build(path + "/statements")
    else:
        query = update = build(path)
    return query, update


def redact(url: str) -> str:
    """The URL without its password, for messages.

    >>> redact("http://me:secret@host:7878/query")
    'http://me:***@host:7878/query'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class RemoteStore:
    """A quad store behind the SPARQL 1.1 protocol (queries and updates over HTTP)."""

    path = None

    def __init__(self, url: str, *, read_only: bool = False, timeout: float = 30, token: str | None = None) -> None:
        self.url = redact(url)
        self.query_url, self.update_url = endpoints(url)
        parts = urlsplit(url)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self.read_only = read_only
        self.timeout = timeout
        self._token = token if token is not None else os.environ.get(TOKEN_ENV) or None

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r}, read_only={self.read_only})"

    # -- requests --------------------------------------------------------------------------
    def _wrapper(self, endpoint: str) -> SPARQLWrapper:
        sw = SPARQLWrapper(endpoint, updateEndpoint=self.update_url, returnFormat=JSON)
        sw.setMethod(POST)
        sw.setOnlyConneg(True)
        sw.setTimeout(max(1, round(self.timeout)))
        if self._user is not None:
            sw.setCredentials(self._user, self._password or "")
        return sw

    def _query(self, text: str, *, form: str) -> dict[str, Any]:
        sw = self._wrapper(self.query_url)
        sw.setQuery(text)
        sw.queryType = form  # never guess the form from the text (comments may mislead it)
        raw = self._send(sw, self.query_url)
        try:
            data = json.loads(raw)
        except ValueError as e:
            raise StoreError(f"{self.query_url} did not answer with SPARQL JSON results: {e}") from e
        if not isinstance(data, dict):
            raise StoreError(f"{self.query_url} did not answer with SPARQL JSON results")
        return data

    def update(self, text: str) -> None:
        """Send one SPARQL Update request (the server runs it as one transaction)."""
        self._writable()
        sw = self._wrapper(self.query_url)
        sw.setQuery(text)
        sw.queryType = "INSERT"
        sw.setRequestMethod(POSTDIRECTLY)
        if self._token:
            sw.addCustomHttpHeader("Authorization", f"Bearer {self._token}")
        self._send(sw, self.update_url)

    def _send(self, sw: SPARQLWrapper, endpoint: str) -> bytes:
        where = redact(endpoint)
        try:
            with sw.query().response as response:
                return bytes(response.read())
        except SPARQLWrapperException as e:
            raise _wrapper_error(e, where) from e
        except urllib.error.HTTPError as e:
            detail = _body(e)
            if e.code == 403:
                raise StoreError(f"{where} refused the request (HTTP 403: {detail}); is the server read-only?") from e
            raise StoreError(f"{where} answered HTTP {e.code}: {detail}") from e
        except urllib.error.URLError as e:
            raise StoreError(f"cannot reach the SPARQL endpoint {where}: {e.reason}") from e
        except TimeoutError as e:
            raise StoreError(f"the SPARQL endpoint {where} did not answer within {self.timeout:g} s") from e
        except OSError as e:
            raise StoreError(f"cannot talk to the SPARQL endpoint {where}: {e}") from e

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store {self.url} was opened read-only")

    # -- writing ---------------------------------------------------------------------------
    def replace_graphs(self, graph: str, data: Graph | Iterable[Triple], *, drop: Iterable[str] = ()) -> None:
        """Drop ``drop`` graphs and ``graph``, then write ``data`` as ``graph``: one request."""
        self._writable()
        body = triples_text(data, graph)
        names = [graph, *[d for d in drop if d != graph]]
        drops = " ".join(f"DROP SILENT GRAPH {_graph(g)} ;" for g in names)
        self.update(f"{drops}\nINSERT DATA {{ GRAPH {_graph(graph)} {{\n{body}\n}} }}")

    def drop_graph(self, graph: str) -> None:
        """Remove one named graph."""
        self.update(f"DROP SILENT GRAPH {_graph(graph)}")

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one ``INSERT DATA`` request (one transaction on the server)."""
        by_graph: dict[str, list[str]] = {}
        for q in quads:
            name = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
            by_graph.setdefault(name, []).append(f"{q.subject} {q.predicate} {q.object} .")
        blocks = [
            ("\n".join(lines) if not name else f"GRAPH {name} {{\n" + "\n".join(lines) + "\n}")
            for name, lines in by_graph.items()
        ]
        self.update("INSERT DATA {\n" + "\n".join(blocks) + "\n}")

    def load_file(self, path: str, *, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Parse an RDF file strictly here, then insert its quads in one request."""
        try:
            quads = list(ox.parse(path=str(path), format=fmt, without_named_graphs=False))
        except (SyntaxError, ValueError, OSError) as e:
            raise StoreError(f"{path}: {e}") from e
        if graph is not None:
            quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph)) for q in quads]
        self.extend(quads)

    # -- reading ---------------------------------------------------------------------------
    def select(self, query: str, *, substitutions: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query and return rows of plain Python values (as ``LocalStore.select``)."""
        data = self._query(bind_values(query, substitutions or {}), form="SELECT")
        if "results" not in data:
            raise QueryError("not a SELECT query")
        names = [str(v) for v in data.get("head", {}).get("vars", [])]
        return [{n: to_value(term_from_json(b.get(n))) for n in names} for b in data["results"].get("bindings", [])]

    def ask(self, query: str) -> bool:
        """Run an ASK query."""
        data = self._query(query, form="ASK")
        if "boolean" not in data:
            raise QueryError("not an ASK query")
        return bool(data["boolean"])

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of one graph, or of all named graphs."""
        if graph is not None:
            g = ox.NamedNode(graph)
            rows = self._terms(f"SELECT ?s ?p ?o WHERE {{ GRAPH {safe_iri(graph)} {{ ?s ?p ?o }} }}")
            return iter([ox.Quad(r["s"], r["p"], r["o"], g) for r in rows])
        rows = self._terms("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return iter([ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows])

    def _terms(self, query: str) -> list[dict[str, Any]]:
        data = self._query(query, form="SELECT")
        bindings = data.get("results", {}).get("bindings", [])
        return [{k: term_from_json(v) for k, v in b.items()} for b in bindings]

    def graphs(self) -> list[str]:
        """The names of every named graph."""
        rows = self._terms("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in rows if isinstance(r.get("g"), ox.NamedNode))

    def count_graphs(self) -> int:
        """How many named graphs there are."""
        return len(self.graphs())

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]) if rows else 0

    def dump(self, fmt: ox.RdfFormat, *, graph: str | None = None) -> bytes:
        """Serialise all named graphs (a dataset format) or one graph."""
        mem = ox.Store()
        mem.extend(self.quads(graph))
        if graph is not None:
            return mem.dump(format=fmt, from_graph=ox.NamedNode(graph)) or b""
        return mem.dump(format=fmt) or b""

    def optimize(self) -> None:
        """Nothing to do: the server manages its own storage."""

    def flush(self) -> None:
        """Nothing to do: every update was committed by the server when it answered."""

    @property
    def raw(self) -> ox.Store:
        """Not available: there is no pyoxigraph store in this process."""
        raise StoreError(
            f"the store {self.url} is a remote SPARQL endpoint: direct pyoxigraph access (raw) is "
            "only available on a local store folder"
        )


def _graph(name: str) -> str:
    try:
        return safe_iri(name)
    except QueryError as e:
        raise StoreError(f"cannot write graph {name!r}: {e}") from e


def _body(e: urllib.error.HTTPError) -> str:
    try:
        text = e.read().decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return (text or str(e.reason))[:500]


def _wrapper_error(e: SPARQLWrapperException, where: str) -> Exception:
    name = type(e).__name__
    text = str(e)
    detail = text.split("Response:\n", 1)[-1].strip()[:500] if "Response:" in text else text
    if name == "QueryBadFormed":
        return QueryError(f"{where} refused the query as malformed (HTTP 400): {detail}")
    if name == "Unauthorized":
        return StoreError(f"{where} needs credentials (HTTP 401): set ${TOKEN_ENV} or put user:password in the URL")
    if name == "EndPointNotFound":
        return StoreError(f"no SPARQL endpoint at {where} (HTTP 404): give the server base URL or its /query URL")
    if name == "EndPointInternalError":
        return StoreError(f"{where} failed (HTTP 500): {detail}")
    return StoreError(f"{where}: {text[:500]}")
