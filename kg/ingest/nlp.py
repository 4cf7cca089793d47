"""The spaCy base: a blank English tokenizer with offsets, and token helpers.

No statistical model is loaded: tokens and offsets come from spaCy's rule-based tokenizer,
with one extra suffix rule so that "6000D." splits off its full stop.

>>> nlp = make_nlp()
>>> [t.text for t in nlp("Nvidia's RTX Pro 6000D.")]
['Nvidia', "'s", 'RTX', 'Pro', '6000D', '.']
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.util import compile_suffix_regex


@lru_cache(maxsize=1)
def make_nlp() -> Language:
    """A blank English pipeline whose tokenizer splits a final dot after a model number."""
    nlp = spacy.blank("en")
    suffixes = [*(nlp.Defaults.suffixes or []), r"(?<=[0-9][A-Za-z])\.", r"(?<=[0-9])\.$"]
    tokenizer: Any = nlp.tokenizer
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return nlp
