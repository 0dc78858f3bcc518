"""The runner: claims stories, runs a stage function on each under the failure
policy, and gives them back.

The stage functions (bot.pipeline.stages) only do their stage; what a failure
means is decided here, once, by the branch of the bot.errors tree it is on:

- TryLater: a failed attempt; the story is parked (bot.store.park) and waits,
  doubling each time, until its attempts run out, then it is `failed`;
  BudgetReached is not an attempt: the story waits in `new` for the next day;
- GiveUpStory: the story is `failed` at once;
- StopTarget: the story is given back untouched and the stage stops taking
  stories (a site that refuses the bot, a wrong model setup) until restart;
- ServiceDown: a dependency is down (the model server, the target, the database):
  not the story's fault, so not an attempt; the story is given back and says why,
  and the stage takes no story while that dependency's breaker (bot.breaker) is
  open. A story the database failed under is given back once it answers again;
- LeaseLost: another worker took the story over; this worker's result is dropped;
- anything else is a bug: that story's failed attempt, never the end of the run.

Nothing here belongs to one story: what a story needs lives in the call that
handles it, so several stories may be in flight at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.breaker import Breaker, ServiceDown
from bot.config import Config
from bot.errors import BudgetReached, GiveUpStory, LeaseLost, StopTarget, TryLater, unexpected
from bot.log import context as log_context
from bot.pipeline.polling import FeedPoller
from bot.pipeline.revise import Reviser, revise_story
from bot.pipeline.stages import publish_story, write_story
from bot.publish import Publisher
from bot.select.selection import ClaimRules, Selection
from bot.store import (
    LLMCall,
    State,
    Story,
    claim,
    note_waiting,
    park,
    release,
    release_all,
    release_mine,
    renew,
    transition,
    wait_for_service,
)
from bot.store.db import DatabaseUnavailable
from bot.store.revisions import due
from bot.store.spool import Spool
from bot.story import CycleReport, StoryOutcome
from bot.writer import Writer
from bot.writer.llm import CallRecord, Recorder

log = logging.getLogger(__name__)

# A story whose attempt failed waits this long before the next one, doubling each time.
RETRY_BASE = timedelta(minutes=1)
RETRY_CEILING = timedelta(hours=1)

Progress = Callable[[str], None]
Stage = Callable[[Session, Story], StoryOutcome]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Runner:
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
        # One breaker per dependency (bot.breaker): the model server's is the client's own.
        self.database = Breaker("database", config.scheduler.breaker(failures=1))
        self.target = Breaker(
            f"publishing target ({config.publish.target})", config.scheduler.breaker()
        )
        self.spool = Spool(config.resolve(config.store.spool_dir))
        # Stories this worker held when the database failed under it: freed once it is back.
        self._stranded: set[int] = set()
        self._stranded_lock = threading.Lock()

    # --- the stages, as the runner calls them -----------------------------

    def _write(self, session: Session, story: Story, *, force: bool = False) -> StoryOutcome:
        return write_story(
            session,
            story,
            self.writer,
            selection=self.selection,
            record=self._recorder(story.id),
            worker=self.worker,
            force=force,
            spool=self.spool,
        )

    def _publish(self, session: Session, story: Story) -> StoryOutcome:
        return self._at_target(
            lambda: publish_story(session, story, self.publisher, worker=self.worker)
        )

    def _revise(self, session: Session, story: Story) -> StoryOutcome:
        reviser = Reviser(
            writer=self.writer,
            publisher=self.publisher,
            selection=self.selection,
            worker=self.worker,
            zone=self.config.budget.zone,
            max_attempts=self.config.scheduler.max_attempts,
        )
        record = self._recorder(story.id)
        return self._at_target(lambda: revise_story(session, story, reviser, record))

    def _at_target(self, stage: Callable[[], StoryOutcome]) -> StoryOutcome:
        """A stage that reaches the target, through its breaker: a site down (refused,
        timed out, 5xx, 429) is the target's failure, not the story's."""
        self.target.before_call()
        try:
            outcome = stage()
        except ServiceDown:
            raise  # the database's, heard by its own breaker
        except TryLater as down:
            self.target.failed(str(down), retry_after=down.retry_after)
            raise ServiceDown(str(down), retry_after=down.retry_after) from down
        except (GiveUpStory, StopTarget):
            self.target.succeeded()  # it answered: up, the story or the setup was at fault
            raise
        self.target.succeeded()
        return outcome

    def _recorder(self, story_id: int) -> Recorder:
        """Each call is committed at once, in its own session: a crash right after the
        model answered still leaves what the answer cost, and what it said."""

        def record(call: CallRecord) -> None:
            try:
                with self.sessions() as session:
                    session.add(LLMCall(story_id=story_id, **call.__dict__))
                    # Each call is also a heartbeat: the lease outlives a slow model's retries
                    # and repairs, so no other worker takes the story while it is written.
                    renew(session, story_id, self.worker, self.lease)
                    session.commit()
            except DatabaseUnavailable as down:
                # The answer is in hand: what it cost waits in the spool, and writing goes on.
                self.spool.keep_call({"story_id": story_id, **call.__dict__})
                self.database.failed(str(down))

        return record

    # --- batches -----------------------------------------------------------

    def write_batch(
        self, limit: int | None = None, progress: Progress | None = None
    ) -> list[StoryOutcome]:
        return self._batch(State.NEW, "write", self._write, limit, progress)

    def publish_batch(
        self, limit: int | None = None, progress: Progress | None = None
    ) -> list[StoryOutcome]:
        return self._batch(State.WRITTEN, "publish", self._publish, limit, progress)

    def revise_batch(
        self, limit: int | None = None, progress: Progress | None = None
    ) -> list[StoryOutcome]:
        """Published stories due for a revision (bot.pipeline.revise)."""
        return self._batch(State.PUBLISHED, "revise", self._revise, limit, progress)

    def _batch(
        self, state: State, stage: str, work: Stage, limit: int | None, progress: Progress | None
    ) -> list[StoryOutcome]:
        outcomes: list[StoryOutcome] = []
        if not self.database_ready():
            return outcomes
        story_id = None
        try:
            with self.sessions() as session:
                for story in self._claimed(session, state, limit):
                    story_id = story.id
                    if progress:
                        progress(story.title)
                    outcomes.append(self.run_stage(session, story, stage, work))
        except DatabaseUnavailable as down:  # claiming, or reading the story's feed
            self.database_failed(down, story_id)
        return outcomes

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
                (State.NEW, "write", partial(self._write, force=force)),
                (State.WRITTEN, "publish", self._publish),
            ):
                for story in claim(session, state, self.worker, self.lease, 1, where=where):
                    with self._story_in_hand():
                        outcomes.append(self.run_stage(session, story, stage, work))
        return outcomes

    def _claimed(self, session: Session, state: State, limit: int | None) -> Iterator[Story]:
        """Claim stories one at a time, up to `limit`: a lease is taken only when its
        story's work starts, so another worker is never kept waiting on a story
        that sits in this one's queue, and a stop leaves nothing claimed."""
        for _ in range(limit or self.config.scheduler.batch):
            if self.stopping.is_set() or self._stage_stopped(state) or self._blocked(state):
                return
            rules = ClaimRules(where=(due(),) if state == State.PUBLISHED else (), order=())
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

    def _stage_stopped(self, state: State) -> bool:
        return bool(self.writing_stopped if state == State.NEW else self.publishing_stopped)

    def _breaker_of(self, state: State) -> Breaker | None:
        return self.writer.breaker if state == State.NEW else self.target

    def _blocked(self, state: State) -> bool:
        """The stage of `state` may not take a story now: a dependency's breaker is open."""
        needed = [self._breaker_of(state)]
        if state == State.PUBLISHED:
            needed.append(self.writer.breaker)  # a revision writes, then reaches the target
        return self.database.blocked() or any(b is not None and b.blocked() for b in needed)

    # --- the database's outages ---------------------------------------------

    def database_ready(self) -> bool:
        """Is the database there? Once it failed: not before its breaker's probe time,
        and the probe also frees the stories this worker held and stores the spooled
        call records, so nothing stays locked by a living worker."""
        with self._stranded_lock:
            stranded = sorted(self._stranded)
        if not self.database.is_open and not stranded:
            return True
        try:
            self.database.before_call()
            with self.sessions() as session:
                session.execute(select(1))
                freed = release_mine(session, stranded, self.worker) if stranded else 0
            self._store_spooled_calls()
        except ServiceDown as down:
            if isinstance(down, DatabaseUnavailable):
                self.database.failed(str(down))
            return False
        self.database.succeeded()
        with self._stranded_lock:
            self._stranded.difference_update(stranded)
        if freed:
            log.info("%d story(ies) given back now that the database answers", freed)
        return True

    def database_failed(self, down: DatabaseUnavailable, story_id: int | None) -> None:
        """The database failed under this worker: nothing more to write there now; the
        story in hand is given back as soon as it answers again (database_ready)."""
        self.database.failed(str(down))
        if story_id is not None:
            with self._stranded_lock:
                self._stranded.add(story_id)

    def _store_spooled_calls(self) -> None:
        rows, lines = self.spool.calls()
        if not lines:
            return
        with self.sessions() as session:
            session.add_all(LLMCall(**row) for row in rows)
            session.commit()
        self.spool.forget_calls(lines)

    # --- the failure policy ------------------------------------------------

    def run_stage(self, session: Session, story: Story, stage: str, work: Stage) -> StoryOutcome:
        """Run one stage function on one claimed story, under the failure policy."""
        feed_url = story.feed.url if story.feed else None
        with log_context(story=story.id, feed=feed_url, stage=stage):
            try:
                return self._under_policy(session, story, stage, work)
            except LeaseLost as lost:
                log.warning("%s; dropping this worker's result", lost)
                return StoryOutcome(story.id, story.title, stage, "taken over", str(lost))

    def _under_policy(
        self, session: Session, story: Story, stage: str, work: Stage
    ) -> StoryOutcome:
        # Read now: once the database failed under it, the row cannot be read again.
        held = StoryOutcome(story.id, story.title, stage, story.state)
        try:
            return work(session, story)
        except LeaseLost:
            raise
        except DatabaseUnavailable as down:
            # Nothing can be recorded now: given back once the database answers.
            self.database_failed(down, held.story_id)
            held.detail = str(down)
            return held
        except ServiceDown as down:
            return self._waits_for_service(session, story, stage, str(down))
        except BudgetReached as reached:
            # Not an attempt: the story waits in `new`, and the next day writes it.
            note_waiting(session, str(reached), story_ids=[story.id])
            return self._given_back(session, story, stage, str(reached))
        except StopTarget as error:
            log.error("%s stopped: %s", "writing" if stage == "write" else "publishing", error)
            if stage == "write":
                self.writing_stopped = str(error)
            else:
                self.publishing_stopped = str(error)
            # Not this story's attempt: it waits where it is for a fixed setup.
            story.last_error = str(error)
            return self._given_back(session, story, stage, str(error))
        except GiveUpStory as error:
            return self._give_up(session, story, stage, str(error))
        except TryLater as error:
            return self._failed_attempt(session, story, stage, str(error), error.retry_after)
        except Exception as error:
            # A bug (a model's answer that breaks a parser, a full disk): this story's
            # failed attempt, recorded and retried later, not the end of the run.
            log.exception("story %s: unexpected error while %s", story.id, stage)
            session.rollback()
            return self._failed_attempt(session, story, stage, unexpected(error), None)

    def _waits_for_service(
        self, session: Session, story: Story, stage: str, reason: str
    ) -> StoryOutcome:
        """No attempt counted; the story says why it waits and, once the breaker is
        open, until when (its next probe). When it closes, every waiting story goes."""
        breaker = self._breaker_of(story.state)
        if breaker is not None and (probe := breaker.retry_at()):
            reason = f"{breaker.why()}; next probe {probe:%Y-%m-%d %H:%M:%S} UTC"
        wait_for_service(session, story, reason)
        return StoryOutcome(story.id, story.title, stage, story.state, f"waiting: {reason}")

    def _given_back(self, session: Session, story: Story, stage: str, why: str) -> StoryOutcome:
        release(session, story)
        return StoryOutcome(story.id, story.title, stage, story.state, why)

    def _failed_attempt(
        self, session: Session, story: Story, stage: str, error: str, asked: float | None
    ) -> StoryOutcome:
        """A failed attempt leaves the story where it was, parked until its retry time,
        until the attempts run out: then it is `failed` with its reason."""
        log.warning("story %s: %s failed: %s", story.id, stage, error)
        if story.attempts + 1 >= self.config.scheduler.max_attempts:
            # The last attempt: straight to `failed`, while this worker still holds the lease.
            story.attempts += 1
            story.last_error = error
            return self._give_up(session, story, stage, error)
        wait = RETRY_BASE * 2**story.attempts
        if asked is not None:  # the other side said how long: never sooner
            wait = max(wait, timedelta(seconds=asked))
        park(
            session,
            story,
            stage=stage,
            error=error,
            retry_in=min(wait, RETRY_CEILING),
            worker=self.worker,
        )
        detail = f"attempt {story.attempts} failed: {error}"
        return StoryOutcome(story.id, story.title, stage, story.state, detail)

    def _give_up(self, session: Session, story: Story, stage: str, error: str) -> StoryOutcome:
        transition(
            session,
            story,
            State.FAILED,
            stage=stage,
            detail=error,
            reasons=[error],
            worker=self.worker,
        )
        return StoryOutcome(story.id, story.title, stage, State.FAILED, error)

    # --- in hand, for a stopping daemon ------------------------------------

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

    def release_all_leases(self, *, mine_only: bool = False) -> int:
        """Free this worker's leases (`mine_only`, a stopping daemon), or every lease:
        only safe when this process is alone on the database (the SQLite lock)."""
        with self.sessions() as session:
            return release_all(session, self.worker if mine_only else None)

    # --- one cycle ---------------------------------------------------------

    def run_once(self, *, all_feeds: bool = False, progress: Progress | None = None) -> CycleReport:
        report = CycleReport()
        self.feeds.sync()
        report.feeds.extend(self.feeds.poll_all(self.feeds.due(all_feeds=all_feeds), progress))
        # A story whose attempt failed is parked until its retry time, so these
        # loops end when nothing is left that may be tried now.
        while batch := self.write_batch(progress=progress):
            report.stories.extend(batch)
        while batch := self.publish_batch(progress=progress):
            report.stories.extend(batch)
        while batch := self.revise_batch(progress=progress):
            report.stories.extend(batch)
        report.skipped_publishing = self.publishing_stopped
        report.skipped_writing = self.writing_stopped
        if not self.database_ready():
            # The stories in hand could not be given back: said in one line (exit 5);
            # their leases run out on their own, or the next run frees them at start.
            raise DatabaseUnavailable(self.database.why())
        return report
