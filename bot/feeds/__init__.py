"""Feeds stage: fetch a feed (conditional GET) and parse it into FeedItems.

Entry point: ``poll(url, etag=..., last_modified=..., limits=...)``; its ``parse`` lets
a caller read the document elsewhere (bot.feeds.processes: in other processes, when many
feeds are polled at once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import FeedError
from bot.feeds.item import FeedItem
from bot.feeds.parse import ParsedFeed, parse_feed
from bot.net.http import FetchError, FetchUnavailable, Limits, fetch
from bot.net.transport import SharedClient

if TYPE_CHECKING:
    from bot.feeds.processes import Parser

__all__ = ["FeedItem", "PollResult", "poll"]

_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)")


@dataclass
class PollResult:
    not_modified: bool
    title: str = ""
    language: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    # Hints from the server and the feed about when to come back, in seconds.
    max_age: int | None = None
    ttl: int | None = None
    warnings: list[str] = field(default_factory=list)


def poll(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: Limits | None = None,
    shared: SharedClient | None = None,
    parse: Parser = parse_feed,
) -> PollResult:
    """Fetch (through `shared` when given) and parse one feed. Raises FeedError with
    the reason on any failure."""
    limits = limits or Limits()
    if not url.startswith(("http://", "https://")):
        return _from_parsed(_read_local(url, limits), etag=None, last_modified=None)
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
        "application/json;q=0.9, application/xml;q=0.9, */*;q=0.5"
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        response = fetch(url, limits=limits, headers=headers, shared=shared)
    except FetchUnavailable as error:
        raise FeedError(error.reason, retry_after=error.retry_after) from None
    except FetchError as error:
        raise FeedError(error.reason) from None
    max_age = _max_age(response.headers.get("cache-control", ""))
    if response.status == 304:
        return PollResult(
            not_modified=True, etag=etag, last_modified=last_modified, max_age=max_age
        )
    parsed = parse(
        response.content,
        content_type=response.headers.get("content-type", ""),
        base_url=response.url,
    )
    result = _from_parsed(
        parsed,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )
    result.max_age = max_age
    return result


def _read_local(path: str, limits: Limits) -> ParsedFeed:
    file = Path(path.removeprefix("file://")).expanduser()
    try:
        if file.stat().st_size > limits.max_bytes:
            raise FeedError(f"{file} is larger than {limits.max_bytes} bytes")
        content = file.read_bytes()
    except OSError as error:
        raise FeedError(f"cannot read {file}: {error.strerror}") from None
    return parse_feed(content, base_url=file.resolve().as_uri())


def _from_parsed(parsed: ParsedFeed, *, etag: str | None, last_modified: str | None) -> PollResult:
    return PollResult(
        not_modified=False,
        title=parsed.title,
        language=parsed.language,
        items=parsed.items,
        etag=etag,
        last_modified=last_modified,
        ttl=parsed.ttl_seconds,
        warnings=parsed.warnings,
    )


def _max_age(cache_control: str) -> int | None:
    match = _MAX_AGE.search(cache_control)
    return int(match.group(1)) if match else None
