"""The language of every block of the answer, detected (lingua), never assumed."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.nlp import loaded_once

if TYPE_CHECKING:  # lingua itself is imported by the first detection (see _suspects())
    from lingua import Language, LanguageDetector

# A handful of candidates, by ISO 639-1 code: the languages sources come in and models slip
# into. Fewer candidates make lingua both faster and surer, and lighter: it holds the models
# of these languages only (and the high-accuracy ones of the judge's alone: language_of()).
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


# The cheap detector's share of the likelihood above which its suspect stands unjudged. On
# the foreign blocks of bench/language.py it gives 1.00; the French blocks it takes for
# foreign ("Un investissement de 450 000 euros" for Italian) get 0.49 to 0.95.
SURE = 0.99
# The high-accuracy judge of a suspect it is not sure of knows the expected languages and
# English (French when English is expected): the language models slip into and most foreign
# sources come in. Its models are the only high-accuracy ones ever loaded: lingua stays at
# about 100 MB whatever the text, where those of every candidate took 161 to 178 MB.
JUDGE_ALSO = ("en", "fr")


@loaded_once
def _suspects() -> LanguageDetector:
    """Every candidate in lingua's low-accuracy mode (trigram models only, 16 MB): it
    finds and names every foreign block of bench/language.py, but takes a few short French
    ones for foreign, which _judge() clears. Built on the first detection: importing
    lingua takes time, which `depeche status` and the feeds must not pay for."""
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(*_languages(CANDIDATES))
    return builder.with_low_accuracy_mode().build()


@loaded_once
def _judge(codes: frozenset[str]) -> LanguageDetector:
    """The high-accuracy models (1- to 5-grams) of these few languages only."""
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*_languages(sorted(codes))).build()


# A short French sentence: below 120 characters lingua runs every n-gram model, so
# detecting it loads all that any later text of these languages may use.
_SAMPLE = "Le conseil municipal a voté le budget de l'année prochaine."


def load(target: str) -> None:
    """Load now what the first detections of `target` text load (lingua builds its models
    on the first text it reads): the cheap detector's and its judge's, for a writer to do
    while it waits for the model (bot.quality.load_models). Building the judge's holds the
    GIL for 0.4 s: the process's other threads wait meanwhile, as they did when the first
    check built them."""
    _suspects().compute_language_confidence_values(_SAMPLE)
    _judge(_judges({target})).detect_language_of(_SAMPLE)


def _languages(codes: Iterable[str]) -> list[Language]:
    from lingua import IsoCode639_1, Language

    return [Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in codes]


def _code(found: Language | None) -> str | None:
    return found.iso_code_639_1.name.lower() if found else None


def language_of(text: str, expected: Collection[str]) -> str | None:
    """The ISO 639-1 code of the language of `text` among CANDIDATES (None when lingua
    cannot tell). The cheap detector's answer stands when it is one of the `expected`
    languages, or when it is sure of it. A suspect it is not sure of is cleared when the
    high-accuracy judge of the expected languages and English finds one of the expected;
    else it stands (bench/language.py: as quiet on French and as sure on foreign text as
    the high-accuracy models of every candidate)."""
    ranked = _suspects().compute_language_confidence_values(text)
    if not ranked or ranked[0].value == 0:
        return None
    suspect = _code(ranked[0].language)
    judged = {code for code in expected if code in CANDIDATES}
    if suspect in expected or ranked[0].value >= SURE or not judged:
        return suspect
    verdict = _code(_judge(_judges(judged)).detect_language_of(text))
    return verdict if verdict in judged else suspect


def _judges(expected: set[str]) -> frozenset[str]:
    """The expected languages and the first of JUDGE_ALSO not among them."""
    also = [code for code in JUDGE_ALSO if code not in expected][:1]
    return frozenset({*expected, *also})


def detect(text: str, target: str = "fr") -> str | None:
    """The French name of the language of `text` when it is not the target, else None."""
    words = _WORD_RE.findall(text)
    if not words:
        return None
    code = language_of(text, {target}) or target
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
