"""The language of every block of the answer, detected (lingua), never assumed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lingua itself is imported by the first detection (see detector())
    from lingua import LanguageDetector

# A handful of candidates, by ISO 639-1 code: the languages sources come in and models slip
# into. Fewer candidates make lingua both faster and surer, and lighter: it holds the models
# of these languages only.
CANDIDATES = {
    "fr": "français",
    "en": "anglais",
    "es": "espagnol",
    "de": "allemand",
    "it": "italien",
    "pt": "portugais",
    "ar": "arabe",
}

# Below this many words, statistics mislead ("Smartphone : le marketing digital booste le
# business" reads as English): a short text is French when lingua says so or when it holds a
# French function word that English does not have.
SHORT_TEXT_WORDS = 8
_FRENCH_MARKERS = frozenset({
    "le", "la", "les", "des", "du", "une", "et", "pour", "sur", "dans", "au", "aux", "est",
    "sont", "avec", "par", "qui", "que", "ses", "son", "leur", "où", "à", "ce", "cette", "ces",
    "nous", "vous", "ils", "elles", "mais", "selon", "entre", "après", "chez",
})
_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class ForeignBlock:
    where: str  # "titre", "paragraphe 3"...
    language: str  # French name of the detected language
    words: int
    excerpt: str


def target_name(target: str) -> str:
    """The French name of a target language code: "fr" → "français"."""
    return CANDIDATES[target]


@cache
def detector() -> LanguageDetector:
    """Built on the first detection: importing lingua takes time and its models much
    memory, which `depeche status` and the feeds must not pay for. The models are not
    preloaded: lingua loads those a text needs (a text in Arabic script needs only Arabic's)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(IsoCode639_1.from_str(c)) for c in CANDIDATES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect(text: str, target: str = "fr") -> str | None:
    """The French name of the language of `text` when it is not the target, else None."""
    words = _WORD_RE.findall(text)
    if not words:
        return None
    found = detector().detect_language_of(text)
    code = found.iso_code_639_1.name.lower() if found else target
    if code == target:
        return None
    if len(words) < SHORT_TEXT_WORDS and any(w.lower() in _FRENCH_MARKERS for w in words):
        return None
    return CANDIDATES[code]


def foreign_blocks(blocks: list[tuple[str, str]], target: str = "fr") -> list[ForeignBlock]:
    """The (where, text) blocks that are not in the target language."""
    found = []
    for where, text in blocks:
        language = detect(text, target)
        if language:
            excerpt = text if len(text) <= 60 else text[:57].rstrip() + "…"
            found.append(ForeignBlock(where, language, len(_WORD_RE.findall(text)), excerpt))
    return found
