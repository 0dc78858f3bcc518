"""Optional triage: a cheaper model scores each candidate 0–100 from its title and
first paragraph, in one short call, before the real writing is paid for.

The newsroom describes its audience in config/prompts/triage.md. A garbled
answer never turns a story away (a false alarm costs as much as a miss): the
story is written, and the answer is kept in its history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.config import Config, default_prompts_dir
from bot.net.retry import RetryPolicy
from bot.writer.answer import AnswerError, load_object
from bot.writer.llm import Recorder

log = logging.getLogger(__name__)

PROMPT_FILE = "triage.md"
# The first paragraph is enough to judge, and keeps the call short and cheap.
FIRST_PARAGRAPH_CHARS = 1200


@dataclass(frozen=True)
class Verdict:
    score: int | None  # None: the answer gave no usable score
    reason: str


def prompt_path(prompts_dir: Path) -> Path:
    """The newsroom's triage.md, else the one shipped with the code."""
    own = prompts_dir / PROMPT_FILE
    return own if own.is_file() else default_prompts_dir() / PROMPT_FILE


class Triage:
    def __init__(self, config: Config):
        # Here and not at the top: openai is heavy, and only a configured triage needs it.
        from bot.writer.chat import ChatModel

        self.min_score = config.triage.min_score
        self.system = prompt_path(config.prompts_dir).read_text(encoding="utf-8").strip()
        self.model = ChatModel(
            base_url=config.llm.base_url,
            api_key=config.llm.api_key,
            model=config.triage.model,
            timeout=config.llm.timeout,
            policy=RetryPolicy(attempts=config.llm.attempts),
            temperature=0.0,
            max_tokens=config.triage.max_tokens,
            json_mode=config.llm.json_mode,
        )

    def score(
        self, title: str, text: str, *, record: Recorder, guard: Callable[[], None] | None
    ) -> Verdict:
        """Raises ModelError when the model cannot be reached (the story waits),
        BudgetReached when the day's budget is spent."""
        first = text.strip().split("\n\n")[0][:FIRST_PARAGRAPH_CHARS]
        messages = [
            {"role": "system", "content": self.system},
            {"role": "user", "content": f"Titre : {title}\n\nPremier paragraphe : {first}"},
        ]
        completion = self.model.complete(messages, purpose="triage", record=record, guard=guard)
        return parse_verdict(completion.text)


def parse_verdict(text: str) -> Verdict:
    """{"score": 0–100, "reason": "…"}; anything else is no score."""
    try:
        data = load_object(text)
    except AnswerError as error:
        return Verdict(None, f"unusable triage answer: {error}")
    score = data.get("score")
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score)
    if not isinstance(score, int | float) or isinstance(score, bool) or not 0 <= score <= 100:
        return Verdict(None, f"unusable triage answer: score {score!r} is not 0 to 100")
    return Verdict(round(score), str(data.get("reason", ""))[:500])
