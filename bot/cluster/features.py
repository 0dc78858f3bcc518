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

_TOKEN = re.compile(r"\w+")
# What ends a sentence (or opens a quote) before a word: a capital there is no name.
_BREAK = re.compile(r"[.!?…:;«»\"“”\n]|^\s*$")


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Each word with whether it starts a sentence (its capital then says nothing)."""
    out = []
    end = 0
    for match in _TOKEN.finditer(text):
        gap = text[end : match.start()]
        out.append((match.group(), not out or bool(_BREAK.search(gap))))
        end = match.end()
    return out


def _number(token: str) -> str | None:
    """'1er' -> '1', '2026' -> '2026', '007' -> '7'; None for a word."""
    digits = "".join(ch for ch in token if ch.isdigit())
    if not digits or len(digits) < len(token) - 2:  # "covid19", "g7" stay words
        return None
    return digits.lstrip("0") or "0"


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() and not token.isdigit()


def features(title: str, text: str, weights: Weights = DEFAULT_WEIGHTS) -> Counter[str]:
    """The weighted features of a story's title (its wire markers removed) and text."""
    _, bare_title = split_markers(title)
    tokens = _tokens(f"{bare_title}\n{text}")
    # A word capitalised inside a sentence is a name; so is the same word where a
    # sentence starts (« Mossoul a été… »), or any acronym (ONU, CGT).
    names = {
        fold_accents(token).lower()
        for token, starts in tokens
        if _is_capitalised(token) and (not starts or (len(token) > 1 and token.isupper()))
    }
    found: Counter[str] = Counter()
    stops = stop_words()
    for token, _starts in tokens:
        folded = fold_accents(token).lower()
        if (number := _number(token)) is not None:
            found["#" + number] = weights.number
        elif folded in names:
            found["@" + folded] = weights.name
        elif folded not in stops and len(folded) >= weights.min_length:
            found[folded[: weights.stem]] = weights.word
    return found


def expanded(weighted: Counter[str]) -> list[str]:
    """A weight w as w distinct copies, so a set-based MinHash weighs the feature w times."""
    return [f"{feature}\x00{n}" for feature, weight in weighted.items() for n in range(weight)]
