"""Text primitives: HTML to text (its named views), words, sentences, keyphrase matching.

This is the module other packages import from. The primitives live in bot.seo.tokens
(characters, words, tokens), bot.seo.sentence_split (sentences), bot.seo.html_views (every
view of an HTML body as text: the reader's, Yoast's string and tree views) and
bot.seo.keyphrase (keyphrase matching and density); the title width is here.

The behaviour was measured against the library; the implementation and the French data are ours.
"""

from __future__ import annotations

import unicodedata

# parse_body and blocks are re-exported for the benchmarks, which clear their caches through here.
from bot.seo.html_views import (
    blocks,
    count_words,
    paragraphs,
    parse_body,
    quotations,
    reader_text,
    sections,
    subheadings,
    tree_view_text,
)
from bot.seo.keyphrase import (
    keyphrase_count,
    keyphrase_density,
    raw_keyphrase_density,
    share_of_keyphrase_words,
)
from bot.seo.sentence_split import sentences
from bot.seo.tokens import fold_accents, words

__all__ = [
    "blocks",
    "count_words",
    "fold_accents",
    "keyphrase_count",
    "keyphrase_density",
    "paragraphs",
    "parse_body",
    "quotations",
    "raw_keyphrase_density",
    "reader_text",
    "sections",
    "sentences",
    "share_of_keyphrase_words",
    "subheadings",
    "title_width_px",
    "tree_view_text",
    "words",
]


# --- title width ---------------------------------------------------------------------------------

# Advance widths of Arial (metric-compatible with Helvetica), in thousandths of an em.
_ARIAL_WIDTHS: dict[str, int] = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333,
    ")": 333, "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278,
    "<": 584, "=": 584, ">": 584, "?": 556, "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469,
    "_": 556, "`": 333, "{": 334, "|": 260, "}": 334, "~": 584,
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722, "I": 278,
    "J": 500, "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778, "R": 722,
    "S": 667, "T": 611, "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222,
    "j": 222, "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333,
    "s": 500, "t": 278, "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 500,
    "\u00a0": 278, "\u202f": 278, "«": 556, "»": 556, "‹": 333, "›": 333, "–": 556, "—": 1000,
    "‘": 222, "’": 222, "‚": 222, "“": 333, "”": 333, "„": 333, "…": 1000, "€": 556, "°": 400,
    "œ": 944, "Œ": 1000, "æ": 889, "Æ": 1000, "ß": 611, "·": 278, "×": 584, "§": 556,
}
_DIGIT_WIDTH = 556
_DEFAULT_WIDTH = 556


def _char_width(ch: str) -> int:
    if ch in _ARIAL_WIDTHS:
        return _ARIAL_WIDTHS[ch]
    if ch.isdigit():
        return _DIGIT_WIDTH
    base = unicodedata.normalize("NFD", ch)[:1]  # é, Ç, ô... are as wide as their base letter
    return _ARIAL_WIDTHS.get(base, _DEFAULT_WIDTH)


def title_width_px(title: str) -> float:
    """Rendered width of a title in Arial 20 px (Google's desktop result title)."""
    return sum(_char_width(ch) for ch in title) * 20 / 1000


def enumeration(items: list[str]) -> str:
    """Items as French lists them: « a », « a et b », « a, b et c »."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"
