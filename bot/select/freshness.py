"""Freshness: an item published longer ago than `max_age` is not written."""

from __future__ import annotations

from datetime import datetime, timedelta


def age_text(age: timedelta) -> str:
    """'3 days', '5 hours', '40 minutes': the largest unit, rounded down."""
    seconds = int(age.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''}"
    return f"{seconds} seconds"


def too_old(moment: datetime | None, now: datetime, max_age: int | None) -> str | None:
    """The reason an item dated `moment` is too old at `now`, or None. An undated
    item is judged by the caller's best date (when it was stored), never guessed old."""
    if moment is None or max_age is None:
        return None
    age = now - moment
    if age <= timedelta(seconds=max_age):
        return None
    return f"too old: {age_text(age)}"
