"""The compiled SHACL engine gives pyshacl's verdict and results on the project's own graphs.

pyshacl is the reference: on every example and test article graph, on every shape example file,
and on seeded random corruptions of article graphs, both engines must agree on ``conforms`` and
on the multiset of results (focus node, path, value, shape, component, severity).
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import ConfigError
from kg.ingest.mapper import RunInfo, to_triples
from kg.ingest.pipeline import Pipeline
from kg.ingest.reader import read_path
from kg.shacl import Engine, UnsupportedShapes
from kg.validate import Outcome, Validator
from kg.vocab import CK, RDF, RDFS, SH, XSD

ROOT = Path(__file__).resolve().parents[1]
Triple = tuple[Node, Node, Node]
RUN = RunInfo("test-run", "2025-01-01T00:00:00+00:00")


def _mask(n: Node | None) -> str:
    if n is None:
        return "-"
    return "_" if isinstance(n, BNode) else n.n3()


def pyshacl_rows(outcome: Outcome) -> Counter[tuple[str, ...]]:
    rep = outcome.report
    props = (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity)
    rows = [[rep.value(r, p) for p in props] for r in rep.subjects(RDF.type, SH.ValidationResult)]
    return Counter(tuple(_mask(x) for x in row) for row in rows if not incomparable_range(row[4], row[2]))


RANGES = {SH[f"{m}{k}ConstraintComponent"] for m in ("Min", "Max") for k in ("Inclusive", "Exclusive")}
RANGES |= {SH.LessThanConstraintComponent, SH.LessThanOrEqualsConstraintComponent}


def incomparable_range(component: Node | None, v: Node | None) -> bool:
    """The one known difference: a value SPARQL cannot compare with the bound (a boolean, an
    ill-typed literal) fails sh:minInclusive, sh:lessThan & co. by the SHACL spec, always with the compiled
    engine; pyshacl reports it for some bounds only. Such rows are left out of the comparison
    (the value's sh:datatype failure, which both report, keeps the verdicts equal)."""
    return component in RANGES and isinstance(v, Literal) and (bool(v.ill_typed) or isinstance(v.value, bool))


def compiled_rows(outcome: Outcome) -> Counter[tuple[str, ...]]:
    assert outcome.compiled is not None
    return Counter(
        tuple(_mask(x) for x in (r.focus, r.path, r.value, r.shape, r.component, r.severity))
        for r in outcome.compiled.results
        if not incomparable_range(r.component, r.value)
    )


def agree(data: list[Triple]) -> tuple[bool, bool]:
    """Both verdicts, after asserting that both engines report the same results."""
    fast = Validator.load().check(data)
    ref = Validator.load(engine="pyshacl").check(data)
    assert compiled_rows(fast) == pyshacl_rows(ref)
    assert fast.conforms == ref.conforms
    return fast.conforms, ref.conforms


@cache
def article_triples() -> dict[str, list[Triple]]:
    out = {}
    for folder in ("examples/articles", "tests/articles"):
        for path in sorted((ROOT / folder).iterdir()):
            if path.suffix == ".yaml" or path.name.startswith("README"):
                continue
            for art in read_path(str(path)):
                out[f"{folder}/{path.name}/{art.key}"] = to_triples(Pipeline.default().process(art), run=RUN)
    return out


@pytest.mark.parametrize("name", sorted(article_triples()))
def test_shacl_engine_agrees_with_pyshacl_on_article_graphs(name: str) -> None:
    assert agree(article_triples()[name]) == (True, True)


def _shape_examples() -> list[Path]:
    return sorted((ROOT / "tests" / "shapes").glob("*/*.ttl"))


@pytest.mark.parametrize("path", _shape_examples(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shacl_engine_agrees_with_pyshacl_on_shape_examples(path: Path) -> None:
    data = list(Graph().parse(path, format="turtle"))
    conforms, _ = agree(data)
    assert conforms == (path.parent.name == "valid") or path.parent.name == "invalid"


BAD_LITERALS = (
    Literal(-3),
    Literal("seven"),
    Literal("2025-13-45", datatype=XSD.date),
    Literal(Decimal("1.5")),
    Literal("x", lang="en"),
    Literal(True),
    URIRef("https://w3id.org/chipkg/id/firm/nowhere"),
)


def _mutate(triples: list[Triple], rng: random.Random) -> list[Triple]:
    """One random corruption: drop, duplicate with a new value, retype, or change a value."""
    out = list(triples)
    i = rng.randrange(len(out))
    s, p, o = out[i]
    kind = rng.choice(("drop", "extra", "retype", "value", "swap"))
    if kind == "drop":
        del out[i]
    elif kind == "extra":
        out.append((s, p, rng.choice(BAD_LITERALS)))
    elif kind == "retype":
        out.append((s, RDF.type, rng.choice((CK.Firm, CK.Evidence, CK.SupplierSwitch, CK.Article))))
    elif kind == "value":
        out[i] = (s, p, rng.choice(BAD_LITERALS))
    else:
        out[i] = (o, p, s) if not isinstance(o, Literal) else (s, RDFS.label, o)
    return list(dict.fromkeys(out))


def test_shacl_engine_fails_incomparable_range_values_as_the_spec_says() -> None:
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetNode <urn:a> ; sh:property [ sh:path <urn:p> ; sh:minInclusive 0 ] .""",
        format="turtle",
    )
    data = [(URIRef("urn:a"), URIRef("urn:p"), Literal(True)), (URIRef("urn:a"), URIRef("urn:p"), Literal(3))]
    report = Engine.compile(shapes).validate(data)
    assert [r.value for r in report.results] == [Literal(True)]


@pytest.mark.parametrize("seed", range(12))
def test_shacl_engine_agrees_with_pyshacl_on_corrupted_graphs(seed: int) -> None:
    rng = random.Random(seed)
    names = sorted(article_triples())
    triples = article_triples()[names[seed % len(names)]]
    verdicts = set()
    for _ in range(4):
        triples = _mutate(triples, rng)
        verdicts.add(agree(triples))
    assert verdicts <= {(True, True), (False, False)}


def test_shacl_engine_corruptions_do_fail_validation() -> None:
    # the mutation test above is only worth something if corruptions are caught
    assert agree(_confidence_seven()) == (False, False)


def _confidence_seven() -> list[Triple]:
    """An article graph whose first evidence has a confidence of 7 (the shapes allow 0 to 1)."""
    triples = next(iter(article_triples().values()))
    i = next(i for i, (_s, p, _o) in enumerate(triples) if p == CK.confidence)
    s, p, _o = triples[i]
    return [*triples[:i], (s, p, Literal(Decimal(7))), *triples[i + 1 :]]


def test_shacl_model_refuses_closed_shapes() -> None:
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; sh:closed true .",
        format="turtle",
    )
    with pytest.raises(UnsupportedShapes, match="sh:closed"):
        Engine.compile(shapes)


def test_validate_unknown_engine_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown SHACL engine"):
        Validator.load(engine="fast")  # type: ignore[arg-type]


def test_validate_outcome_text_names_shape_and_message() -> None:
    outcome = Validator.load().check(_confidence_seven())
    assert outcome.violations() == 1
    assert "Evidence-confidence" in outcome.text and "Message:" in outcome.text
    assert (None, SH.resultSeverity, SH.Violation) in outcome.report
