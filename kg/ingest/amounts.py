"""Money amounts and quantities in running text.

>>> [(str(m.amount), m.currency) for m in find_money("invest 380 billion RMB, or about $52.7 billion")]
[('380000000000', 'CNY'), ('52700000000', 'USD')]
>>> find_quantity("ordered 1,000 Ascend chips")
Decimal('1000')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SCALE = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "mln": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
    "trn": 10**12,
}
SYMBOLS = {
    "us$": "USD",
    "$": "USD",
    "usd": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "CNY",
    "rmb": "CNY",
    "hk$": "HKD",
    "nt$": "TWD",
    "s$": "SGD",
    "a$": "AUD",
    "c$": "CAD",
    "₩": "KRW",
}
WORDS = {
    "yuan": "CNY",
    "rmb": "CNY",
    "renminbi": "CNY",
    "cny": "CNY",
    "dollars": "USD",
    "dollar": "USD",
    "usd": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "eur": "EUR",
    "won": "KRW",
    "krw": "KRW",
    "yen": "JPY",
    "jpy": "JPY",
    "pounds": "GBP",
    "gbp": "GBP",
    "hkd": "HKD",
    "twd": "TWD",
    "new taiwan dollars": "TWD",
    "taiwan dollars": "TWD",
    "hong kong dollars": "HKD",
}
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_SCALE = r"(?:\s*-?\s*(thousand|million|billion|trillion|mln|mn|bn|tn|trn|[mbk])\b)?"
_SYM = r"(US\$|HK\$|NT\$|S\$|A\$|C\$|\$|€|£|¥|₩|RMB\s?|USD\s?|CNY\s?|EUR\s?)"
_WORD = (
    r"(new taiwan dollars|taiwan dollars|hong kong dollars|yuan|rmb|renminbi|cny|dollars|dollar|usd"
    r"|euros|euro|eur|won|krw|yen|jpy|pounds|gbp|hkd|twd)\b"
)
_PREFIXED = re.compile(_SYM + r"\s?" + _NUM + _SCALE, re.I)
_SUFFIXED = re.compile(r"(?<![\w$€£¥])" + _NUM + _SCALE + r"\s*" + _WORD, re.I)
_QTY = re.compile(
    r"(?<![\w$€£¥.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s+(thousand|million))?\s+"
    r"(?:(?:[A-Z0-9][\w\-]*|more|additional|advanced|new|of\s+(?:its|the|their))\s+){0,4}"
    r"(?:units|chips|GPUs|processors|accelerators|cards|servers|wafers)\b"
)
_VAGUE = {
    "tens of thousands": 10**4,
    "hundreds of thousands": 10**5,
    "thousands": 10**3,
    "hundreds": 10**2,
}


@dataclass(frozen=True)
class Money:
    """An amount of money found in text."""

    amount: Decimal
    currency: str
    start: int
    end: int


def _number(num: str, scale: str | None) -> Decimal | None:
    try:
        value = Decimal(num.replace(",", ""))
    except InvalidOperation:
        return None
    if scale:
        value *= SCALE[scale.lower()]
    return value.normalize() if value == value.to_integral() else value


def find_money(text: str) -> list[Money]:
    """Every money amount in ``text``, in order."""
    found: list[Money] = []
    for m in _PREFIXED.finditer(text):
        value = _number(m.group(2), m.group(3))
        if value is not None:
            cur = SYMBOLS.get(m.group(1).strip().lower(), "USD")
            found.append(Money(_int(value), cur, m.start(), m.end()))
    for m in _SUFFIXED.finditer(text):
        if any(f.start <= m.start() < f.end for f in found):
            continue
        value = _number(m.group(1), m.group(2))
        if value is not None:
            found.append(Money(_int(value), WORDS[m.group(3).lower()], m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _int(value: Decimal) -> Decimal:
    return Decimal(int(value)) if value == value.to_integral_value() else value


def find_quantity(text: str, *, exclude: list[tuple[int, int]] | None = None) -> Decimal | None:
    """The first count of units/chips in ``text`` ("1,000 chips", "tens of thousands of GPUs").

    Numbers inside ``exclude`` spans (e.g. a chip's name, "Siyuan 590") are not counts.
    """
    money = [(f.start, f.end) for f in find_money(text)] + list(exclude or [])
    for m in _QTY.finditer(text):
        if any(a <= m.start() < b for a, b in money):
            continue
        value = _number(m.group(1), m.group(2))
        if value is not None and not (1900 <= value <= 2100 and "," not in m.group(1) and not m.group(2)):
            return _int(value)
    low = text.lower()
    for phrase, count in _VAGUE.items():
        if re.search(rf"\b{phrase} of\b", low):
            return Decimal(count)
    return None
