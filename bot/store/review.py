"""The editors' decisions read back from WordPress, in each story's history.

A decision is an event of stage ``review`` (published, edited, rejected), recorded once:
the same post seen again unchanged adds nothing. A trashed or deleted post makes its
story ``rejected``: no worker claims it again, and a later source of the same story is
a duplicate of it, so it is never posted again.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Event, SiteSync, State, Story
from bot.store.stories import transition


def last_look(session: Session, site: str) -> str:
    """The latest post modification seen on this site ('' before the first look)."""
    row = session.get(SiteSync, site)
    return row.modified_after if row else ""


def record_look(session: Session, site: str, modified_after: str) -> None:
    row = session.get(SiteSync, site) or SiteSync(site=site)
    row.modified_after = modified_after
    session.add(row)
    session.commit()


def record_decision(session: Session, uid: str, outcome: str, detail: str) -> bool:
    """Record what an editor did with the story's post; False when no story has this uid."""
    story = session.scalars(select(Story).where(Story.uid == uid)).first()
    if story is None:
        return False
    last = session.scalars(
        select(Event)
        .where(Event.story_id == story.id, Event.stage == "review")
        .order_by(Event.id.desc())
    ).first()
    if last is not None and (last.outcome, last.detail) == (outcome, detail):
        return True
    if outcome == State.REJECTED:
        transition(session, story, State.REJECTED, stage="review", detail=detail)
    else:
        session.add(Event(story_id=story.id, stage="review", outcome=outcome, detail=detail))
        session.commit()
    return True
