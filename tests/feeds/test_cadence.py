from __future__ import annotations

import random

from bot.feeds.cadence import backoff, jittered, next_interval

HOUR = 3600


def test_a_feed_with_news_keeps_its_own_interval():
    assert next_interval(base=900, current=5000, had_news=True, ceiling=6 * HOUR) == 900


def test_a_quiet_feed_is_polled_less_often_up_to_the_ceiling():
    interval = 900
    seen = []
    for _ in range(20):
        interval = next_interval(base=900, current=interval, had_news=False, ceiling=6 * HOUR)
        seen.append(interval)
    assert seen[0] == 1350 and seen == sorted(seen)
    assert max(seen) == 6 * HOUR


def test_server_hints_are_honoured_but_never_beyond_the_ceiling():
    assert next_interval(base=900, current=None, had_news=True, ceiling=6 * HOUR, hints=(1800, None)) == 1800
    assert next_interval(base=900, current=None, had_news=True, ceiling=HOUR, hints=(86400,)) == HOUR
    assert next_interval(base=900, current=None, had_news=True, ceiling=HOUR, hints=(60,)) == 900


def test_errors_back_off_exponentially_to_a_ceiling():
    waits = [backoff(base=600, errors=n, ceiling=6 * HOUR) for n in range(1, 8)]
    assert waits[:4] == [600, 1200, 2400, 4800]
    assert waits[-1] == 6 * HOUR
    assert backoff(base=600, errors=1, ceiling=6 * HOUR, retry_after=3000) == 3000


def test_jitter_stays_within_its_fraction():
    rng = random.Random(4)
    values = [jittered(1000, 0.1, rng) for _ in range(200)]
    assert all(900 <= v <= 1100 for v in values) and len(set(values)) > 100
