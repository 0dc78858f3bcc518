"""The database schema: the single source of truth for every story's state.

A story moves through these states, each change committed at once:

    new ──> written ──> published
     │         │
     │         └──> failed (publishing kept failing; `stories retry` puts it back)
     ├──> skipped (a filter, max_age, triage turned it away; reason kept;
     │             `stories write` puts it back in new, chosen by hand)
     ├──> held (the quality gate refused every answer; reasons kept)
     ├──> failed (writing kept failing; reasons kept)
     └──  duplicate (same story as another one; never written or published)
    published ──> rejected (an editor trashed or deleted its post; never posted again)
    rejected ──> published (an editor took its post out of the trash)
    published ──> published (revised: rewritten on an editor's request or from new
                  sources, or a note added for the editor; bot.store.revisions)

A worker that takes a story sets a lease (owner + expiry) without changing
its state, so a dead worker's story is simply taken again once the lease
expires, and two workers never handle the same story at the same time. A failed
attempt frees the lease and parks the story: `not_before` says when it may be
tried again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot.story import State

# A feed's base interval when its row has none ([[feeds]] every's default).
DEFAULT_EVERY = 900


class StoreClock:
    """The store's time, for every timestamp and every "today". Tests move it forward
    (`offset`) to cross a newsroom's day boundary; nothing else changes it."""

    offset = timedelta(0)


clock = StoreClock()


def utcnow() -> datetime:
    return datetime.now(UTC) + clock.offset


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime, dict: JSON, list: JSON}


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    # Conditional GET validators from the last 200 answer.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_story_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime | None]
    # The interval the scheduler currently uses (adapts to how often the feed changes).
    interval_seconds: Mapped[int | None]
    error_count: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    # Its [[feeds]] settings, written by each sync (bot.pipeline.polling.FeedPoller.sync):
    # polling and scheduling read the row alone. `every` (seconds) is None once the feed
    # left the config: its row stays for its stories, and it is no longer polled.
    every: Mapped[int | None]
    category: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(500), default="")
    timeout: Mapped[float | None]
    language: Mapped[str | None] = mapped_column(String(35))
    # Its own selection rules (bot.select): include, exclude, categories, languages,
    # min_words, max_age, per_day, priority.
    selection: Mapped[dict | None]

    stories: Mapped[list[Story]] = relationship(back_populates="feed")

    @property
    def poll_every(self) -> int:
        """Its base interval: the configured one, or the default for a feed that left."""
        return self.every or DEFAULT_EVERY


class Story(Base):
    __tablename__ = "stories"
    __table_args__ = (Index("ix_stories_state_lease", "state", "lease_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identifier, stored on the WordPress post so a retry finds it.
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id"))
    state: Mapped[State] = mapped_column(String(20), default=State.NEW)
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"))

    guid: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    source_text: Mapped[str] = mapped_column(Text, default="")
    source_language: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(200), default="")  # the configured one
    source_categories: Mapped[list | None]  # the feed's own, for the tags
    image_url: Mapped[str | None] = mapped_column(String(2048))
    image_credit: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None]  # the source's own date, if it gave a sane one
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)

    draft: Mapped[dict | None]  # bot.story.Draft.to_dict()
    reasons: Mapped[list | None]  # why it is held, failed, skipped or waiting, one line each
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]  # the lease's expiry, only while a worker holds it
    lease_since: Mapped[datetime | None]  # when its holder claimed it (`status`: in flight since)
    # A parked failure is not tried again before this (bot.store.park).
    not_before: Mapped[datetime | None]

    post_id: Mapped[str | None] = mapped_column(String(100))
    post_url: Mapped[str | None] = mapped_column(String(2048))

    # bot.select: the triage model's relevance score (0–100) and why; a story an
    # editor chose by hand (`stories write`) passes the filters, not the budget.
    triage_score: Mapped[int | None] = mapped_column(Integer)
    triage_reason: Mapped[str | None] = mapped_column(Text)
    chosen_by_hand: Mapped[bool] = mapped_column(default=False)

    # bot.store.sources: when a source joined the story, or one of its sources' text
    # changed, after it was written; None once the change is dealt with (settled).
    sources_changed_at: Mapped[datetime | None]

    # bot.store.revisions: an editor's rewrite request read back from the site (the
    # instruction), waiting for the revise stage.
    rewrite_request: Mapped[str | None] = mapped_column(Text)
    rewrite_requested_at: Mapped[datetime | None]

    feed: Mapped[Feed | None] = relationship(back_populates="stories")
    events: Mapped[list[Event]] = relationship(
        back_populates="story", order_by="Event.id", cascade="all, delete-orphan"
    )


class StoryKey(Base):
    """Dedup keys: each GUID, canonical URL and text fingerprint points at one story.

    The unique constraint is what makes dedup safe with several workers on
    PostgreSQL: two workers inserting the same key at once cannot both win.
    """

    __tablename__ = "story_keys"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_story_keys_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # guid | url | text
    value: Mapped[str] = mapped_column(String(255))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)


class StorySource(Base):
    """One source of a story, as the feed gave it (bot.store.sources).

    A story's first source is the item that started it (`stories` keeps that item's
    fields too); the other feeds' items telling the same event join it as more
    sources (bot.cluster). A text changed under a known GUID (a wire's update or
    correction) is one more row with the same GUID and its own content hash: the
    rows of a GUID are its versions, the latest one current.
    """

    __tablename__ = "story_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id"))
    guid: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # sha256 of the title and text as received; None for the sources of stories stored
    # before clustering (their first sighting since records it, and is no change).
    content_hash: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20), default="original")  # bot.cluster.SourceKind
    published_at: Mapped[datetime | None]  # the source's own date
    # Indexed: a poller reads the window's signatures (bot.store.window).
    added_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # bot.cluster.Fingerprint.to_bytes(), for a source in the near-duplicate index: a
    # story's first source that may be written, or a source that joined one. None for
    # the others (a duplicate, a skipped story, a later version, too few words, stored
    # before 0007): nothing joins them.
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)

    feed: Mapped[Feed | None] = relationship()


class Event(Base):
    """Every attempt and state change of a story, with its error: the story's history."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    stage: Mapped[str] = mapped_column(String(20))  # ingest | write | gate | publish | retry
    outcome: Mapped[str] = mapped_column(String(20))  # ok | error | held | duplicate ...
    detail: Mapped[str] = mapped_column(Text, default="")

    story: Mapped[Story] = relationship(back_populates="events")


class SiteSync(Base):
    """Where the last look at a site's posts stopped: the latest post modification seen,
    in the site's own time (what WordPress's modified_after compares with)."""

    __tablename__ = "site_sync"

    site: Mapped[str] = mapped_column(String(500), primary_key=True)
    modified_after: Mapped[str] = mapped_column(String(40), default="")


class LLMCall(Base):
    """Every prompt and answer, with token counts: what each article cost and why."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    model: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(20))  # write | repair | triage
    messages: Mapped[list]
    response: Mapped[str | None] = mapped_column(Text)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    # "stop", or "length" for an answer cut at max_tokens or at the window's end.
    finish_reason: Mapped[str | None] = mapped_column(String(20))
