"""One rate limiter for every writer thread of a process: the model server's limits.

Several stories are written at once (`[llm] concurrency`), each in its own thread,
all through one `ChatModel` and so through this one limiter. It holds every call
back, before it is sent:

- while a 429's Retry-After runs: one writer heard it, every writer waits for it
  (`pause`), so a rate-limited server sees the whole bot slow down, not one thread;
- at `[llm] requests_per_minute`, when set: a token bucket of requests;
- at `[llm] tokens_per_minute`, when set: a token bucket of tokens, each call taking
  its estimated prompt plus the most its answer may cost (`max_tokens`), then
  corrected by the usage the server returned (`settle`): a provider counts both.

A bucket holds a minute's worth and refills continuously, as providers count. A
wait longer than `longest_wait` is not made here: `acquire` raises `TooLong` and the
caller gives the story back (the model server's breaker then says until when).
"""

from __future__ import annotations

import threading
import time


class TooLong(Exception):
    """The limiter would hold this call longer than the caller may wait."""

    def __init__(self, seconds: float):
        super().__init__(f"rate limited for {seconds:.0f} s more")
        self.seconds = seconds


class _Bucket:
    """`per_minute` units a minute, a minute's worth at most in hand (not thread-safe:
    the limiter's lock guards it)."""

    def __init__(self, per_minute: int, now: float):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.level = self.capacity
        self.at = now

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.at) * self.rate)
        self.at = now

    def wait_for(self, units: float) -> float:
        """Seconds until `units` are in hand (never more than the bucket holds)."""
        missing = min(units, self.capacity) - self.level
        return max(0.0, missing / self.rate)

    def take(self, units: float) -> None:
        self.level -= min(units, self.capacity)


class RateLimiter:
    def __init__(
        self,
        *,
        requests_per_minute: int = 0,
        tokens_per_minute: int = 0,
    ):
        self._clock = time.monotonic
        now = self._clock()
        self._requests = _Bucket(requests_per_minute, now) if requests_per_minute else None
        self._tokens = _Bucket(tokens_per_minute, now) if tokens_per_minute else None
        self._paused_until = 0.0
        self._changed = threading.Condition()

    def pause(self, seconds: float) -> None:
        """A 429 asked for `seconds`: no call leaves before they have passed, from any thread."""
        with self._changed:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def acquire(self, tokens: int, *, longest_wait: float) -> None:
        """Wait until a call of about `tokens` tokens may leave, then count it. Raises
        TooLong, counting nothing, when that would take more than `longest_wait`."""
        with self._changed:
            while (wait := self._wait(tokens)) > 0:
                if wait > longest_wait:
                    raise TooLong(wait)
                self._changed.wait(wait)
            if self._requests is not None:
                self._requests.take(1)
            if self._tokens is not None:
                self._tokens.take(tokens)

    def settle(self, estimated: int, used: int | None) -> None:
        """The server said what the call cost: the token bucket gets back what the
        estimate took too much, or pays what it took too little."""
        if self._tokens is None or used is None:
            return
        with self._changed:
            self._tokens.refill(self._clock())
            self._tokens.level += min(estimated, self._tokens.capacity) - used
            self._changed.notify_all()

    def _wait(self, tokens: int) -> float:
        now = self._clock()
        wait = self._paused_until - now
        for bucket, units in ((self._requests, 1), (self._tokens, tokens)):
            if bucket is not None:
                bucket.refill(now)
                wait = max(wait, bucket.wait_for(units))
        return wait
