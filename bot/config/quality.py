"""The [quality] section: the gate's hard rules, each one configurable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from bot.config.tables import lower_case, setting
from bot.errors import ConfigError

HOLD, WARN, OFF = "hold", "warn", "off"
SEVERITIES = (HOLD, WARN, OFF)
# What an editor cannot fix in ten seconds holds the story (once the repairs run out); what
# Yoast rates orange and an editor fixes at once is a warning on a published draft.
DEFAULT_SEVERITY: Mapping[str, str] = MappingProxyType({
    **dict.fromkeys(("unsupported_facts", "language", "prompt_injection", "html", "markdown",
                     "h1", "links", "headline_new", "min_words", "h2"), HOLD),
    **dict.fromkeys(("keyphrase", "keyphrase_in_seo_title", "keyphrase_in_intro",
                     "keyphrase_in_meta", "keyphrase_in_subheadings", "keyphrase_density",
                     "meta_length", "seo_title_length", "seo_title_width", "section_length",
                     "slug"), WARN),
})


def _severity_table(raw: Any, key: str) -> Mapping[str, str]:
    """The [quality.severity] table: rule = "hold" | "warn" | "off", over DEFAULT_SEVERITY."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f'{key}: expected a table of rule = "hold" | "warn" | "off", got {raw!r}')
    for rule, value in raw.items():
        if rule not in DEFAULT_SEVERITY:
            raise ConfigError(f"{key}.{rule}: unknown rule (known: {', '.join(DEFAULT_SEVERITY)})")
        if value not in SEVERITIES:
            raise ConfigError(f'{key}.{rule}: {value!r} is not "hold", "warn" or "off"')
    return MappingProxyType(dict(raw))


@dataclass(frozen=True)
class QualitySettings:
    # The rules on facts, dates, typography and stop words are written for French only.
    language: str = setting("fr", "the language every draft is written in", choices=("fr",))
    min_words: int = setting(700, "the fewest words a draft may have", low=1)
    max_section_words: int = setting(300, "the most words between two subheadings", low=1)
    seo_title_max_chars: int = setting(60, "the longest SEO title, in characters", low=1)
    seo_title_max_px: float = setting(600, "the widest SEO title, in pixels (Google's)", above=0)
    meta_min_chars: int = setting(120, "the shortest meta description", low=0)
    meta_max_chars: int = setting(156, "the longest meta description", low=1)
    density_min: float = setting(0.5, "the keyphrase's lowest density, in %", low=0)
    density_max: float = setting(3.0, "the keyphrase's highest density, in %")
    subheadings_keyphrase_min: float = setting(
        30, "the lowest % of subheadings holding the keyphrase", low=0, high=100
    )
    subheadings_keyphrase_max: float = setting(
        75, "the highest % of subheadings holding the keyphrase", low=0, high=100
    )
    slug_max_chars: int = setting(60, "the longest slug", low=1)
    headline_max_similarity: float = setting(
        0.6, "the share of content words the headline may share with the source's", above=0, high=1
    )
    allowed_link_domains: tuple[str, ...] = setting(
        (), "links may point to the source's site and to these (the newsroom's own)",
        parse=lower_case,
    )
    max_repairs: int = setting(2, "the answers sent back to the model before a hold", low=0)
    # Once a hold failure has opened the repairs: a good article's first answer is never
    # sent back for a warning.
    max_warn_repairs: int = setting(1, "repair requests sent for warnings alone", low=0)
    severity: Mapping[str, str] = setting(
        MappingProxyType({}), "[quality.severity]: rule = hold, warn or off, over the defaults",
        parse=_severity_table,
    )
    on_unsupported_facts: str = setting(
        "hold", "a fact the source does not hold: hold the story, or flag it for the editor",
        choices=("hold", "flag"),
    )
    check_facts: bool = setting(True, "check every fact of the draft against the source")

    def severity_of(self, rule: str) -> str:
        return self.severity.get(rule, DEFAULT_SEVERITY.get(rule, HOLD))

    def check(self) -> None:
        for low, high in (
            ("meta_min_chars", "meta_max_chars"),
            ("density_min", "density_max"),
            ("subheadings_keyphrase_min", "subheadings_keyphrase_max"),
        ):
            if getattr(self, low) > getattr(self, high):
                raise ConfigError(
                    f"quality.{low}: {getattr(self, low)} is above quality.{high} "
                    f"({getattr(self, high)})"
                )
