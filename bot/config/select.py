"""The selection keys of bot.toml: [select], [budget], [triage] (each [[feeds]] table's
own are in FeedSettings). A feed's filter lists are added to the global ones; its
`max_age` and `min_words` replace the global values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.tables import parse_interval, setting
from bot.errors import ConfigError

DEFAULT_MAX_AGE = "48h"


def parse_age(text: str, key: str) -> int | None:
    """'48h' -> seconds; '0' -> None (no age limit)."""
    if str(text).strip() in ("0", "0s", "0h", "0d"):
        return None
    return parse_interval(text, key)


def compile_regex(value: str, key: str) -> re.Pattern[str] | None:
    """A list value written /.../ compiled, None for a word or a phrase; one that does
    not compile is the config's error, said at load."""
    if not (len(value) > 2 and value.startswith("/") and value.endswith("/")):
        return None
    try:
        return re.compile(value[1:-1], re.IGNORECASE)
    except re.error as error:
        raise ConfigError(f"{key}: {value} is not a regular expression: {error}") from None


def patterns(values: Any, key: str) -> Any:
    """A list of words, phrases and /regexes/: each regex must compile."""
    if isinstance(values, list | tuple):
        for value in values:
            compile_regex(str(value), key)
    return values


def age(text: Any, key: str) -> Any:
    """An interval such as 48h, or 0 for no limit; kept as written."""
    if isinstance(text, str | int) and not isinstance(text, bool):
        parse_age(str(text), key)
        return str(text)
    return text


def _time_zone(name: Any, key: str) -> Any:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{key}: '{name}' is not a time zone such as Europe/Paris") from None
    return name


@dataclass(frozen=True)
class SelectSettings:
    """[select]: the rules every feed shares."""

    include: tuple[str, ...] = setting((), "write only items holding one of these", parse=patterns)
    exclude: tuple[str, ...] = setting((), "never write items holding one of these", parse=patterns)
    categories: tuple[str, ...] = setting(
        (), "write only items in one of these feed categories", parse=patterns
    )
    languages: tuple[str, ...] = setting((), "write only items in these languages (ISO 639-1)")
    min_words: int = setting(0, "skip items shorter than this", low=0)
    max_age: str = setting(DEFAULT_MAX_AGE, "skip items older than this; 0: no limit", parse=age)


@dataclass(frozen=True)
class BudgetSettings:
    """[budget]: 0 means no limit."""

    articles_per_day: int = setting(0, "articles written a day", low=0)
    tokens_per_day: int = setting(0, "model tokens a day", low=0)
    cost_per_day: float = setting(
        0.0, "in the newsroom's currency, priced by [llm] price_*", low=0
    )
    timezone: str = setting(
        "Europe/Paris", "the newsroom's day starts at its own midnight", parse=_time_zone
    )

    @property
    def limited(self) -> bool:
        return bool(self.articles_per_day or self.tokens_per_day or self.cost_per_day)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TriageSettings:
    """[triage]: off while `model` is empty."""

    model: str = setting("", "a cheaper model that scores each candidate; empty: no triage")
    min_score: int = setting(0, "a candidate scored below is skipped", low=0, high=100)
    max_tokens: int = setting(200, "one short answer: a score and a reason", low=1)
    price_input: float | None = setting(
        None, "per million input tokens; [llm]'s price when not given", low=0
    )
    price_output: float | None = setting(
        None, "per million output tokens; [llm]'s price when not given", low=0
    )

    @property
    def enabled(self) -> bool:
        return bool(self.model)

    def check(self) -> None:
        if self.min_score and not self.enabled:
            raise ConfigError("triage.min_score: set [triage] model to score the candidates")
