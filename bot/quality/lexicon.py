"""Word lists the gate shares: French and English stop words, shipped beside this module
(spaCy's own lists, copied so that reading them loads no model)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.seo.text import fold_accents

_HERE = Path(__file__).parent


@cache
def stop_word_list(language: str) -> frozenset[str]:
    """The stop words of `language` ("fr" or "en") as written, accents and all."""
    lines = (_HERE / f"stop_words_{language}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def stop_words() -> frozenset[str]:
    """French and English stop words, folded: the words that say nothing of a text's subject
    (English too, since a source or a slipping model may be in English)."""
    return frozenset(
        fold_accents(w).lower() for w in stop_word_list("fr") | stop_word_list("en")
    )
