"""Writer stage: a story's source articles in, a French SEO draft (or the reasons it was
held) out.

Entry point: ``Writer.write(sources, category=..., record=..., guard=..., instruction=...)``
(``guard``: the budget's check before each model call, bot.select; ``instruction``: an
editor's rewrite request). A story has one source or
several (the same event told by other wires, bot.cluster), the first being the primary: the
model gets each of them in the prompt, delimited and named, and the gate checks the answer
against all of them. Without a model, the primary is packaged and the others credited.

With a model, one chat call per story in the normal case; each answer goes
through the quality gate. A hold failure goes back to the model (a short repair
request, see bot.quality.repair), at most ``quality.max_repairs`` times; every
answer is kept and the best publishable one wins, with its warnings in the
editor's note. Several stories are written at once (``[llm] concurrency``, one thread
each, bot.pipeline.pool), all through one model client and its one rate limiter
(bot.writer.ratelimit: a 429's Retry-After pauses every writer).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.breaker import Breaker
from bot.config.quality import QualitySettings
from bot.quality import Failure, GateResult, apply_local_fixes, check, repair_request
from bot.quality.result import warning_line
from bot.quality.rules import language_rules
from bot.seo import analyze
from bot.story import DRAFT_KEYS, Draft, SourceArticle, WriteOutcome
from bot.writer import offline
from bot.writer.answer import AnswerError, parse_answer, parse_patch
from bot.writer.llm import Message, Model, ModelStopped, Recorder
from bot.writer.prompt import Prompts
from bot.writer.server_errors import Fault, ServerError

__all__ = ["Writer"]

log = logging.getLogger(__name__)


class Writer:
    def __init__(self, *, model: Model | None, prompts: Prompts, quality: QualitySettings):
        self.model = model
        self.prompts = prompts
        self.quality = quality

    @property
    def breaker(self) -> Breaker | None:
        """The model server's breaker; the offline writer has no server to wait for."""
        return self.model.breaker if self.model else None

    @property
    def name(self) -> str:
        return self.model.model if self.model else "offline"

    def write(
        self,
        sources: Sequence[SourceArticle],
        *,
        category: str,
        record: Recorder,
        guard: Callable[[], None] | None = None,
        instruction: str | None = None,
    ) -> WriteOutcome:
        """Raises ModelError when the model cannot be reached: the story waits for the next run.
        `guard` is asked before each model call (the day's budget) and may raise to stop.
        `instruction`: an editor's, for a rewrite on request (needs a model)."""
        if self.model is None:
            return WriteOutcome(self._offline(sources, category))
        return self._with_model(self.model, sources, category, record, guard, instruction)

    def _offline(self, sources: Sequence[SourceArticle], category: str) -> Draft:
        draft = offline.package(sources, category=category, min_words=self.quality.min_words)
        draft = apply_local_fixes(draft, sources, self.quality)
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
        sources: Sequence[SourceArticle],
        category: str,
        record: Recorder,
        guard: Callable[[], None] | None,
        instruction: str | None,
    ) -> WriteOutcome:
        prompt, trimmed = self._fitted_prompt(model, sources, category, instruction)
        conversation = _Conversation(self.quality)
        messages = prompt
        patch = False
        for attempt in range(1 + self.quality.max_repairs):
            purpose = "write" if attempt == 0 else "repair"
            completion = model.complete(messages, purpose=purpose, record=record, guard=guard)
            try:
                last = conversation.last
                draft = (parse_patch(completion.text, last) if patch and last
                         else parse_answer(completion.text, writer=completion.model))
            except AnswerError as error:
                if completion.cut_off:
                    # Not malformed: stopped at max_tokens or at the window's end.
                    conversation.unusable(CUT_OFF_REASON)
                    messages = [*prompt, _cut_answer(completion.text), _shorter_request()]
                    patch = False
                    continue
                conversation.unusable(f"réponse inutilisable : {error}")
                messages = [*prompt, {"role": "assistant", "content": completion.text},
                            {"role": "user", "content": _json_repair(str(error))}]
                patch = False
                continue
            draft = apply_local_fixes(draft, sources, self.quality)
            result = check(draft, sources, self.quality)
            failures = conversation.add(draft, result)
            if not failures:
                break
            log.info("gate refused answer %d: %s", attempt + 1, "; ".join(result.reasons()))
            request = repair_request(failures, draft, sources, self.quality)
            patch = request.patch
            # Only what the model needs: the source, then its last answer when the whole
            # of it must come back, never the earlier ones.
            last_answer = [] if patch else [{"role": "assistant", "content": _as_json(draft)}]
            messages = [*prompt, *last_answer, {"role": "user", "content": request.text}]
        best = conversation.best()
        repairs = conversation.calls - 1
        if best is None:
            return WriteOutcome(None, held_reasons=conversation.held_reasons, repairs=repairs)
        draft = _accepted(*best)
        if trimmed:
            draft.warnings.append(trimmed)
        return WriteOutcome(draft, repairs=repairs)


    def _fitted_prompt(
        self,
        model: Model,
        sources: Sequence[SourceArticle],
        category: str,
        instruction: str | None,
    ) -> tuple[list[Message], str | None]:
        """The first prompt, its sources cut (at a paragraph, else a word) so that it leaves
        the answer room in the server's window; and the editor's note that says so. The room
        is shared fairly: every source is cut to the same longest length that fits, so a
        short source stays whole and the long ones give up their ends alike. Raises
        ModelStopped when not even a paragraph fits."""

        def prompt(longest: int | None) -> list[Message]:
            messages = self.prompts.messages(
                _each_cut(sources, longest),
                language=self.quality.language,
                min_words=self.quality.min_words,
                category=category,
            )
            return self.prompts.with_instruction(messages, instruction) if instruction else messages

        whole = prompt(None)
        if not model.excess_tokens(whole):
            return whole, None
        # The longest length that fits, by halving: a few counts, whatever the tokenizer.
        fits, too_long = 0, max(len(source.text) for source in sources)
        while too_long - fits > _TRIM_PRECISION:
            middle = (fits + too_long) // 2
            if model.excess_tokens(prompt(middle)):
                too_long = middle
            else:
                fits = middle
        kept_sources = _each_cut(sources, fits)
        kept = sum(len(source.text.split()) for source in kept_sources)
        total = sum(len(source.text.split()) for source in sources)
        if kept < _FEWEST_WORDS:
            error = ServerError(
                Fault.CONTEXT,
                f"not even {_FEWEST_WORDS} words of a {total}-word source fit beside the "
                "prompt and the answer",
            )
            raise ModelStopped(error.line(), error=error)
        log.warning("source cut to %d words of %d to fit the model's window", kept, total)
        return prompt(fits), _trimmed_note(sources, kept_sources)


def _each_cut(sources: Sequence[SourceArticle], longest: int | None) -> list[SourceArticle]:
    """The sources, each text cut to at most `longest` characters (None: whole)."""
    if longest is None:
        return list(sources)
    return [
        replace(source, text=_cut(source.text, longest)) if len(source.text) > longest
        else source
        for source in sources
    ]


def _trimmed_note(sources: Sequence[SourceArticle], kept: Sequence[SourceArticle]) -> str:
    """The editor's note on what the model did not see: each cut source, words kept of all."""
    counts = [
        (source, len(cut.text.split()), len(source.text.split()))
        for source, cut in zip(sources, kept, strict=True)
    ]
    if len(sources) == 1:
        _, n, total = counts[0]
        return (
            f"Source tronquée pour tenir dans le contexte du modèle : {n} mots sur {total} "
            "envoyés ; vérifiez que la fin de l'article source n'apportait rien d'essentiel"
        )
    shown = ", ".join(
        f"{source.source_name or source.url or source.title} : {n} mots sur {total}"
        for source, n, total in counts
        if n < total
    )
    return (
        f"Sources tronquées pour tenir dans le contexte du modèle ({shown} envoyés) ; "
        "vérifiez que la fin de ces articles n'apportait rien d'essentiel"
    )


# Characters: the cut source is within this much of the longest start that fits.
_TRIM_PRECISION = 200
# A source cut shorter than this is no source: the window is too small for the prompt.
_FEWEST_WORDS = 40
CUT_OFF_REASON = "réponse coupée (max_tokens / contexte)"


def _cut(text: str, keep: int) -> str:
    """The text's start, at most `keep` characters, ending at a paragraph or a word."""
    if keep <= 0:
        return ""
    head = text[:keep]
    end = head.rfind("\n")
    if end < keep // 2:
        end = head.rfind(" ")
    return head[: max(end, 0)].rstrip()


def _cut_answer(text: str) -> Message:
    # The cut answer stays in the conversation only as a reminder: all of it would
    # take the room the shorter answer needs.
    return {"role": "assistant", "content": text[:200] + "…"}


def _shorter_request() -> Message:
    return {
        "role": "user",
        "content": "Ta réponse a été coupée avant la fin (limite de longueur atteinte). "
        "Réécris l'article en entier, plus court et sans rien ajouter d'autre, pour que "
        "l'objet JSON complet tienne : mêmes clés, paragraphes plus brefs.",
    }


class _Conversation:
    """Every answer of one story's conversation, and the repair policy: a repair is sent for
    hold failures (warnings ride along), and for warnings alone only once a hold failure has
    opened the repairs, at most max_warn_repairs times; a good first answer is one call."""

    def __init__(self, quality: QualitySettings):
        self.quality = quality
        self.answers: list[tuple[Draft, GateResult]] = []
        self.calls = 0
        self.held_reasons: list[str] = []
        self._repairing = False
        self._warn_repairs = 0

    @property
    def last(self) -> Draft | None:
        return self.answers[-1][0] if self.answers else None

    def unusable(self, reason: str) -> None:
        self.calls += 1
        self.held_reasons = [reason]
        self._repairing = True

    def add(self, draft: Draft, result: GateResult) -> list[Failure]:
        """Keep the answer; the failures to send back, or none when the conversation ends."""
        self.calls += 1
        self.answers.append((draft, result))
        if result.holds:
            self.held_reasons = [f"{f.rule}: {f.message}" for f in result.holds]
            self._repairing = True
            return result.failures
        if result.warnings and self._repairing and (
            self._warn_repairs < self.quality.max_warn_repairs
        ):
            self._warn_repairs += 1
            return result.warnings
        return []

    def best(self) -> tuple[Draft, GateResult] | None:
        """The publishable answer with the best SEO score, then the fewest warnings; the
        earliest on a tie. A later answer that broke a fact never replaces a good one."""
        publishable = [(n, a) for n, a in enumerate(self.answers) if a[1].publishable]
        if not publishable:
            return None
        return max(publishable, key=lambda item: (
            _seo_score(item[1][1]), -len(item[1][1].warnings), -item[0]))[1]


def _seo_score(result: GateResult) -> int:
    return result.report.seo_score if result.report else 0


def _accepted(draft: Draft, result: GateResult) -> Draft:
    draft.seo = result.report.to_dict() if result.report else _report(draft)
    draft.warnings.extend(warning_line(failure) for failure in result.warnings)
    draft.warning_rules = [failure.rule for failure in result.warnings]
    draft.warnings.extend(
        f"Fait non vérifié dans la source : {fact}" for fact in result.flagged_facts
    )
    return draft


def _as_json(draft: Draft) -> str:
    return json.dumps({key: getattr(draft, key) for key in DRAFT_KEYS}, ensure_ascii=False)


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
