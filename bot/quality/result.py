"""What the gate says about one answer: the failed rules, the flagged facts, the SEO report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.seo import SeoReport


@dataclass
class Failure:
    rule: str  # stable id: "language", "min_words", "h2", "unsupported_facts"...
    message: str  # one precise line: the rule, the measured value, the target
    measured: str | None = None
    target: str | None = None
    items: list[str] = field(default_factory=list)  # e.g. the unsupported facts, by name


@dataclass
class GateResult:
    failures: list[Failure]
    # With on_unsupported_facts = "flag": the facts an editor must check, instead of a failure.
    flagged_facts: list[str] = field(default_factory=list)
    report: SeoReport | None = None

    @property
    def passed(self) -> bool:
        return not self.failures

    def failed(self, rule: str) -> Failure | None:
        return next((f for f in self.failures if f.rule == rule), None)

    def reasons(self) -> list[str]:
        """One line per failure, for `depeche stories show` and the held story."""
        return [f"{f.rule}: {f.message}" for f in self.failures]
