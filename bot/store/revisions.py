"""Revising a posted story: what waits for the revise stage, and each revision recorded.

A `published` story is due for a revision (bot.pipeline.revise) when an editor asked
for a rewrite in the Dépêche box (read back from the site by the decisions sync:
`rewrite_request` holds the instruction until it is handled), or when a source joined
it or one of its sources changed after it was written (bot.store.sources marks
`sources_changed_at`; `sources.settle` clears it). Each revision is an event of stage
``revise`` in the story's history: rewritten, updated, noted, refused, held. The story
stays `published` whatever the revision did.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.store import sources
from bot.store.models import Event, State, Story, StorySource, utcnow
from bot.store.stories import still_held


def ask_rewrite(session: Session, uid: str, instruction: str) -> bool:
    """An editor's rewrite request seen on the story's post: kept until the revise stage
    handles it. False when no published story has this uid (one rejected stays so); the
    same request seen again is recorded once."""
    story = session.scalars(select(Story).where(Story.uid == uid)).first()
    if story is None or story.state != State.PUBLISHED:
        return False
    if story.rewrite_request == instruction:
        return True
    story.rewrite_request = instruction
    story.rewrite_requested_at = utcnow()
    session.add(Event(story_id=story.id, stage="review", outcome="rewrite asked",
                      detail=instruction))
    session.commit()
    return True


def due() -> ColumnElement[bool]:
    """Claimable for a revision, beside the state `published` (bot.store.claim's where)."""
    return or_(Story.rewrite_request.is_not(None), Story.sources_changed_at.is_not(None))


# The events after which the post told every source known then.
_TOLD_ALL = or_(
    and_(Event.stage == "write", Event.outcome == State.WRITTEN),
    and_(Event.stage == "revise", Event.outcome.in_(("rewritten", "updated", "noted"))),
)


def new_sources(session: Session, story: Story) -> list[StorySource]:
    """The sources (versions included) that came after the story was last written or
    revised: what a revision tells the editor about, oldest first."""
    since = session.scalar(
        select(func.max(Event.at)).where(Event.story_id == story.id, _TOLD_ALL)
    )
    versions = sources.history(session, story.id)
    return [row for row in versions if since is None or row.added_at > since]


def record_revision(
    session: Session,
    story: Story,
    outcome: str,
    detail: str,
    *,
    worker: str,
    handled_request: str | None = None,
) -> None:
    """What a revision did, in the story's history, its lease freed: one commit. The
    request it answered is cleared, unless the editor asked something else meanwhile."""
    still_held(session, story, worker)
    if handled_request is not None:
        session.execute(
            update(Story)
            .where(Story.id == story.id, Story.rewrite_request == handled_request)
            .values(rewrite_request=None, rewrite_requested_at=None)
        )
    story.attempts = 0
    story.lease_owner = None
    story.lease_until = None
    story.not_before = None
    session.add(Event(story_id=story.id, stage="revise", outcome=outcome, detail=detail))
    session.commit()
