"""The sections of bot.toml that belong to no stage of their own: [llm], [writer],
[publish], [seo], [fetch], [scheduler], [store], [database]. Each is a frozen dataclass
whose fields are declared with `setting()` (bot.config.tables); the loader
(bot.config.loader) reads them. [quality], [wordpress] and the selection sections have
modules of their own; a feed's table is in bot.config.feeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.breaker import BreakerSettings
from bot.config.tables import parse_interval, setting
from bot.net.limits import Limits


@dataclass(frozen=True)
class LLMSettings:
    base_url: str = setting("", "an OpenAI-compatible server; OPENAI_BASE_URL overrides it")
    model: str = setting("gpt-4o-mini", "the model's name; DEPECHE_LLM_MODEL overrides it")
    api_key: str = setting("", "from OPENAI_API_KEY only, never from bot.toml", secret=True)
    api_key_file: str = setting("", "a file holding the API key (chmod 600)")
    timeout: float = setting(120.0, "seconds for one call", low=1, high=3600)
    attempts: int = setting(4, "tries per call, for 429, 5xx and timeouts", low=1, high=20)
    temperature: float = setting(0.4, "the model's temperature", low=0, high=2)
    max_tokens: int = setting(4096, "the longest answer, in tokens", low=256, high=1_000_000)
    json_mode: bool = setting(
        True, 'ask for response_format={"type": "json_object"}; some local servers reject it'
    )
    context_tokens: int = setting(
        0, "the server's context window; 0: asked of the server (llama.cpp, Ollama), else "
        "learnt from its first overflow", low=0, high=10_000_000,
    )
    connect_timeout: float = setting(
        10.0, "seconds to open the connection: a dead host is known before timeout",
        low=0.1, high=600,
    )
    stream: bool = setting(
        False, "ask for the answer token by token: a slow server shows it is alive"
    )
    first_token_timeout: float = setting(
        60.0, "streamed: a server silent this many seconds is taken for hung",
        low=0.1, high=3600,
    )
    price_input: float = setting(
        0.0, "per million input tokens, in the newsroom's currency ([budget] cost_per_day)", low=0
    )
    price_output: float = setting(0.0, "per million output tokens, likewise", low=0)
    # Throughput (issue 10): stories written at once, each in its own thread, and the
    # provider's limits every writer keeps to together (bot.writer.ratelimit).
    concurrency: int = setting(4, "stories written at once", low=1, high=64)
    requests_per_minute: int = setting(
        0, "the provider's request limit, kept by every writer together; 0: none", low=0
    )
    tokens_per_minute: int = setting(
        0, "the provider's token limit (prompt + max answer, corrected by the usage); "
        "0: none", low=0,
    )

    @property
    def configured(self) -> bool:
        return bool(self.api_key or self.base_url)


@dataclass(frozen=True)
class WriterSettings:
    language: str = setting("fr", "the language drafts are written in ([quality] language)")
    min_words: int = setting(700, "the fewest words a draft may have ([quality] min_words)")
    prompts_dir: str = setting("config/prompts", "the folder of system.md and user.md")
    fetch_article_below_words: int = setting(
        150, "read the article page when the feed gives fewer words", low=0, high=100_000
    )


@dataclass(frozen=True)
class PublishSettings:
    target: str = setting(
        "outbox", "where drafts go; DEPECHE_PUBLISH_TARGET overrides it",
        choices=("outbox", "wordpress"),
    )
    outbox_dir: str = setting("outbox", "the outbox folder; DEPECHE_OUTBOX_DIR overrides it")
    # A small site must not be flooded: few posts at once.
    concurrency: int = setting(2, "stories published at once", low=1, high=16)


@dataclass(frozen=True)
class SeoSettings:
    internal_links: int = setting(
        3, "the site's own published posts on the same subject linked from each WordPress "
        "draft (« À lire aussi »); 0: none", low=0, high=10,
    )


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = setting(
        20.0, "seconds for a whole fetch: feed, page or image", low=1, high=600
    )
    max_bytes: int = setting(
        10 * 1024 * 1024, "the largest body, decompressed", low=1024, high=1 << 30
    )
    max_redirects: int = setting(5, "redirects followed", low=0, high=20)
    allow_private: bool = setting(
        False, "let pages and images found in feeds reach private addresses"
    )
    # Feeds polled at once, and at most `per_host` of them on one host (a small site
    # carrying many feeds must not see a burst).
    concurrency: int = setting(16, "feeds polled at once", low=1, high=256)
    per_host: int = setting(2, "feeds polled at once on one host", low=1, high=64)

    def limits(self, *, trusted: bool = False, timeout: float | None = None) -> Limits:
        """`trusted` for the feed URLs the operator wrote in bot.toml: those may live on
        a private network. URLs found inside feeds (pages, images) are not trusted:
        only `allow_private` lets them reach private addresses."""
        return Limits(
            timeout=timeout or self.timeout,
            max_bytes=self.max_bytes,
            max_redirects=self.max_redirects,
            allow_private=self.allow_private or trusted,
        )


@dataclass(frozen=True)
class SchedulerSettings:
    max_interval: int = setting(
        6 * 3600, "adaptive polling never waits longer for a quiet feed", low=60, high=7 * 86400
    )
    max_backoff: int = setting(
        6 * 3600, "the longest wait after a failing feed", low=60, high=7 * 86400
    )
    jitter: float = setting(0.1, "+/- fraction of each interval", low=0, high=0.5)
    write_every: int = setting(30, "seconds between writing jobs in the daemon", low=1, high=86400)
    publish_every: int = setting(30, "seconds between publishing jobs", low=1, high=86400)
    lease_seconds: int = setting(
        600, "a claimed story is taken back after this many seconds", low=60, high=86400
    )
    batch: int = setting(20, "stories per writing or publishing job", low=1, high=10_000)
    max_attempts: int = setting(
        5, "attempts at writing or publishing a story before it is failed", low=1, high=30
    )
    # Circuit breakers (the model server, the database, the target): opened after
    # `outage_failures` "service down" answers in a row, probed after `probe_seconds`,
    # doubling up to `probe_max_seconds` (under a minute: a service back is used within one).
    outage_failures: int = setting(
        3, '"service down" answers in a row that open a breaker', low=1, high=100
    )
    probe_seconds: int = setting(30, "the first wait before an open breaker is probed",
                                 low=1, high=3600)
    probe_max_seconds: int = setting(50, "the longest wait between probes", low=1, high=86400)

    def breaker(self, failures: int | None = None) -> BreakerSettings:
        return BreakerSettings(
            failures=failures or self.outage_failures,
            probe=self.probe_seconds,
            probe_max=self.probe_max_seconds,
        )


def _optional_interval(text: Any, key: str) -> Any:
    """An interval such as 30d, or "" for none."""
    if text != "":
        parse_interval(text, key)
    return text


@dataclass(frozen=True)
class StoreSettings:
    keep_prompts: str = setting(
        "", "prompt and answer bodies of stories published longer ago are dropped (token "
        "counts and costs kept; `depeche db vacuum`); empty: kept for good",
        parse=_optional_interval,
    )
    spool_dir: str = setting(
        "data/spool", "where work paid for while the database was down waits"
    )

    def keep_prompts_seconds(self) -> int | None:
        if not self.keep_prompts:
            return None
        return parse_interval(self.keep_prompts, "store.keep_prompts")


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = setting(
        "sqlite:///data/depeche.db", "SQLite or PostgreSQL; DEPECHE_DATABASE_URL overrides it"
    )
