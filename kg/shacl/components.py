"""SHACL Core constraint components, as functions over value nodes.

:func:`checkers` turns each constraint parameter of a shape into a closure, once. A checker
takes the focus node, its value nodes, the data index and a ``conforms`` callback (for the
shape-based components) and returns the failing value nodes; None stands for a failure without
``sh:value`` (counts, hasValue, uniqueLang).

>>> from rdflib import Literal
>>> compare(Literal(1), Literal(2.5))
-1
>>> compare(Literal("a"), Literal(1)) is None
True
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.shacl.data import DataIndex
from kg.shacl.model import Shape
from kg.vocab import RDF, SH, XSD

Conforms = Callable[[Node, Shape], bool]

NUMERIC = (int, float, Decimal)
NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


def compare(a: Node, b: Node) -> int | None:
    """-1, 0 or 1 as SPARQL's ``<`` / ``=`` would order two literals; None if incomparable."""
    if not (isinstance(a, Literal) and isinstance(b, Literal)):
        return None
    x, y = _comparable(a), _comparable(b)
    if x is None or y is None:
        return None
    try:
        return -1 if x < y else (1 if x > y else 0)
    except TypeError:
        return None


def _comparable(lit: Literal) -> Any:
    if lit.ill_typed:
        return None
    v = lit.value
    if isinstance(v, bool):
        return None
    if isinstance(v, NUMERIC):
        return v
    if isinstance(v, str) and lit.language is None:
        return v
    if v is not None and hasattr(v, "isoformat") and type(v).__name__ in {"date", "datetime", "time"}:
        return v
    return None


Checker = Callable[[Node, list[Node], DataIndex, Conforms], Iterable[Node | None]]
Factory = Callable[[Shape, URIRef], list[Checker]]

_CLASS, _IN, _OR, _AND, _NOT = SH["class"], SH["in"], SH["or"], SH["and"], SH["not"]
_TRUE = Literal(True)


def checkers(shape: Shape) -> list[tuple[URIRef, Checker]]:
    """Every constraint of ``shape`` as ``(component, checker)``; a checker yields failing values."""
    out: list[tuple[URIRef, Checker]] = []
    for param in (*shape.params, *shape.lists, *shape.refs):
        factory = FACTORIES.get(param)
        if factory is not None:
            out += [(component(param), c) for c in factory(shape, param)]
    return out


def _per_value(ok: Callable[[Node], bool]) -> Checker:
    def check(focus: Node, values: list[Node], idx: DataIndex, conforms: Conforms) -> Iterable[Node | None]:
        return [v for v in values if not ok(v)]

    return check


def _class(shape: Shape, param: URIRef) -> list[Checker]:
    def make(c: Node) -> Checker:
        def check(focus: Node, values: list[Node], idx: DataIndex, conforms: Conforms) -> Iterable[Node | None]:
            return [v for v in values if isinstance(v, Literal) or not idx.is_instance(v, c)]

        return check

    return [make(c) for c in shape.params[param]]


def _datatype(shape: Shape, param: URIRef) -> list[Checker]:
    def make(dt: Node) -> Checker:
        def ok(v: Node) -> bool:
            if not isinstance(v, Literal):
                return False
            have = v.datatype or (_LANGSTRING if v.language else _STRING)
            return have == dt and not v.ill_typed

        return _per_value(ok)

    return [make(dt) for dt in shape.params[param]]


_LANGSTRING, _STRING = RDF.langString, XSD.string


def _node_kind(shape: Shape, param: URIRef) -> list[Checker]:
    def make(kinds: tuple[type, ...]) -> Checker:
        return _per_value(lambda v: isinstance(v, kinds))

    return [make(NODE_KINDS.get(k, ())) for k in shape.params[param]]


def _int(n: Node) -> int:
    return int(n.toPython()) if isinstance(n, Literal) else 0


def _count(shape: Shape, param: URIRef) -> list[Checker]:
    def make(n: int) -> Checker:
        low = param == SH.minCount

        def check(focus: Node, values: list[Node], idx: DataIndex, conforms: Conforms) -> Iterable[Node | None]:
            return [None] if (len(values) < n if low else len(values) > n) else []

        return check

    return [make(_int(p)) for p in shape.params[param]]


RANGE_OK: dict[URIRef, Callable[[int], bool]] = {
    SH.minInclusive: lambda c: c >= 0,
    SH.maxInclusive: lambda c: c <= 0,
    SH.minExclusive: lambda c: c > 0,
    SH.maxExclusive: lambda c: c < 0,
}


def _range(shape: Shape, param: URIRef) -> list[Checker]:
    good = RANGE_OK[param]

    def make(p: Node) -> Checker:
        def ok(v: Node) -> bool:
            c = compare(v, p)
            return c is not None and good(c)

        return _per_value(ok)

    return [make(p) for p in shape.params[param]]


def _length(shape: Shape, param: URIRef) -> list[Checker]:
    low = param == SH.minLength

    def make(n: int) -> Checker:
        return _per_value(lambda v: not isinstance(v, BNode) and (len(str(v)) >= n if low else len(str(v)) <= n))

    return [make(_int(p)) for p in shape.params[param]]


@lru_cache(maxsize=512)
def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    bits = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    f = 0
    for ch in flags:
        f |= bits.get(ch, 0)
    return re.compile(pattern, f)


def _pattern(shape: Shape, param: URIRef) -> list[Checker]:
    flags = str(shape.params.get(SH.flags, [""])[0])

    def make(rx: re.Pattern[str]) -> Checker:
        return _per_value(lambda v: not isinstance(v, BNode) and rx.search(str(v)) is not None)

    return [make(_regex(str(p), flags)) for p in shape.params[param]]


def _in(shape: Shape, param: URIRef) -> list[Checker]:
    allowed = shape.lists[param]
    return [_per_value(lambda v: v in allowed)]


def _has_value(shape: Shape, param: URIRef) -> list[Checker]:
    def make(p: Node) -> Checker:
        def check(focus: Node, values: list[Node], idx: DataIndex, conforms: Conforms) -> Iterable[Node | None]:
            return [] if p in values else [None]

        return check

    return [make(p) for p in shape.params[param]]


def _lang_match(tag: str, rng: str) -> bool:
    tag, rng = tag.lower(), rng.lower()
    return bool(tag) and (rng == "*" or tag == rng or tag.startswith(rng + "-"))


def _language_in(shape: Shape, param: URIRef) -> list[Checker]:
    ranges = [str(r) for r in shape.lists[param]]

    def ok(v: Node) -> bool:
        lang = v.language if isinstance(v, Literal) else None
        return bool(lang) and any(_lang_match(str(lang), r) for r in ranges)

    return [_per_value(ok)]


def _unique_lang(shape: Shape, param: URIRef) -> list[Checker]:
    if not any(p == _TRUE for p in shape.params[param]):
        return []

    def check(focus: Node, values: list[Node], idx: DataIndex, conforms: Conforms) -> Iterable[Node | None]:
        tags = Counter(v.language.lower() for v in values if isinstance(v, Literal) and v.language)
        return [None for _tag, n in sorted(tags.items()) if n > 1]

    return [check]


def _pair(shape: Shape, param: URIRef) -> list[Checker]:
    def make(prop: Node) -> Checker:
        def check(focus: Node, values: list[Node], idx: DataIndex, conforms: Conforms) -> Iterable[Node | None]:
            return list(_pair_failures(param, values, idx.objects(focus, prop)))

        return check

    return [make(p) for p in shape.params[param]]


def _pair_failures(param: URIRef, values: list[Node], others: list[Node]) -> Iterator[Node]:
    if param == SH.equals:
        yield from (v for v in values if v not in others)
        yield from (o for o in dict.fromkeys(others) if o not in values)
    elif param == SH.disjoint:
        yield from (v for v in values if v in others)
    else:
        strict = param == SH.lessThan
        for v in values:
            for o in others:
                c = compare(v, o)
                if c is None or c > 0 or (strict and c == 0):
                    yield v


LOGIC_OK: dict[URIRef, Callable[[int, int], bool]] = {
    _OR: lambda k, n: k >= 1,
    _AND: lambda k, n: k == n,
    SH.xone: lambda k, n: k == 1,
    _NOT: lambda k, n: k == 0,
    SH.node: lambda k, n: k == n,
}


def _logic(shape: Shape, param: URIRef) -> list[Checker]:
    good = LOGIC_OK[param]
    groups = shape.refs[param]

    def make(members: list[Shape]) -> Checker:
        def check(focus: Node, values: list[Node], idx: DataIndex, conforms: Conforms) -> Iterable[Node | None]:
            return [v for v in values if not good(sum(1 for m in members if conforms(v, m)), len(members))]

        return check

    return [make(g) for g in groups]


FACTORIES: dict[URIRef, Factory] = {
    _CLASS: _class,
    SH.datatype: _datatype,
    SH.nodeKind: _node_kind,
    SH.minCount: _count,
    SH.maxCount: _count,
    **dict.fromkeys(RANGE_OK, _range),
    SH.minLength: _length,
    SH.maxLength: _length,
    SH.pattern: _pattern,
    _IN: _in,
    SH.hasValue: _has_value,
    SH.languageIn: _language_in,
    SH.uniqueLang: _unique_lang,
    **dict.fromkeys((SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals), _pair),
    **dict.fromkeys(LOGIC_OK, _logic),
}


def component(param: URIRef) -> URIRef:
    """The constraint component IRI of a parameter, e.g. sh:minCount -> sh:MinCountConstraintComponent."""
    local = str(param)[len(str(SH)) :]
    return SH[local[0].upper() + local[1:] + "ConstraintComponent"]
