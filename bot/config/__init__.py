"""Configuration: bot.toml, then environment variables, then checks.

Secrets never live in the file: the API key and the WordPress application
password come from the environment, or from a file named in the config whose
permissions are checked. Every error is one ConfigError naming the key, so the
CLI can print one line and exit 2.

How to declare a setting (one way for every section): a field of the section's
frozen dataclass, declared with `setting()` from bot.config.tables. The
annotation is its type; then its default, a one-line doc, and its bounds
(`low`, `high` inclusive, `above` exclusive), `choices`, or a `parse` function:

    @dataclass(frozen=True)
    class LLMSettings:
        timeout: float = setting(120.0, "seconds for one call", low=1, high=3600)

`read_section()` is the one loader: it refuses an unknown key, a value of the wrong
type or out of bounds, then calls the class's `check()` if it has one (what one
field cannot say alone: meta_min_chars against meta_max_chars). A new section is
a class in bot.config.sections (or a module of its own here), a line in PLAIN_SECTIONS
(bot.config.loader) and a field of Config; a sub-table ([quality.severity]) is a field
whose type is such a class.
This package imports no stage: the stages import their settings from here.

The package's modules, by responsibility: tables (setting() and read_section(), the
machinery), sections (the sections of no stage of their own: [llm], [fetch],
[scheduler]...), quality, wordpress, select and cluster (those sections), feeds ([[feeds]]),
prompts (the prompts folder), loader (Config, load(), defaults(): the file, the
environment's overrides, the secrets). Callers import from bot.config itself.
"""

from bot.config.cluster import ClusterSettings
from bot.config.feeds import FeedSettings
from bot.config.loader import KNOWN_SECTIONS, Config, defaults, load
from bot.config.prompts import default_prompts_dir
from bot.config.sections import (
    DatabaseSettings,
    FetchSettings,
    LLMSettings,
    PublishSettings,
    SchedulerSettings,
    SeoSettings,
    StoreSettings,
    WriterSettings,
)
from bot.errors import ConfigError

__all__ = [
    "KNOWN_SECTIONS",
    "ClusterSettings",
    "Config",
    "ConfigError",
    "DatabaseSettings",
    "FeedSettings",
    "FetchSettings",
    "LLMSettings",
    "PublishSettings",
    "SchedulerSettings",
    "SeoSettings",
    "StoreSettings",
    "WriterSettings",
    "default_prompts_dir",
    "defaults",
    "load",
]
