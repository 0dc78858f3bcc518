"""French passive voice and transition words, the language-specific parts of readability.

The passive check follows the shape of Yoast's periphrastic check: a sentence is cut into clauses
at forms of "être", conjunctions and commas; a clause that starts with a form of "être" and holds
a past participle (a word in -é/-ée/-és/-ées, or an irregular one such as "pris", "écrite") is
passive, unless the participle is a known noun or adjective, follows a determiner, or is
separated from "être" by a form of "avoir".
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.seo.french import (
    CANNOT_BE_BETWEEN_AUXILIARY_AND_PARTICIPLE,
    CANNOT_PRECEDE_PASSIVE_PARTICIPLE,
    CLAUSE_BREAKERS,
    ELISIONS_BEFORE_AUXILIARY,
    NOT_AFTER_AUXILIARY,
    NOT_PASSIVE_PARTICIPLES,
    PASSIVE_AUXILIARIES,
    PASSIVE_PARTICIPLES_IRREGULAR,
    REFLEXIVE_BEFORE_AUXILIARY,
    TRANSITION_WORDS,
    TWO_PART_TRANSITION_WORDS,
)
from bot.seo.tokens import Sentence, normalize_quotes, words

# Characters that end a word when looking for auxiliaries and clause breakers.
_BOUNDARY = r"[\s.,'()\"+\-;!?:/»«‹›<>”“〝〞〟‟„]"
_NOT_BOUNDARY = "[^" + _BOUNDARY[1:]


def _word_list_regex(items: frozenset[str]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))
    return re.compile(rf"(?<!{_NOT_BOUNDARY})(?:{alternation})(?={_BOUNDARY}|$)")


_AUXILIARY_RE = _word_list_regex(PASSIVE_AUXILIARIES)
_BREAKER_RE = _word_list_regex(CLAUSE_BREAKERS)
_COMMA_RE = re.compile(r",(?=[ \n\r\t'\"+\-»«‹›<>])")
_REGULAR_PARTICIPLE_RE = re.compile(r"^\S+(?:é|ée|és|ées)$")


def _ends_with_word(text: str, word: str) -> bool:
    """Whether text ends with word as a whole word ("fête " does not end with "te ")."""
    if not text.endswith(word):
        return False
    rest = text[: -len(word)]
    return not rest or not rest[-1].isalnum()


def _is_excluded_auxiliary(sentence: str, start: int, end: int) -> bool:
    before = sentence[:start]
    if any(_ends_with_word(before, e) for e in ELISIONS_BEFORE_AUXILIARY):
        return True
    if any(_ends_with_word(before, r + " ") for r in REFLEXIVE_BEFORE_AUXILIARY):
        return True
    following = sentence[end:].split(maxsplit=1)
    return bool(following) and following[0].strip(",.;:!?") in NOT_AFTER_AUXILIARY


def _auxiliary_spans(sentence: str) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end())
        for m in _AUXILIARY_RE.finditer(sentence)
        if not _is_excluded_auxiliary(sentence, m.start(), m.end())
    ]


def _clauses(sentence: str) -> list[str]:
    """Clauses that open with a form of "être" (the only ones that can be passive)."""
    auxiliaries = _auxiliary_spans(sentence)
    if not auxiliaries:
        return []
    starts = {start for start, _ in auxiliaries}
    cuts = sorted(
        starts
        | {m.start() for m in _BREAKER_RE.finditer(sentence)}
        | {m.start() for m in _COMMA_RE.finditer(sentence)}
    )
    clauses = []
    for index, start in enumerate(cuts):
        if start in starts:
            end = cuts[index + 1] if index + 1 < len(cuts) else len(sentence)
            clauses.append(sentence[start:end].strip())
    return clauses


def _is_participle(word: str) -> bool:
    return bool(_REGULAR_PARTICIPLE_RE.match(word)) or word in PASSIVE_PARTICIPLES_IRREGULAR


def _is_known_non_participle(word: str) -> bool:
    if word in NOT_PASSIVE_PARTICIPLES:
        return True
    for suffix in ("es", "s", "e"):
        if word.endswith(suffix) and word[: -len(suffix)] in NOT_PASSIVE_PARTICIPLES:
            return True
    return False


def _clause_is_passive(clause: str) -> bool:
    clause_words = [w.lower() for w in words(clause)]
    for position, word in enumerate(clause_words):
        if position == 0 or not _is_participle(word):
            continue
        if word.startswith(("l'", "d'")) or _is_known_non_participle(word):
            continue
        if clause_words[position - 1] in CANNOT_PRECEDE_PASSIVE_PARTICIPLE:
            continue
        if any(w in CANNOT_BE_BETWEEN_AUXILIARY_AND_PARTICIPLE for w in clause_words[:position]):
            continue
        return True
    return False


@lru_cache(maxsize=4096)
def is_passive(sentence: str) -> bool:
    """Whether a French sentence holds a passive construction ("être" + past participle)."""
    text = normalize_quotes(sentence.lower())
    return any(_clause_is_passive(clause) for clause in _clauses(text))


def _split_phrases(items: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(item.split(" ")) for item in items)


_TRANSITION_PHRASES = _split_phrases(TRANSITION_WORDS)
_TWO_PART_PHRASES = tuple(
    (tuple(first.split(" ")), tuple(second.split(" ")))
    for first, second in TWO_PART_TRANSITION_WORDS
)


def _contains_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    first = phrase[0]
    return any(
        tokens[i] == first and tuple(tokens[i : i + size]) == phrase
        for i in range(len(tokens) - size + 1)
    )


def has_transition(sentence: Sentence) -> bool:
    """Whether a sentence holds a transition word or phrase (matched on its tokens)."""
    tokens = [t.lower() for t in sentence.tokens if t != " "]
    token_set = set(tokens)
    for first, second in _TWO_PART_PHRASES:
        if (
            first[0] in token_set
            and second[0] in token_set
            and _contains_phrase(tokens, first)
            and _contains_phrase(tokens, second)
        ):
            return True
    return any(
        phrase[0] in token_set and _contains_phrase(tokens, phrase)
        for phrase in _TRANSITION_PHRASES
    )
