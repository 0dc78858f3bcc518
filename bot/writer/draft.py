"""The draft: what the writer produces and every later stage reads."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

# The keys the model must answer with, in this order (issue: "exactly these keys").
DRAFT_KEYS = (
    "title",
    "seo_title",
    "meta_description",
    "focus_keyphrase",
    "slug",
    "excerpt",
    "body_html",
    "tags",
    "category",
)


@dataclass
class Draft:
    title: str
    seo_title: str
    meta_description: str
    focus_keyphrase: str
    slug: str
    excerpt: str
    body_html: str
    tags: list[str] = field(default_factory=list)
    category: str = ""
    # Who wrote it: the model name, or "offline" when the source was packaged as is.
    writer: str = "offline"
    rewritten: bool = True
    language: str = "fr"
    # Problems an editor should know about (flagged facts, a failed image...).
    warnings: list[str] = field(default_factory=list)
    # The gate's rules that failed as warnings on the published answer (`depeche status`).
    warning_rules: list[str] = field(default_factory=list)
    # The Yoast-grade report of bot.seo, as a plain dict, once analysed.
    seo: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class SourceArticle:
    """The story as the source told it: what the writer rewrites and the gate checks against."""

    title: str
    text: str  # plain text, paragraphs separated by blank lines
    url: str = ""
    source_name: str = ""  # the feed's or wire's name, for the credit
    language: str | None = None  # the feed's declared language, if any
    categories: tuple[str, ...] = ()  # the feed's own categories for this item


def plain_text_paragraphs(text: str) -> str:
    """A plain text file in SourceArticle's form (paragraphs between blank lines). With
    blank lines, they separate paragraphs and a paragraph's lines are joined (a text
    wrapped at 72 columns); without any, each line is a paragraph."""
    lines = text.strip().splitlines()
    if any(not line.strip() for line in lines):
        blocks = re.split(r"\n\s*\n", "\n".join(lines))
        paragraphs = [" ".join(line.strip() for line in block.splitlines()) for block in blocks]
    else:
        paragraphs = lines
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())
