"""Word lists the gate shares, built from spaCy's own (no list of ours to maintain)."""

from __future__ import annotations

from functools import cache

from bot.seo.text import fold_accents


@cache
def stop_words() -> frozenset[str]:
    """French and English stop words, folded: the words that say nothing of a text's subject
    (English too, since a source or a slipping model may be in English)."""
    from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH
    from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH

    return frozenset(fold_accents(w).lower() for w in FRENCH | ENGLISH)
