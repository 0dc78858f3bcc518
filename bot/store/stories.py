"""Story lifecycle after ingest (bot.store.ingest): every change of a story row: claim
with a lease, renew it, release, transition (one commit each), park a failed attempt."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.errors import LeaseLost
from bot.store.models import Event, State, Story, utcnow

log = logging.getLogger(__name__)


def claim(
    session: Session,
    state: State,
    worker: str,
    lease: timedelta,
    limit: int,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    order: Sequence[Any] = (),
) -> list[Story]:
    """Take up to `limit` stories in `state` whose lease is free or expired, in
    `order` (by id when none), among those that meet `where`.

    Empty only when no story is claimable: a worker that loses a race for the
    story it looked at takes the next one instead of giving up. On PostgreSQL the
    rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers each take
    different stories at once; elsewhere (SQLite: one writer at a time) the UPDATE
    ... WHERE lease is free decides, and a worker that lost looks again.
    """
    now = utcnow()
    free = and_(
        or_(Story.lease_until.is_(None), Story.lease_until < now),
        or_(Story.not_before.is_(None), Story.not_before <= now),
    )
    candidates = (
        select(Story.id)
        .where(Story.state == state, free, *where)
        .order_by(*(order or [Story.id]))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(candidates.with_for_update(of=Story, skip_locked=True)).all()
        claimed = _take(session, ids, state, free, worker, now + lease, lease)
        session.commit()
        return claimed
    while ids := session.scalars(candidates).all():
        claimed = _take(session, ids, state, free, worker, now + lease, lease)
        session.commit()
        if claimed:
            return claimed
        # Every story looked at was taken by another worker in between: each lost race
        # is another worker's progress, so this loop ends.
    return []


def _take(
    session: Session,
    ids: Sequence[int],
    state: State,
    free: ColumnElement[bool],
    worker: str,
    until: datetime,
    lease: timedelta,
) -> list[Story]:
    """Lease the stories of `ids` that are still free (uncommitted), from `until - lease`."""
    taken = set(
        session.scalars(
            update(Story)
            .where(Story.id.in_(ids), Story.state == state, free)
            .values(lease_owner=worker, lease_until=until, lease_since=until - lease)
            .returning(Story.id)
        )
    )
    stories = [session.get(Story, story_id, populate_existing=True) for story_id in ids]
    return [story for story in stories if story is not None and story.id in taken]


def renew(session: Session, story_ids: Sequence[int], worker: str, lease: timedelta) -> int:
    """Extend this worker's lease on the stories it still holds (uncommitted: a heartbeat
    commits it, or the model call's record it goes with); returns how many it holds."""
    renewed = session.execute(
        update(Story)
        .where(Story.id.in_(story_ids), Story.lease_owner == worker)
        .values(lease_until=utcnow() + lease)
    )
    return renewed.rowcount


def release(session: Session, story: Story) -> None:
    """Give a story back untouched (shutdown): another worker may take it at once."""
    story.lease_owner = None
    story.lease_until = None
    session.commit()


def release_all(session: Session, owner: str | None = None) -> int:
    """Free every lease `owner` holds (a stopping daemon), or every lease at all: the
    latter only when this process is alone on the database (the SQLite instance
    lock), where any lease left is a dead worker's. Returns how many were freed."""
    held = Story.lease_owner.is_not(None) if owner is None else Story.lease_owner == owner
    freed = session.execute(update(Story).where(held).values(lease_owner=None, lease_until=None))
    session.commit()
    return freed.rowcount


def still_held(session: Session, story: Story, worker: str | None) -> None:
    """Raise LeaseLost unless `worker` still holds the story. The row is locked until
    the commit (FOR UPDATE on PostgreSQL; on SQLite the FOR UPDATE begins the write
    transaction, bot.store.db), so no claim can slip in between."""
    if worker is None:  # a change made by hand (`stories retry`), not by a worker
        return
    owner = session.scalar(select(Story.lease_owner).where(Story.id == story.id).with_for_update())
    if owner != worker:
        session.rollback()
        raise LeaseLost(f"story {story.id} is now held by {owner or 'nobody'}, not {worker}")


def transition(
    session: Session,
    story: Story,
    state: State,
    *,
    stage: str,
    detail: str = "",
    reasons: list[str] | None = None,
    worker: str | None = None,
) -> None:
    """Move a story to `state`, record the event, free its lease: one commit. With
    `worker`, only while that worker still holds the story's lease."""
    still_held(session, story, worker)
    log.info(
        "story %s: %s -> %s%s", story.id, story.state, state.value, f" ({detail})" if detail else ""
    )
    story.state = state
    story.state_changed_at = utcnow()
    story.reasons = reasons
    story.lease_owner = None
    story.lease_until = None
    story.not_before = None  # a wait belonged to the state it leaves
    if state in (State.WRITTEN, State.PUBLISHED):
        story.last_error = None
    session.add(Event(story_id=story.id, stage=stage, outcome=state.value, detail=detail))
    session.commit()


def park(
    session: Session,
    story: Story,
    *,
    stage: str,
    error: str,
    retry_in: timedelta,
    worker: str | None = None,
) -> None:
    """One failed attempt: counted, kept with its error, its lease freed, and parked
    until `retry_in` has passed (`not_before`), so no loop hammers it."""
    still_held(session, story, worker)
    story.attempts += 1
    story.last_error = error
    story.lease_owner = None
    story.lease_until = None
    story.not_before = utcnow() + retry_in
    session.add(Event(story_id=story.id, stage=stage, outcome="error", detail=error))
    session.commit()


def retry(session: Session, story: Story) -> State:
    """Put a failed or held story back where it can be processed again.

    A story that failed while publishing keeps its draft and goes back to
    `written`; one that failed or was held while writing is written anew.
    """
    target = State.WRITTEN if story.state == State.FAILED and story.draft else State.NEW
    story.attempts = 0
    transition(session, story, target, stage="retry", detail=f"back to {target.value} by hand")
    return target


def note_waiting(
    session: Session,
    reason: str,
    feed_ids: Sequence[int] | None = None,
    *,
    story_ids: Sequence[int] | None = None,
) -> None:
    """The stories left in `new` by a budget say why they wait (all, those of
    `feed_ids`, or `story_ids`); their state does not change: the next day writes them."""
    query = update(Story).where(Story.state == State.NEW)
    if story_ids is None:
        query = query.where(Story.lease_owner.is_(None))  # not those in another worker's hand
    else:
        query = query.where(Story.id.in_(story_ids))
    if feed_ids is not None:
        query = query.where(Story.feed_id.in_(feed_ids))
    session.execute(query.values(reasons=[reason]))
    session.commit()


def record_triage(session: Session, story: Story, score: int | None, reason: str) -> None:
    """The triage model's verdict, kept with the story (committed at once: it was paid for)."""
    story.triage_score = score
    story.triage_reason = reason
    detail = f"{score}/100" if score is not None else "no score"
    session.add(Event(story_id=story.id, stage="triage", outcome="scored", detail=detail))
    session.commit()


def choose_by_hand(session: Session, story: Story) -> None:
    """An editor wants this story written (`stories write`): back to `new`, past the
    filters, max_age and triage from now on; the budget still applies."""
    story.chosen_by_hand = True
    story.attempts = 0
    transition(session, story, State.NEW, stage="select", detail="chosen by hand")


def wait_for_service(session: Session, story: Story, reason: str) -> None:
    """A dependency is down (its breaker opened): the story is given back with no
    attempt counted, and it and every free story waiting in its state say why."""
    session.execute(
        update(Story)
        .where(
            Story.state == story.state,
            or_(Story.id == story.id, Story.lease_owner.is_(None)),
        )
        .values(reasons=[reason])
    )
    story.lease_owner = None
    story.lease_until = None
    session.commit()


def release_mine(session: Session, story_ids: Sequence[int], worker: str) -> int:
    """Give back the stories this worker still holds (the database failed under them):
    only its own leases, so a story another worker took meanwhile stays his."""
    freed = session.execute(
        update(Story)
        .where(Story.id.in_(story_ids), Story.lease_owner == worker)
        .values(lease_owner=None, lease_until=None)
    )
    session.commit()
    return freed.rowcount
