"""Prompt tokens of each call of a repaired story, before and after the short repairs (issue 9).

    python bench/repair_tokens.py

The real Writer runs on the Grenoble test story with a scripted model (a Model object that
answers from a list and keeps the messages it was sent; no network). Each case is a sequence
of answers; "after" is what the writer sends now, "before" is the conversation it used to
send (every earlier answer resent in full, then the failures), rebuilt from the same answers
and the same failure lines. Tokens are estimated as characters / 4 (OpenAI's rule of thumb;
no tokenizer is installed): the ratios are what matter. The target: call 2 < 1.3 × call 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.config import default_prompts_dir
from bot.config.quality import QualitySettings
from bot.story import DRAFT_KEYS, Draft, SourceArticle
from bot.writer import Writer
from bot.writer.llm import Completion, Message
from bot.writer.prompt import Prompts

DATA = Path(__file__).resolve().parents[1] / "tests" / "quality" / "data"
TARGET = 1.3


class ScriptedModel:
    """Answers from a list, in order, and keeps every conversation it was sent."""

    model = "scripted"

    def __init__(self, answers: list[str]):
        self.answers = list(answers)
        self.sent: list[list[Message]] = []

    def excess_tokens(self, messages) -> int:
        return 0  # no window: the source is never cut here

    def complete(self, messages, *, purpose, record, guard=None) -> Completion:
        self.sent.append(list(messages))
        return Completion(self.answers.pop(0), self.model, None, None, 0)


def tokens(messages: list[Message]) -> int:
    return round(sum(len(m["content"]) for m in messages) / 4)


def as_answer(draft: Draft) -> str:
    return json.dumps({key: getattr(draft, key) for key in DRAFT_KEYS}, ensure_ascii=False)


def before(sent: list[list[Message]], answers: list[str]) -> list[int]:
    """The old conversation: the prompt, then every answer and every failure list in turn."""
    prompt = sent[0][:2]
    conversation, counts = list(prompt), [tokens(prompt)]
    for answer, later in zip(answers, sent[1:], strict=False):
        failures = later[-1]["content"].split("\n\nLes passages concernés")[0]
        conversation += [{"role": "assistant", "content": answer},
                         {"role": "user", "content": failures}]
        counts.append(tokens(conversation))
    return counts


def main() -> None:
    source = SourceArticle(**json.loads((DATA / "source_grenoble.json").read_text("utf-8")))
    good = Draft(**json.loads((DATA / "draft_grenoble.json").read_text("utf-8")))
    body = good.body_html
    invented = Draft(**{**good.__dict__, "body_html": body.replace("41 voix", "43 voix")})
    one_head = Draft(**{**good.__dict__, "body_html": body.replace(
        "dans les écoles de Grenoble</h2>", "dans la ville</h2>")})
    short = Draft(**{**good.__dict__, "body_html": body.split("<h2>Un financement")[0]})
    cases = {
        "invented figure, then a subheading warning, then good": [invented, one_head, good],
        "too short (the whole body must come back), then good": [short, good],
    }
    prompts = Prompts.load(default_prompts_dir())
    print(f"tokens estimated as characters / 4; target: call 2 < {TARGET} x call 1")
    for name, drafts in cases.items():
        answers = [as_answer(d) for d in drafts]
        model = ScriptedModel(answers)
        writer = Writer(model=model, prompts=prompts, quality=QualitySettings())
        outcome = writer.write([source], category="", record=lambda call: None)
        after = [tokens(messages) for messages in model.sent]
        old = before(model.sent, answers)
        print(f"\n{name} ({len(model.sent)} calls, draft {'kept' if outcome.draft else 'held'})")
        print(f"  before: {' -> '.join(map(str, old))} tokens; call 2 = "
              f"{old[1] / old[0]:.2f} x call 1; total {sum(old)}")
        print(f"  after:  {' -> '.join(map(str, after))} tokens; call 2 = "
              f"{after[1] / after[0]:.2f} x call 1 (target < {TARGET}); total {sum(after)}")


if __name__ == "__main__":
    main()
