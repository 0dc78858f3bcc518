"""The handler that wires the stages: poll → store → write (+ gate) → publish.

Every step reads its work from the database and commits its result before
the next one starts, so the process can die anywhere and the next run
carries on: a story is stored before it is written, its draft is stored
before it is published, and the publisher finds a post it already made.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import feeds
from bot.config import Config, FeedSettings
from bot.failpoints import failpoint
from bot.feeds.article import fetch_article
from bot.feeds.cadence import backoff, jittered, next_interval
from bot.log import context as log_context
from bot.publish import Publisher, PublishError, Submission
from bot.store import (
    Feed,
    IngestResult,
    LLMCall,
    State,
    Story,
    claim,
    ingest,
    record_failure,
    release,
    transition,
)
from bot.store.models import utcnow
from bot.writer import ModelError, Writer
from bot.writer.draft import Draft, SourceArticle
from bot.writer.llm import CallRecord

log = logging.getLogger(__name__)

# A story whose attempt failed waits this long before the next one, doubling each time.
RETRY_BASE = timedelta(minutes=1)
RETRY_CEILING = timedelta(hours=1)


@dataclass
class FeedOutcome:
    url: str
    new: int = 0
    duplicates: int = 0
    known: int = 0
    not_modified: bool = False
    error: str | None = None


@dataclass
class StoryOutcome:
    story_id: int
    title: str
    stage: str  # write | publish
    state: str  # the state the story ended in
    detail: str = ""


@dataclass
class CycleReport:
    feeds: list[FeedOutcome] = field(default_factory=list)
    stories: list[StoryOutcome] = field(default_factory=list)
    skipped_publishing: str | None = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


Progress = Callable[[str], None]


class Pipeline:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        *,
        writer: Writer,
        publisher: Publisher,
        worker: str | None = None,
    ):
        self.config = config
        self.sessions = sessions
        self.writer = writer
        self.publisher = publisher
        self.worker = worker or worker_name()
        self.lease = timedelta(seconds=config.scheduler.lease_seconds)
        # Set when a site refused us (credentials, rights): stop until restarted.
        self.publishing_stopped: str | None = None
        # Set by the daemon on SIGTERM: take no more stories, give back the claimed ones.
        self.stopping = threading.Event()
        self._in_hand = 0
        self._idle = threading.Condition()

    @contextmanager
    def _story_in_hand(self) -> Iterator[None]:
        with self._idle:
            self._in_hand += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_hand -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no story is in hand; False if the timeout ran out first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_hand == 0, timeout)

    def _claimed(self, session: Session, state: State, limit: int | None) -> Iterator[Story]:
        """Claim a batch and hand the stories out one by one, giving the rest back
        untouched when the daemon is stopping or the site refused us."""
        batch = claim(session, state, self.worker, self.lease, limit or self.config.scheduler.batch)
        for story in batch:
            if self.stopping.is_set() or (state == State.WRITTEN and self.publishing_stopped):
                release(session, story)
                continue
            with self._story_in_hand():
                yield story

    # --- feeds -------------------------------------------------------------

    def sync_feeds(self) -> None:
        """Make the feeds table match the [[feeds]] of the config (rows are never deleted:
        their stories keep pointing at them)."""
        with self.sessions() as session:
            known = set(session.scalars(select(Feed.url)))
            for settings in self.config.feeds:
                if settings.url not in known:
                    session.add(Feed(url=settings.url, title=settings.name))
            session.commit()

    def due_feeds(self, *, all_feeds: bool = False) -> list[FeedSettings]:
        now = utcnow()
        with self.sessions() as session:
            due = set(
                session.scalars(
                    select(Feed.url).where(
                        or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now)
                    )
                )
            )
        return [f for f in self.config.feeds if all_feeds or f.url in due]

    def poll_feed_safely(self, settings: FeedSettings) -> FeedOutcome:
        """poll_feed, where an error nobody foresaw (a value the database refuses, a
        parser's bug) is this feed's error, recorded and backed off like any other,
        not the end of the run for every feed."""
        with log_context(feed=settings.url, stage="poll"):
            try:
                return self.poll_feed(settings)
            except Exception as error:
                log.exception("feed %s: unexpected error", settings.url)
                reason = f"unexpected error: {type(error).__name__}: {str(error).splitlines()[0]}"
                with self.sessions() as session:
                    feed = session.scalars(select(Feed).where(Feed.url == settings.url)).one()
                    self._feed_failed(session, feed, settings, reason, None)
                return FeedOutcome(settings.url, error=reason)

    def poll_feed(self, settings: FeedSettings) -> FeedOutcome:
        outcome = FeedOutcome(settings.url)
        with self.sessions() as session:
            feed = session.scalars(select(Feed).where(Feed.url == settings.url)).one()
            feed.last_polled_at = utcnow()
            try:
                result = feeds.poll(
                    settings.url,
                    etag=feed.etag,
                    last_modified=feed.last_modified,
                    limits=self.config.fetch.limits(trusted=True, timeout=settings.timeout),
                )
            except feeds.FeedError as error:
                outcome.error = str(error)
                self._feed_failed(session, feed, settings, outcome.error, error.retry_after)
                return outcome
            failpoint("feed-fetched")
            outcome.not_modified = result.not_modified
            counts: Counter[str] = Counter()
            for item in result.items:
                counts[ingest(session, feed, item, settings.category)] += 1
                failpoint("story-stored")
            outcome.new = counts[IngestResult.NEW]
            outcome.duplicates = counts[IngestResult.DUPLICATE]
            outcome.known = counts[IngestResult.KNOWN]
            # Validators are saved only after every item is stored: a crash before
            # this line refetches the whole feed, and dedup absorbs the repeat.
            self._feed_succeeded(session, feed, settings, result, had_news=outcome.new > 0)
        for warning in result.warnings:
            log.warning("%s: %s", settings.url, warning)
        return outcome

    def _feed_succeeded(
        self,
        session: Session,
        feed: Feed,
        settings: FeedSettings,
        result: feeds.PollResult,
        *,
        had_news: bool,
    ) -> None:
        now = utcnow()
        if not result.not_modified:
            feed.etag, feed.last_modified = result.etag, result.last_modified
            feed.title = settings.name or result.title or feed.title
        if had_news:
            feed.last_new_story_at = now
        feed.last_success_at = now
        feed.error_count, feed.last_error = 0, None
        feed.interval_seconds = next_interval(
            base=settings.every,
            current=feed.interval_seconds,
            had_news=had_news,
            ceiling=self.config.scheduler.max_interval,
            hints=(result.max_age, result.ttl),
        )
        self._schedule(feed, feed.interval_seconds)
        session.commit()

    def _feed_failed(
        self,
        session: Session,
        feed: Feed,
        settings: FeedSettings,
        reason: str,
        retry_after: float | None,
    ) -> None:
        log.error("feed %s failed: %s", settings.url, reason)
        feed.error_count += 1
        feed.last_error = reason
        wait = backoff(
            base=settings.every,
            errors=feed.error_count,
            ceiling=self.config.scheduler.max_backoff,
            retry_after=retry_after,
        )
        self._schedule(feed, wait)
        session.commit()

    def _schedule(self, feed: Feed, seconds: int) -> None:
        delay = jittered(seconds, self.config.scheduler.jitter)
        feed.next_poll_at = utcnow() + timedelta(seconds=delay)

    # --- writing -----------------------------------------------------------

    def write_batch(
        self, limit: int | None = None, progress: Progress | None = None
    ) -> list[StoryOutcome]:
        outcomes = []
        with self.sessions() as session:
            for story in self._claimed(session, State.NEW, limit):
                if progress:
                    progress(story.title)
                with self._story_context(session, story, "write"):
                    outcomes.append(self._write_one(session, story))
        return outcomes

    def _story_context(
        self, session: Session, story: Story, stage: str
    ) -> AbstractContextManager[None]:
        """Each log line while a story is in hand says which story, feed and stage."""
        feed = session.get(Feed, story.feed_id) if story.feed_id else None
        return log_context(story=story.id, feed=feed.url if feed else None, stage=stage)

    def _write_one(self, session: Session, story: Story) -> StoryOutcome:
        outcome = StoryOutcome(story.id, story.title, "write", story.state)
        if self._needs_page(session, story):
            self._complete_from_page(session, story)
        try:
            written = self.writer.write(
                self._source(session, story),
                category=story.category,
                record=self._recorder(story.id),
            )
        except ModelError as error:
            return self._failed_attempt(session, story, outcome, "write", str(error))
        failpoint("model-answered")
        if written.draft is None:
            transition(
                session,
                story,
                State.HELD,
                stage="gate",
                detail="; ".join(written.held_reasons),
                reasons=written.held_reasons,
            )
            outcome.state, outcome.detail = State.HELD, "; ".join(written.held_reasons)
            return outcome
        story.draft = written.draft.to_dict()
        detail = _summary(written.draft, written.repairs)
        transition(session, story, State.WRITTEN, stage="write", detail=detail)
        outcome.state, outcome.detail = State.WRITTEN, detail
        return outcome

    def _needs_page(self, session: Session, story: Story) -> bool:
        """A short item from a remote feed: its page may say more. A local wire
        file has no page to read, and reading one would go on the network."""
        feed = session.get(Feed, story.feed_id) if story.feed_id else None
        remote = feed is not None and feed.url.startswith(("http://", "https://"))
        short = len(story.source_text.split()) < self.config.writer.fetch_article_below_words
        return remote and bool(story.url) and short

    def _complete_from_page(self, session: Session, story: Story) -> None:
        """The feed gave a summary only: read the article page, keep what it adds."""
        article = fetch_article(story.url, self.config.fetch.limits())
        if article is None:
            return
        if len(article.text.split()) > len(story.source_text.split()):
            story.source_text = article.text
        story.image_url = story.image_url or article.image_url
        session.commit()

    def _source(self, session: Session, story: Story) -> SourceArticle:
        feed = session.get(Feed, story.feed_id) if story.feed_id else None
        return SourceArticle(
            title=story.title,
            text=story.source_text,
            url=story.url,
            source_name=feed.title if feed else "",
            language=story.source_language,
        )

    def _recorder(self, story_id: int) -> Callable[[CallRecord], None]:
        """Each call is committed at once, in its own session: a crash right after the
        model answered still leaves what the answer cost, and what it said."""

        def record(call: CallRecord) -> None:
            with self.sessions() as session:
                session.add(LLMCall(story_id=story_id, **call.__dict__))
                session.commit()

        return record

    # --- publishing --------------------------------------------------------

    def publish_batch(
        self, limit: int | None = None, progress: Progress | None = None
    ) -> list[StoryOutcome]:
        outcomes: list[StoryOutcome] = []
        if self.publishing_stopped:
            return outcomes
        with self.sessions() as session:
            for story in self._claimed(session, State.WRITTEN, limit):
                if progress:
                    progress(story.title)
                with self._story_context(session, story, "publish"):
                    outcomes.append(self._publish_one(session, story))
        return outcomes

    def _publish_one(self, session: Session, story: Story) -> StoryOutcome:
        outcome = StoryOutcome(story.id, story.title, "publish", story.state)
        try:
            receipt = self.publisher.publish(self._submission(session, story))
        except PublishError as error:
            if error.stop_site:
                self.publishing_stopped = str(error)
                log.error("publishing stopped: %s", error)
                story.last_error = str(error)
                release(session, story)
                outcome.detail = str(error)
                return outcome
            if not error.retryable:
                return self._give_up(session, story, outcome, "publish", str(error))
            return self._failed_attempt(session, story, outcome, "publish", str(error))
        failpoint("published-unrecorded")
        story.post_id, story.post_url = receipt.post_id, receipt.url
        if receipt.warnings:
            story.draft = {
                **(story.draft or {}),
                "warnings": [*(story.draft or {}).get("warnings", []), *receipt.warnings],
            }
        transition(session, story, State.PUBLISHED, stage="publish", detail=receipt.url)
        outcome.state, outcome.detail = State.PUBLISHED, receipt.url
        return outcome

    def _submission(self, session: Session, story: Story) -> Submission:
        feed = session.get(Feed, story.feed_id) if story.feed_id else None
        draft = Draft.from_dict(story.draft or {})
        return Submission(
            story_uid=story.uid,
            draft=draft,
            source_url=story.url,
            source_title=story.title,
            source_name=feed.title if feed else "",
            category=story.category or draft.category,
            image_url=story.image_url,
            image_credit=story.image_credit,
            existing_post_id=story.post_id,
        )

    # --- failures ----------------------------------------------------------

    def _failed_attempt(
        self, session: Session, story: Story, outcome: StoryOutcome, stage: str, error: str
    ) -> StoryOutcome:
        """A failed attempt leaves the story where it was, for the next run, until
        the attempts run out: then it is `failed` with its reason."""
        log.warning("story %s: %s failed: %s", story.id, stage, error)
        retry_in = min(RETRY_BASE * 2**story.attempts, RETRY_CEILING)
        record_failure(session, story, stage=stage, error=error, retry_in=retry_in)
        if story.attempts >= self.config.scheduler.max_attempts:
            return self._give_up(session, story, outcome, stage, error)
        outcome.detail = f"attempt {story.attempts} failed: {error}"
        return outcome

    def _give_up(
        self, session: Session, story: Story, outcome: StoryOutcome, stage: str, error: str
    ) -> StoryOutcome:
        transition(session, story, State.FAILED, stage=stage, detail=error, reasons=[error])
        outcome.state, outcome.detail = State.FAILED, error
        return outcome

    def release_all_leases(self) -> int:
        """Free every lease: only safe when this process is the only one on the
        database (the SQLite instance lock), where any lease is a dead worker's."""
        with self.sessions() as session:
            result = session.execute(
                update(Story)
                .where(Story.lease_owner.is_not(None))
                .values(lease_owner=None, lease_until=None)
            )
            session.commit()
            return result.rowcount

    # --- one cycle ---------------------------------------------------------

    def run_once(self, *, all_feeds: bool = False, progress: Progress | None = None) -> CycleReport:
        report = CycleReport()
        self.sync_feeds()
        for settings in self.due_feeds(all_feeds=all_feeds):
            if progress:
                progress(settings.url)
            report.feeds.append(self.poll_feed_safely(settings))
        # A story whose attempt failed is parked until its retry time, so these
        # loops end when nothing is left that may be tried now.
        while batch := self.write_batch(progress=progress):
            report.stories.extend(batch)
        while batch := self.publish_batch(progress=progress):
            report.stories.extend(batch)
        report.skipped_publishing = self.publishing_stopped
        return report


def _summary(draft: Draft, repairs: int) -> str:
    """What `run` shows of a written draft: the gate's verdict and the Yoast scores."""
    seo = draft.seo or {}
    if not draft.rewritten:
        gate = "offline, not rewritten"
    else:
        gate = "gate passed" + (f" after {repairs} repair(s)" if repairs else "")
    return (
        f"{gate}; SEO {seo.get('seo_score', '?')}, lisibilité {seo.get('readability_score', '?')}"
    )
