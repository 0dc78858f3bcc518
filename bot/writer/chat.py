"""The chat client: one call, fitted to the server's window, retried, recorded.

Any OpenAI-compatible server works (OpenAI, Mistral, Ollama, vLLM, llama.cpp). Each
attempt is one request (bot.writer.endpoint) fitted to the window (bot.writer.window);
the client's own retries are off so that every attempt goes through one retry policy
(bot.net.retry), waits for the shared rate limiter, passes the model server's breaker,
and is recorded with its error, in the server's own words, with its real duration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

from bot.breaker import Breaker, BreakerOpen
from bot.net.retry import RetryPolicy, call_with_retries
from bot.writer.budget import ServerInfo, TokenCounter
from bot.writer.endpoint import ChatEndpoint
from bot.writer.llm import (
    CallRecord,
    Completion,
    Message,
    ModelError,
    ModelStopped,
    ModelUnavailable,
    Recorder,
)
from bot.writer.ratelimit import RateLimiter, TooLong
from bot.writer.server_errors import Action, Fault
from bot.writer.window import ContextWindow

log = logging.getLogger(__name__)


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
        timeouts = httpx.Timeout(timeout, connect=min(connect_timeout, timeout))
        self.model = model
        self.base_url = base_url
        self._policy = policy
        self.breaker = breaker or Breaker("model server")
        # Shared by every writer thread: a 429 heard by one pauses them all, and the
        # optional requests/tokens per minute keep the bot under the provider's limits.
        self.limiter = limiter or RateLimiter()
        self._window = ContextWindow(
            base_url=base_url,
            model=model,
            api_key=api_key,
            timeout=timeouts,
            context_tokens=context_tokens,
            max_tokens=max_tokens,
        )
        self._endpoint = ChatEndpoint(
            base_url=base_url,
            api_key=api_key,
            model=model,
            timeout=timeouts,
            window=self._window,
            temperature=temperature,
            max_tokens=max_tokens,
            json_mode=json_mode,
            stream=stream,
            first_token_timeout=min(first_token_timeout, timeout),
        )

    @property
    def window(self) -> int | None:
        """The server's context window in tokens (None while unknown)."""
        return self._window.size

    @property
    def server(self) -> ServerInfo | None:
        return self._window.server

    @property
    def counter(self) -> TokenCounter:
        return self._window.counter

    def excess_tokens(self, messages: list[Message]) -> int:
        """How many tokens this prompt must lose for an answer to fit the window
        (0 when it fits, or when the window is unknown)."""
        return self._window.excess(messages)

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
        self._window.know_server()
        try:
            return self._complete(messages, purpose, record)
        except ModelStopped as stopped:
            named = stopped.error.window if stopped.error else None
            if stopped.fault is not Fault.CONTEXT or not named or named == self.window:
                raise
            # The server named its window (smaller than assumed, or unknown until now):
            # fit the prompt and the answer to it, and ask once more.
            log.warning("model server's window is %d tokens: fitting the request to it", named)
            self._window.size = named
            try:
                return self._complete(messages, purpose, record)
            except ModelStopped as again:
                if again.error is not None and again.error.status is None:
                    # Even fitted it cannot fit: the server's own words say it best.
                    raise stopped from None
                raise

    def _complete(self, messages: list[Message], purpose: str, record: Recorder) -> Completion:
        sent, max_tokens = self._window.fit(messages)
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
            completion = self._endpoint.send(messages, max_tokens)
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
