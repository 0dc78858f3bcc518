"""The chat client: one call, retried, every prompt and answer recorded.

Any OpenAI-compatible server works (OpenAI, Mistral, Ollama, vLLM,
llama.cpp): the official client is pointed at it through base_url. The
client's own retries are off so that every attempt goes through one
retry policy (bot.net.retry) and is recorded with its error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import openai

from bot.net.retry import RetryPolicy, call_with_retries, parse_retry_after
from bot.writer.llm import CallRecord, Completion, Message, ModelError, Recorder

log = logging.getLogger(__name__)


def _retryable(error: BaseException) -> bool:
    if isinstance(error, openai.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return isinstance(error, openai.APITimeoutError | openai.APIConnectionError)


def _retry_after(error: BaseException) -> float | None:
    if isinstance(error, openai.APIStatusError):
        headers = error.response.headers
        if milliseconds := headers.get("retry-after-ms"):
            try:
                return float(milliseconds) / 1000
            except ValueError:
                pass
        return parse_retry_after(headers.get("retry-after"))
    return None


def describe(error: BaseException) -> str:
    """One line for the log and the story's history; never the API key."""
    if isinstance(error, openai.APIStatusError):
        return f"model server answered HTTP {error.status_code}"
    if isinstance(error, openai.APITimeoutError):
        return "model server timed out"
    if isinstance(error, openai.APIConnectionError):
        return "model server unreachable"
    return f"{type(error).__name__}: {error}"


class ChatModel:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        timeout: float,
        policy: RetryPolicy,
        temperature: float = 0.4,
        max_tokens: int = 4096,
        json_mode: bool = True,
    ):
        # Local servers (Ollama, llama.cpp) need no key, but the client insists on one.
        self._client = openai.OpenAI(
            base_url=base_url or None,
            api_key=api_key or "no-key",
            timeout=timeout,
            max_retries=0,
        )
        self.model = model
        self._policy = policy
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._json_mode = json_mode

    def complete(
        self,
        messages: list[Message],
        *,
        purpose: str,
        record: Recorder,
        guard: Callable[[], None] | None = None,
    ) -> Completion:
        """`guard` is asked before the call, and raises to forbid it (the day's budget)."""
        if guard is not None:
            guard()

        def failed(attempt: int, error: BaseException, wait: float | None) -> None:
            record(CallRecord(self.model, purpose, messages, None, None, None, 0, describe(error)))
            log.warning(
                "model call %d failed: %s%s",
                attempt,
                describe(error),
                f"; next try in {wait:.1f}s" if wait is not None else "",
            )

        try:
            completion = call_with_retries(
                lambda: self._once(messages),
                policy=self._policy,
                is_retryable=_retryable,
                retry_after=_retry_after,
                on_failure=failed,
            )
        except openai.OpenAIError as error:
            raise ModelError(describe(error)) from None
        record(
            CallRecord(
                completion.model,
                purpose,
                messages,
                completion.text,
                completion.prompt_tokens,
                completion.completion_tokens,
                completion.duration_ms,
                None,
            )
        )
        return completion

    def _once(self, messages: list[Message]) -> Completion:
        started = time.monotonic()
        extra = {"response_format": {"type": "json_object"}} if self._json_mode else {}
        response = self._client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=self._temperature,
            max_tokens=self._max_tokens,
            **extra,  # type: ignore[arg-type]
        )
        usage = response.usage
        text = response.choices[0].message.content if response.choices else None
        return Completion(
            text=text or "",
            model=response.model or self.model,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
