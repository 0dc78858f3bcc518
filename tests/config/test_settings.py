"""One way to declare a setting, one loader: every section read by read_section()."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.app import make_publisher
from bot.config import (
    ConfigError,
    DatabaseSettings,
    FeedSettings,
    FetchSettings,
    LLMSettings,
    PublishSettings,
    SchedulerSettings,
    WriterSettings,
    load,
)
from bot.config.quality import QualitySettings
from bot.config.select import BudgetSettings, SelectSettings, TriageSettings
from bot.config.tables import read_section, setting
from bot.config.wordpress import WordPressSettings
from bot.net.limits import Limits

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (
    DatabaseSettings, FeedSettings, FetchSettings, LLMSettings, PublishSettings,
    SchedulerSettings, WriterSettings, QualitySettings, WordPressSettings, SelectSettings,
    BudgetSettings, TriageSettings,
)


@pytest.mark.parametrize("section", SECTIONS, ids=lambda cls: cls.__name__)
def test_every_setting_is_declared_with_a_one_line_doc(section):
    for field in dataclasses.fields(section):
        doc = field.metadata.get("doc", "")
        assert doc and "\n" not in doc, f"{section.__name__}.{field.name} has no one-line doc"


def test_quality_defaults_are_those_of_issue_4():
    s = QualitySettings()
    assert (s.min_words, s.max_section_words, s.seo_title_max_chars, s.seo_title_max_px) == (
        700, 300, 60, 600)
    assert (s.meta_min_chars, s.meta_max_chars, s.density_min, s.density_max) == (
        120, 156, 0.5, 3.0)
    assert (s.subheadings_keyphrase_min, s.subheadings_keyphrase_max, s.max_repairs) == (
        30, 75, 2)
    assert s.on_unsupported_facts == "hold" and s.check_facts and s.language == "fr"


def test_the_loader_reads_every_kind_of_value():
    s = read_section(QualitySettings, {
        "min_words": 500, "seo_title_max_px": 580, "density_max": 2.5, "check_facts": False,
        "on_unsupported_facts": "flag", "allowed_link_domains": ["Mon-Journal.fr"],
    }, "quality")
    assert s.min_words == 500 and s.seo_title_max_px == 580.0 and s.density_max == 2.5
    assert not s.check_facts and s.on_unsupported_facts == "flag"
    assert s.allowed_link_domains == ("mon-journal.fr",)
    assert read_section(QualitySettings, {}, "quality") == QualitySettings()


@pytest.mark.parametrize("data, message", [
    ({"min_word": 700}, "quality.min_word: unknown key"),
    ({"min_words": "700"}, "quality.min_words: expected an integer"),
    ({"min_words": 7.5}, "quality.min_words: expected an integer"),
    ({"check_facts": 1}, "quality.check_facts: expected true or false"),
    ({"density_min": "low"}, "quality.density_min: expected a number"),
    ({"allowed_link_domains": "a.fr"}, "quality.allowed_link_domains: expected a list"),
    ({"on_unsupported_facts": "publish"}, "quality.on_unsupported_facts: 'publish' is not"),
    ({"language": "en"}, "quality.language: 'en' is not supported"),
    ({"min_words": 0}, "quality.min_words: 0 is below 1"),
    ({"max_repairs": -1}, "quality.max_repairs: -1 is below 0"),
    ({"meta_min_chars": 160}, "quality.meta_min_chars: 160 is above quality.meta_max_chars"),
    ({"subheadings_keyphrase_max": 120},
     "quality.subheadings_keyphrase_max: 120 is out of range (0 to 100)"),
    ({"headline_max_similarity": 0},
     "quality.headline_max_similarity: 0 is out of range (above 0, at most 1)"),
])
def test_the_loader_refuses_what_is_wrong_in_one_line(data, message):
    with pytest.raises(ConfigError) as error:
        read_section(QualitySettings, data, "quality")
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


SITE = {"url": "https://www.example.fr", "user": "bot"}


def test_valid_wordpress_settings_are_read_quietly():
    settings = read_section(WordPressSettings, {
        **SITE, "status": "future", "publish_date": "2030-01-01T08:00:00+01:00",
        "api": "xmlrpc", "seo_plugin": "rankmath", "author": 3, "timeout": 12,
    }, "wordpress")
    assert settings.site == "https://www.example.fr" and settings.timeout == 12.0
    assert settings.parsed_publish_date() is not None


@pytest.mark.parametrize("key, value", [
    ("url", "www.example.fr"), ("url", "https://a.fr/?p=1"), ("user", " "), ("api", "soap"),
    ("seo_plugin", "aioseo"), ("status", "live"), ("author", 0), ("timeout", 0),
])
def test_each_wrong_wordpress_key_is_named(key, value):
    with pytest.raises(ConfigError, match=rf"^wordpress\.{key}: "):
        read_section(WordPressSettings, {**SITE, key: value}, "wordpress")


def test_a_future_post_needs_a_readable_date():
    with pytest.raises(ConfigError, match=r"^wordpress\.publish_date: .*needs it"):
        read_section(WordPressSettings, {**SITE, "status": "future"}, "wordpress")
    with pytest.raises(ConfigError, match="not an ISO 8601"):
        read_section(
            WordPressSettings, {**SITE, "status": "future", "publish_date": "demain"}, "wordpress"
        )
    with pytest.raises(ConfigError, match=r"^wordpress\.user: this key is required"):
        read_section(WordPressSettings, {"url": SITE["url"]}, "wordpress")


def test_bounds_are_said_the_same_way_for_every_section():
    with pytest.raises(ConfigError, match=r"^scheduler\.batch: 0 is out of range \(1 to 10000\)"):
        read_section(SchedulerSettings, {"batch": 0}, "scheduler")
    with pytest.raises(ConfigError, match=r"^select\.min_words: -1 is below 0"):
        read_section(SelectSettings, {"min_words": -1}, "select")
    with pytest.raises(ConfigError, match=r"^feeds\[2\]\.every: 'soon' is not an interval"):
        read_section(FeedSettings, {"url": "a.xml", "every": "soon"}, "feeds[2]")
    with pytest.raises(ConfigError, match=r"^select\.exclude: /\[x/ is not a regular expression"):
        read_section(SelectSettings, {"exclude": ["/[x/"]}, "select")


@dataclasses.dataclass(frozen=True)
class _Severity:
    facts: str = setting("hold", "what an unsupported fact does", choices=("hold", "flag"))


@dataclasses.dataclass(frozen=True)
class _WithSubTable:
    severity: _Severity = setting(_Severity(), "a sub-table, [section.severity]")  # noqa: RUF009


def test_a_sub_table_is_read_by_the_same_loader():
    read = read_section(_WithSubTable, {"severity": {"facts": "flag"}}, "quality")
    assert read.severity == _Severity(facts="flag")
    with pytest.raises(ConfigError, match=r"^quality\.severity\.facts: 'drop' is not supported"):
        read_section(_WithSubTable, {"severity": {"facts": "drop"}}, "quality")


def test_values_from_the_environment_are_checked_like_the_file(tmp_path: Path):
    config = tmp_path / "bot.toml"
    config.write_text('[database]\nurl = "sqlite:///x.db"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^publish\.target: 'fax' is not supported"):
        load(config, environ={"DEPECHE_PUBLISH_TARGET": "fax"})
    with pytest.raises(ConfigError, match=r"^wordpress\.url: 'ftp://x' is not the site's root"):
        load(config, environ={"DEPECHE_WP_URL": "ftp://x", "DEPECHE_WP_USER": "bot"})


def test_the_shipped_example_config_loads_quietly(tmp_path: Path):
    config = tmp_path / "bot.toml"
    config.write_text((ROOT / "config" / "bot.example.toml").read_text(encoding="utf-8"))
    loaded = load(config, environ={})
    assert loaded.quality == QualitySettings() and loaded.scheduler == SchedulerSettings()


def test_the_fetch_limits_reach_the_publisher(tmp_path: Path):
    """Images are downloaded with [fetch]'s limits, never with [wordpress] timeout."""
    config = tmp_path / "bot.toml"
    config.write_text(
        '[publish]\ntarget = "wordpress"\n'
        '[wordpress]\nurl = "https://www.example.fr"\nuser = "bot"\ntimeout = 45\n'
        "[fetch]\ntimeout = 7\nmax_bytes = 2048\nallow_private = true\n",
        encoding="utf-8",
    )
    loaded = load(config, environ={})
    publisher = make_publisher(loaded)
    assert publisher._limits == Limits(timeout=7, max_bytes=2048, allow_private=True)
    assert loaded.wordpress is not None and loaded.wordpress.timeout == 45
