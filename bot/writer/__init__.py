"""Writer stage: a source article in, a French SEO draft (or the reasons it was held) out.

Entry point: ``Writer.write(source, category=..., record=...)``.

With a model, one chat call per story in the normal case; each answer goes
through the quality gate, and what fails goes back to the model in the same
conversation, at most ``quality.max_repairs`` times. Without a model, the
offline writer packages the source as is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config.quality import QualitySettings
from bot.quality import GateResult, apply_local_fixes, check, repair_request
from bot.quality.rules import language_rules
from bot.seo import analyze
from bot.writer import offline
from bot.writer.answer import AnswerError, parse_answer
from bot.writer.draft import Draft, SourceArticle
from bot.writer.llm import Model, ModelError, Recorder
from bot.writer.prompt import Prompts

__all__ = ["ModelError", "WriteOutcome", "Writer"]

log = logging.getLogger(__name__)


@dataclass
class WriteOutcome:
    draft: Draft | None
    # Why no draft could be accepted (the story is then held), one line each.
    held_reasons: list[str] = field(default_factory=list)
    repairs: int = 0


class Writer:
    def __init__(self, *, model: Model | None, prompts: Prompts, quality: QualitySettings):
        self.model = model
        self.prompts = prompts
        self.quality = quality

    @property
    def name(self) -> str:
        return self.model.model if self.model else "offline"

    def write(
        self,
        source: SourceArticle,
        *,
        category: str,
        record: Recorder,
        guard: Callable[[], None] | None = None,
    ) -> WriteOutcome:
        """Raises ModelError when the model cannot be reached: the story waits for the next run.
        `guard` is asked before each model call (the day's budget) and may raise to stop."""
        if self.model is None:
            return WriteOutcome(self._offline(source, category))
        return self._with_model(self.model, source, category, record, guard)

    def _offline(self, source: SourceArticle, category: str) -> Draft:
        draft = offline.package(source, category=category, min_words=self.quality.min_words)
        draft = apply_local_fixes(draft, source, self.quality)
        # Nothing is translated offline: an editor must see at once that this one needs it.
        draft.warnings.extend(
            f"Langue : {failure.message} (hors ligne, rien n'est traduit)"
            for failure in language_rules(draft, self.quality)
        )
        draft.seo = _report(draft)
        return draft

    def _with_model(
        self,
        model: Model,
        source: SourceArticle,
        category: str,
        record: Recorder,
        guard: Callable[[], None] | None,
    ) -> WriteOutcome:
        messages = self.prompts.messages(
            source,
            language=self.quality.language,
            min_words=self.quality.min_words,
            category=category,
        )
        reasons: list[str] = []
        for attempt in range(1 + self.quality.max_repairs):
            purpose = "write" if attempt == 0 else "repair"
            completion = model.complete(messages, purpose=purpose, record=record, guard=guard)
            messages = [*messages, {"role": "assistant", "content": completion.text}]
            try:
                draft = parse_answer(completion.text, writer=completion.model)
            except AnswerError as error:
                reasons = [f"réponse inutilisable : {error}"]
                messages.append({"role": "user", "content": _json_repair(str(error))})
                continue
            draft = apply_local_fixes(draft, source, self.quality)
            result = check(draft, source, self.quality)
            if result.passed:
                return WriteOutcome(_accepted(draft, result), repairs=attempt)
            reasons = result.reasons()
            log.info("gate refused answer %d: %s", attempt + 1, "; ".join(reasons))
            messages.append({"role": "user", "content": repair_request(result, self.quality)})
        return WriteOutcome(None, held_reasons=reasons, repairs=self.quality.max_repairs)


def _accepted(draft: Draft, result: GateResult) -> Draft:
    draft.seo = result.report.to_dict() if result.report else _report(draft)
    draft.warnings.extend(
        f"Fait non vérifié dans la source : {fact}" for fact in result.flagged_facts
    )
    return draft


def _report(draft: Draft) -> dict:
    return analyze(
        body_html=draft.body_html,
        keyphrase=draft.focus_keyphrase,
        title=draft.title,
        seo_title=draft.seo_title,
        meta_description=draft.meta_description,
        slug=draft.slug,
    ).to_dict()


def _json_repair(problem: str) -> str:
    return (
        f"Ta réponse n'est pas utilisable : {problem}. Réponds uniquement par un objet JSON "
        "valide avec exactement les clés title, seo_title, meta_description, focus_keyphrase, "
        "slug, excerpt, body_html, tags, category."
    )
