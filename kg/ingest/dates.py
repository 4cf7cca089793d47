"""Dates in article headers and text: ISO forms, "Apr 24, 2025", "24 April 2025", "Oct. 7, 2022".

>>> parse_date("Apr 24, 2025, 12:00 AM")
'2025-04-24'
>>> parse_date("2025-04")
'2025-04'
>>> parse_date("last week") is None
True
>>> month_year("in December 2024")
'2024-12'
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MON = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ][\d:.+\-Z]*)?\s*$")
_SLASH = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})\s*$")
_MDY = re.compile(rf"\b{_MON}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})\s+{_MON},?\s+(\d{{4}})\b", re.I)
_MY = re.compile(rf"\b{_MON}\s+(\d{{4}})\b", re.I)


def _valid(y: int, m: int, d: int | None) -> str | None:
    try:
        if d is None:
            date(y, m, 1)
            return f"{y:04d}-{m:02d}"
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """A whole-field date as ``YYYY-MM-DD`` or ``YYYY-MM``, or None when it is not a date."""
    text = text.strip()
    if len(text) > 60:
        return None
    if m := _ISO.match(text):
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
    if m := _SLASH.match(text):
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _MDY.search(text):
        rest = text[: m.start()] + text[m.end() :]
        if re.fullmatch(r"[\s,]*(?:\d{1,2}:\d{2}\s*(?:[AP]M)?)?[\s,A-Z]*", rest):
            return _valid(int(m.group(3)), MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)))
    if m := _DMY.fullmatch(text):
        return _valid(int(m.group(3)), MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1)))
    if m := _MY.fullmatch(text):
        return _valid(int(m.group(2)), MONTHS[m.group(1).lower().rstrip(".")], None)
    return None


def find_date_near_top(text: str, *, lines: int = 6) -> str | None:
    """The first line near the top of an article that is a date on its own."""
    for line in text.splitlines()[:lines]:
        if (found := parse_date(line)) is not None:
            return found
    return None


def month_year(text: str) -> str | None:
    """The first date mentioned in running text, as precise as it is given."""
    if m := _MDY.search(text):
        return _valid(int(m.group(3)), MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)))
    if m := _DMY.search(text):
        return _valid(int(m.group(3)), MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1)))
    if m := _MY.search(text):
        return _valid(int(m.group(2)), MONTHS[m.group(1).lower().rstrip(".")], None)
    return None
