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
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from functools import partial

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.errors import (
    BudgetReached,
    GiveUpStory,
    LeaseLost,
    StopTarget,
    TryLater,
    unexpected,
)
from bot.failpoints import failpoint
from bot.feeds.article import fetch_article
from bot.log import context as log_context
from bot.pipeline.polling import FeedPoller
from bot.publish import Publisher
from bot.select.selection import ClaimRules, Selection
from bot.store import (
    Feed,
    LLMCall,
    State,
    Story,
    claim,
    note_waiting,
    record_failure,
    release,
    renew_lease,
    transition,
)
from bot.story import CycleReport, Draft, SourceArticle, StoryOutcome, Submission
from bot.writer import Writer
from bot.writer.llm import CallRecord

log = logging.getLogger(__name__)

# A story whose attempt failed waits this long before the next one, doubling each time.
RETRY_BASE = timedelta(minutes=1)
RETRY_CEILING = timedelta(hours=1)


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
        self.selection = Selection(config, sessions)
        self.feeds = FeedPoller(config, sessions, self.selection)
        self.writer = writer
        self.publisher = publisher
        self.worker = worker or worker_name()
        self.lease = timedelta(seconds=config.scheduler.lease_seconds)
        # Set when a site refused us (credentials, rights): stop until restarted.
        self.publishing_stopped: str | None = None
        # Set when the model server's setup is wrong (URL, model, parameter, window):
        # every story would fail the same way, so writing stops until restarted.
        self.writing_stopped: str | None = None
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
        """Claim stories one at a time, up to `limit`: a lease is taken only when its
        story's work starts, so another worker is never kept waiting on a story
        that sits in this one's queue, and a stop leaves nothing claimed."""
        for _ in range(limit or self.config.scheduler.batch):
            if self.stopping.is_set() or (state == State.WRITTEN and self.publishing_stopped):
                return
            if state == State.NEW and self.writing_stopped:
                return
            rules = ClaimRules(where=(), order=())
            if state == State.NEW:
                # Priority and freshest first; nothing when the day's budget is spent.
                if (chosen := self.selection.claim_rules(session)) is None:
                    return
                rules = chosen
            claimed = claim(
                session, state, self.worker, self.lease, 1, where=rules.where, order=rules.order
            )
            if not claimed:
                return
            with self._story_in_hand():
                yield claimed[0]

    def _guarded(
        self,
        session: Session,
        story: Story,
        stage: str,
        work: Callable[[Session, Story], StoryOutcome],
    ) -> StoryOutcome:
        """Run one story's work; an error nobody foresaw (a model's answer that breaks a
        parser, a full disk) is that story's failed attempt, recorded and retried later,
        never the end of the run for every story behind it. A worker whose lease ran
        out and was taken over drops its result: the other worker's stands."""
        try:
            try:
                return work(session, story)
            except LeaseLost:
                raise
            except Exception as error:
                log.exception("story %s: unexpected error while %s", story.id, stage)
                session.rollback()
                outcome = StoryOutcome(story.id, story.title, stage, story.state)
                return self._failed_attempt(session, story, outcome, stage, unexpected(error))
        except LeaseLost as lost:
            log.warning("%s; dropping this worker's result", lost)
            return StoryOutcome(story.id, story.title, stage, "taken over", str(lost))

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
                    outcomes.append(self._guarded(session, story, "write", self._write_one))
        return outcomes

    def _story_context(
        self, session: Session, story: Story, stage: str
    ) -> AbstractContextManager[None]:
        """Each log line while a story is in hand says which story, feed and stage."""
        feed = _feed_of(session, story)
        return log_context(story=story.id, feed=feed.url if feed else None, stage=stage)

    def _write_one(self, session: Session, story: Story, force: bool = False) -> StoryOutcome:
        outcome = StoryOutcome(story.id, story.title, "write", story.state)
        if self._needs_page(session, story):
            self._complete_from_page(session, story)
        feed = _feed_of(session, story)
        record = self._recorder(story.id)
        try:
            if skip := self.selection.before_write(
                session, story, feed.url if feed else None, record
            ):
                transition(
                    session,
                    story,
                    State.SKIPPED,
                    stage="select",
                    detail=skip,
                    reasons=[skip],
                    worker=self.worker,
                )
                outcome.state, outcome.detail = State.SKIPPED, skip
                return outcome
            written = self.writer.write(
                self._source(session, story),
                category=story.category,
                record=record,
                guard=self.selection.guard(story.id, force=force),
            )
        except BudgetReached as reached:
            # Not an attempt: the story waits in `new`, and the next day writes it.
            note_waiting(session, str(reached), story_ids=[story.id])
            release(session, story)
            outcome.detail = str(reached)
            return outcome
        except StopTarget as error:
            # A wrong model setup. Not this story's attempt: it waits in `new` for a fix.
            self.writing_stopped = str(error)
            log.error("writing stopped: %s", error)
            story.last_error = str(error)
            release(session, story)
            outcome.detail = str(error)
            return outcome
        except GiveUpStory as error:
            return self._give_up(session, story, outcome, "write", str(error))
        except TryLater as error:
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
                worker=self.worker,
            )
            outcome.state, outcome.detail = State.HELD, "; ".join(written.held_reasons)
            return outcome
        story.draft = written.draft.to_dict()
        detail = written.summary()
        transition(session, story, State.WRITTEN, stage="write", detail=detail, worker=self.worker)
        outcome.state, outcome.detail = State.WRITTEN, detail
        return outcome

    def _needs_page(self, session: Session, story: Story) -> bool:
        """A short item from a remote feed: its page may say more. A local wire
        file has no page to read, and reading one would go on the network."""
        feed = _feed_of(session, story)
        remote = feed is not None and feed.url.startswith(("http://", "https://"))
        # The page is read too when the feed's text is below the selection's min_words.
        below = max(
            self.config.writer.fetch_article_below_words,
            self.selection.min_words(feed.url if feed else None),
        )
        short = len(story.source_text.split()) < below
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
        feed = _feed_of(session, story)
        return SourceArticle(
            title=story.title,
            text=story.source_text,
            url=story.url,
            source_name=feed.title if feed else "",
            language=story.source_language,
            categories=tuple(story.source_categories or ()),
        )

    def _recorder(self, story_id: int) -> Callable[[CallRecord], None]:
        """Each call is committed at once, in its own session: a crash right after the
        model answered still leaves what the answer cost, and what it said."""

        def record(call: CallRecord) -> None:
            with self.sessions() as session:
                session.add(LLMCall(story_id=story_id, **call.__dict__))
                # Each call is also a heartbeat: the lease outlives a slow model's retries
                # and repairs, so no other worker takes the story while it is being written.
                renew_lease(session, story_id, self.worker, self.lease)
                session.commit()

        return record

    def write_chosen(self, story_id: int, *, force: bool = False) -> list[StoryOutcome]:
        """`stories write`: one story chosen by hand (already put back in `new`), written
        and published now, whatever the filters, max_age and triage said. The day's
        quotas and budget still apply unless `force`: then it waits in `new` with
        the reason, and nothing is returned."""
        outcomes: list[StoryOutcome] = []
        with self.sessions() as session:
            where = [Story.id == story_id]
            if not force:
                if (rules := self.selection.claim_rules(session)) is None:
                    return outcomes
                where.extend(rules.where)
            for state, stage, work in (
                (State.NEW, "write", partial(self._write_one, force=force)),
                (State.WRITTEN, "publish", self._publish_one),
            ):
                claimed = claim(session, state, self.worker, self.lease, 1, where=where)
                for story in claimed:
                    with self._story_in_hand(), self._story_context(session, story, stage):
                        outcomes.append(self._guarded(session, story, stage, work))
        return outcomes

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
                    outcomes.append(self._guarded(session, story, "publish", self._publish_one))
        return outcomes

    def _publish_one(self, session: Session, story: Story) -> StoryOutcome:
        outcome = StoryOutcome(story.id, story.title, "publish", story.state)
        try:
            receipt = self.publisher.publish(self._submission(session, story))
        except StopTarget as error:
            self.publishing_stopped = str(error)
            log.error("publishing stopped: %s", error)
            story.last_error = str(error)
            release(session, story)
            outcome.detail = str(error)
            return outcome
        except GiveUpStory as error:
            return self._give_up(session, story, outcome, "publish", str(error))
        except TryLater as error:
            return self._failed_attempt(session, story, outcome, "publish", str(error))
        failpoint("published-unrecorded")
        story.post_id, story.post_url = receipt.post_id, receipt.url
        if receipt.warnings:
            story.draft = {
                **(story.draft or {}),
                "warnings": [*(story.draft or {}).get("warnings", []), *receipt.warnings],
            }
        transition(
            session, story, State.PUBLISHED, stage="publish", detail=receipt.url, worker=self.worker
        )
        outcome.state, outcome.detail = State.PUBLISHED, receipt.url
        return outcome

    def _submission(self, session: Session, story: Story) -> Submission:
        feed = _feed_of(session, story)
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
        if story.attempts + 1 >= self.config.scheduler.max_attempts:
            # The last attempt: straight to `failed`, while this worker still holds the lease.
            story.attempts += 1
            story.last_error = error
            return self._give_up(session, story, outcome, stage, error)
        retry_in = min(RETRY_BASE * 2**story.attempts, RETRY_CEILING)
        record_failure(
            session, story, stage=stage, error=error, retry_in=retry_in, worker=self.worker
        )
        outcome.detail = f"attempt {story.attempts} failed: {error}"
        return outcome

    def _give_up(
        self, session: Session, story: Story, outcome: StoryOutcome, stage: str, error: str
    ) -> StoryOutcome:
        transition(
            session,
            story,
            State.FAILED,
            stage=stage,
            detail=error,
            reasons=[error],
            worker=self.worker,
        )
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
        self.feeds.sync()
        for settings in self.feeds.due(all_feeds=all_feeds):
            if progress:
                progress(settings.url)
            report.feeds.append(self.feeds.poll_safely(settings))
        # A story whose attempt failed is parked until its retry time, so these
        # loops end when nothing is left that may be tried now.
        while batch := self.write_batch(progress=progress):
            report.stories.extend(batch)
        while batch := self.publish_batch(progress=progress):
            report.stories.extend(batch)
        report.skipped_publishing = self.publishing_stopped
        report.skipped_writing = self.writing_stopped
        return report


def _feed_of(session: Session, story: Story) -> Feed | None:
    return session.get(Feed, story.feed_id) if story.feed_id else None
