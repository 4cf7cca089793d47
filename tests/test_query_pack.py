"""The question pack: every ``queries/*.rq`` is well-formed, answers its fixture exactly, and
treats parameter values as data, never as query text.

The exact rows come from ``tests/fixtures/pack_expected.yaml`` over ``tests/fixtures/pack.trig``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from rdflib.plugins.sparql import prepareQuery

from kg.api import KnowledgeGraph
from kg.errors import ParameterError, QueryError
from kg.query.pack import TYPES, QueryPack
from kg.resources import queries_dir

FIXTURES = Path(__file__).resolve().parent / "fixtures"
QUERY_FILES = sorted(queries_dir().glob("*.rq"))
QUERY_IDS = [p.stem for p in QUERY_FILES]
CASES: list[dict[str, Any]] = yaml.safe_load((FIXTURES / "pack_expected.yaml").read_text(encoding="utf-8"))
PACK = QueryPack.load()

# Parameters whose value is user text that reaches the store: entity (label lookup) and contains.
TEXT_PARAMS = [
    (q.id, p.name) for q in PACK.questions.values() for p in q.parameters if p.kind in {"entity", "contains"}
]
REMOTE = "http://192.0.2.1/sparql"  # TEST-NET-1: never routed
INSERT = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }"
HOSTILE = {
    "quote-service": f'Nvidia" }} SERVICE <{REMOTE}> {{ ?s ?p ?o }} #',
    "single-quote-service": f"Nvidia' }} SERVICE <{REMOTE}> {{ ?s ?p ?o }} #",
    "newline-insert": 'Nvidia"\n}\n' + INSERT,
    "brace-drop": "} ; DROP ALL ; SELECT * WHERE {",
    "filter-or-true": '") || true || ("',
    "escaped-quote": "Nvidia\\u0022 } SERVICE <" + REMOTE + "> { ?s ?p ?o } #",
    "iri-value": "<https://w3id.org/chipkg/id/firm/nvidia>",
    "values-block": "} VALUES ?supplierEntity { <https://w3id.org/chipkg/id/firm/nvidia> } #",
}
CLAUSES = re.compile(r"\b(?:SELECT|WHERE|GROUP\s+BY|HAVING|ORDER\s+BY|LIMIT|OFFSET|VALUES)\b", re.IGNORECASE)


def _strip(text: str) -> str:
    """The query text without comments, string literals and IRIs (what is left is syntax)."""
    text = re.sub(r'"""(?:[^"\\]|\\.|"(?!""))*"""', '""', text)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)
    text = re.sub(r"'(?:[^'\\\n]|\\.)*'", "''", text)
    text = re.sub(r"<[^<>\"{}|^`\\\s]*>", "<>", text)
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def _header(text: str) -> dict[str, Any]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[3:] if line.startswith("#+ ") else line[2:])
    return yaml.safe_load("\n".join(lines)) if lines else {}


def _project(rows: list[dict[str, Any]], keys: list[str]) -> list[list[tuple[str, str, Any]]]:
    """Each row cut to ``keys``, every value tagged with its type (so True != 1 and 2 != "2")."""
    return [[(k, type(r.get(k)).__name__, r.get(k)) for k in keys] for r in rows]


@pytest.fixture(scope="module")
def pack_kg() -> KnowledgeGraph:
    """The fixture dataset in memory (read by the tests, never written)."""
    g = KnowledgeGraph.in_memory()
    g.store.load_file(FIXTURES / "pack.trig", fmt=ox.RdfFormat.TRIG)
    return g


@pytest.fixture
def fresh_kg() -> KnowledgeGraph:
    """The fixture dataset in a store of its own (for tests that check it is not changed)."""
    g = KnowledgeGraph.in_memory()
    g.store.load_file(FIXTURES / "pack.trig", fmt=ox.RdfFormat.TRIG)
    return g


# -- the files --------------------------------------------------------------------------------


def test_query_pack_has_the_fourteen_questions() -> None:
    """The pack holds 14 questions, one per ``.rq`` file."""
    assert len(QUERY_IDS) == 14
    assert sorted(PACK.questions) == QUERY_IDS


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_IDS)
def test_query_pack_file_parses_with_rdflib(path: Path) -> None:
    """rdflib's SPARQL parser accepts the file as a SELECT query."""
    query = prepareQuery(path.read_text(encoding="utf-8"))
    assert query.algebra.name == "SelectQuery"


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_IDS)
def test_query_pack_file_parses_with_pyoxigraph(path: Path) -> None:
    """Oxigraph (which answers the questions) parses and runs the file on an empty store."""
    result = ox.Store().query(path.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_IDS)
def test_query_pack_file_starts_with_a_header(path: Path) -> None:
    """The first line is a ``#+`` header line; the header has summary, tags and parameters."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#+")
    header = _header(text)
    assert isinstance(header.get("summary"), str) and header["summary"].strip()
    assert isinstance(header.get("tags"), list) and header["tags"]
    assert all(isinstance(t, str) and t for t in header["tags"])
    assert "parameters" in header and isinstance(header["parameters"], list)


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_IDS)
def test_query_pack_file_declares_every_prefix_it_uses(path: Path) -> None:
    """Every prefixed name's prefix has a PREFIX line (no reliance on a parser's defaults)."""
    text = _strip(path.read_text(encoding="utf-8"))
    declared = set(re.findall(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", text, re.IGNORECASE))
    body = re.sub(r"\bPREFIX\s+[\w.-]*:\s*<>", "", text, flags=re.IGNORECASE)
    used = set(re.findall(r"(?<![\w?$:.-])([A-Za-z][\w.-]*)?:[A-Za-z_]", body))
    assert used, "the query uses no prefixed name at all"
    assert used <= declared, f"undeclared prefixes: {sorted(used - declared)}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_IDS)
def test_query_pack_file_ends_with_order_by(path: Path) -> None:
    """ORDER BY is the last clause (so the runner's trailing VALUES block comes right after it)."""
    text = _strip(path.read_text(encoding="utf-8"))
    clauses = CLAUSES.findall(text)
    assert clauses, "no clause found"
    assert re.fullmatch(r"ORDER\s+BY", clauses[-1], re.IGNORECASE), f"last clause is {clauses[-1]!r}"
    tail = text[text.upper().rfind("ORDER") :]
    assert "{" not in tail and "}" not in tail


@pytest.mark.parametrize("qid", QUERY_IDS)
def test_query_pack_parameter_var_sits_in_the_query(qid: str) -> None:
    """Every parameter's ``var`` (entity, type) appears as a variable of the query text."""
    question = PACK.get(qid)
    text = _strip(question.text)
    for p in question.parameters:
        if p.kind in {"entity", "type"}:
            assert p.var, f"parameter {p.name!r} has no var"
            assert re.search(rf"\?{re.escape(p.var)}\b", text), f"?{p.var} is not in {qid}.rq"


@pytest.mark.parametrize("qid", QUERY_IDS)
def test_query_pack_parameter_var_is_projected(qid: str) -> None:
    """An entity/type var is a result column: the trailing VALUES block joins on the results."""
    question = PACK.get(qid)
    projected = {str(v) for v in prepareQuery(question.text).algebra["PV"]}
    for p in question.parameters:
        if p.kind in {"entity", "type"}:
            assert p.var in projected, f"?{p.var} is not projected by {qid}.rq"


@pytest.mark.parametrize("qid", QUERY_IDS)
def test_query_pack_filter_column_is_projected(qid: str) -> None:
    """A contains/min parameter filters a column the query returns."""
    question = PACK.get(qid)
    projected = {str(v) for v in prepareQuery(question.text).algebra["PV"]}
    for p in question.parameters:
        if p.kind in {"contains", "min"}:
            assert (p.column or p.name) in projected, f"column {p.column or p.name!r} is not projected by {qid}.rq"


# -- exact answers ----------------------------------------------------------------------------


def test_query_pack_fixture_covers_every_question() -> None:
    """The expected-rows fixture has 48 cases and asks every question at least once."""
    assert len(CASES) == 48
    assert {c["question"] for c in CASES} == set(QUERY_IDS)


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}-{c['question']}" for i, c in enumerate(CASES)])
def test_query_pack_answers_exactly(pack_kg: KnowledgeGraph, case: dict[str, Any]) -> None:
    """The question returns exactly the expected rows, values, types and order."""
    rows = pack_kg.ask(case["question"], **case["params"])
    expected = case["rows"]
    if not expected:
        assert rows == []
        return
    keys = list(expected[0])
    assert all(list(r) == keys for r in expected), "the fixture's rows disagree on their keys"
    assert _project(rows, keys) == _project(expected, keys)


# -- hostile parameter values -----------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE.values(), ids=list(HOSTILE))
@pytest.mark.parametrize(("qid", "name"), TEXT_PARAMS, ids=[f"{q}.{n}" for q, n in TEXT_PARAMS])
def test_query_pack_hostile_value_finds_nothing(
    fresh_kg: KnowledgeGraph, audit: Any, store_hash: Any, qid: str, name: str, value: str
) -> None:
    """A value made of query syntax is only text: no rows, no socket, the store unchanged."""
    size, digest = len(fresh_kg.store), store_hash(fresh_kg.store)
    assert fresh_kg.ask(qid, **{name: value}) == []
    assert audit.network == []
    assert len(fresh_kg.store) == size
    assert store_hash(fresh_kg.store) == digest


# -- errors -----------------------------------------------------------------------------------


def test_query_pack_unknown_question_lists_the_known_ones(pack_kg: KnowledgeGraph) -> None:
    """An unknown question id raises QueryError naming every known id."""
    with pytest.raises(QueryError) as err:
        pack_kg.ask("switched-to")
    message = str(err.value)
    assert "'switched-to'" in message
    assert all(qid in message for qid in QUERY_IDS)


def test_query_pack_unknown_parameter_names_the_known_ones(pack_kg: KnowledgeGraph) -> None:
    """An unknown parameter raises ParameterError naming the question's parameters."""
    with pytest.raises(ParameterError) as err:
        pack_kg.ask("policies", country="China")
    message = str(err.value)
    assert "'country'" in message
    assert "issuer" in message and "target" in message


def test_query_pack_missing_required_parameter_is_refused(pack_kg: KnowledgeGraph) -> None:
    """``about`` without ``entity`` raises ParameterError naming the parameter."""
    with pytest.raises(ParameterError, match="'entity'"):
        pack_kg.ask("about")


@pytest.mark.parametrize("value", ["Company", "Chips", "Firm> . ?s ?p ?o"])
def test_query_pack_bad_type_is_refused(pack_kg: KnowledgeGraph, value: str) -> None:
    """A ``type`` outside the fixed table raises ParameterError listing the allowed types."""
    with pytest.raises(ParameterError) as err:
        pack_kg.ask("entities", type=value)
    assert all(t in str(err.value) for t in TYPES)


@pytest.mark.parametrize("value", ["abc", "2.5", "2; DROP ALL"])
def test_query_pack_non_integer_min_is_refused(pack_kg: KnowledgeGraph, value: str) -> None:
    """``min_sources`` that is not a whole number raises ParameterError."""
    with pytest.raises(ParameterError, match="min_sources"):
        pack_kg.ask("corroborated-claims", min_sources=value)
