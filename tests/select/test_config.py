"""The selection keys as a newsroom writes them: the README's example and the commented
keys `depeche init` writes both load, and say what they mean."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import load
from tests.conftest import ROOT


def test_the_readmes_regional_newsroom_example_loads(tmp_path: Path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Choosing what to write") :]
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert example
    (tmp_path / "bot.toml").write_text(example.group(1), encoding="utf-8")
    config = load(tmp_path / "bot.toml", environ={})
    wire, local = config.feeds
    assert config.budget.articles_per_day == 40 and config.llm.price_output == 9.20
    assert wire.per_day == 10 and wire.max_age == "12h" and local.priority == 10
    assert config.triage.model == "gpt-4o-mini" and config.select.max_age == "48h"


def test_the_keys_init_writes_load_once_uncommented(tmp_path: Path):
    shipped = (ROOT / "config" / "bot.example.toml").read_text(encoding="utf-8")
    # The selection sections (from their heading to the first [[feeds]]), and the prices.
    start, end = shipped.index("# Choosing what to write"), shipped.index("\n[[feeds]]")
    section = "\n".join(
        line[2:] if re.match(r"# (\[\w+\]|\w+ = )", line) else line
        for line in shipped[start:end].splitlines()
    )
    prices = re.sub(r"(?m)^# (price_\w+ =)", r"\1", shipped[:start])
    uncommented = prices + section + shipped[end:]
    (tmp_path / "bot.toml").write_text(uncommented, encoding="utf-8")
    config = load(tmp_path / "bot.toml", environ={})
    assert config.budget.articles_per_day == 40 and config.triage.enabled
    assert config.select.exclude == ("horoscope", "/^(PMU|Loto)\\b/")  # as annotated
    # As shipped, nothing is chosen but by age (the sample wire has none: max_age "0").
    default = load(ROOT / "config" / "bot.example.toml", environ={})
    assert not default.budget.limited and not default.triage.enabled
    assert default.feeds[0].max_age == "0"
