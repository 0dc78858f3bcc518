"""The settings the issues name are a contract (issues 8, 10, 12, 13, 15): each one is
read from bot.toml into the Config, and a bad value is refused by one line naming it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, load

ROOT = Path(__file__).resolve().parents[2]
# A site, so that [wordpress] is read at all.
SITE = {"url": '"http://127.0.0.1:8080"', "user": '"depeche"'}

# section, key, a good value (TOML) and what the Config holds for it, a bad value (TOML).
CONTRACT = [
    ("fetch", "concurrency", "8", 8, "0"),
    ("fetch", "per_host", "3", 3, "0"),
    ("llm", "concurrency", "2", 2, "0"),
    ("llm", "requests_per_minute", "500", 500, "-1"),
    ("llm", "tokens_per_minute", "200000", 200_000, '"lots"'),
    ("publish", "concurrency", "1", 1, "0"),
    ("cluster", "window", '"48h"', "48h", '"two days"'),
    ("cluster", "threshold", "0.4", 0.4, "1.5"),
    ("cluster", "wait", '"5m"', "5m", '"soon"'),
    ("wordpress", "status", '"pending"', "pending", '"private"'),
    ("wordpress", "sync_every", '"10m"', "10m", '"often"'),
    ("wordpress", "ai_disclosure", '"always"', "always", '"sometimes"'),
    ("store", "keep_prompts", '"30d"', "30d", '"a month"'),
    ("store", "spool_dir", '"data/attente"', "data/attente", "3"),
    ("scheduler", "outage_failures", "5", 5, "0"),
    ("scheduler", "probe_seconds", "20", 20, "0"),
    ("scheduler", "probe_max_seconds", "120", 120, "0"),
]


def _write(tmp_path: Path, section: str, key: str, value: str) -> Path:
    table = {**SITE, key: value} if section == "wordpress" else {key: value}
    lines = [f"[{section}]", *(f"{name} = {text}" for name, text in table.items())]
    path = tmp_path / "bot.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ids(row: tuple) -> str:
    return f"{row[0]}.{row[1]}"


@pytest.mark.parametrize(("section", "key", "good", "read", "bad"), CONTRACT,
                         ids=[_ids(row) for row in CONTRACT])
def test_an_issue_key_is_read_and_a_bad_value_refused_by_name(
    tmp_path, section, key, good, read, bad
):
    config = load(_write(tmp_path, section, key, good), environ={})
    assert getattr(getattr(config, section), key) == read

    with pytest.raises(ConfigError) as refused:
        load(_write(tmp_path, section, key, bad), environ={})
    message = str(refused.value)
    assert message.startswith(f"{section}.{key}:") and "\n" not in message, message


@pytest.mark.parametrize(("section", "key"), [row[:2] for row in CONTRACT],
                         ids=[_ids(row) for row in CONTRACT])
def test_an_issue_key_is_documented_in_the_readme(section, key):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    configuration = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in configuration.splitlines() if line.startswith("| `[")]
    named = re.compile(rf"\b{key}\b")
    assert any(f"[{section}]" in row and named.search(row) for row in rows), (
        f"[{section}] {key} has no row in README's configuration table")


@pytest.mark.parametrize(("section", "key"), [row[:2] for row in CONTRACT],
                         ids=[_ids(row) for row in CONTRACT])
def test_an_issue_key_is_in_the_commented_example(section, key):
    """`depeche init` writes config/bot.example.toml: each key there under its section,
    set or commented out."""
    example = (ROOT / "config" / "bot.example.toml").read_text(encoding="utf-8")
    heading = re.compile(rf"^#? ?\[{section}\]", re.MULTILINE)
    found = heading.search(example)
    assert found, f"no [{section}] in config/bot.example.toml"
    table = re.split(r"^#? ?\[", example[found.end():], maxsplit=1, flags=re.MULTILINE)[0]
    assert re.search(rf"^#? ?{key} =", table, re.MULTILINE), (
        f"[{section}] {key} is not in config/bot.example.toml")
