"""Backoff, Retry-After and the retry loop, without any network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.net.retry import RetryPolicy, call_with_retries, parse_retry_after

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


class Flaky(Exception):
    def __init__(self, retry_after: float | None = None):
        super().__init__("flaky")
        self.retry_after = retry_after


class Broken(Exception):
    pass


def _failing(*errors: Exception, result: str = "ok"):
    """A function that raises ``errors`` in turn, then returns ``result``."""
    pending = list(errors)
    calls = []

    def fn() -> str:
        calls.append(1)
        if pending:
            raise pending.pop(0)
        return result

    fn.calls = calls  # type: ignore[attr-defined]
    return fn


def _run(fn, policy: RetryPolicy, failures: list | None = None, waits: list | None = None):
    return call_with_retries(
        fn,
        policy=policy,
        is_retryable=lambda error: isinstance(error, Flaky),
        retry_after=lambda error: getattr(error, "retry_after", None),
        on_failure=None if failures is None else lambda *args: failures.append(args),
        sleep=(waits if waits is not None else []).append,
    )


def test_backoff_doubles_and_is_capped_without_jitter() -> None:
    policy = RetryPolicy(base=1, cap=10, jitter=0)
    assert [policy.backoff(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert policy.backoff(10_000) == 10


def test_jitter_stays_within_its_fraction_and_the_cap() -> None:
    policy = RetryPolicy(base=4, cap=60, jitter=0.5)
    waits = [policy.backoff(1) for _ in range(200)]
    assert all(2 <= wait <= 6 for wait in waits)
    assert len(set(waits)) > 1
    assert all(RetryPolicy(base=50, cap=60).backoff(3) <= 60 for _ in range(50))


@pytest.mark.parametrize(
    "bad", [{"attempts": 0}, {"base": -1}, {"cap": -1}, {"jitter": 1.5}, {"jitter": -0.1}]
)
def test_nonsense_policies_are_rejected(bad: dict) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**bad)


def test_success_after_retryable_failures() -> None:
    fn = _failing(Flaky(), Flaky())
    failures, waits = [], []
    assert _run(fn, RetryPolicy(base=1, jitter=0), failures, waits) == "ok"
    assert len(fn.calls) == 3
    assert [(attempt, wait) for attempt, _, wait in failures] == [(1, 1.0), (2, 2.0)]
    assert waits == [1.0, 2.0]


def test_a_non_retryable_error_is_reraised_at_once_unchanged() -> None:
    error = Broken("no")
    fn = _failing(Flaky(), error)
    failures, waits = [], []
    with pytest.raises(Broken) as caught:
        _run(fn, RetryPolicy(jitter=0), failures, waits)
    assert caught.value is error
    assert len(fn.calls) == 2
    assert [(attempt, wait) for attempt, _, wait in failures] == [(1, 1.0), (2, None)]


def test_the_last_error_is_reraised_unchanged_when_attempts_run_out() -> None:
    errors = [Flaky(), Flaky(), Flaky()]
    fn = _failing(*errors)
    failures = []
    with pytest.raises(Flaky) as caught:
        _run(fn, RetryPolicy(attempts=3, jitter=0), failures)
    assert caught.value is errors[-1]
    assert caught.value.__context__ is None  # not chained to the earlier attempts
    assert [(attempt, error, wait) for attempt, error, wait in failures][-1] == (3, errors[2], None)
    assert len(failures) == 3


def test_one_attempt_means_no_retry() -> None:
    fn = _failing(Flaky())
    with pytest.raises(Flaky):
        _run(fn, RetryPolicy(attempts=1))
    assert len(fn.calls) == 1


def test_retry_after_wins_over_the_backoff() -> None:
    waits = []
    _run(_failing(Flaky(retry_after=12.5)), RetryPolicy(base=1, cap=60, jitter=0), waits=waits)
    assert waits == [12.5]


def test_retry_after_beyond_the_cap_stops_retrying() -> None:
    fn = _failing(Flaky(retry_after=61), Flaky())
    failures = []
    with pytest.raises(Flaky):
        _run(fn, RetryPolicy(cap=60), failures)
    assert len(fn.calls) == 1
    assert failures[0][2] is None


def test_keyboard_interrupt_is_not_swallowed() -> None:
    with pytest.raises(KeyboardInterrupt):
        _run(_failing(KeyboardInterrupt()), RetryPolicy())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        ("  5 ", 5.0),
        ("0", 0.0),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("Sat, 01 Jun 2024 12:01:30 GMT", 90.0),
        ("Sat, 01 Jun 2024 11:00:00 GMT", 0.0),  # in the past: go now
        ("Saturday, 01-Jun-24 12:00:10 GMT", 10.0),  # RFC 850, still allowed by HTTP
        ("Sat Jun  1 12:00:20 2024", 20.0),  # asctime
        ("Sat, 01 Jun 2024 12:00:30 -0000", 30.0),  # parses as a naive datetime
        ("9" * 5000, 365 * 24 * 3600.0),  # absurd: clamped, no overflow
        ("٣", None),  # a digit, but not an ASCII one
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_parse_retry_after_defaults_to_the_current_time() -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=60)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 57 <= parse_retry_after(soon) <= 60


def test_a_naive_now_is_taken_as_utc() -> None:
    assert parse_retry_after("Sat, 01 Jun 2024 12:00:05 GMT", now=NOW.replace(tzinfo=None)) == 5


@given(
    value=st.one_of(
        st.none(),
        st.text(),
        st.from_regex(
            r"\A[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} -?\d{1,6} \d\d:\d\d:\d\d [A-Z+\-0-9]*\Z"
        ),
        st.integers().map(str),
    ),
    now=st.one_of(st.none(), st.datetimes(timezones=st.one_of(st.none(), st.just(UTC)))),
)
def test_parse_retry_after_never_crashes(value: str | None, now: datetime | None) -> None:
    seconds = parse_retry_after(value, now=now)
    assert seconds is None or 0 <= seconds <= 365 * 24 * 3600
