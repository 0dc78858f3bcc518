"""When to poll a feed next: its own interval, adapted to how often it changes.

A feed that brought nothing new is polled less often, up to a ceiling; one
that failed backs off exponentially, up to a ceiling, and is never dropped.
Server hints (Cache-Control max-age, Retry-After, RSS ttl) are honoured.
"""

from __future__ import annotations

import random

QUIET_GROWTH = 1.5  # each poll without news stretches the interval by this


def next_interval(
    *,
    base: int,
    current: int | None,
    had_news: bool,
    ceiling: int,
    hints: tuple[int | float | None, ...] = (),
) -> int:
    interval = base if had_news or current is None else min(int(current * QUIET_GROWTH), ceiling)
    hinted = [int(h) for h in hints if h]
    return min(max(interval, *hinted), ceiling) if hinted else max(interval, base)


def backoff(*, base: int, errors: int, ceiling: int, retry_after: float | None = None) -> int:
    wait = min(base * 2 ** max(errors - 1, 0), ceiling)
    return int(max(wait, min(retry_after or 0, ceiling)))


def jittered(seconds: int, fraction: float, rng: random.Random | None = None) -> float:
    """Spread polls so feeds configured alike do not all fire in the same second."""
    rng = rng or random
    return seconds * (1 + rng.uniform(-fraction, fraction))
