"""The benchmark harness's own logic: targets, ratios, memory growth, rdflib's binding form."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def bench(request: pytest.FixtureRequest) -> Any:
    sys.path.insert(0, str(BENCH))
    request.addfinalizer(lambda: sys.path.remove(str(BENCH)))
    import report
    import workers

    return type("Bench", (), {"report": report, "workers": workers})


def test_bench_rss_growth_uses_the_highest_sample_after_the_middle(bench: Any) -> None:
    samples = [[0, 0, 100.0], [1, 10, 200.0], [2, 20, 200.0], [3, 30, 260.0], [4, 40, 150.0]]
    assert bench.report.rss_growth(samples) == pytest.approx(0.3)


def test_bench_ratio_is_a_lower_bound_when_rdflib_was_killed(bench: Any) -> None:
    ox = {"p50_s": 0.1, "runs": 20}
    assert bench.report.ratio(ox, {"timed_out": True, "cap_s": 30.0}) == (pytest.approx(300.0), "lower")
    assert bench.report.ratio(ox, {"p50_s": 2.0, "runs": 5}) == (pytest.approx(20.0), "exact")


def test_bench_trailing_values_moves_the_leading_entity_block_to_the_end(bench: Any) -> None:
    from kg.query.pack import _bind_iris

    query = "SELECT ?e WHERE { VALUES (?c) { (<urn:c>) } GRAPH ?g { ?f ?p ?e } } GROUP BY ?e"
    bound = _bind_iris(query, {"e": ["https://w3id.org/chipkg/id/firm/a", "https://w3id.org/chipkg/id/firm/b"]})
    moved = bench.workers._trailing_values(bound)
    assert moved.startswith("SELECT ?e WHERE { VALUES (?c)")
    assert moved.rstrip().endswith(
        "VALUES (?e) { (<https://w3id.org/chipkg/id/firm/a>) (<https://w3id.org/chipkg/id/firm/b>) }"
    )
    assert bench.workers._trailing_values(query) == query


def test_bench_user_cases_name_pack_questions_and_their_parameters(bench: Any) -> None:
    from kg.query.pack import QueryPack

    pack = QueryPack.load()
    for qid, params in bench.workers.USER_CASES:
        question = pack.get(qid)
        for name in params:
            question.parameter(name)  # raises on an unknown parameter
