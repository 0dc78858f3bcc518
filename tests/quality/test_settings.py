"""QualitySettings.from_mapping(): the [quality] table, checked key by key."""

from __future__ import annotations

import re

import pytest

from bot.quality import QualitySettings, check
from tests.quality.articles import with_body, with_fields


def test_defaults_are_those_of_issue_4():
    s = QualitySettings()
    assert (s.min_words, s.max_section_words, s.seo_title_max_chars, s.seo_title_max_px) == (
        700, 300, 60, 600)
    assert (s.meta_min_chars, s.meta_max_chars, s.density_min, s.density_max) == (
        120, 156, 0.5, 3.0)
    assert (s.subheadings_keyphrase_min, s.subheadings_keyphrase_max, s.max_repairs) == (
        30, 75, 2)
    assert s.on_unsupported_facts == "hold" and s.check_facts and s.language == "fr"


def test_from_mapping_reads_every_kind_of_value():
    s = QualitySettings.from_mapping({
        "min_words": 500, "seo_title_max_px": 580, "density_max": 2.5, "check_facts": False,
        "on_unsupported_facts": "flag", "allowed_link_domains": ["Mon-Journal.fr"],
    })
    assert s.min_words == 500 and s.seo_title_max_px == 580.0 and s.density_max == 2.5
    assert not s.check_facts and s.on_unsupported_facts == "flag"
    assert s.allowed_link_domains == ("mon-journal.fr",)
    assert QualitySettings.from_mapping({}) == QualitySettings()


@pytest.mark.parametrize("data, message", [
    ({"min_word": 700}, "quality.min_word: unknown key"),
    ({"min_words": "700"}, "quality.min_words: expected an integer"),
    ({"min_words": 7.5}, "quality.min_words: expected an integer"),
    ({"check_facts": 1}, "quality.check_facts: expected true or false"),
    ({"density_min": "low"}, "quality.density_min: expected a number"),
    ({"allowed_link_domains": "a.fr"}, "quality.allowed_link_domains: expected a list"),
    ({"on_unsupported_facts": "publish"}, "quality.on_unsupported_facts: 'publish' is not"),
    ({"language": "en"}, "quality.language: 'en' is not supported"),
    ({"min_words": 0}, "quality.min_words: must be positive"),
    ({"max_repairs": -1}, "quality.max_repairs: must not be negative"),
    ({"meta_min_chars": 160}, "quality.meta_min_chars: 160 is above quality.meta_max_chars"),
    ({"subheadings_keyphrase_max": 120}, "quality.subheadings_keyphrase_max: a percentage"),
    ({"headline_max_similarity": 0}, "quality.headline_max_similarity: must be in (0, 1]"),
])
def test_from_mapping_refuses_what_is_wrong(data, message):
    with pytest.raises(ValueError) as error:
        QualitySettings.from_mapping(data)
    assert str(error.value).startswith(message)


def test_severity_table_sets_hold_warn_or_off_per_rule(good, source):
    """The default gate is quiet on the good draft; a rule set to "hold" holds, "off" is gone."""
    settings = QualitySettings.from_mapping({"severity": {"keyphrase_in_subheadings": "hold",
                                                          "meta_length": "off"}})
    assert settings.severity_of("keyphrase_in_subheadings") == "hold"
    assert settings.severity_of("keyphrase_density") == "warn"
    assert settings.severity_of("unsupported_facts") == "hold"
    assert check(good, source, QualitySettings()).failures == []
    one_head = with_body(good, "dans les écoles de Grenoble</h2>", "dans la ville</h2>")
    short_meta = with_fields(one_head, meta_description="Les écoles de Grenoble rénovées.")
    default = check(short_meta, source, QualitySettings())
    assert default.publishable and {f.rule for f in default.warnings} == {
        "keyphrase_in_subheadings", "meta_length"}
    strict = check(short_meta, source, settings)
    assert [f.rule for f in strict.holds] == ["keyphrase_in_subheadings"]
    assert strict.failed("meta_length") is None


@pytest.mark.parametrize("table, message", [
    ({"severity": {"keyphrase_in_subheadings": "maybe"}},
     'quality.severity.keyphrase_in_subheadings: \'maybe\' is not "hold", "warn" or "off"'),
    ({"severity": {"spelling": "warn"}}, "quality.severity.spelling: unknown rule"),
    ({"severity": "warn"}, "quality.severity: expected a table"),
    ({"max_warn_repairs": -1}, "quality.max_warn_repairs: must not be negative"),
])
def test_severity_mistakes_name_the_key(table, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        QualitySettings.from_mapping(table)
