"""Where the project's data lives: ontology, shapes, queries, gazetteer and lexicons.

Works from a source checkout (files at the repository root) and from an installed wheel
(the same files force-included under ``kg/_ontology`` and ``kg/_queries``).

>>> ontology_dir().joinpath("chipkg.ttl").name
'chipkg.ttl'
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DATA = PACKAGE / "data"


def _first(*candidates: Path) -> Path:
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[-1]


def ontology_dir() -> Path:
    """The folder holding ``chipkg.ttl`` and ``shapes.ttl``."""
    return _first(PACKAGE / "_ontology", PACKAGE.parent / "ontology")


def queries_dir() -> Path:
    """The folder holding the question pack (``*.rq``)."""
    return _first(PACKAGE / "_queries", PACKAGE.parent / "queries")


def gazetteer_dir() -> Path:
    """The folder holding the reference gazetteer (``*.jsonl``)."""
    return DATA / "gazetteer"


def lexicon_path(name: str) -> Path:
    """The path of one lexicon file under ``kg/data/lexicons``."""
    return DATA / "lexicons" / name


def default_store_path() -> Path:
    """Where ``kg`` keeps its store when ``--store`` is not given (``$KG_STORE`` or ``./kg-data``)."""
    import os

    return Path(os.environ.get("KG_STORE", "kg-data"))
