"""A feed item, whatever format it came in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class FeedItem:
    guid: str
    url: str
    title: str
    text: str  # plain text, paragraphs separated by blank lines
    language: str | None = None
    image_url: str | None = None
    image_credit: str | None = None
    published_at: datetime | None = None
    categories: tuple[str, ...] = ()  # the item's own <category> or <atom:category> terms
