"""Characters, words and tokens as Yoast counts them: punctuation, quotes, accents, word and
token splitting, and the Sentence that holds a sentence's tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

# --- characters --------------------------------------------------------------------------------

# Characters Yoast peels off both ends of a word before counting it (a word made only of them is
# not a word). "%", "/", "€" are deliberately absent: Yoast counts "%" as a word.
PUNCTUATION = frozenset(
    "–-()_[]’‘“”〝〞〟‟„\"'.?!:;,¿¡«»‹›—×+&<>…\\"
)
_SINGLE_QUOTES = "'‘’‛`‹›"
_DOUBLE_QUOTES = "“”〝〞〟‟„『』«»\""

SPACE_RE = re.compile(r"\s+")
_ENTITY_AMP_RE = re.compile(r"&amp")
_TOKEN_SPLIT_RE = re.compile(r"([\s\u00a0\u2013\u2014\-\[\]])")


class _KeptUnlessMark(dict[int, int | None]):
    """A str.translate table that drops combining marks and keeps every other character,
    each decided at its first sight: the lookups then stay in C, where a generator over the
    characters cost about a microsecond each (hundreds for one wire story)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_MARKS_DROPPED = _KeptUnlessMark()


def without_marks(decomposed: str) -> str:
    """`decomposed` (NFKD) without its combining marks: "e\u0301" → "e"."""
    return decomposed.translate(_MARKS_DROPPED)


def fold_accents(text: str) -> str:
    """Lower-case ASCII-ish form: accents removed, ligatures opened (é→e, œ→oe, æ→ae, ß→ss)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = text.replace("ß", "ss")
    return without_marks(unicodedata.normalize("NFKD", text))


_QUOTES_TABLE = str.maketrans(
    {**dict.fromkeys(_SINGLE_QUOTES, "'"), **dict.fromkeys(_DOUBLE_QUOTES, '"')}
)


def normalize_quotes(text: str) -> str:
    """Curly, angle and other quotes as ' and \"."""
    return text.translate(_QUOTES_TABLE)


def strip_punctuation(word: str) -> str:
    """Remove punctuation at both ends of a token, as Yoast does before counting it."""
    if "&" in word or "\\" in word:
        word = _ENTITY_AMP_RE.sub("", word, count=1).replace("\\", "")
    if word and word[0] not in PUNCTUATION and word[-1] not in PUNCTUATION:
        return word
    start, end = 0, len(word)
    while start < end and word[start] in PUNCTUATION:
        start += 1
    while end > start and word[end - 1] in PUNCTUATION:
        end -= 1
    return word[start:end]


def words(text: str) -> list[str]:
    """Yoast's words of a plain text (tags, if any, count as spaces): split on whitespace."""
    text = text.replace("—", " ")
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    return [w for w in (strip_punctuation(t) for t in text.split()) if w.strip()]


_TAG_RE = re.compile(r"<[^>]+>")


@dataclass
class Sentence:
    text: str
    tokens: list[str]

    @cached_property
    def words(self) -> list[str]:
        """Words for lengths: hyphenated words stay one word."""
        return _words_from_tokens(self.tokens, split_on_hyphens=False)

    @cached_property
    def words_split_on_hyphens(self) -> list[str]:
        """Words for the keyphrase density: "a-t-il" is three words there."""
        return _words_from_tokens(self.tokens, split_on_hyphens=True)

    @cached_property
    def matchable_tokens(self) -> list[str]:
        """Lower-case tokens with normalised quotes, for keyphrase matching."""
        return [normalize_quotes(token).lower() for token in self.tokens]


# --- tokens and words inside a sentence ----------------------------------------------------------


def tokenize(sentence: str) -> list[str]:
    """Tokens of a sentence: words, separators (spaces, dashes) and peeled punctuation marks."""
    tokens: list[str] = []
    for raw in _TOKEN_SPLIT_RE.split(sentence):
        if not raw:
            continue
        start, end = 0, len(raw)
        while start < end and raw[start] in PUNCTUATION:
            start += 1
        while end > start and raw[end - 1] in PUNCTUATION:
            end -= 1
        tokens.extend(raw[:start])
        if raw[start:end]:
            tokens.append(raw[start:end])
        tokens.extend(raw[end:])
    return tokens


def _words_from_tokens(tokens: list[str], *, split_on_hyphens: bool) -> list[str]:
    items = list(tokens)
    if not split_on_hyphens:
        while "-" in items:
            at = items.index("-")
            if at in (0, len(items) - 1):
                del items[at]
            else:
                items[at - 1 : at + 2] = [items[at - 1] + "-" + items[at + 1]]
    return [w for w in (strip_punctuation(t) for t in items) if w.strip()]
