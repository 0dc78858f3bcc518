"""Keyphrase matching: the keyphrase's words, their occurrences, the density, the share found."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.seo.french import FUNCTION_WORDS
from bot.seo.html_views import blocks, tree_words
from bot.seo.sentence_split import sentences
from bot.seo.tokens import (
    SPACE_RE,
    Sentence,
    fold_accents,
    normalize_quotes,
    tokenize,
    words,
)

_APOSTROPHES = "'‘’‛`"
# Boundaries around a keyphrase word (hyphen and slash included, apostrophe only before the word).
_BOUNDARY_CHARS = " \u00a0\u2014\n\r\t.,()”“〝〞〟‟„\"+\\-;!¡?¿:/»«‹›<>"


def keyphrase_words(keyphrase: str) -> list[str]:
    """The words of a keyphrase that must be found: function words dropped if others remain."""
    all_words = [w.lower() for w in words(keyphrase.replace("’", "'").strip())]
    content = [w for w in all_words if w not in FUNCTION_WORDS]
    return content or all_words


def _boundary_class() -> str:
    return "[" + re.escape(_BOUNDARY_CHARS) + "]"


_B = _boundary_class()
_A = "[" + re.escape(_APOSTROPHES) + "]"


@lru_cache(maxsize=256)
def word_regex(word: str) -> re.Pattern[str]:
    """A keyphrase word between word boundaries, its accent-folded spelling accepted too."""
    spellings = {re.escape(word), re.escape(fold_accents(word))}
    body = "|".join(sorted(spellings))
    return re.compile(
        rf"(?:^|{_B}|{_A})(?:{body})(?:$|{_B}|{_A}{_B})",
        re.IGNORECASE,
    )


def _count_in_sentence(sentence: Sentence, kwords: list[str]) -> int:
    counts = []
    for word in kwords:
        word = normalize_quotes(word)
        spellings = {word, fold_accents(word)}
        pattern = word_regex(word)
        counts.append(
            sum(
                1
                for token in sentence.matchable_tokens
                # the substring test is a cheap filter before the boundary-aware regex
                if any(s in token for s in spellings) and pattern.search(token)
            )
        )
        if not counts[-1]:
            return 0
    return min(counts) if counts else 0


def _count_in_sentences(found: list[Sentence], keyphrase: str) -> int:
    kwords = keyphrase_words(keyphrase)
    if not kwords:
        return 0
    return sum(_count_in_sentence(s, kwords) for s in found)


def keyphrase_count(text: str, keyphrase: str) -> int:
    """Occurrences of the keyphrase in a plain text, per sentence, exact word forms, any order:
    a sentence counts as many times as its rarest keyphrase word appears in it."""
    found = [Sentence(s, tokenize(s)) for s in sentences(text)]
    return _count_in_sentences(found, keyphrase)


def body_keyphrase_count(body_html: str, keyphrase: str) -> int:
    """keyphrase_count over the sentences of the body's tree view."""
    found = [s for b in blocks(body_html) for s in b.sentences]
    return _count_in_sentences(found, keyphrase)


def raw_keyphrase_density(body_html: str, keyphrase: str) -> float:
    """Keyphrase occurrences per 100 words of the body (hyphenated parts count as words)."""
    total = len(tree_words(body_html))
    if not total:
        return 0.0
    return body_keyphrase_count(body_html, keyphrase) / total * 100


def keyphrase_length_factor(keyphrase: str) -> float:
    """Yoast weighs the density by the keyphrase's length: 0.7 + content words / 3."""
    return 0.7 + len(keyphrase_words(keyphrase)) / 3


def keyphrase_density(body_html: str, keyphrase: str) -> float:
    """The percentage the density assessment compares with its 0.5-3 % band: the raw density
    weighted by the keyphrase length factor (one word: 1.03 x, two words: 1.37 x)."""
    return raw_keyphrase_density(body_html, keyphrase) * keyphrase_length_factor(keyphrase)


def share_of_keyphrase_words(text: str, keyphrase: str, *, hyphens_split: bool = False) -> int:
    """Percentage (rounded) of the keyphrase's words found anywhere in a string."""
    kwords = keyphrase_words(keyphrase.replace("-", " ") if hyphens_split else keyphrase)
    if not kwords:
        return 0
    text = normalize_quotes(SPACE_RE.sub(" ", text))
    found = sum(1 for w in kwords if word_regex(normalize_quotes(w)).search(text))
    return round(found / len(kwords) * 100)
