"""The model interface: what a chat call takes, answers and leaves on record.

The client itself (`ChatModel` in bot.writer.chat, on the openai package through
bot.writer.endpoint) is imported only where a model is configured: openai takes a
third of a second and 60 MB to import, which the offline writer and the reading
commands never need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.breaker import Breaker, ServiceDown
from bot.errors import GiveUpStory, StopTarget, TryLater
from bot.writer.server_errors import Action, Fault, ServerError

Message = dict[str, str]


# What a server says when it stopped at max_tokens or at the end of its context.
CUT_OFF = "length"


@dataclass
class Completion:
    text: str
    model: str  # as the server named it in its answer
    prompt_tokens: int | None
    completion_tokens: int | None
    duration_ms: int
    finish_reason: str | None = None
    max_tokens: int | None = None  # what this call allowed, after fitting the window

    @property
    def cut_off(self) -> bool:
        return self.finish_reason == CUT_OFF


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
    finish_reason: str | None = None


Recorder = Callable[[CallRecord], None]


class ModelError(TryLater):
    """The model could not be reached or kept refusing: the story waits for the next run.
    The message is one line: the fault, the server's own words and the fix."""

    def __init__(
        self,
        message: str,
        *,
        error: ServerError | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.error = error
        self.retry_after = retry_after

    @property
    def fault(self) -> Fault | None:
        return self.error.fault if self.error else None

    @property
    def action(self) -> Action:
        return self.error.action if self.error else Action.RETRY


class ModelRefused(ModelError, GiveUpStory):
    """The server refused this request (a 4xx nothing in the setup explains): sending
    the same story again would get the same answer, so it is failed at once."""


class ModelStopped(ModelError, StopTarget):
    """A wrong setup (URL, model name, refused parameter, key, a window too small for
    the prompt): every story would fail the same way, so the writing stage stops."""


class ModelUnavailable(ModelError, ServiceDown):
    """The model server is down (refused, timed out, 5xx, 429) or its breaker is open:
    no story's fault, so no story's attempt."""


class Model(Protocol):
    """A chat model: one call, retried, recorded (bot.writer.chat.ChatModel)."""

    model: str
    breaker: Breaker  # the model server's: the writing stage stops while it is open

    def excess_tokens(self, messages: list[Message]) -> int:
        """Tokens this prompt must lose for an answer to fit the server's window."""
        ...

    def complete(
        self,
        messages: list[Message],
        *,
        purpose: str,
        record: Recorder,
        guard: Callable[[], None] | None = None,
    ) -> Completion: ...
