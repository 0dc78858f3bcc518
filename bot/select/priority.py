"""The order stories are written in: a feed's priority (higher first), then the
freshest (by published date, then stored date)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import case, func

from bot.store.models import Story


def write_order(priorities: Mapping[int, int]) -> list[Any]:
    """ORDER BY terms for claiming new stories; `priorities` maps feed ids to their
    priority (feeds not in it count 0)."""
    terms: list[Any] = []
    if any(priorities.values()):
        terms.append(case(dict(priorities), value=Story.feed_id, else_=0).desc())
    freshest = func.coalesce(Story.published_at, Story.fetched_at)
    return [*terms, freshest.desc(), Story.fetched_at.desc(), Story.id.desc()]
