"""The one loader: bot.toml, then the environment's overrides and the secrets, then the
checks across sections; `load()` and `defaults()` return the whole Config."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import sections
from bot.config.cluster import ClusterSettings
from bot.config.feeds import FeedSettings, read_feeds
from bot.config.prompts import prompts_dir as read_prompts_dir
from bot.config.prompts import with_prompts
from bot.config.quality import QualitySettings
from bot.config.select import BudgetSettings, SelectSettings, TriageSettings
from bot.config.tables import read_secret_file, read_section
from bot.config.wordpress import WordPressSettings
from bot.errors import ConfigError


@dataclass(frozen=True)
class Config:
    path: Path
    database_url: str
    llm: sections.LLMSettings
    writer: sections.WriterSettings
    prompts_dir: Path  # resolved: the newsroom's folder, or the shipped prompts
    quality: QualitySettings
    publish: sections.PublishSettings
    fetch: sections.FetchSettings
    scheduler: sections.SchedulerSettings
    wordpress: WordPressSettings | None
    wp_password: str = field(default="", repr=False)
    feeds: tuple[FeedSettings, ...] = ()
    select: SelectSettings = field(default_factory=SelectSettings)
    budget: BudgetSettings = field(default_factory=BudgetSettings)
    triage: TriageSettings = field(default_factory=TriageSettings)
    seo: sections.SeoSettings = field(default_factory=sections.SeoSettings)
    store: sections.StoreSettings = field(default_factory=sections.StoreSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)

    @property
    def root(self) -> Path:
        """Relative paths in the file are relative to the file's folder."""
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret this config holds, for the log redactor."""
        return tuple(s for s in (self.llm.api_key, self.wp_password) if s)


def _env(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    return value if value else None


def _overrides(environ: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """{key: value} of the environment variables set among `names` ({key: variable})."""
    return {key: value for key, name in names.items() if (value := _env(environ, name))}


def _llm(table: Mapping[str, Any], root: Path, environ: Mapping[str, str]) -> sections.LLMSettings:
    if "api_key" in table:
        raise ConfigError("llm.api_key: secrets never go in bot.toml; set OPENAI_API_KEY")
    names = {"base_url": "OPENAI_BASE_URL", "model": "DEPECHE_LLM_MODEL"}
    llm = read_section(sections.LLMSettings, table, "llm", **_overrides(environ, names))
    api_key = _env(environ, "OPENAI_API_KEY") or ""
    if not api_key and llm.api_key_file:
        api_key = read_secret_file(root / llm.api_key_file, "llm.api_key_file")
    return dataclasses.replace(llm, api_key=api_key)


def _wordpress(
    table: Mapping[str, Any], root: Path, environ: Mapping[str, str]
) -> tuple[WordPressSettings | None, str]:
    for key in ("allow_private", "image_max_bytes"):
        if key in table:  # one place for what the bot may download: [fetch]
            raise ConfigError(f"wordpress.{key}: set this in [fetch] (allow_private, max_bytes)")
    if "password" in table:
        raise ConfigError(
            "wordpress.password: secrets never go in bot.toml; set DEPECHE_WP_APP_PASSWORD"
        )
    for key in ("disclosure_text", "prompt_version"):
        if key in table:  # read from the prompts folder, like every text the bot writes
            raise ConfigError(f"wordpress.{key}: set by the prompts folder (disclosure.md)")
    given = _overrides(environ, {"url": "DEPECHE_WP_URL", "user": "DEPECHE_WP_USER"})
    if not (given.get("url") or table.get("url")):
        return None, ""
    settings = read_section(WordPressSettings, table, "wordpress", **given)
    password = _env(environ, "DEPECHE_WP_APP_PASSWORD") or ""
    if not password and settings.password_file:
        password = read_secret_file(root / settings.password_file, "wordpress.password_file")
    return settings, password


# The sections read as they are, each into the Config field of its name: a new one is a
# class, a line here and a field of Config.
PLAIN_SECTIONS: Mapping[str, type] = {
    "fetch": sections.FetchSettings,
    "scheduler": sections.SchedulerSettings,
    "select": SelectSettings,
    "budget": BudgetSettings,
    "triage": TriageSettings,
    "seo": sections.SeoSettings,
    "store": sections.StoreSettings,
    "cluster": ClusterSettings,
}
# These need the environment, a secret, a folder or another section (_from_data).
KNOWN_SECTIONS = {
    *PLAIN_SECTIONS, "database", "llm", "writer", "quality", "publish", "wordpress", "feeds"
}


def load(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    environ = os.environ if environ is None else environ
    path = Path(path or environ.get("DEPECHE_CONFIG") or "bot.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file; run `depeche init` to write one") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    unknown = set(data) - KNOWN_SECTIONS
    if unknown:
        raise ConfigError(
            f"{sorted(unknown)[0]}: unknown section (known: {', '.join(sorted(KNOWN_SECTIONS))})"
        )
    return _from_data(path.resolve(), data, environ)


def defaults(environ: Mapping[str, str] | None = None) -> Config:
    """The config of a folder without a bot.toml: every default, the environment's
    overrides applied, paths relative to the current folder."""
    environ = os.environ if environ is None else environ
    return _from_data(Path.cwd() / "bot.toml", {}, environ)


def _database_url(table: Any, root: Path, environ: Mapping[str, str]) -> str:
    # Here and not at the top: SQLAlchemy takes a quarter of a second to import, and
    # `depeche --help` reads this module.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    given = _overrides(environ, {"url": "DEPECHE_DATABASE_URL"})
    url = read_section(sections.DatabaseSettings, table, "database", **given).url
    try:
        make_url(url).get_dialect().import_dbapi()
    except ArgumentError:
        raise ConfigError(f"database.url: '{url}' is not a database URL") from None
    except (ImportError, NoSuchModuleError) as error:
        raise ConfigError(f"database.url: no driver for '{url.split(':')[0]}' ({error})") from None
    return _sqlite_relative_to(url, root)


def _from_data(path: Path, data: dict[str, Any], environ: Mapping[str, str]) -> Config:
    root = path.parent
    for name, value in data.items():
        expected = "[[feeds]] tables" if name == "feeds" else f"a [{name}] table"
        if not isinstance(value, list if name == "feeds" else Mapping):
            raise ConfigError(f"{name}: expected {expected}")
    database_url = _database_url(data.get("database", {}), root, environ)
    names = {"target": "DEPECHE_PUBLISH_TARGET", "outbox_dir": "DEPECHE_OUTBOX_DIR"}
    publish = read_section(
        sections.PublishSettings, data.get("publish", {}), "publish", **_overrides(environ, names)
    )
    plain = {name: read_section(cls, data.get(name, {}), name)
             for name, cls in PLAIN_SECTIONS.items()}
    wordpress, wp_password = _wordpress(data.get("wordpress", {}), root, environ)
    if publish.target == "wordpress" and wordpress is None:
        raise ConfigError("wordpress.url: publish.target is 'wordpress' but no site is set")
    writer = read_section(sections.WriterSettings, data.get("writer", {}), "writer")
    prompts_dir = read_prompts_dir(writer, root)
    if wordpress is not None:
        wordpress = with_prompts(wordpress, prompts_dir)
    llm = _llm(data.get("llm", {}), root, environ)
    # [writer] language and min_words are the gate's defaults; [quality] may differ.
    quality = read_section(
        QualitySettings,
        {"language": writer.language, "min_words": writer.min_words, **data.get("quality", {})},
        "quality",
    )
    if plain["budget"].cost_per_day and not (llm.price_input or llm.price_output):
        raise ConfigError(
            "budget.cost_per_day: set [llm] price_input and price_output (per million tokens)"
        )
    return Config(
        path=path,
        database_url=database_url,
        llm=llm,
        writer=writer,
        prompts_dir=prompts_dir,
        quality=quality,
        publish=publish,
        wordpress=wordpress,
        wp_password=wp_password,
        feeds=read_feeds(data.get("feeds", []), root),
        **plain,
    )


def _sqlite_relative_to(url: str, root: Path) -> str:
    """sqlite:///data/x.db is relative to bot.toml's folder, not to the current directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(root / url[len(prefix) :])
    return url
