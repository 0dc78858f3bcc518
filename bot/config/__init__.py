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
a class here or in a module of this package, a name in KNOWN_SECTIONS and a field of
Config; a sub-table ([quality.severity]) is a field whose type is such a class.
This package imports no stage: the stages import their settings from here.
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
from bot.config.select import BudgetSettings, SelectSettings, TriageSettings, age, patterns
from bot.config.tables import (
    REQUIRED,
    parse_interval,
    read_secret_file,
    read_section,
    setting,
)
from bot.config.wordpress import WordPressSettings
from bot.errors import ConfigError
from bot.net.limits import Limits


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


def _overrides(environ: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """{key: value} of the environment variables set among `names` ({key: variable})."""
    return {key: value for key, name in names.items() if (value := _env(environ, name))}


def _llm(table: Mapping[str, Any], root: Path, environ: Mapping[str, str]) -> LLMSettings:
    if "api_key" in table:
        raise ConfigError("llm.api_key: secrets never go in bot.toml; set OPENAI_API_KEY")
    names = {"base_url": "OPENAI_BASE_URL", "model": "DEPECHE_LLM_MODEL"}
    llm = read_section(LLMSettings, table, "llm", **_overrides(environ, names))
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
        feed = read_section(FeedSettings, table, f"feeds[{index}]")
        if not feed.url.startswith(("http://", "https://")):  # a file, relative to bot.toml
            path = root / Path(feed.url.removeprefix("file://")).expanduser()
            feed = dataclasses.replace(feed, url=str(path))
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


def _database_url(table: Any, root: Path, environ: Mapping[str, str]) -> str:
    # Here and not at the top: SQLAlchemy takes a quarter of a second to import, and
    # `depeche --help` reads this module.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    given = _overrides(environ, {"url": "DEPECHE_DATABASE_URL"})
    url = read_section(DatabaseSettings, table, "database", **given).url
    try:
        make_url(url).get_dialect().import_dbapi()
    except ArgumentError:
        raise ConfigError(f"database.url: '{url}' is not a database URL") from None
    except (ImportError, NoSuchModuleError) as error:
        raise ConfigError(f"database.url: no driver for '{url.split(':')[0]}' ({error})") from None
    return _sqlite_relative_to(url, root)


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
    names = {"target": "DEPECHE_PUBLISH_TARGET", "outbox_dir": "DEPECHE_OUTBOX_DIR"}
    publish = read_section(
        PublishSettings, data.get("publish", {}), "publish", **_overrides(environ, names)
    )
    fetch = read_section(FetchSettings, data.get("fetch", {}), "fetch")
    wordpress, wp_password = _wordpress(data.get("wordpress", {}), root, environ)
    if publish.target == "wordpress" and wordpress is None:
        raise ConfigError("wordpress.url: publish.target is 'wordpress' but no site is set")
    writer = read_section(WriterSettings, data.get("writer", {}), "writer")
    prompts_dir = _prompts_dir(writer, root)
    if wordpress is not None:
        wordpress = _with_prompts(wordpress, prompts_dir)
    llm = _llm(data.get("llm", {}), root, environ)
    scheduler = read_section(SchedulerSettings, data.get("scheduler", {}), "scheduler")
    # [writer] language and min_words are the gate's defaults; [quality] may differ.
    quality = read_section(
        QualitySettings,
        {"language": writer.language, "min_words": writer.min_words, **data.get("quality", {})},
        "quality",
    )
    select = read_section(SelectSettings, data.get("select", {}), "select")
    budget = read_section(BudgetSettings, data.get("budget", {}), "budget")
    if budget.cost_per_day and not (llm.price_input or llm.price_output):
        raise ConfigError(
            "budget.cost_per_day: set [llm] price_input and price_output (per million tokens)"
        )
    triage = read_section(TriageSettings, data.get("triage", {}), "triage")
    seo = read_section(SeoSettings, data.get("seo", {}), "seo")
    store = read_section(StoreSettings, data.get("store", {}), "store")
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
        store=store,
    )


def _sqlite_relative_to(url: str, root: Path) -> str:
    """sqlite:///data/x.db is relative to bot.toml's folder, not to the current directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(root / url[len(prefix) :])
    return url
