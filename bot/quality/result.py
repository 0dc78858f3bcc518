"""What the gate says about one answer: the failed rules, the flagged facts, the SEO report."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.seo import SeoReport


@dataclass
class Failure:
    rule: str  # stable id: "language", "min_words", "h2", "unsupported_facts"...
    message: str  # one precise line: the rule, the measured value, the target
    measured: str | None = None
    target: str | None = None
    items: list[str] = field(default_factory=list)  # e.g. the unsupported facts, by name
    severity: str = "hold"  # set by check() from the settings: hold | warn


@dataclass
class GateResult:
    failures: list[Failure]
    # With on_unsupported_facts = "flag": the facts an editor must check, instead of a failure.
    flagged_facts: list[str] = field(default_factory=list)
    report: SeoReport | None = None

    @property
    def passed(self) -> bool:
        """No failure at all, not even a warning."""
        return not self.failures

    @property
    def holds(self) -> list[Failure]:
        """The failures that keep this answer from being published."""
        return [f for f in self.failures if f.severity == "hold"]

    @property
    def warnings(self) -> list[Failure]:
        """The failures an editor fixes on the published draft."""
        return [f for f in self.failures if f.severity == "warn"]

    @property
    def publishable(self) -> bool:
        return not self.holds

    def failed(self, rule: str) -> Failure | None:
        return next((f for f in self.failures if f.rule == rule), None)

    def reasons(self) -> list[str]:
        """One line per failure, for `depeche stories show` and the held story."""
        return [f"{f.rule}: {f.message}" for f in self.failures]


def warning_line(failure: Failure) -> str:
    """A warning as the editor's note shows it: in French, with the measure and the target."""
    measure = ""
    if failure.measured is not None and failure.target is not None:
        measure = f" (mesuré : {failure.measured or '—'} ; cible : {failure.target})"
    return f"SEO à revoir : {failure.message}{measure}"
