"""The post the assessments analyse, and the small number helpers they share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from bot.seo.html_views import Block, blocks, count_words, tree_words
from bot.seo.keyphrase import keyphrase_words, share_of_keyphrase_words
from bot.seo.tokens import Sentence

_LETTERS_CHECK = str.maketrans("", "", "‘’“”\"'.?!:;,¿¡«»&*@#±^%|~`[](){}⟨⟩<>/\\–-—×+ \t\n\r\u00a0")


@dataclass
class Post:
    """What is analysed, with the few derived facts several assessments share."""

    body_html: str
    keyphrase: str
    title: str
    seo_title: str
    meta_description: str
    slug: str
    site_url: str | None = None

    def __post_init__(self) -> None:
        # Yoast ignores a keyphrase made only of punctuation and spaces.
        if not self.keyphrase.translate(_LETTERS_CHECK):
            self.keyphrase = ""

    @property
    def has_keyphrase(self) -> bool:
        return bool(self.keyphrase)

    @property
    def has_text(self) -> bool:
        return self.body_html != ""

    @cached_property
    def keyphrase_words(self) -> list[str]:
        return keyphrase_words(self.keyphrase) if self.keyphrase else []

    @cached_property
    def blocks(self) -> tuple[Block, ...]:
        return blocks(self.body_html)

    @cached_property
    def sentences(self) -> list[Sentence]:
        return [s for b in self.blocks for s in b.sentences]

    @cached_property
    def word_count(self) -> int:
        return count_words(self.body_html)

    @cached_property
    def tree_word_count(self) -> int:
        return len(tree_words(self.body_html))

    @cached_property
    def permalink(self) -> str:
        if not self.site_url:
            return ""
        return f"{self.site_url.rstrip('/')}/{self.slug}/"

    def share_found(self, text: str) -> int:
        """Percentage of the keyphrase's words present in a string (Yoast's word match)."""
        return share_of_keyphrase_words(text, self.keyphrase) if self.keyphrase else 0


def js_round(value: float) -> int:
    """Math.round: halves go up (Python's round() goes to the even neighbour)."""
    return math.floor(value + 0.5)


def format_percentage(value: float) -> float:
    """Yoast's formatNumber: whole numbers stay whole, others get one decimal."""
    return float(js_round(value)) if js_round(value) == value else js_round(value * 10) / 10


def french_number(value: float) -> str:
    """A number the French way: 2,5 rather than 2.5."""
    return f"{value:g}".replace(".", ",")
