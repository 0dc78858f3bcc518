"""What the store works out from an item alone, before it reads the database: its dedup
keys (bot.store.dedup) and its cluster fingerprint (bot.cluster).

Both depend on the item's fields only, so a poll of many feeds works them out in its
parsing processes (bot.feeds.processes runs `digest_all` after the parse), on the core the
storing thread does not use, and they come back with the items (`FeedItem.digest`): the
fingerprint alone is about a quarter of the storing thread's time an item (issue 10).
An item parsed in the polling thread has none: `keys` and `fingerprint` work them out
there, the fingerprint only for an item that needs one (a new story).
"""

from __future__ import annotations

from bot import cluster
from bot.feeds.item import FeedItem, ItemDigest
from bot.feeds.parse import ParsedFeed
from bot.store.dedup import Key, item_keys


def digest_all(parsed: ParsedFeed) -> None:
    """Give every item of a parsed feed its digest (in a parsing process)."""
    for item in parsed.items:
        found = cluster.fingerprint(item.title, item.text)
        signature = found.to_bytes() if found is not None else None
        item.digest = ItemDigest(tuple(item_keys(item)), signature)


def keys(item: FeedItem) -> list[Key]:
    return list(item.digest.keys) if item.digest is not None else item_keys(item)


def fingerprint(item: FeedItem) -> cluster.Fingerprint | None:
    if item.digest is None:
        return cluster.fingerprint(item.title, item.text)
    signature = item.digest.signature
    return cluster.Fingerprint.from_bytes(signature) if signature is not None else None
