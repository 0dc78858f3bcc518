"""The editors' decisions read back from WordPress, in each story's history, and what
they add up to per feed.

A decision is an event of stage ``review`` (published, published after a person's edit,
edited, rejected), dated when the editor made it, recorded once: the same post seen
again unchanged adds nothing. A trashed or deleted post makes its story ``rejected``: no
worker claims it again, and a later source of the same story is a duplicate of it, so it
is never posted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.sql import Subquery

from bot.store.models import Event, Feed, SiteSync, State, Story
from bot.store.stories import transition

STAGE = "review"
STORY_POSTED_STAGE = "publish"  # bot.pipeline.stages: the post made, story `published`
PUBLISHED = "published"  # as the bot posted it
PUBLISHED_EDITED = "published_edited"  # a person edited or approved it first
EDITED = "edited"  # not published yet
REJECTED = State.REJECTED.value  # trashed or deleted for good
SEEN = "seen"  # a post of the bot out of the trash, nothing else to say: never recorded
RESTORED_STAGE = "restore"  # a rejected story's post taken out of the trash


def last_look(session: Session, site: str) -> str:
    """The latest post modification seen on this site ('' before the first look)."""
    row = session.get(SiteSync, site)
    return row.modified_after if row else ""


def record_look(session: Session, site: str, modified_after: str) -> None:
    row = session.get(SiteSync, site) or SiteSync(site=site)
    row.modified_after = modified_after
    session.add(row)
    session.commit()


def record_decision(session: Session, uid: str, outcome: str, detail: str, *, at: datetime) -> bool:
    """Record what an editor did with the story's post, at that moment; True when the
    story's history got a new line. A rejected story whose post is seen out of the trash
    is the editors' again (`published`, the state of a story whose post exists)."""
    story = session.scalars(select(Story).where(Story.uid == uid)).first()
    if story is None:
        return False
    restored = story.state == State.REJECTED and outcome != REJECTED
    if restored:
        why = detail if outcome == SEEN else "sorti de la corbeille"
        transition(session, story, State.PUBLISHED, stage=RESTORED_STAGE, detail=why)
        _date_last_event(story, at)
    if outcome == SEEN:
        return restored
    last = session.scalars(
        select(Event)
        .where(Event.story_id == story.id, Event.stage == STAGE)
        .order_by(Event.id.desc())
    ).first()
    if last is not None and (last.outcome, last.detail) == (outcome, detail):
        return restored
    if outcome == REJECTED:
        transition(session, story, State.REJECTED, stage=STAGE, detail=detail)
        _date_last_event(story, at)
    else:
        session.add(Event(story_id=story.id, stage=STAGE, outcome=outcome, detail=detail, at=at))
        session.commit()
    return True


def _date_last_event(story: Story, at: datetime) -> None:
    # transition() dates its event now; the history says when the editor did it.
    story.events[-1].at = at
    object_session(story).commit()


@dataclass(frozen=True)
class FeedDecisions:
    """What the editors did with one feed's posts."""

    drafts: int = 0  # posts the bot made
    published: int = 0  # published by the editors (or by the bot, status = "publish")
    edited: int = 0  # of those, edited or approved by a person before publishing
    rejected: int = 0  # trashed or deleted
    median_to_publish: float | None = None  # seconds from the post made to its publishing


def per_feed(session: Session) -> dict[str, FeedDecisions]:
    """Per feed URL, the editors' decisions on its stories' posts (feeds without a post
    left out). The medians are computed here: SQLite has no percentile function."""
    made = _first_event(STORY_POSTED_STAGE, (State.PUBLISHED.value,))
    rows = session.execute(
        select(Feed.url, Story.id, Story.state, made.c.at)
        .join(made, made.c.story_id == Story.id)
        .join(Feed, Story.feed_id == Feed.id)
    ).all()
    published = _at(session, _first_event(STAGE, (PUBLISHED, PUBLISHED_EDITED)))
    edited = _at(session, _first_event(STAGE, (PUBLISHED_EDITED,)))
    stories: dict[str, list[tuple[int, str, datetime]]] = {}
    for url, story_id, state, posted_at in rows:
        stories.setdefault(url, []).append((story_id, state, posted_at))
    return {url: _decisions(items, published, edited) for url, items in stories.items()}


def _decisions(
    items: list[tuple[int, str, datetime]],
    published: dict[int, datetime],
    edited: dict[int, datetime],
) -> FeedDecisions:
    waits = [
        # Two clocks (the bot's, the site's): a publish seconds after the post is not negative.
        max((published[sid] - posted_at).total_seconds(), 0.0)
        for sid, _, posted_at in items
        if sid in published
    ]
    return FeedDecisions(
        drafts=len(items),
        published=len(waits),
        edited=sum(1 for sid, _, _ in items if sid in edited),
        rejected=sum(1 for _, state, _ in items if state == State.REJECTED),
        median_to_publish=median(waits) if waits else None,
    )


def _first_event(stage: str, outcomes: tuple[str, ...]) -> Subquery:
    """Per story, when it first had one of these events."""
    return (
        select(Event.story_id, func.min(Event.at).label("at"))
        .where(Event.stage == stage, Event.outcome.in_(outcomes))
        .group_by(Event.story_id)
        .subquery()
    )


def _at(session: Session, first: Subquery) -> dict[int, datetime]:
    return {story_id: at for story_id, at in session.execute(select(first))}
