"""The chat client: one call, fitted to the server's window, retried, recorded.

Any OpenAI-compatible server works (OpenAI, Mistral, Ollama, vLLM,
llama.cpp): the official client is pointed at it through base_url. The
client's own retries are off so that every attempt goes through one
retry policy (bot.net.retry) and is recorded with its error, in the
server's own words (bot.writer.server_errors), with its real duration.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import openai

from bot.breaker import Breaker, BreakerOpen
from bot.net.retry import RetryPolicy, call_with_retries, parse_retry_after
from bot.writer.budget import MARGIN, ServerInfo, TokenCounter, probe, trimmed_history
from bot.writer.llm import (
    CallRecord,
    Completion,
    Message,
    ModelError,
    ModelRefused,
    ModelStopped,
    ModelUnavailable,
    Recorder,
)
from bot.writer.ratelimit import RateLimiter, TooLong
from bot.writer.server_errors import Action, Fault, ServerError, from_http

log = logging.getLogger(__name__)

# Below this many tokens left for the answer, no article fits: the prompt is too big.
MIN_ANSWER_TOKENS = 1024

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
        context_tokens: int = 0,
        connect_timeout: float = 10.0,
        breaker: Breaker | None = None,
        stream: bool = False,
        first_token_timeout: float = 60.0,
        limiter: RateLimiter | None = None,
    ):
        # A dead host is known in seconds; a slow model may take minutes to answer.
        self._timeout = httpx.Timeout(timeout, connect=min(connect_timeout, timeout))
        # Local servers (Ollama, llama.cpp) need no key, but the client insists on one.
        self._client = openai.OpenAI(
            base_url=base_url or None,
            api_key=api_key or "no-key",
            timeout=self._timeout,
            max_retries=0,
        )
        self.model = model
        self.base_url = base_url
        self._secrets = (api_key,) if api_key else ()
        self._policy = policy
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._json_mode = json_mode
        self.breaker = breaker or Breaker("model server")
        # Shared by every writer thread: a 429 heard by one pauses them all, and the
        # optional requests/tokens per minute keep the bot under the provider's limits.
        self.limiter = limiter or RateLimiter()
        # Streamed, a hung server is told from a slow one: no token for this long is
        # a hang, while a server that keeps sending may take the whole `timeout`.
        self._stream = stream
        self._first_token_timeout = min(first_token_timeout, timeout)
        # The window: configured, else read from the server, else learnt from its errors.
        self.window: int | None = context_tokens or None
        self._window_configured = bool(context_tokens)
        self.server: ServerInfo | None = None
        self._server_asked = threading.Lock()  # several writers start at once: one probe
        self.counter = TokenCounter()

    # --- the window --------------------------------------------------------

    def _know_server(self) -> None:
        """Once per process: what the server is and how big its window is."""
        with self._server_asked:
            self._ask_server()

    def _ask_server(self) -> None:
        if self.server is not None or not self.base_url:
            return
        headers = {"Authorization": f"Bearer {self._secrets[0]}"} if self._secrets else {}
        self.server = probe(self.base_url, self.model, timeout=self._timeout, headers=headers)
        if self.server is None:
            return
        if self.window is None:
            self.window = self.server.window
        self.counter.tokenize = self.server.tokenize
        log.info(
            "model server: %s, context window %s",
            self.server.kind,
            self.window or "unknown (set [llm] context_tokens)",
        )

    @property
    def min_answer(self) -> int:
        return min(self._max_tokens, MIN_ANSWER_TOKENS)

    def excess_tokens(self, messages: list[Message]) -> int:
        """How many tokens this prompt must lose for an answer to fit the window
        (0 when it fits, or when the window is unknown)."""
        self._know_server()
        if self.window is None:
            return 0
        return max(0, self.counter.count(messages) + MARGIN + self.min_answer - self.window)

    def _fit(self, messages: list[Message]) -> tuple[list[Message], int]:
        """The messages to send and the max_tokens that keeps them within the window."""
        if self.window is None:
            return messages, self._max_tokens
        prompt = self.counter.count(messages)
        if self.window - prompt - MARGIN < self.min_answer and len(messages) > 4:
            # A repair: the last answer and its failures are enough, not the whole history.
            messages = trimmed_history(messages)
            prompt = self.counter.count(messages)
        room = self.window - prompt - MARGIN
        if room < self.min_answer:
            error = ServerError(
                Fault.CONTEXT,
                f"prompt of about {prompt} tokens, {self.min_answer} more for the answer, "
                f"in a window of {self.window}",
                window=self.window,
            )
            raise ModelStopped(error.line(max_tokens=self._max_tokens), error=error)
        return messages, min(self._max_tokens, room)

    # --- the call ----------------------------------------------------------

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
        self._know_server()
        try:
            return self._complete(messages, purpose, record)
        except ModelStopped as stopped:
            named = stopped.error.window if stopped.error else None
            if stopped.fault is not Fault.CONTEXT or not named or named == self.window:
                raise
            # The server named its window (smaller than assumed, or unknown until now):
            # fit the prompt and the answer to it, and ask once more.
            log.warning("model server's window is %d tokens: fitting the request to it", named)
            self.window = named
            try:
                return self._complete(messages, purpose, record)
            except ModelStopped as again:
                if again.error is not None and again.error.status is None:
                    # Even fitted it cannot fit: the server's own words say it best.
                    raise stopped from None
                raise

    def _complete(self, messages: list[Message], purpose: str, record: Recorder) -> Completion:
        sent, max_tokens = self._fit(messages)
        # What the limiter counts before the call: the prompt (estimated, no network)
        # and the most the answer may cost; corrected by the usage once it answered.
        estimated = self.counter.estimate(sent) + max_tokens
        started = time.monotonic()

        def attempt() -> Completion:
            nonlocal started
            self._within_limits(estimated)
            started = time.monotonic()
            return self._through_breaker(sent, max_tokens)

        def failed(attempt: int, error: BaseException, wait: float | None) -> None:
            if isinstance(error, ModelUnavailable) and error.error is None:
                return  # the breaker is open: no call was made, nothing to record
            elapsed = int((time.monotonic() - started) * 1000)
            line = str(error)
            record(CallRecord(self.model, purpose, sent, None, None, None, elapsed, line))
            # While the breaker is open, a failed probe is counted there, not told here.
            log.log(
                logging.DEBUG if self.breaker.is_open and attempt == 1 else logging.WARNING,
                "model call %d failed after %d ms: %s%s",
                attempt,
                elapsed,
                line,
                f"; next try in {wait:.1f}s" if wait is not None else "",
            )

        try:
            completion = call_with_retries(
                attempt,
                policy=self._policy,
                # Once the breaker opened, the next call is its probe, not a retry here.
                is_retryable=lambda e: (
                    isinstance(e, ModelError)
                    and e.action is Action.RETRY
                    and not self.breaker.is_open
                ),
                retry_after=lambda e: e.retry_after if isinstance(e, ModelError) else None,
                on_failure=failed,
            )
        except ModelUnavailable as down:
            if down.fault is Fault.RATE_LIMIT:
                # Still rate limited after every attempt (or asked to wait longer than a
                # retry here waits): now the breaker hears it, and holds writing that long.
                self.breaker.failed(down.fault.value, retry_after=down.retry_after)
            raise
        used = completion.prompt_tokens, completion.completion_tokens
        self.limiter.settle(estimated, sum(used) if None not in used else None)  # type: ignore[arg-type]
        self.counter.learn(sent, completion.prompt_tokens)
        if self.server is not None:
            completion.model = self.server.served_name(completion.model, self.model)
        record(
            CallRecord(
                completion.model,
                purpose,
                sent,
                completion.text,
                completion.prompt_tokens,
                completion.completion_tokens,
                completion.duration_ms,
                None,
                completion.finish_reason,
            )
        )
        if completion.cut_off:
            log.warning(
                "model answer cut off at %d tokens (max_tokens / context)", completion.max_tokens
            )
        return completion

    def _request_extras(self) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        if self._json_mode:
            extras["response_format"] = {"type": "json_object"}
        if self.server is not None and self.server.kind == "ollama" and self.window:
            # Ollama cuts a prompt longer than its num_ctx without a word: say ours.
            extras["extra_body"] = {"options": {"num_ctx": self.window}}
        return extras

    def _within_limits(self, tokens: int) -> None:
        """Wait for the shared limiter (a 429's pause, requests and tokens per minute);
        a wait longer than a retry here may wait holds writing through the breaker."""
        try:
            self.limiter.acquire(tokens, longest_wait=self._policy.cap)
        except TooLong as wait:
            self.breaker.failed(Fault.RATE_LIMIT.value, retry_after=wait.seconds)
            raise ModelUnavailable(f"model server: {wait}", retry_after=wait.seconds) from None

    def _through_breaker(self, messages: list[Message], max_tokens: int) -> Completion:
        """One call, if the breaker lets it go; what the server said goes to the breaker.
        A 429 is the limiter's: the server is up, and every writer waits its Retry-After."""
        try:
            self.breaker.before_call()
        except BreakerOpen as closed:
            raise ModelUnavailable(str(closed)) from None
        try:
            completion = self._once(messages, max_tokens)
        except ModelUnavailable as down:
            if down.fault is Fault.RATE_LIMIT:
                self.breaker.succeeded()  # it answered
                self.limiter.pause(down.retry_after or self._policy.base)
            else:
                self.breaker.failed(down.fault.value if down.fault else str(down))
            raise
        except ModelError:
            self.breaker.succeeded()  # it answered: up; the request or the setup was at fault
            raise
        except Exception:
            self.breaker.abandoned()  # neither up nor down (a bug): the probe may go again
            raise
        self.breaker.succeeded()
        return completion

    def _once(self, messages: list[Message], max_tokens: int) -> Completion:
        if self._stream:
            return self._streamed(messages, max_tokens)
        started = time.monotonic()
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=self._temperature,
                max_tokens=max_tokens,
                **self._request_extras(),
            )
        except openai.OpenAIError as error:
            raise self._error(error) from None
        if not response.choices:
            raise self._error(ValueError("the server's answer has no choices"))
        usage = response.usage
        choice = response.choices[0]
        return Completion(
            text=choice.message.content or "",
            model=response.model or self.model,
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
        model, finish_reason, usage = self.model, None, None
        try:
            stream = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=self._temperature,
                max_tokens=max_tokens,
                stream=True,
                timeout=reads,
                **self._request_extras(),
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
        line = server_error.line(context_tokens=self.window, max_tokens=self._max_tokens)
        return kind(line, error=server_error, retry_after=retry_after)
