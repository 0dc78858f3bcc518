"""One request to an OpenAI-compatible chat endpoint (OpenAI, Mistral, Ollama, vLLM,
llama.cpp), plain or streamed, and its failure told in the server's own words
(bot.writer.server_errors) as the ModelError that says what the bot does next.

The official client is pointed at the server through base_url, its own retries off:
retrying, the breaker and the rate limits are the chat client's (bot.writer.chat).
This is the one module that imports openai (a third of a second): see bot.writer.llm.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import openai

from bot.net.retry import parse_retry_after
from bot.writer.llm import (
    Completion,
    Message,
    ModelError,
    ModelRefused,
    ModelStopped,
    ModelUnavailable,
)
from bot.writer.server_errors import Action, Fault, ServerError, from_http
from bot.writer.window import ContextWindow

_KINDS: dict[Action, type[ModelError]] = {
    # Server down, timed out, rate limited: the model server's breaker hears it.
    Action.RETRY: ModelUnavailable,
    Action.GIVE_UP: ModelRefused,
    Action.STOP: ModelStopped,
}


def _retry_after(error: openai.APIStatusError) -> float | None:
    headers = error.response.headers
    if milliseconds := headers.get("retry-after-ms"):
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"))


class ChatEndpoint:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        timeout: httpx.Timeout,
        window: ContextWindow,
        temperature: float,
        max_tokens: int,
        json_mode: bool,
        stream: bool,
        first_token_timeout: float,
    ):
        # Local servers (Ollama, llama.cpp) need no key, but the client insists on one.
        self._client = openai.OpenAI(
            base_url=base_url or None,
            api_key=api_key or "no-key",
            timeout=timeout,
            max_retries=0,
        )
        self._model = model
        self._secrets = (api_key,) if api_key else ()
        self._timeout = timeout
        self._window = window
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._json_mode = json_mode
        # Streamed, a hung server is told from a slow one: no token for this long is
        # a hang, while a server that keeps sending may take the whole `timeout`.
        self._stream = stream
        self._first_token_timeout = first_token_timeout

    def send(self, messages: list[Message], max_tokens: int) -> Completion:
        """One request, no retry: its completion, or the ModelError its failure is."""
        if self._stream:
            return self._streamed(messages, max_tokens)
        started = time.monotonic()
        try:
            response = self._client.chat.completions.create(**self._request(messages, max_tokens))
        except openai.OpenAIError as error:
            raise self._error(error) from None
        if not response.choices:
            raise self._error(ValueError("the server's answer has no choices"))
        usage = response.usage
        choice = response.choices[0]
        return Completion(
            text=choice.message.content or "",
            model=response.model or self._model,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            duration_ms=int((time.monotonic() - started) * 1000),
            finish_reason=choice.finish_reason,
            max_tokens=max_tokens,
        )

    def _streamed(self, messages: list[Message], max_tokens: int) -> Completion:
        """The answer token by token: each read waits at most first_token_timeout, the
        whole at most `timeout`; closing the stream tells the server to stop."""
        started = time.monotonic()
        reads = httpx.Timeout(self._first_token_timeout, connect=self._timeout.connect)
        parts: list[str] = []
        model, finish_reason, usage = self._model, None, None
        try:
            stream = self._client.chat.completions.create(
                **self._request(messages, max_tokens), stream=True, timeout=reads
            )
            with stream:
                for chunk in stream:
                    model = chunk.model or model
                    usage = chunk.usage or usage
                    if chunk.choices:
                        parts.append(chunk.choices[0].delta.content or "")
                        finish_reason = chunk.choices[0].finish_reason or finish_reason
                    if time.monotonic() - started > (self._timeout.read or 0):
                        late = ServerError(Fault.TIMEOUT, "still sending after `timeout`")
                        raise ModelUnavailable(late.line(), error=late)
        except openai.OpenAIError as error:
            raise self._error(error) from None
        return Completion(
            text="".join(parts),
            model=model,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            duration_ms=int((time.monotonic() - started) * 1000),
            finish_reason=finish_reason,
            max_tokens=max_tokens,
        )

    def _request(self, messages: list[Message], max_tokens: int) -> dict[str, Any]:
        """What a request sends, streamed or not."""
        request: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "temperature": self._temperature,
            "max_tokens": max_tokens,
        }
        if self._json_mode:
            request["response_format"] = {"type": "json_object"}
        server, window = self._window.server, self._window.size
        if server is not None and server.kind == "ollama" and window:
            # Ollama cuts a prompt longer than its num_ctx without a word: say ours.
            request["extra_body"] = {"options": {"num_ctx": window}}
        return request

    def _error(self, error: BaseException) -> ModelError:
        """The error in the server's words, of the kind that says what the bot does next."""
        retry_after = None
        if isinstance(error, openai.APIStatusError):
            server_error = from_http(error.status_code, error.response.text, secrets=self._secrets)
            retry_after = _retry_after(error)
        elif isinstance(error, openai.APITimeoutError):
            waited = (
                f"no token within {self._first_token_timeout:g} s (streamed)"
                if self._stream
                else f"no answer within {self._timeout.read:g} s"
            )
            server_error = ServerError(Fault.TIMEOUT, waited)
        elif isinstance(error, openai.APIConnectionError):
            cause = error.__cause__
            words = str(cause) if cause else str(error)
            server_error = ServerError(Fault.DOWN, " ".join(words.split())[:300])
        else:
            # A 200 whose body is not a completion: a web page, a proxy's answer.
            server_error = ServerError(Fault.URL, f"not an OpenAI answer ({error})"[:300])
        kind = _KINDS[server_error.action]
        line = server_error.line(context_tokens=self._window.size, max_tokens=self._max_tokens)
        return kind(line, error=server_error, retry_after=retry_after)
