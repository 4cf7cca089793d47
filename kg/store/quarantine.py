"""The quarantine area: articles whose graph failed SHACL, kept with their report.

Each article gets a folder ``<store>/quarantine/<key>/`` with ``graph.ttl`` (what would have
been stored), ``report.txt`` (the SHACL report) and ``meta.json`` (source, title, time).

>>> import tempfile
>>> q = Quarantine(tempfile.mkdtemp())
>>> q.list()
[]
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.ingest.reader import ArticleInput


@dataclass(frozen=True)
class Quarantine:
    """A folder of quarantined articles."""

    folder: str | Path

    @property
    def root(self) -> Path:
        """The quarantine folder."""
        return Path(self.folder)

    def put(self, article: ArticleInput, graph: Graph, report: str) -> Path:
        """Keep an article's graph and its validation report."""
        where = self.root / article.key
        tmp = self.root / f".{article.key}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        graph.serialize(tmp / "graph.ttl", format="turtle")
        (tmp / "report.txt").write_text(report, encoding="utf-8")
        meta = {
            "source": article.source,
            "title": article.title,
            "key": article.key,
            "quarantined": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        shutil.rmtree(where, ignore_errors=True)
        tmp.rename(where)
        return where

    def remove(self, key: str) -> None:
        """Forget a quarantined article (it was stored after all)."""
        shutil.rmtree(self.root / key, ignore_errors=True)

    def list(self) -> list[dict[str, Any]]:
        """Every quarantined article's metadata, with the path of its report."""
        if not self.root.is_dir():
            return []
        out = []
        for meta in sorted(self.root.glob("*/meta.json")):
            data = json.loads(meta.read_text(encoding="utf-8"))
            data["report"] = str(meta.parent / "report.txt")
            out.append(data)
        return out
