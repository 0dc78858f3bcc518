"""[quality.severity]: hold, warn or off per rule (the other [quality] keys: tests/config)."""

from __future__ import annotations

import re

import pytest

from bot.config import ConfigError
from bot.config.tables import read_section
from bot.quality import QualitySettings, check
from tests.quality.articles import with_body, with_fields


def test_severity_table_sets_hold_warn_or_off_per_rule(good, source):
    """The default gate is quiet on the good draft; a rule set to "hold" holds, "off" is gone."""
    settings = read_section(QualitySettings, {"severity": {"keyphrase_in_subheadings": "hold",
                                                           "meta_length": "off"}}, "quality")
    assert settings.severity_of("keyphrase_in_subheadings") == "hold"
    assert settings.severity_of("keyphrase_density") == "warn"
    assert settings.severity_of("unsupported_facts") == "hold"
    assert check(good, [source], QualitySettings()).failures == []
    one_head = with_body(good, "dans les écoles de Grenoble</h2>", "dans la ville</h2>")
    short_meta = with_fields(one_head, meta_description="Les écoles de Grenoble rénovées.")
    default = check(short_meta, [source], QualitySettings())
    assert default.publishable and {f.rule for f in default.warnings} == {
        "keyphrase_in_subheadings", "meta_length"}
    strict = check(short_meta, [source], settings)
    assert [f.rule for f in strict.holds] == ["keyphrase_in_subheadings"]
    assert strict.failed("meta_length") is None


@pytest.mark.parametrize("table, message", [
    ({"severity": {"keyphrase_in_subheadings": "maybe"}},
     'quality.severity.keyphrase_in_subheadings: \'maybe\' is not "hold", "warn" or "off"'),
    ({"severity": {"spelling": "warn"}}, "quality.severity.spelling: unknown rule"),
    ({"severity": "warn"}, "quality.severity: expected a table"),
    ({"max_warn_repairs": -1}, "quality.max_warn_repairs: -1 is below 0"),
])
def test_severity_mistakes_name_the_key(table, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        read_section(QualitySettings, table, "quality")
