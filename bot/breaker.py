"""Circuit breakers: one per dependency (the model server, the database, each target).

A dependency that answers "I am down" (connection refused, a timeout, a 5xx, a 429)
a few times in a row is not called again until a probe says it is back: the stage
that needs it stops taking stories, which keep their attempts (an outage is not a
story's fault), and the log says so once per transition, not once per failure:

    model server unavailable since 10:42 (HTTP 500), next probe in 30 s
    model server available again: 50 échecs depuis 10:42

While open, the breaker lets one call through at each probe time; a failed probe
doubles the wait (up to `probe_max`), a good one closes the breaker and every
waiting story goes at once. A Retry-After opens it at once for that long. (The
model server's 429s go first to the writers' shared limiter, bot.writer.ratelimit,
which makes every writer wait the Retry-After; its breaker hears of them only when
a call's attempts ran out, or when the wait asked is longer than a retry waits.)

Thread-safe: several writers (`[llm] concurrency`) and publishers share one breaker
per dependency. While open, one call at a time is the probe, and only that call's
answer ends the outage or prolongs it: calls that left before the breaker opened and
come back meanwhile count as failures, or are ignored, never as the probe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.errors import TryLater

log = logging.getLogger(__name__)

# While a breaker stays open, a reminder that it still is, at most this often.
REMINDER_SECONDS = 300.0


class ServiceDown(TryLater):
    """A dependency is down, not the story at fault: the story keeps its attempts and
    waits for the breaker. `retry_after` is the server's own ask (a 429), if any."""


class BreakerOpen(ServiceDown):
    """The call was not even made: the breaker is open until its next probe."""


@dataclass(frozen=True)
class BreakerSettings:
    failures: int = 3  # consecutive "down" answers that open the breaker
    probe: float = 30.0  # first wait before a probe, seconds; doubles after each failed one
    probe_max: float = 50.0  # so that a recovered service is used again within a minute


def _clock_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


class Breaker:
    """Thread-safe: the daemon's jobs share one breaker per dependency."""

    def __init__(
        self,
        name: str,
        settings: BreakerSettings = BreakerSettings(),
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name = name
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0  # "down" answers in a row while closed
        self._failures = 0  # every failure since the outage began
        self._down_since: datetime | None = None  # set while open
        self._wait = settings.probe
        self._next_probe = 0.0  # monotonic time of the next probe, while open
        self._probing = False  # a probe call is in flight
        self._prober: int | None = None  # the thread making it
        self._reminded = 0.0
        self._reason = ""

    # --- state, for the stages and `status` ---------------------------------

    @property
    def is_open(self) -> bool:
        return self._down_since is not None

    def blocked(self) -> bool:
        """True when a call now would be refused: open, and no probe due (or one in
        flight). The stages ask before taking a story."""
        with self._lock:
            if self._down_since is None:
                return False
            return self._probing or self._clock() < self._next_probe

    def retry_at(self) -> datetime | None:
        """When the next probe may go (wall clock), while open."""
        with self._lock:
            if self._down_since is None:
                return None
            return datetime.now(UTC) + timedelta(seconds=max(0.0, self._next_probe - self._clock()))

    def why(self) -> str:
        """« model server unavailable since 10:42 (HTTP 500) », while open."""
        with self._lock:
            if self._down_since is None:
                return ""
            return f"{self.name} unavailable since {_clock_time(self._down_since)} ({self._reason})"

    # --- the calls ----------------------------------------------------------

    def before_call(self) -> None:
        """Raise BreakerOpen unless a call may go now; while open, the one call let
        through is the probe."""
        with self._lock:
            if self._down_since is None:
                return
            if self._probing or self._clock() < self._next_probe:
                raise BreakerOpen(
                    f"{self.name} unavailable since {_clock_time(self._down_since)}; "
                    f"next probe in {self._seconds_to_probe():.0f} s"
                )
            self._probing = True
            self._prober = threading.get_ident()

    def _probe_answered(self) -> bool:
        """Is this thread's answer the probe's? Then the probe is over."""
        if not self._probing or self._prober != threading.get_ident():
            return False
        self._probing = False
        self._prober = None
        return True

    def abandoned(self) -> None:
        """The call ended with neither an answer nor a "down" (a bug, a stop): if it
        was the probe, another may go at once."""
        with self._lock:
            self._probe_answered()

    def succeeded(self) -> None:
        with self._lock:
            self._consecutive = 0
            was_probe = self._probe_answered()
            if self._down_since is None:
                return
            if not was_probe:
                return  # a call that left before it opened: the probe says when it is back
            log.info(
                "%s available again: %d échec%s depuis %s",
                self.name,
                self._failures,
                "s" if self._failures > 1 else "",
                _clock_time(self._down_since),
            )
            self._down_since = None
            self._failures = 0
            self._wait = self.settings.probe

    def failed(self, reason: str, *, retry_after: float | None = None) -> None:
        """A "service down" answer. `retry_after` (a 429's) opens the breaker at once,
        for that long."""
        retry_after = retry_after or None  # "0": no pause asked, an ordinary failure
        with self._lock:
            self._consecutive += 1
            self._failures += 1
            self._reason = reason
            now = self._clock()
            if self._down_since is None:
                if retry_after is None and self._consecutive < self.settings.failures:
                    return
                self._down_since = datetime.now(UTC)
                self._next_probe = now + (retry_after if retry_after is not None else self._wait)
                self._reminded = now
                log.warning(
                    "%s unavailable since %s (%s), next probe in %.0f s",
                    self.name,
                    _clock_time(self._down_since),
                    reason,
                    self._seconds_to_probe(),
                )
                return
            if self._probe_answered():  # the probe failed: wait longer before the next one
                self._wait = min(self._wait * 2, self.settings.probe_max)
            self._next_probe = max(
                self._next_probe, now + (retry_after if retry_after is not None else self._wait)
            )
            if now - self._reminded >= REMINDER_SECONDS:
                self._reminded = now
                log.warning(
                    "%s still unavailable: %d échecs depuis %s (%s), next probe in %.0f s",
                    self.name,
                    self._failures,
                    _clock_time(self._down_since),
                    reason,
                    self._seconds_to_probe(),
                )

    def _seconds_to_probe(self) -> float:
        return max(0.0, self._next_probe - self._clock())
