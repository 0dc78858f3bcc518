"""What a story is made of, for comparing it with another told in other words.

A story's features are its words after French normalisation: lower case, accents
folded, the shipped stop words dropped (bot/quality/stop_words_*.txt), each word cut
to its first letters (« manifestants » and « manifestation » are one feature: the
crude stemming that survives rewording best). Names and numbers say WHICH event a
text tells (« Mossoul » against « Kirkouk », 12 dead against 40), where the common
words only say its topic; so they weigh more. A weight w is w copies of the feature,
and the MinHash of the copies estimates the weighted Jaccard similarity.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from bot.cluster.wire import split_markers
from bot.quality.lexicon import stop_words
from bot.seo.tokens import fold_accents


@dataclass(frozen=True)
class Weights:
    """How much each kind of feature counts; measured on tests/cluster/data/pairs.toml
    (bench/cluster_quality.py prints the table)."""

    word: int = 1
    name: int = 3
    number: int = 2
    stem: int = 6  # a word's first letters kept
    min_length: int = 3  # shorter words say nothing of the event


DEFAULT_WEIGHTS = Weights()

# A word with the gap before it.
_GAP_AND_TOKEN = re.compile(r"(\W*)(\w+)")
# What ends a sentence (or opens a quote) before a word: a capital there is no name.
_BREAK = re.compile(r"[.!?…:;«»\"“”\n]|^\s*$")


@dataclass(frozen=True, slots=True)
class _Word:
    """What features() needs of a word, worked out once per distinct word (a word comes back
    in story after story: the cache makes a fingerprint several times cheaper)."""

    folded: str  # lower case, accents folded
    number: str | None  # _number(), or None for a word
    capitalised: bool
    acronym: bool  # ONU, CGT: a name wherever it stands


@lru_cache(maxsize=1 << 15)  # a newsroom's vocabulary; about 200 bytes a word
def _word(token: str) -> _Word:
    return _Word(
        folded=fold_accents(token).lower(),
        number=_number(token),
        capitalised=token[:1].isupper() and not token.isdigit(),
        acronym=len(token) > 1 and token.isupper(),
    )


@lru_cache(maxsize=1 << 10)  # the gaps between words are few: " ", ", ", ". "…
def _breaks(gap: str) -> bool:
    return bool(_BREAK.search(gap))


def _tokens(text: str) -> list[tuple[_Word, bool]]:
    """Each word with whether it starts a sentence (its capital then says nothing)."""
    return [
        (_word(token), index == 0 or _breaks(gap))
        for index, (gap, token) in enumerate(_GAP_AND_TOKEN.findall(text))
    ]


def _number(token: str) -> str | None:
    """'1er' -> '1', '2026' -> '2026', '007' -> '7'; None for a word."""
    digits = "".join(ch for ch in token if ch.isdigit())
    if not digits or len(digits) < len(token) - 2:  # "covid19", "g7" stay words
        return None
    return digits.lstrip("0") or "0"


def features(title: str, text: str, weights: Weights = DEFAULT_WEIGHTS) -> Counter[str]:
    """The weighted features of a story's title (its wire markers removed) and text."""
    _, bare_title = split_markers(title)
    words = _tokens(f"{bare_title}\n{text}")
    # A word capitalised inside a sentence is a name; so is the same word where a
    # sentence starts (« Mossoul a été… »), or any acronym (ONU, CGT).
    names = {
        word.folded for word, starts in words if word.capitalised and (not starts or word.acronym)
    }
    found: Counter[str] = Counter()
    stops = stop_words()
    for word, _starts in words:
        if word.number is not None:
            found["#" + word.number] = weights.number
        elif word.folded in names:
            found["@" + word.folded] = weights.name
        elif word.folded not in stops and len(word.folded) >= weights.min_length:
            found[word.folded[: weights.stem]] = weights.word
    return found
