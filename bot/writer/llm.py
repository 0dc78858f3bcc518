"""The model interface: what a chat call takes, answers and leaves on record.

The client itself (`ChatModel`, on the openai package) is in bot.writer.chat,
imported only where a model is configured: openai takes a third of a second and
60 MB to import, which the offline writer and the reading commands never need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

Message = dict[str, str]


@dataclass
class Completion:
    text: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    duration_ms: int


@dataclass
class CallRecord:
    """What the store keeps of each call, answered or not."""

    model: str
    purpose: str  # write | repair | triage
    messages: list[Message]
    response: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    duration_ms: int
    error: str | None


Recorder = Callable[[CallRecord], None]


class ModelError(Exception):
    """The model could not be reached or kept refusing: the story waits for the next run."""


class Model(Protocol):
    """A chat model: one call, retried, recorded (bot.writer.chat.ChatModel)."""

    model: str

    def complete(
        self,
        messages: list[Message],
        *,
        purpose: str,
        record: Recorder,
        guard: Callable[[], None] | None = None,
    ) -> Completion: ...
