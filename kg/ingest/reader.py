"""Read article files (txt, md, html, json, jsonl) into :class:`ArticleInput` records.

Decoding rule (documented in the README): UTF-8 (a BOM is allowed); UTF-16 with a BOM, or
without one when every other byte of the start is NUL; any other bytes with no NUL are
decoded as Windows-1252 (Latin-1 for its undefined bytes). A file with NUL bytes that is not
UTF-16 is binary and refused. Control, zero-width and bidi characters are removed and
line ends normalised, so the stored text is clean; evidence offsets index into that text.

>>> from pathlib import Path
>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "a.txt").write_text("Title: Chips\\nDate: 2025-04-24\\n\\nNvidia sells chips.\\n")
>>> [a.title for a in read_path(d / "a.txt")]
['Chips']
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from kg.errors import UnreadableArticle
from kg.ingest.dates import find_date_near_top, parse_date

MAX_BYTES = 10 * 1024 * 1024
MAX_JSON_DEPTH = 64
SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}
HEADER_KEYS = {
    "title": "title",
    "date": "date",
    "published": "date",
    "url": "url",
    "source": "publisher",
    "publisher": "publisher",
    "author": "author",
}
_HEADER_LINE = re.compile(r"^([A-Za-z]+):[ \t]*(.*)$")
_DROP_CHARS = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ArticleInput:
    """One article as read: metadata and the text that offsets index into."""

    source: str
    path: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    fmt: str = "txt"
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        """Stable identity: SHA-256 of the URL when declared, else of the text (16 hex)."""
        basis = self.url if self.url else self.text
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]

    @property
    def content_hash(self) -> str:
        """SHA-256 of the stored text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def iter_files(paths: list[str]) -> Iterator[str]:
    """Expand files and folders (recursively) into article file paths, in a stable order."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith("."):
                    yield str(f)
        else:
            yield p


def clean_text(text: str) -> str:
    """Normalise line ends, drop control/zero-width/bidi characters and lone surrogates."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    text = _DROP_CHARS.sub("", text)
    return unicodedata.normalize("NFC", text)


def decode_bytes(data: bytes, name: str) -> str:
    """Decode by the documented rule, or raise :class:`UnreadableArticle`."""
    if not data.strip():
        raise UnreadableArticle(name, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", name)
    head = data[:200]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and 0 not in head[0::2][:2]:
        return _decode(data, "utf-16-le", name)
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and 0 not in head[1::2][:2]:
        return _decode(data, "utf-16-be", name)
    if b"\x00" in data:
        raise UnreadableArticle(name, "binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors=_LATIN1_FALLBACK)


def _latin1_for_undefined(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes Windows-1252 leaves undefined are read as Latin-1."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return err.object[err.start : err.end].decode("latin-1"), err.end


_LATIN1_FALLBACK = "chipkg-latin1"
codecs.register_error(_LATIN1_FALLBACK, _latin1_for_undefined)


def _decode(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        raise UnreadableArticle(name, f"invalid {codec}: {e.reason}") from e


def read_path(path: str | Path, *, max_bytes: int | None = None) -> list[ArticleInput]:
    """Read one file into one or more articles (JSON Lines may hold several).

    ``max_bytes`` defaults to :data:`MAX_BYTES`, read at call time (so it can be changed).
    """
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    name = str(path)
    p = Path(path)
    if not p.is_file():
        raise UnreadableArticle(name, "no such file")
    size = p.stat().st_size
    if size > max_bytes:
        raise UnreadableArticle(name, f"{size} bytes is over the {max_bytes}-byte limit")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UnreadableArticle(name, f"cannot read: {e.strerror}") from e
    raw = decode_bytes(data, name)
    suffix = p.suffix.lower()
    if suffix in {".html", ".htm"} or (suffix not in SUFFIXES and raw.lstrip()[:1] == "<"):
        return [_from_html(raw, name)]
    if suffix == ".json":
        return _from_records([_load_json(raw, name)], name, many=False)
    if suffix == ".jsonl":
        recs = [_load_json(line, f"{name}:{i + 1}") for i, line in enumerate(raw.splitlines())]
        return _from_records([r for r in recs if r is not None], name, many=True)
    if suffix in {".md", ".markdown"}:
        return [_from_markdown(raw, name)]
    return [_from_text(raw, name)]


def _article(name: str, text: str, meta: dict[str, str | None], fmt: str) -> ArticleInput:
    text = clean_text(text).strip("\n")
    warnings: list[str] = []
    title = (meta.get("title") or "").strip() or None
    if title:
        title = clean_text(title).strip()
    if title and not text.lstrip().startswith(title):
        text = f"{title}\n\n{text}"
    if not text.strip():
        raise UnreadableArticle(name, "no text")
    url = _check_url(meta.get("url"), warnings)
    date = None
    if meta.get("date"):
        date = parse_date(str(meta["date"]))
        if date is None:
            warnings.append(f"date {meta['date']!r} is not a date; ignored")
    if date is None:
        date = find_date_near_top(text)
    return ArticleInput(
        source=url or name,
        path=name,
        text=text,
        title=title or _first_line(text),
        date=date,
        url=url,
        publisher=meta.get("publisher"),
        author=meta.get("author"),
        fmt=fmt,
        warnings=tuple(warnings),
    )


def _check_url(value: str | None, warnings: list[str]) -> str | None:
    if not value:
        return None
    value = value.strip()
    parsed = urlparse(value)
    if parsed.scheme in {"http", "https"} and parsed.netloc and not re.search(r"[\s<>\"{}|\\^`]", value):
        return value
    warnings.append(f"URL {value!r} is not an http(s) URL; the file path is the source")
    return None


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip()
        if line and parse_date(line) is None:
            return line[:300]
    return None


def parse_text(raw: str, name: str) -> ArticleInput:
    """An article from plain text (with or without a ``Key: value`` header block)."""
    return _from_text(clean_text(raw), name)


def _from_text(raw: str, name: str) -> ArticleInput:
    lines = raw.lstrip("\ufeff").split("\n")
    meta: dict[str, str | None] = {}
    i = 0
    while i < len(lines):
        m = _HEADER_LINE.match(lines[i].strip())
        if not m or m.group(1).lower() not in HEADER_KEYS:
            break
        meta[HEADER_KEYS[m.group(1).lower()]] = m.group(2).strip()
        i += 1
    if meta and i < len(lines) and not lines[i].strip():
        body = "\n".join(lines[i + 1 :])
    else:
        meta, body = {}, raw
    return _article(name, body, meta, "txt")


_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_MD_RULES = [
    (re.compile(r"^#{1,6}\s+", re.M), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"^>\s?", re.M), ""),
]


def _from_markdown(raw: str, name: str) -> ArticleInput:
    import yaml

    meta: dict[str, str | None] = {}
    m = _FRONT.match(raw)
    if m:
        try:
            front = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as e:
            raise UnreadableArticle(name, f"bad YAML front matter: {e}") from e
        if isinstance(front, dict):
            meta = {HEADER_KEYS[k.lower()]: _s(v) for k, v in front.items() if str(k).lower() in HEADER_KEYS}
        raw = raw[m.end() :]
    for pattern, repl in _MD_RULES:
        raw = pattern.sub(repl, raw)
    return _article(name, raw, meta, "md")


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _from_html(raw: str, name: str) -> ArticleInput:
    import trafilatura

    text = trafilatura.extract(
        raw, include_comments=False, include_tables=False, include_links=False, favor_precision=True
    )
    if not text:
        raise UnreadableArticle(name, "HTML page has no main text")
    doc = trafilatura.extract_metadata(raw)
    meta: dict[str, str | None] = {}
    if doc is not None:
        meta = {
            "title": doc.title,
            "date": doc.date,
            "url": doc.url,
            "publisher": doc.sitename,
            "author": doc.author,
        }
    return _article(name, text, meta, "html")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _no_constant(value: str) -> Any:
    raise ValueError(f"{value} is not valid JSON")


def strict_json_loads(text: str) -> Any:
    """Parse JSON refusing duplicate keys and NaN/Infinity (``ValueError``).

    >>> strict_json_loads('{"a": 1}')
    {'a': 1}
    """
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def _load_json(raw: str, name: str) -> Any:
    if not raw.strip():
        return None
    depth = max_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise UnreadableArticle(name, f"JSON nested {depth} deep (limit {MAX_JSON_DEPTH})")
    try:
        return strict_json_loads(raw)
    except (ValueError, RecursionError) as e:
        raise UnreadableArticle(name, f"bad JSON: {e}") from e


def max_depth(raw: str) -> int:
    """Bracket nesting depth of a JSON text, ignoring brackets inside strings."""
    depth = best = 0
    in_str = esc = False
    for ch in raw:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def _from_records(records: list[Any], name: str, *, many: bool) -> list[ArticleInput]:
    if not many and isinstance(records[0], list):
        records = records[0]
        many = True
    out = []
    for i, rec in enumerate(records):
        where = f"{name}#{i}" if many else name
        if not isinstance(rec, dict):
            raise UnreadableArticle(where, "a JSON record must be an object")
        text = rec.get("text") or rec.get("body") or rec.get("content")
        if not isinstance(text, str) or not text.strip():
            raise UnreadableArticle(where, "record has no 'text' or 'body' string")
        meta = {HEADER_KEYS[k.lower()]: _s(v) for k, v in rec.items() if k.lower() in HEADER_KEYS}
        out.append(_article(where, text, meta, "json"))
    return out
