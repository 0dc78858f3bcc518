"""The breaker on its own, on a hand-driven clock (issue 15 §1, §4)."""

from __future__ import annotations

import logging

import pytest

from bot.breaker import Breaker, BreakerOpen, BreakerSettings
from bot.config import SchedulerSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def breaker(clock: Clock) -> Breaker:
    return Breaker("model server", BreakerSettings(failures=3, probe=10, probe_max=40), clock=clock)


def test_opens_after_consecutive_failures_and_says_so_once(clock, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    b = breaker(clock)
    b.failed("HTTP 500")
    b.failed("HTTP 500")
    assert not b.blocked() and not b.is_open
    b.failed("HTTP 500")
    assert b.is_open and b.blocked()
    with pytest.raises(BreakerOpen):
        b.before_call()
    for _ in range(20):  # failures reported while open stay quiet
        b.failed("HTTP 500")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert lines[0].startswith("model server unavailable since ")
    assert lines[0].endswith("(HTTP 500), next probe in 10 s")
    assert "model server unavailable since" in b.why()


def test_a_success_between_failures_keeps_it_closed(clock):
    b = breaker(clock)
    for _ in range(10):
        b.failed("timeout")
        b.failed("timeout")
        b.succeeded()
    assert not b.is_open


def test_probe_backoff_doubles_up_to_the_ceiling_then_closes(clock, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    b = breaker(clock)
    for _ in range(3):
        b.failed("refused")
    waits = []
    for _ in range(5):
        opened_at = clock.now
        while b.blocked():
            clock.now += 1
        waits.append(clock.now - opened_at)
        b.before_call()  # the probe goes
        assert b.blocked()  # only one probe at a time
        with pytest.raises(BreakerOpen):
            b.before_call()
        b.failed("refused")
    assert waits == [10, 20, 40, 40, 40]
    while b.blocked():
        clock.now += 1
    b.before_call()
    b.succeeded()
    assert not b.is_open and not b.blocked() and b.retry_at() is None
    assert caplog.records[-1].getMessage().startswith("model server available again: 8 échecs ")


def test_a_429_opens_at_once_for_its_retry_after(clock):
    b = breaker(clock)
    b.failed("HTTP 429", retry_after=25)
    assert b.blocked()
    clock.now += 24
    assert b.blocked()
    clock.now += 1
    assert not b.blocked()
    b.before_call()
    b.succeeded()
    assert not b.is_open


def test_a_long_outage_is_recalled_every_few_minutes_not_every_failure(clock, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    b = breaker(clock)
    for _ in range(600):  # ten minutes, a failure a second
        b.failed("HTTP 503")
        clock.now += 1
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "still unavailable: " in lines[1] and "échecs depuis" in lines[1]


def test_ten_minutes_of_500s_with_the_shipped_settings_cost_a_handful_of_probes(clock):
    """Issue 15, "done when": the model answering 500 for ten minutes, then back. With
    [scheduler]'s defaults, the calls are the three that open the breaker and a probe
    every 50 s at most; once the server is back, the next probe (under a minute away)
    closes it. (tests/outages/test_model_outage.py runs the same through the daemon,
    in seconds.)"""
    b = Breaker("model server", SchedulerSettings().breaker(), clock=clock)
    started, calls = clock.now, 0
    while clock.now - started < 600:  # a writer asking every second, the server down
        if not b.blocked():
            b.before_call()
            calls += 1
            b.failed("HTTP 500")
        clock.now += 1
    assert calls == 3 + 12  # probes at 30 s, then every 50 s: 30, 80, …, 580
    back = clock.now
    while b.blocked():
        clock.now += 1
    b.before_call()
    b.succeeded()
    assert not b.is_open and clock.now - back < 60
