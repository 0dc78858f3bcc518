"""Word filters: include, exclude, categories, languages, min_words.

Words and phrases match whole words, whatever the case and accents (« Élysée »
matches « elysee »); a value written /.../ is a regular expression, tried on the
text as written and on its folded form. Each list is compiled once into one
pattern, so an item costs a few regex scans whatever the length of the lists.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache

from bot.config.select import compile_regex
from bot.quality.language import language_of


@cache
def _fold_table() -> dict[int, str]:
    """Accented Latin letters to their base letters, for str.translate (fast, in C)."""
    table = {}
    for code in range(0x00C0, 0x0250):
        base = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)
        )
        if base and base != chr(code):
            table[code] = base
    table.update({ord("œ"): "oe", ord("æ"): "ae", ord("’"): "'"})
    return table


def fold(text: str) -> str:
    """Lower case, no accents: what words are compared on."""
    return text.casefold().translate(_fold_table())


def _word_pattern(term: str) -> str:
    words = fold(term).split()
    return r"\s+".join(re.escape(word) for word in words)


class Matcher:
    """One list of words, phrases and /regexes/: which value of the list a text matches."""

    def __init__(self, values: Iterable[str], key: str):
        self.values = [str(v) for v in values if str(v).strip()]
        words, self._regexes = [], []
        for index, value in enumerate(self.values):
            if pattern := compile_regex(value, key):
                self._regexes.append((value, pattern))
            else:
                words.append(f"(?P<w{index}>{_word_pattern(value)})")
        # (?<!\w) and (?!\w) rather than \b: a phrase may start or end with a non-word
        # character (« C’dans l’air », « 49.3 »).
        self._words = re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)") if words else None

    def __bool__(self) -> bool:
        return bool(self.values)

    def first(self, text: str, folded: str) -> str | None:
        """The first value of the list that `text` matches (`folded` is fold(text))."""
        if self._words and (found := self._words.search(folded)):
            return self.values[int((found.lastgroup or "w0")[1:])]
        for value, pattern in self._regexes:
            if pattern.search(text) or pattern.search(folded):
                return value
        return None


def words_in(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class Candidate:
    """What the filters read of an item or a stored story."""

    title: str
    text: str
    categories: tuple[str, ...]
    language: str | None  # as the feed gave it, if it did


class Filters:
    """A feed's compiled filters: the global lists with the feed's own added."""

    def __init__(
        self,
        *,
        include: Iterable[str],
        exclude: Iterable[str],
        categories: Iterable[str],
        languages: Iterable[str],
        key: str,
    ):
        self.include = Matcher(include, f"{key}.include")
        self.exclude = Matcher(exclude, f"{key}.exclude")
        self.categories = Matcher(categories, f"{key}.categories")
        self.languages = frozenset(_primary(lang) for lang in languages)

    def reason(self, item: Candidate) -> str | None:
        """Why this item is turned away, or None when it passes."""
        if self.categories:
            joined = "\n".join(item.categories)
            if not self.categories.first(joined, fold(joined)):
                shown = ", ".join(item.categories) or "none"
                return f"categories: {shown} not wanted"
        if self.include or self.exclude:
            text = "\n".join((item.title, item.text, *item.categories))
            folded = fold(text)
            if found := self.exclude.first(text, folded):
                return f"exclude: {found}"
            if self.include and not self.include.first(text, folded):
                return "include: no word matched"
        if self.languages:
            language = (
                _primary(item.language) if item.language
                else detect_language(item, self.languages)
            )
            if language and language not in self.languages:
                return f"language: {language}"
        return None


def _primary(tag: str) -> str:
    """'fr-CA' -> 'fr'."""
    return tag.strip().lower().replace("_", "-").split("-")[0]


def detect_language(item: Candidate, wanted: Collection[str]) -> str | None:
    """The item's language when the feed did not say: lingua, on the title and the text."""
    return language_of(f"{item.title}\n{item.text[:2000]}", wanted)
