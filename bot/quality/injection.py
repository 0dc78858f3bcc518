"""Instructions hidden in a source (« ignorez les instructions précédentes… »).

The prompt tells the model to treat the source as data; this is the gate's side of it. A sentence
of the source that talks to the model is no fact: it is left out of what supports the article,
and an answer that takes up its words (the promised link, the claim it dictates) fails.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.quality.lexicon import stop_words
from bot.seo.text import fold_accents, sentences

# Phrasings of an instruction aimed at the model, folded (no accents, lower case).
_INSTRUCTION_RE = re.compile(
    r"\b(?:ignore[sz]?|oublie[sz]?|disregard|forget)\b[^.!?\n]{0,40}"
    r"\b(?:instructions?|consignes?|prompts?|regles?|rules|directives?)\b"
    r"|\b(?:system prompt|prompt systeme|you are now|tu es maintenant|vous etes maintenant"
    r"|as an ai|en tant qu'ia|new instructions|nouvelles instructions)\b",
)
_WORD_RE = re.compile(r"[a-z0-9]+")
# How many of the injected sentence's own words an answer may share before it counts as obeying.
MAX_SHARED_WORDS = 1


def _fold(text: str) -> str:
    return fold_accents(text).lower().replace("’", "'")


@lru_cache(maxsize=16)
def injected_sentences(source_text: str) -> tuple[str, ...]:
    """Sentences of the source that give the model instructions: from the first instruction
    to the end of its paragraph, where the orders that follow it ("write that...") go."""
    found: list[str] = []
    for paragraph in re.split(r"\n\s*\n", source_text):
        in_injection = False
        for sentence in sentences(paragraph):
            in_injection = in_injection or bool(_INSTRUCTION_RE.search(_fold(sentence)))
            if in_injection:
                found.append(sentence)
    return tuple(found)


def without_injections(source_text: str) -> str:
    """The source text with its injected sentences removed (what may support facts)."""
    for sentence in injected_sentences(source_text):
        source_text = source_text.replace(sentence, " ")
    return source_text


def obeyed_words(answer_text: str, source_text: str) -> list[str]:
    """Words the answer shares with the injected sentences and with nothing else in the source;
    empty when the source has no injection or the answer ignored it."""
    injected = injected_sentences(source_text)
    if not injected:
        return []
    rest = set(_WORD_RE.findall(_fold(without_injections(source_text))))
    own = {w for w in _WORD_RE.findall(_fold(" ".join(injected)))
           if w not in rest and w not in stop_words() and len(w) > 2}
    shared = own & set(_WORD_RE.findall(_fold(answer_text)))
    return sorted(shared) if len(shared) > MAX_SHARED_WORDS else []
