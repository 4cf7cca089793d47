"""The question pack: named SPARQL queries with ``#+`` YAML headers, and how to run them.

Parameters are never formatted into query text. An ``entity`` parameter is resolved to the
IRIs of entities whose label or alias equals the value (the value is bound as a literal with
pyoxigraph substitutions), and those IRIs, which the store minted, are bound to the query's
variable with a trailing ``VALUES`` block; a ``type`` parameter binds a class IRI from a fixed
table; ``contains`` and ``min`` parameters filter the result rows in Python.

>>> pack = QueryPack.load()
>>> pack.get("switched-away-from").parameters[0].name
'supplier'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef

from kg.errors import ConfigError, ParameterError, QueryError
from kg.resources import queries_dir
from kg.store.bindings import where_brace
from kg.vocab import CK

KINDS = {"entity", "type", "contains", "min"}
TYPES = {
    t: str(CK[t])
    for t in (
        "Firm",
        "Chip",
        "Policy",
        "GovernmentBody",
        "Person",
        "Country",
        "Technology",
        "Device",
    )
}
_SAFE_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
EXACT_LABEL_QUERY = """
SELECT DISTINCT ?e ?l WHERE {
  GRAPH ?g { ?e <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#altLabel> ?l }
  FILTER(STRSTARTS(STR(?e), "https://w3id.org/chipkg/id/"))
}"""
LABEL_QUERY = """
SELECT DISTINCT ?e ?q WHERE {
  GRAPH ?g { ?e <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#altLabel> ?l }
  FILTER(LCASE(STR(?l)) = ?q && STRSTARTS(STR(?e), "https://w3id.org/chipkg/id/"))
}"""


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a question."""

    name: str
    kind: str
    required: bool = False
    default: Any = None
    description: str = ""
    var: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Question:
    """One named question of the pack."""

    id: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    path: Path

    def parameter(self, name: str) -> Parameter:
        """A parameter by name, or a :class:`ParameterError` naming the known ones."""
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"question {self.id!r} has no parameter {name!r} (parameters: {known})")


@dataclass(frozen=True)
class QueryPack:
    """Every question in ``queries/``."""

    questions: dict[str, Question] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | None = None) -> QueryPack:
        """Load and check every ``*.rq`` file of the folder."""
        return _load(str(folder or queries_dir()))

    def get(self, qid: str) -> Question:
        """A question by id, or a :class:`QueryError` listing the known ones."""
        if qid not in self.questions:
            raise QueryError(f"unknown question {qid!r}; known questions: {', '.join(sorted(self.questions))}")
        return self.questions[qid]


def parse_header(text: str, name: str) -> dict[str, Any]:
    """The YAML of a query file's leading ``#+`` lines."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip():
            break
    if not lines:
        raise ConfigError(f"{name}: no '#+' YAML header")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as e:
        raise ConfigError(f"{name}: bad header YAML: {e}") from e
    if not isinstance(header, dict) or "summary" not in header:
        raise ConfigError(f"{name}: the header needs at least 'summary'")
    return header


@lru_cache(maxsize=4)
def _load(folder: str) -> QueryPack:
    questions = {}
    for path in sorted(Path(folder).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        h = parse_header(text, path.name)
        params = []
        for p in h.get("parameters") or []:
            if p.get("kind") not in KINDS:
                raise ConfigError(f"{path.name}: parameter {p.get('name')!r} has unknown kind {p.get('kind')!r}")
            params.append(
                Parameter(
                    name=p["name"],
                    kind=p["kind"],
                    required=bool(p.get("required", False)),
                    default=p.get("default"),
                    description=str(p.get("description", "")),
                    var=p.get("var"),
                    column=p.get("column"),
                )
            )
        questions[path.stem] = Question(
            id=path.stem,
            summary=str(h["summary"]).strip(),
            description=str(h.get("description", "")).strip(),
            tags=tuple(h.get("tags") or ()),
            parameters=tuple(params),
            text=text,
            path=path,
        )
    return QueryPack(questions)


Select = Callable[[str, dict[str, Literal | URIRef] | None], list[dict[str, Any]]]


def run_question(select: Select, question: Question, params: dict[str, str]) -> list[dict[str, Any]]:
    """Run a question with user parameters through a ``select(query, literal_bindings)`` function."""
    for name in params:
        question.parameter(name)
    values: dict[str, list[str]] = {}
    filters: list[Callable[[dict[str, Any]], bool]] = []
    for p in question.parameters:
        raw = params.get(p.name, p.default)
        if raw is None or raw == "":
            if p.required:
                raise ParameterError(f"question {question.id!r} needs parameter {p.name!r}: {p.description}")
            continue
        raw = str(raw)
        if p.kind == "entity":
            iris = resolve_entity(select, raw)
            if not iris:
                return []
            values[_var(p, question)] = iris
        elif p.kind == "type":
            if raw not in TYPES:
                raise ParameterError(f"parameter {p.name!r} must be one of {', '.join(sorted(TYPES))}, not {raw!r}")
            values[_var(p, question)] = [TYPES[raw]]
        elif p.kind == "contains":
            filters.append(_contains(p.column or p.name, raw))
        elif p.kind == "min":
            filters.append(_at_least(p, raw))
    # Entity IRIs (found in the store, checked) go in a VALUES block at the start of the WHERE
    # group, where the planner starts from them: Oxigraph applies `substitutions` only after
    # choosing its plan (7x slower for `about` at 1M triples), and a trailing VALUES joins last.
    rows = select(_bind_iris(question.text, values), None)
    return [r for r in rows if all(f(r) for f in filters)]


def resolve_entity(select: Select, name: str) -> list[str]:
    """IRIs of entities whose label or alias is ``name``, ignoring case.

    The usual spellings (as given, lower, upper, capitalised, title case; plain or English-tagged)
    are index lookups; only when none matches are all labels scanned case-insensitively.
    """
    name = " ".join(name.split())
    spellings = {name, name.lower(), name.upper(), name[:1].upper() + name[1:], name.title()}
    found: set[str] = set()
    for text in sorted(spellings):
        for term in (Literal(text, lang="en"), Literal(text)):
            found |= {str(r["e"]) for r in select(EXACT_LABEL_QUERY, {"l": term}) if r.get("e")}
    if not found:
        found = {str(r["e"]) for r in select(LABEL_QUERY, {"q": Literal(name.lower())}) if r.get("e")}
    return sorted(i for i in found if _SAFE_IRI.match(i))


def _var(p: Parameter, q: Question) -> str:
    if not p.var or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p.var):
        raise ConfigError(f"{q.path.name}: parameter {p.name!r} needs a valid 'var'")
    return p.var


def _bind_iris(query: str, values: dict[str, list[str]]) -> str:
    if not values:
        return query
    at = where_brace(query)
    return f"{query[: at + 1]}{_values_block(values)}{query[at + 1 :]}"


def _values_block(values: dict[str, list[str]]) -> str:
    if not values:
        return ""
    names = list(values)
    rows: list[list[str]] = [[]]
    for var in names:
        for iri in values[var]:
            if not _SAFE_IRI.match(iri):
                raise QueryError(f"refusing to bind unsafe IRI {iri!r}")
        rows = [[*r, f"<{i}>"] for r in rows for i in values[var]]
    head = " ".join(f"?{v}" for v in names)
    body = " ".join(f"({' '.join(r)})" for r in rows)
    return f"\nVALUES ({head}) {{ {body} }}\n"


def _contains(column: str, needle: str) -> Callable[[dict[str, Any]], bool]:
    low = needle.lower()
    return lambda row: low in str(row.get(column) or "").lower()


def _at_least(p: Parameter, raw: str) -> Callable[[dict[str, Any]], bool]:
    try:
        n = int(raw)
    except ValueError as e:
        raise ParameterError(f"parameter {p.name!r} must be a whole number, not {raw!r}") from e
    column = p.column or p.name
    return lambda row: int(row.get(column) or 0) >= n
