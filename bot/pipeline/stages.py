"""The two stages a story goes through once stored: plain functions, one story each.

``write_story`` and ``publish_story`` receive the session, the claimed story and
what the stage needs (the writer, the publisher), commit the story's new state
through bot.store, and return what they did. They decide nothing about failures:
an error of the bot.errors tree goes up to the runner, which acts on its branch.
Neither makes a network call of its own beyond its tool (the model, the site): the
article page and the image were read when the story was stored (bot.pipeline.enrich).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.orm import Session

from bot.failpoints import failpoint
from bot.publish import Publisher
from bot.select.selection import Selection
from bot.store import State, Story, sources, transition
from bot.store.models import StorySource
from bot.store.spool import Spool
from bot.story import Draft, SourceArticle, StoryOutcome, Submission
from bot.writer import Writer
from bot.writer.llm import Recorder

log = logging.getLogger(__name__)


def on_draft(wake_publishing: Callable[[], None]) -> Callable[[StoryOutcome], None]:
    """A writing batch's `done`: publishing is woken by each story it wrote (a story
    held, parked or given back leaves no draft to publish), so that the draft goes
    out now, not after the whole batch (the daemon, `run --once`)."""

    def done(outcome: StoryOutcome) -> None:
        if outcome.state == State.WRITTEN:
            wake_publishing()

    return done


def write_story(
    session: Session,
    story: Story,
    writer: Writer,
    *,
    selection: Selection,
    record: Recorder,
    worker: str,
    force: bool = False,
    spool: Spool | None = None,
) -> StoryOutcome:
    """Write one claimed `new` story: skipped by the selection, held by the gate, or
    written. Raises what the writer or the selection raise (bot.errors). The model's
    answer waits in `spool` until the database has the result: if the database fails
    under it, the next try uses it instead of paying for the call again."""
    outcome = StoryOutcome(story.id, story.title, "write", story.state)
    feed_url = story.feed.url if story.feed else None
    if skip := selection.before_write(session, story, feed_url, record):
        transition(
            session,
            story,
            State.SKIPPED,
            stage="select",
            detail=skip,
            reasons=[skip],
            worker=worker,
        )
        outcome.state, outcome.detail = State.SKIPPED, skip
        return outcome
    kept = spool.outcome(story.uid) if spool else None
    if kept is not None:
        log.info("story %s: the model's answer kept while the database was down is used", story.id)
    written = kept or writer.write(
        sources_of(session, story),
        category=story.category,
        record=record,
        guard=selection.guard(story.id, force=force),
    )
    failpoint("model-answered")
    if spool is not None and writer.model is not None and kept is None:
        spool.keep_outcome(story.uid, written)
    if written.draft is None:
        reasons = written.held_reasons
        transition(
            session,
            story,
            State.HELD,
            stage="gate",
            detail="; ".join(reasons),
            reasons=reasons,
            worker=worker,
        )
        if spool is not None:
            spool.drop_answer(story.uid)
        outcome.state, outcome.detail = State.HELD, "; ".join(reasons)
        return outcome
    story.draft = written.draft.to_dict()
    detail = written.summary()
    transition(session, story, State.WRITTEN, stage="write", detail=detail, worker=worker)
    if spool is not None:
        spool.drop_answer(story.uid)
    outcome.state, outcome.detail = State.WRITTEN, detail
    return outcome


def publish_story(
    session: Session, story: Story, publisher: Publisher, *, worker: str
) -> StoryOutcome:
    """Publish one claimed `written` story. Raises the publisher's PublishError branches."""
    outcome = StoryOutcome(story.id, story.title, "publish", story.state)
    receipt = publisher.publish(submission_of(session, story))
    failpoint("published-unrecorded")
    story.post_id, story.post_url = receipt.post_id, receipt.url
    if receipt.warnings:
        draft = story.draft or {}
        story.draft = {**draft, "warnings": [*draft.get("warnings", []), *receipt.warnings]}
    transition(session, story, State.PUBLISHED, stage="publish", detail=receipt.url, worker=worker)
    outcome.state, outcome.detail = State.PUBLISHED, receipt.url
    return outcome


def sources_of(session: Session, story: Story) -> list[SourceArticle]:
    """What the story is written from and credited to: its sources (bot.store.sources),
    the primary first. The primary is the story row, whose text may be the article page
    read at storing (bot.pipeline.enrich), unless its wire sent a new version since."""
    primary = source_of(story)
    versions = [row for row in sources.history(session, story.id) if row.guid == story.guid]
    if len(versions) > 1:
        latest = versions[-1]
        primary = replace(primary, title=latest.title, text=latest.text,
                          url=latest.url or primary.url)
    others = [row for row in sources.of(session, story.id) if row.guid != story.guid]
    return [primary, *map(_source_article, others)]


def _source_article(row: StorySource) -> SourceArticle:
    return SourceArticle(
        title=row.title,
        text=row.text,
        url=row.url,
        source_name=row.feed.title if row.feed else "",
    )


def source_of(story: Story) -> SourceArticle:
    return SourceArticle(
        title=story.title,
        text=story.source_text,
        url=story.url,
        source_name=story.feed.title if story.feed else "",
        language=story.source_language,
        categories=tuple(story.source_categories or ()),
    )


def submission_of(session: Session, story: Story, draft: Draft | None = None) -> Submission:
    """What the publisher receives for `story`: its recorded draft, or `draft` (a
    revision's, recorded once the site took it)."""
    draft = draft or Draft.from_dict(story.draft or {})
    return Submission(
        story_uid=story.uid,
        draft=draft,
        sources=tuple(sources_of(session, story)),
        # The feed's category when the newsroom set one, else the writer's.
        category=story.category or draft.category,
        image_url=story.image_url,
        image_credit=story.image_credit,
        existing_post_id=story.post_id,
    )
