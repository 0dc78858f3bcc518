"""Configuration: bot.toml, then environment variables, then checks.

Secrets never live in the file: the API key and the WordPress application
password come from the environment, or from a file named in the config whose
permissions are checked. Every error names the key and what is wrong, so the
CLI can print one line and exit 2.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.breaker import BreakerSettings
from bot.config.quality import QualitySettings
from bot.config.tables import build_section, parse_interval, read_secret_file
from bot.config.wordpress import WordPressSettings
from bot.errors import ConfigError
from bot.net.limits import Limits
from bot.select.settings import (
    BudgetSettings,
    SelectSettings,
    TriageSettings,
    check_feed,
    check_selection,
)


@dataclass(frozen=True)
class FeedSettings:
    url: str
    category: str = ""
    every: int = 900  # seconds
    language: str | None = None
    name: str = ""  # shown in the credit line; the feed's own title when empty
    # This feed's own total deadline, in seconds, for a slow wire; [fetch] timeout otherwise.
    timeout: float | None = None
    # Selection (bot.select): lists added to [select]'s; max_age and min_words replace them.
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_words: int | None = None
    max_age: str | None = None
    per_day: int | None = None  # articles a day from this feed
    priority: int = 0  # higher is written first


@dataclass(frozen=True)
class LLMSettings:
    base_url: str = ""
    model: str = "gpt-4o-mini"
    api_key: str = field(default="", repr=False)
    api_key_file: str = ""
    timeout: float = 120.0
    attempts: int = 4  # per call, for 429 / 5xx / timeouts
    temperature: float = 0.4
    max_tokens: int = 4096
    # Ask for response_format={"type": "json_object"}; some local servers reject it.
    json_mode: bool = True
    # The server's context window in tokens (0: read it from the server when it says,
    # llama.cpp /props, Ollama /api/show; else learnt from its first overflow error).
    context_tokens: int = 0
    # Seconds to open the connection: a dead host is known long before `timeout`.
    connect_timeout: float = 10.0
    # Per million tokens, in the newsroom's currency: what [budget] cost_per_day counts.
    price_input: float = 0.0
    price_output: float = 0.0

    @property
    def configured(self) -> bool:
        return bool(self.api_key or self.base_url)


@dataclass(frozen=True)
class WriterSettings:
    language: str = "fr"
    min_words: int = 700
    prompts_dir: str = "config/prompts"
    # Fetch the article page when the feed gives less text than this.
    fetch_article_below_words: int = 150


@dataclass(frozen=True)
class PublishSettings:
    target: str = "outbox"
    outbox_dir: str = "outbox"


@dataclass(frozen=True)
class SeoSettings:
    # Up to this many of the site's own published posts on the same subject are linked from
    # each WordPress draft (« À lire aussi »); 0 turns it off.
    internal_links: int = 3


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False

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
    # Adaptive polling never waits longer than this for a quiet feed.
    max_interval: int = 6 * 3600
    # Backoff ceiling for a failing feed.
    max_backoff: int = 6 * 3600
    jitter: float = 0.1  # +/- fraction of each interval
    write_every: int = 30  # seconds between writing jobs in the daemon
    publish_every: int = 30
    lease_seconds: int = 600  # a claimed story is reclaimed after this
    batch: int = 20  # stories per writing or publishing job
    # Attempts at writing or publishing one story before it is `failed`.
    max_attempts: int = 5
    # Circuit breakers (the model server, the database, the target): opened after this
    # many "service down" answers in a row, probed after `probe_seconds`, doubling up
    # to `probe_max_seconds` (under a minute: a service back is used within one).
    outage_failures: int = 3
    probe_seconds: int = 30
    probe_max_seconds: int = 50

    def breaker(self, failures: int | None = None) -> BreakerSettings:
        return BreakerSettings(
            failures=failures or self.outage_failures,
            probe=self.probe_seconds,
            probe_max=self.probe_max_seconds,
        )


@dataclass(frozen=True)
class StoreSettings:
    # Prompt and answer bodies of published stories older than this are dropped
    # (token counts and costs kept); "" keeps them for good. `depeche db vacuum`.
    keep_prompts: str = ""
    # Work paid for while the database was down (the model's answers) waits here.
    spool_dir: str = "data/spool"

    def keep_prompts_seconds(self) -> int | None:
        if not self.keep_prompts:
            return None
        return parse_interval(self.keep_prompts, "store.keep_prompts")


@dataclass(frozen=True)
class Config:
    path: Path
    database_url: str
    llm: LLMSettings
    writer: WriterSettings
    prompts_dir: Path  # resolved: the newsroom's folder, or the shipped prompts
    quality: QualitySettings
    publish: PublishSettings
    fetch: FetchSettings
    scheduler: SchedulerSettings
    wordpress: WordPressSettings | None
    wp_password: str = field(default="", repr=False)
    feeds: tuple[FeedSettings, ...] = ()
    select: SelectSettings = field(default_factory=SelectSettings)
    budget: BudgetSettings = field(default_factory=BudgetSettings)
    triage: TriageSettings = field(default_factory=TriageSettings)
    seo: SeoSettings = field(default_factory=SeoSettings)
    store: StoreSettings = field(default_factory=StoreSettings)

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


def _llm(table: Mapping[str, Any], root: Path, environ: Mapping[str, str]) -> LLMSettings:
    llm = build_section(LLMSettings, table, "llm")
    if "api_key" in table:
        raise ConfigError("llm.api_key: secrets never go in bot.toml; set OPENAI_API_KEY")
    api_key = _env(environ, "OPENAI_API_KEY") or ""
    if not api_key and llm.api_key_file:
        api_key = read_secret_file(root / llm.api_key_file, "llm.api_key_file")
    return dataclasses.replace(
        llm,
        api_key=api_key,
        base_url=_env(environ, "OPENAI_BASE_URL") or llm.base_url,
        model=_env(environ, "DEPECHE_LLM_MODEL") or llm.model,
    )


def _wordpress(
    table: Mapping[str, Any], root: Path, environ: Mapping[str, str], fetch: FetchSettings
) -> tuple[WordPressSettings | None, str]:
    table = dict(table)
    password_file = table.pop("password_file", "")
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
    for key, env_name in (("url", "DEPECHE_WP_URL"), ("user", "DEPECHE_WP_USER")):
        if value := _env(environ, env_name):
            table[key] = value
    if not table.get("url"):
        return None, ""
    settings = build_section(
        WordPressSettings,
        table,
        "wordpress",
        allow_private=fetch.allow_private,
        image_max_bytes=fetch.max_bytes,
    )
    for problem in settings.validate():
        raise ConfigError(problem)
    parse_interval(settings.sync_every, "wordpress.sync_every")
    password = _env(environ, "DEPECHE_WP_APP_PASSWORD") or ""
    if not password and password_file:
        password = read_secret_file(root / password_file, "wordpress.password_file")
    return settings, password


def _with_prompts(settings: WordPressSettings, prompts_dir: Path) -> WordPressSettings:
    """The disclosure notice and the version of the prompts, for the posts' provenance."""
    notice = _prompt_file(prompts_dir, "disclosure.md").strip() or settings.disclosure_text
    writing = "".join(_prompt_file(prompts_dir, name) for name in ("system.md", "user.md"))
    version = hashlib.sha256(writing.encode("utf-8")).hexdigest()[:12]
    return dataclasses.replace(settings, disclosure_text=notice, prompt_version=version)


def _prompt_file(prompts_dir: Path, name: str) -> str:
    """The newsroom's file, else the shipped one, else empty."""
    for folder in (prompts_dir, default_prompts_dir()):
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    return ""


def _feeds(tables: Any, root: Path) -> tuple[FeedSettings, ...]:
    if not isinstance(tables, list):
        raise ConfigError("feeds: expected [[feeds]] tables")
    feeds = []
    for index, table in enumerate(tables):
        key = f"feeds[{index}]"
        if not isinstance(table, Mapping) or not table.get("url"):
            raise ConfigError(f"{key}.url: every [[feeds]] table needs a url")
        every = parse_interval(table.get("every", "15m"), f"{key}.every")
        url = str(table["url"])
        if not url.startswith(("http://", "https://")):  # a local file, relative to bot.toml
            url = str(root / Path(url.removeprefix("file://")).expanduser())
        feed = build_section(FeedSettings, {**table, "every": every, "url": url}, key)
        check_feed(feed, key)
        feeds.append(feed)
    urls = [feed.url for feed in feeds]
    if len(set(urls)) != len(urls):
        raise ConfigError("feeds: the same url is listed twice")
    return tuple(feeds)


KNOWN_SECTIONS = {
    "database",
    "llm",
    "writer",
    "quality",
    "publish",
    "wordpress",
    "fetch",
    "scheduler",
    "feeds",
    "select",
    "budget",
    "triage",
    "seo",
    "store",
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


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///data/depeche.db"


def _database_url(table: Any, root: Path, environ: Mapping[str, str]) -> str:
    # Here and not at the top: SQLAlchemy takes a quarter of a second to import, and
    # `depeche --help` reads this module.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    url = (
        _env(environ, "DEPECHE_DATABASE_URL")
        or build_section(DatabaseSettings, table, "database").url
    )
    try:
        make_url(url).get_dialect().import_dbapi()
    except ArgumentError:
        raise ConfigError(f"database.url: '{url}' is not a database URL") from None
    except (ImportError, NoSuchModuleError) as error:
        raise ConfigError(f"database.url: no driver for '{url.split(':')[0]}' ({error})") from None
    return _sqlite_relative_to(url, root)


# (section, key, lowest, highest): values outside break things quietly, so they are refused.
RANGES = (
    ("llm", "timeout", 1, 3600),
    ("llm", "attempts", 1, 20),
    ("llm", "max_tokens", 256, 1_000_000),
    ("llm", "context_tokens", 0, 10_000_000),
    ("llm", "connect_timeout", 0.1, 600),
    ("llm", "temperature", 0, 2),
    ("writer", "fetch_article_below_words", 0, 100_000),
    ("fetch", "timeout", 1, 600),
    ("fetch", "max_bytes", 1024, 1 << 30),
    ("fetch", "max_redirects", 0, 20),
    ("scheduler", "max_interval", 60, 7 * 86400),
    ("scheduler", "max_backoff", 60, 7 * 86400),
    ("scheduler", "jitter", 0, 0.5),
    ("scheduler", "write_every", 1, 86400),
    ("scheduler", "publish_every", 1, 86400),
    ("scheduler", "lease_seconds", 60, 86400),
    ("scheduler", "batch", 1, 10_000),
    ("scheduler", "max_attempts", 1, 30),
    ("seo", "internal_links", 0, 10),
    ("scheduler", "outage_failures", 1, 100),
    ("scheduler", "probe_seconds", 1, 3600),
    ("scheduler", "probe_max_seconds", 1, 86400),
)


def _check_ranges(sections: Mapping[str, Any]) -> None:
    for section, key, lowest, highest in RANGES:
        value = getattr(sections[section], key)
        if not lowest <= value <= highest:
            raise ConfigError(f"{section}.{key}: {value} is out of range ({lowest} to {highest})")


def default_prompts_dir() -> Path:
    """The prompts shipped with the code."""
    return Path(__file__).resolve().parents[2] / "config" / "prompts"


def _prompts_dir(writer: WriterSettings, root: Path) -> Path:
    """The folder of system.md and user.md. The default path may be missing beside a
    bot.toml written elsewhere: the prompts shipped with the code are used then. A path
    the newsroom chose must exist."""
    folder = Path(writer.prompts_dir).expanduser()
    folder = folder if folder.is_absolute() else root / folder
    if (folder / "system.md").is_file():
        return folder
    if writer.prompts_dir == WriterSettings.prompts_dir:
        return default_prompts_dir()
    raise ConfigError(f"writer.prompts_dir: no system.md and user.md in {folder}")


def _from_data(path: Path, data: dict[str, Any], environ: Mapping[str, str]) -> Config:
    root = path.parent
    for name, value in data.items():
        expected = "[[feeds]] tables" if name == "feeds" else f"a [{name}] table"
        if not isinstance(value, list if name == "feeds" else Mapping):
            raise ConfigError(f"{name}: expected {expected}")
    database_url = _database_url(data.get("database", {}), root, environ)
    publish = build_section(PublishSettings, data.get("publish", {}), "publish")
    publish = dataclasses.replace(
        publish,
        target=_env(environ, "DEPECHE_PUBLISH_TARGET") or publish.target,
        outbox_dir=_env(environ, "DEPECHE_OUTBOX_DIR") or publish.outbox_dir,
    )
    if publish.target not in ("outbox", "wordpress"):
        raise ConfigError(f"publish.target: '{publish.target}' is not 'outbox' or 'wordpress'")
    fetch = build_section(FetchSettings, data.get("fetch", {}), "fetch")
    wordpress, wp_password = _wordpress(data.get("wordpress", {}), root, environ, fetch)
    if publish.target == "wordpress" and wordpress is None:
        raise ConfigError("wordpress.url: publish.target is 'wordpress' but no site is set")
    writer = build_section(WriterSettings, data.get("writer", {}), "writer")
    prompts_dir = _prompts_dir(writer, root)
    if wordpress is not None:
        wordpress = _with_prompts(wordpress, prompts_dir)
    llm = _llm(data.get("llm", {}), root, environ)
    scheduler = build_section(SchedulerSettings, data.get("scheduler", {}), "scheduler")
    seo = build_section(SeoSettings, data.get("seo", {}), "seo")
    _check_ranges({"llm": llm, "writer": writer, "fetch": fetch, "scheduler": scheduler,
                   "seo": seo})
    try:
        quality = QualitySettings.from_mapping(
            {"language": writer.language, "min_words": writer.min_words, **data.get("quality", {})}
        )
    except ValueError as error:
        raise ConfigError(str(error)) from None
    select = build_section(SelectSettings, data.get("select", {}), "select")
    budget = build_section(BudgetSettings, data.get("budget", {}), "budget")
    triage = build_section(TriageSettings, data.get("triage", {}), "triage")
    check_selection(select, budget, triage, priced=bool(llm.price_input or llm.price_output))
    return Config(
        path=path,
        database_url=database_url,
        llm=llm,
        writer=writer,
        prompts_dir=prompts_dir,
        quality=quality,
        publish=publish,
        fetch=fetch,
        scheduler=scheduler,
        wordpress=wordpress,
        wp_password=wp_password,
        feeds=_feeds(data.get("feeds", []), root),
        select=select,
        budget=budget,
        triage=triage,
        seo=seo,
        store=_store(data.get("store", {})),
    )


def _store(table: Mapping[str, Any]) -> StoreSettings:
    store = build_section(StoreSettings, table, "store")
    store.keep_prompts_seconds()  # a wrong interval is said at load, not at vacuum time
    return store


def _sqlite_relative_to(url: str, root: Path) -> str:
    """sqlite:///data/x.db is relative to bot.toml's folder, not to the current directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(root / url[len(prefix) :])
    return url
