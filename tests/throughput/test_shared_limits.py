"""What the threads of a worker share: the rate limiter (a 429's pause, requests and
tokens per minute), the model server's breaker, and the heartbeat of the stories in hand."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from bot.breaker import Breaker, BreakerOpen, BreakerSettings
from bot.pipeline.pool import InHand
from bot.store import State, Story, claim, make_engine, renew, session_factory
from bot.writer.ratelimit import RateLimiter, TooLong
from tests.store.test_workers import _fill


def timed(work) -> float:
    started = time.monotonic()
    work()
    return time.monotonic() - started


def test_a_pause_holds_every_thread_until_it_ends():
    limiter = RateLimiter()
    limiter.pause(0.5)
    waited: list[float] = []
    threads = [
        threading.Thread(target=lambda: waited.append(timed(lambda: limiter.acquire(1, longest_wait=5))))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(waited) == 4 and all(0.4 < wait < 1.0 for wait in waited), waited
    assert timed(lambda: limiter.acquire(1, longest_wait=5)) < 0.05  # the pause is over


def test_requests_per_minute_space_the_calls_once_a_minutes_worth_is_spent():
    limiter = RateLimiter(requests_per_minute=120)  # two a second
    assert timed(lambda: [limiter.acquire(1, longest_wait=5) for _ in range(120)]) < 0.2
    assert 0.35 < timed(lambda: limiter.acquire(1, longest_wait=5)) < 0.8


def test_tokens_per_minute_count_the_estimate_then_the_usage():
    limiter = RateLimiter(tokens_per_minute=6000)  # 100 a second
    limiter.acquire(6000, longest_wait=5)  # a minute's worth, at once
    with pytest.raises(TooLong):
        limiter.acquire(3000, longest_wait=5)  # 30 s away: not waited here
    limiter.settle(6000, 2000)  # the call cost less than its estimate: 4,000 back
    assert timed(lambda: limiter.acquire(3500, longest_wait=5)) < 0.2
    limiter.settle(3500, 4000)  # more than estimated: the 500 are owed
    assert 0.3 < timed(lambda: limiter.acquire(40, longest_wait=5)) < 1.5


def test_no_limits_no_wait():
    limiter = RateLimiter()
    assert timed(lambda: [limiter.acquire(100_000, longest_wait=0) for _ in range(1000)]) < 0.5


def test_an_open_breaker_lets_one_probe_through_whatever_the_threads():
    breaker = Breaker("model server", BreakerSettings(failures=1, probe=0.2, probe_max=1))
    breaker.failed("HTTP 500")
    time.sleep(0.25)
    passed: list[int] = []
    start = threading.Barrier(8)

    def call() -> None:
        start.wait()
        try:
            breaker.before_call()
            passed.append(threading.get_ident())
        except BreakerOpen:
            pass

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(passed) == 1


def test_another_threads_late_answer_is_not_taken_for_the_probes():
    breaker = Breaker("model server", BreakerSettings(failures=1, probe=0.1, probe_max=1))
    breaker.failed("HTTP 500")
    time.sleep(0.15)
    breaker.before_call()  # this thread is the probe
    late = threading.Thread(target=lambda: breaker.failed("HTTP 500"))  # left before it opened
    late.start()
    late.join(5)
    with pytest.raises(BreakerOpen):  # the probe is still in flight: no second one
        breaker.before_call()
    stale = threading.Thread(target=breaker.succeeded)  # another call that left before
    stale.start()
    stale.join(5)
    assert breaker.is_open  # the probe decides
    breaker.succeeded()  # the probe's answer
    assert not breaker.is_open


def test_a_probe_that_ends_in_a_bug_lets_the_next_probe_go():
    breaker = Breaker("model server", BreakerSettings(failures=1, probe=0.1, probe_max=1))
    breaker.failed("HTTP 500")
    time.sleep(0.15)
    breaker.before_call()
    breaker.abandoned()  # neither an answer nor a "down"
    refused: list[BreakerOpen] = []

    def next_probe() -> None:
        try:
            breaker.before_call()
        except BreakerOpen as error:
            refused.append(error)

    other = threading.Thread(target=next_probe)
    other.start()
    other.join(5)
    assert refused == []


def test_the_heartbeat_renews_every_story_in_hand_and_stops_when_none_is():
    renewed: list[list[int]] = []
    in_hand = InHand(renewed.append, every=0.05)
    with in_hand.holding(3), in_hand.holding(7):
        time.sleep(0.3)
        assert in_hand.ids() == [3, 7]
    assert renewed and all(ids == [3, 7] for ids in renewed[:3])
    assert in_hand.wait_idle(0)
    time.sleep(0.1)
    beats = len(renewed)
    time.sleep(0.2)
    assert len(renewed) == beats  # nothing in hand: no heartbeat
    assert not [t for t in threading.enumerate() if t.name == "heartbeat"]


def test_the_leases_are_renewed_in_the_database(tmp_path):
    """The heartbeat's store call: only this worker's stories get a later expiry."""
    url = f"sqlite:///{tmp_path / 'depeche.db'}"
    _fill(url, 3)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        mine = claim(session, State.NEW, "me", timedelta(minutes=1), 2)
        other = claim(session, State.NEW, "other", timedelta(minutes=1), 1)
        before = {s.id: s.lease_until for s in session.query(Story)}
        held = renew(session, [*(s.id for s in mine), other[0].id], "me", timedelta(minutes=10))
        session.commit()
        after = {s.id: s.lease_until for s in session.query(Story).populate_existing()}
    engine.dispose()
    assert held == 2
    assert all(after[s.id] > before[s.id] + timedelta(minutes=8) for s in mine)
    assert after[other[0].id] == before[other[0].id]
