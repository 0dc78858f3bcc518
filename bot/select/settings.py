"""The selection keys of bot.toml: [select], [budget], [triage] and each [[feeds]]'s own.

A feed's filter lists are added to the global ones; its `max_age` and `min_words`
replace the global values. Every error names its key, like the rest of the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.tables import ConfigError, parse_interval
from bot.select.filters import Matcher

if TYPE_CHECKING:
    from bot.config import FeedSettings

DEFAULT_MAX_AGE = "48h"


@dataclass(frozen=True)
class SelectSettings:
    """[select]: the rules every feed shares."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_words: int = 0
    max_age: str = DEFAULT_MAX_AGE  # "0" turns the age limit off


@dataclass(frozen=True)
class BudgetSettings:
    """[budget]: 0 means no limit."""

    articles_per_day: int = 0
    tokens_per_day: int = 0
    cost_per_day: float = 0.0  # in the newsroom's currency, priced by [llm] price_*
    timezone: str = "Europe/Paris"  # the newsroom's day starts at its own midnight

    @property
    def limited(self) -> bool:
        return bool(self.articles_per_day or self.tokens_per_day or self.cost_per_day)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TriageSettings:
    """[triage]: off while `model` is empty."""

    model: str = ""
    min_score: int = 0  # 0–100; a candidate scored below is skipped
    max_tokens: int = 200  # one short answer: a score and a reason
    # Per million tokens for the triage model; [llm]'s prices when not given.
    price_input: float | None = None
    price_output: float | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.model)


def parse_age(text: str, key: str) -> int | None:
    """'48h' -> seconds; '0' -> None (no age limit)."""
    if str(text).strip() in ("0", "0s", "0h", "0d"):
        return None
    return parse_interval(text, key)


def check_selection(
    select: SelectSettings, budget: BudgetSettings, triage: TriageSettings, priced: bool
) -> None:
    """What the dataclasses' types cannot say; one line naming the key."""
    parse_age(select.max_age, "select.max_age")
    _check_lists(select, "select")
    if select.min_words < 0:
        raise ConfigError(f"select.min_words: {select.min_words} is below 0")
    for key in ("articles_per_day", "tokens_per_day", "cost_per_day"):
        if getattr(budget, key) < 0:
            raise ConfigError(f"budget.{key}: {getattr(budget, key)} is below 0")
    try:
        ZoneInfo(budget.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"budget.timezone: '{budget.timezone}' is not a time zone such as Europe/Paris"
        ) from None
    if budget.cost_per_day and not priced:
        raise ConfigError(
            "budget.cost_per_day: set [llm] price_input and price_output (per million tokens)"
        )
    if not 0 <= triage.min_score <= 100:
        raise ConfigError(f"triage.min_score: {triage.min_score} is out of range (0 to 100)")
    if triage.min_score and not triage.enabled:
        raise ConfigError("triage.min_score: set [triage] model to score the candidates")


def check_feed(feed: FeedSettings, key: str) -> None:
    """A [[feeds]] table's selection keys."""
    if feed.max_age is not None:
        parse_age(feed.max_age, f"{key}.max_age")
    _check_lists(feed, key)
    for name, value in (("min_words", feed.min_words), ("per_day", feed.per_day)):
        if value is not None and value < 0:
            raise ConfigError(f"{key}.{name}: {value} is below 0")


def _check_lists(settings: SelectSettings | FeedSettings, key: str) -> None:
    """A /regex/ that does not compile is the config's error, said at load."""
    for name in ("include", "exclude", "categories"):
        Matcher(getattr(settings, name), f"{key}.{name}")
