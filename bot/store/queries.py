"""Read-only views of the store, for `depeche status`, `stories` and `feeds`."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.ingest import CLUSTER_WAIT
from bot.store.models import Event, Feed, LLMCall, State, Story


def state_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Story.state, func.count()).group_by(Story.state)).all()
    counts = {state.value: 0 for state in State}
    counts.update({str(state): count for state, count in rows})
    return counts


def oldest_waiting(session: Session) -> dict[str, datetime | None]:
    """Per waiting stage, when its oldest story got there: a stuck stage shows at once."""
    return {
        state.value: session.scalar(
            select(func.min(Story.state_changed_at)).where(Story.state == state)
        )
        for state in (State.NEW, State.WRITTEN)
    }


def recent_problems(session: Session, limit: int = 10) -> list[Story]:
    return list(
        session.scalars(
            select(Story)
            .where((Story.state.in_([State.FAILED, State.HELD])) | Story.last_error.is_not(None))
            .where(Story.state != State.PUBLISHED)
            .order_by(Story.state_changed_at.desc())
            .limit(limit)
        )
    )


# A skip reason's kind: "exclude: football" -> "exclude", "triage 23/100" -> "triage".
_REASON_KIND = re.compile(r"[a-z_]+(?: [a-z_]+)*")


def skip_reasons(session: Session) -> dict[str, int]:
    """How many stories each kind of selection rule turned away, the most first."""
    counts: Counter[str] = Counter()
    for reasons in session.scalars(select(Story.reasons).where(Story.state == State.SKIPPED)):
        first = (reasons or ["?"])[0]
        kind = _REASON_KIND.match(first)
        counts[kind.group(0) if kind else first] += 1
    return dict(counts.most_common())


def warning_counts(session: Session) -> dict[str, int]:
    """How many drafts went out with each warning of the gate (bot.config.quality severities),
    the most first: the rules a newsroom may want to tune or to set to "off"."""
    counts: Counter[str] = Counter()
    drafts = session.scalars(
        select(Story.draft).where(Story.state.in_((State.WRITTEN, State.PUBLISHED)))
    )
    for draft in drafts:
        counts.update((draft or {}).get("warning_rules", []))
    return dict(counts.most_common())


def feeds(session: Session) -> list[Feed]:
    return list(session.scalars(select(Feed).order_by(Feed.id)))


def stories(session: Session, *, state: str | None, limit: int) -> list[Story]:
    query = select(Story).order_by(Story.id.desc()).limit(limit)
    if state:
        query = query.where(Story.state == state)
    return list(session.scalars(query))


def story_calls(session: Session, story_id: int) -> list[LLMCall]:
    return list(
        session.scalars(select(LLMCall).where(LLMCall.story_id == story_id).order_by(LLMCall.id))
    )


def token_totals(session: Session) -> dict[str, Any]:
    prompt, completion, calls = session.execute(
        select(func.sum(LLMCall.prompt_tokens), func.sum(LLMCall.completion_tokens), func.count())
    ).one()
    return {"calls": calls, "prompt_tokens": prompt or 0, "completion_tokens": completion or 0}


def story_events(session: Session, story_id: int) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.story_id == story_id).order_by(Event.id)))


def wait_reason(story: Story, now: datetime) -> tuple[str, datetime | None] | None:
    """Why a story in `new` or `written` is not being worked, and until when (None:
    until its dependency is back or the next day's budget); None when it is not waiting."""
    if story.state not in (State.NEW, State.WRITTEN) or story.lease_owner:
        return None
    if story.not_before is not None and story.not_before > now:
        # Only the cluster wait parks a story never tried (bot.store.ingest): a failed
        # attempt leaves its error. A breaker's note may have replaced its reason since.
        if story.attempts == 0 and story.last_error is None:
            return CLUSTER_WAIT, story.not_before
        return f"retry after a failed attempt: {story.last_error or '?'}", story.not_before
    if story.reasons:  # a breaker (a dependency down) or the day's budget said why
        return story.reasons[0], None
    return None


def waiting(session: Session, now: datetime, limit: int = 20) -> list[tuple[Story, str, Any]]:
    """The stories that wait for something, with why and until when, oldest first."""
    candidates = session.scalars(
        select(Story)
        .where(Story.state.in_([State.NEW, State.WRITTEN]), Story.lease_owner.is_(None))
        .order_by(Story.id)
        .limit(1000)
    )
    found = []
    for story in candidates:
        if (reason := wait_reason(story, now)) is not None:
            found.append((story, *reason))
            if len(found) == limit:
                break
    return found


# What each state's story is being taken for, while a worker holds it.
STAGE_OF = {State.NEW: "write", State.WRITTEN: "publish", State.PUBLISHED: "revise"}


def in_flight(session: Session, now: datetime) -> list[Story]:
    """The stories some worker holds now (its lease not run out), the longest-held first:
    read from the leases, so any process sees every worker's."""
    return list(
        session.scalars(
            select(Story)
            .where(Story.lease_owner.is_not(None), Story.lease_until > now)
            .order_by(Story.lease_since, Story.id)
        )
    )

