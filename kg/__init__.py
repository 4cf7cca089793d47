"""chipkg: news about US export controls and China's AI chips, as a knowledge graph with evidence.

>>> from kg import __version__
>>> __version__
'0.1.0'
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["KnowledgeGraph", "__version__"]


def __getattr__(name: str) -> object:
    if name == "KnowledgeGraph":
        from kg.api import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(name)
