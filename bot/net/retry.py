"""Retries with exponential backoff, honouring the server's Retry-After.

Generic on purpose (the feed fetcher, the image downloader and anything else
with a flaky remote use it); ``bot.net.http.retry_fetch`` wires it to fetch.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

T = TypeVar("T")

# A server asking for years is broken; a float that large breaks date maths.
_LONGEST_RETRY_AFTER = 365 * 24 * 3600.0
_DELAY_SECONDS = re.compile(r"[0-9]+", re.ASCII)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # total tries, >= 1
    base: float = 1.0  # first backoff, seconds
    cap: float = 60.0  # max single wait
    jitter: float = 0.5  # +/- fraction of random jitter

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be >= 1")
        if self.base < 0 or self.cap < 0:
            raise ValueError("RetryPolicy.base and cap must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("RetryPolicy.jitter must be between 0 and 1")

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based), jittered and capped."""
        # Bounded exponent: 2**n times a float overflows for absurd attempt counts.
        exponent = min(attempt - 1, 64)
        wait = min(self.cap, self.base * 2**exponent)
        wait *= 1 + random.uniform(-self.jitter, self.jitter)
        return max(0.0, min(self.cap, wait))


# For what a story can do without (an article page, an image): worth a few seconds
# of retries in this run, not minutes; the story goes on without it.
BRIEF = RetryPolicy(attempts=3, base=1.0, cap=10.0)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date).

    None when absent or unreadable; 0.0 for a date in the past.
    """
    if value is None:
        return None
    text = value.strip()
    if _DELAY_SECONDS.fullmatch(text):
        return min(float(text), _LONGEST_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    now = now or datetime.now(UTC)
    seconds = (_as_utc(when) - _as_utc(now)).total_seconds()
    return min(max(0.0, seconds), _LONGEST_RETRY_AFTER)


def _as_utc(moment: datetime) -> datetime:
    # HTTP dates are GMT; "-0000" parses as naive, and so may the caller's now.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def call_with_retries(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    is_retryable: Callable[[BaseException], bool],
    retry_after: Callable[[BaseException], float | None] = lambda e: None,
    on_failure: Callable[[int, BaseException, float | None], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` until it succeeds, it fails for good, or the attempts run out.

    ``on_failure(attempt, error, next_wait)`` follows every failed attempt;
    ``next_wait`` is None when no retry follows. The error that ends the loop
    is re-raised unchanged.
    """
    attempt = 1
    while True:
        try:
            return fn()
        except Exception as error:
            wait = _next_wait(policy, attempt, error, is_retryable, retry_after)
            if on_failure is not None:
                on_failure(attempt, error, wait)
            if wait is None:
                raise
        sleep(wait)
        attempt += 1


def _next_wait(
    policy: RetryPolicy,
    attempt: int,
    error: BaseException,
    is_retryable: Callable[[BaseException], bool],
    retry_after: Callable[[BaseException], float | None],
) -> float | None:
    if attempt >= policy.attempts or not is_retryable(error):
        return None
    asked = retry_after(error)
    if asked is None:
        return policy.backoff(attempt)
    # The server knows best, unless it asks for more than we wait in-process:
    # then give up now and leave the later attempt to the scheduler.
    return asked if asked <= policy.cap else None
