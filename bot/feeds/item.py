"""A feed item, whatever format it came in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ItemDigest:
    """What the store works out from an item alone, when a parsing process worked it out
    (bot.store.digest): plain values, so that they travel with the item."""

    keys: tuple[tuple[str, str], ...]  # its dedup keys, (kind, value), the GUID's first
    signature: bytes | None  # its cluster fingerprint's; None: too few words to join


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
    # The store's keys and fingerprint of this item, when a parsing process worked them
    # out (bot.store.digest); None otherwise.
    digest: ItemDigest | None = field(default=None, compare=False, repr=False)
