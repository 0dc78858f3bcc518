"""The gate's hard rules, each one configurable in the ``[quality]`` table of the config."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

FACT_POLICIES = ("hold", "flag")
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
# The rules on facts, dates, typography and stop words are written for French only.
SUPPORTED_LANGUAGES = ("fr",)


@dataclass(frozen=True)
class QualitySettings:
    language: str = "fr"
    min_words: int = 700
    max_section_words: int = 300
    seo_title_max_chars: int = 60
    seo_title_max_px: float = 600
    meta_min_chars: int = 120
    meta_max_chars: int = 156
    density_min: float = 0.5
    density_max: float = 3.0
    subheadings_keyphrase_min: float = 30
    subheadings_keyphrase_max: float = 75
    slug_max_chars: int = 60
    # Share of content words the new headline may have in common with the source's (0-1).
    headline_max_similarity: float = 0.6
    # Links may only point to the source's site and to these domains (the newsroom's own).
    allowed_link_domains: tuple[str, ...] = ()
    max_repairs: int = 2
    # Repair requests sent for warnings alone, once a hold failure has opened the repairs:
    # the first answer of a good article is never sent back for a warning.
    max_warn_repairs: int = 1
    # Rule id -> hold | warn | off, over DEFAULT_SEVERITY (the [quality.severity] table).
    severity: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    on_unsupported_facts: str = "hold"  # "hold" | "flag"
    check_facts: bool = True

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> QualitySettings:
        """Build from the ``[quality]`` table; ``ValueError("quality.<key>: ...")`` when wrong."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key == "severity":
                values[key] = _severity_table(raw)
            elif key not in fields:
                raise ValueError(f"quality.{key}: unknown key (known: {', '.join(fields)})")
            else:
                values[key] = _coerce(key, raw, str(fields[key].type))
        settings = cls(**values)
        settings.validate()
        return settings

    def severity_of(self, rule: str) -> str:
        return self.severity.get(rule, DEFAULT_SEVERITY.get(rule, HOLD))

    def validate(self) -> None:
        if self.language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"quality.language: {self.language!r} is not supported (only 'fr')")
        if self.on_unsupported_facts not in FACT_POLICIES:
            raise ValueError(
                f"quality.on_unsupported_facts: {self.on_unsupported_facts!r} is not "
                "'hold' or 'flag'"
            )
        for name in ("min_words", "max_section_words", "seo_title_max_chars",
                     "seo_title_max_px", "meta_max_chars", "slug_max_chars"):
            if getattr(self, name) <= 0:
                raise ValueError(f"quality.{name}: must be positive, not {getattr(self, name)}")
        for name in ("meta_min_chars", "max_repairs", "max_warn_repairs",
                     "density_min", "subheadings_keyphrase_min"):
            if getattr(self, name) < 0:
                raise ValueError(f"quality.{name}: must not be negative, not {getattr(self, name)}")
        _check_range("meta_min_chars", self.meta_min_chars, "meta_max_chars", self.meta_max_chars)
        _check_range("density_min", self.density_min, "density_max", self.density_max)
        _check_range("subheadings_keyphrase_min", self.subheadings_keyphrase_min,
                     "subheadings_keyphrase_max", self.subheadings_keyphrase_max)
        if self.subheadings_keyphrase_max > 100:
            raise ValueError("quality.subheadings_keyphrase_max: a percentage, at most 100")
        if not 0 < self.headline_max_similarity <= 1:
            raise ValueError("quality.headline_max_similarity: must be in (0, 1]")


def _severity_table(raw: Any) -> Mapping[str, str]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"quality.severity: expected a table of rule = \"hold\" | \"warn\" | "
                         f"\"off\", got {raw!r}")
    for rule, value in raw.items():
        if rule not in DEFAULT_SEVERITY:
            raise ValueError(f"quality.severity.{rule}: unknown rule (known: "
                             f"{', '.join(DEFAULT_SEVERITY)})")
        if value not in SEVERITIES:
            raise ValueError(f"quality.severity.{rule}: {value!r} is not \"hold\", \"warn\" "
                             "or \"off\"")
    return MappingProxyType(dict(raw))


def _check_range(low_name: str, low: float, high_name: str, high: float) -> None:
    if low > high:
        raise ValueError(f"quality.{low_name}: {low} is above quality.{high_name} ({high})")


def _coerce(key: str, raw: Any, kind: str) -> Any:
    """Check one value against its field's annotation; TOML ints are accepted as floats."""
    if kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError(f"quality.{key}: expected true or false, got {raw!r}")
        return raw
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"quality.{key}: expected an integer, got {raw!r}")
        return raw
    if kind == "float":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"quality.{key}: expected a number, got {raw!r}")
        return float(raw)
    if kind == "str":
        if not isinstance(raw, str):
            raise ValueError(f"quality.{key}: expected a string, got {raw!r}")
        return raw
    if kind.startswith("tuple"):
        if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
            raise ValueError(f"quality.{key}: expected a list of strings, got {raw!r}")
        return tuple(x.strip().lower() for x in raw)
    raise AssertionError(f"no coercion for {kind}")  # a new field type needs a branch here
