"""spaCy's small French model, loaded once per set of components.

Loading takes about a second; each stage asks only for the components it
runs (names need the entity recogniser, key phrases the part-of-speech
tagger), which keeps every call fast.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

MODEL = "fr_core_news_sm"
COMPONENTS = (
    "tok2vec",
    "morphologizer",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
    "ner",
)


@cache
def french(*keep: str) -> Any:
    """The model with only `keep` enabled (tok2vec always stays: the others read it)."""
    import spacy

    log.debug("loading spaCy %s with %s", MODEL, ", ".join(keep))
    return spacy.load(MODEL, disable=[c for c in COMPONENTS if c not in {"tok2vec", *keep}])
