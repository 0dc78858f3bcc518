"""A [[feeds]] table of bot.toml: one feed to poll, with its own selection rules."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config.select import age, patterns
from bot.config.tables import REQUIRED, parse_interval, read_section, setting
from bot.errors import ConfigError


def _local_or_web(url: Any, key: str) -> Any:
    """A feed's url: http(s), or a local file (made absolute against bot.toml's folder
    by the loader)."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{key}: every [[feeds]] table needs a url")
    return url


@dataclass(frozen=True)
class FeedSettings:
    url: str = setting(REQUIRED, "the feed: http(s) URL, or a file relative to bot.toml",
                       parse=_local_or_web)
    category: str = setting("", "the WordPress category of its stories")
    every: int = setting(900, "how often it is polled: 90s, 15m, 2h, 1d", parse=parse_interval)
    language: str | None = setting(None, "its language, when the feed does not say")
    name: str = setting("", "shown in the credit line; the feed's own title when empty")
    timeout: float | None = setting(
        None, "its own total deadline, in seconds, for a slow wire; else [fetch] timeout",
        low=1, high=600,
    )
    # Selection (bot.select): lists added to [select]'s; max_age and min_words replace them.
    include: tuple[str, ...] = setting((), "added to [select] include", parse=patterns)
    exclude: tuple[str, ...] = setting((), "added to [select] exclude", parse=patterns)
    categories: tuple[str, ...] = setting((), "added to [select] categories", parse=patterns)
    languages: tuple[str, ...] = setting((), "added to [select] languages")
    min_words: int | None = setting(None, "replaces [select] min_words", low=0)
    max_age: str | None = setting(None, "replaces [select] max_age", parse=age)
    per_day: int | None = setting(None, "articles a day from this feed", low=0)
    priority: int = setting(0, "higher is written first")


def read_feeds(tables: Any, root: Path) -> tuple[FeedSettings, ...]:
    """Every [[feeds]] table; a local file made absolute against bot.toml's folder `root`."""
    if not isinstance(tables, list):
        raise ConfigError("feeds: expected [[feeds]] tables")
    feeds = []
    for index, table in enumerate(tables):
        feed = read_section(FeedSettings, table, f"feeds[{index}]")
        if not feed.url.startswith(("http://", "https://")):  # a file, relative to bot.toml
            path = root / Path(feed.url.removeprefix("file://")).expanduser()
            feed = dataclasses.replace(feed, url=str(path))
        feeds.append(feed)
    urls = [feed.url for feed in feeds]
    if len(set(urls)) != len(urls):
        raise ConfigError("feeds: the same url is listed twice")
    return tuple(feeds)
