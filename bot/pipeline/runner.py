"""The runner: claims stories, runs a stage function on each under the failure
policy (bot.pipeline.policy), and gives them back; and one whole cycle.

Each stage runs in a bounded pool (bot.pipeline.pool): up to `[llm] concurrency`
stories written at once, `[publish] concurrency` published at once, each thread with
its own session, claiming one story at a time (its lease taken only when its work
starts) until none is claimable. Every story in hand has its lease renewed by the
heartbeat, and a stop (SIGTERM) takes no more and gives back what is in hand. Nothing
here belongs to one story: what a story needs lives in the call that handles it.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import timedelta
from functools import partial
from types import FrameType

from sqlalchemy.orm import Session, sessionmaker

from bot import quality
from bot.breaker import Breaker, ServiceDown
from bot.config import Config
from bot.errors import GiveUpStory, StopTarget, TryLater
from bot.nlp import in_background
from bot.pipeline.outage import DatabaseWatch
from bot.pipeline.policy import FailurePolicy, Stage
from bot.pipeline.polling import FeedPoller
from bot.pipeline.pool import Countdown, InHand, in_threads, woken_alongside
from bot.pipeline.revise import Reviser, revise_story
from bot.pipeline.stages import on_draft, publish_story, write_story
from bot.publish import Publisher
from bot.select.selection import ClaimRules, Selection
from bot.store import LLMCall, State, Story, claim, release_all, renew
from bot.store.db import DatabaseUnavailable
from bot.store.revisions import due
from bot.store.spool import Spool
from bot.story import CycleReport, StoryOutcome
from bot.writer import Writer
from bot.writer.llm import CallRecord, ModelStopped, Recorder

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
Done = Callable[[StoryOutcome], None]  # told each story's outcome as soon as it has one

# How long SIGTERM waits for the stories in hand before giving them back.
STOP_GRACE_SECONDS = 3.0
# How long it then waits to give them back: the release waits for the write lock
# (SQLite's busy timeout, 5 s) while another thread or process holds it.
GIVE_BACK_SECONDS = 2.0


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
        # Set on SIGTERM: take no more stories, give back the claimed ones.
        self.stopping = threading.Event()
        # The heartbeat renews every lease in hand three times per lease.
        self.in_hand = InHand(self._renew, every=self.lease.total_seconds() / 3)
        # One breaker per dependency (bot.breaker): the model server's is the client's own;
        # the site's is the WordPress publisher's (it tries a probe once), kept here.
        self.spool = Spool(config.resolve(config.store.spool_dir))
        self.watch = DatabaseWatch(
            sessions, self.worker, config.scheduler.breaker(failures=1), self.spool
        )
        self.database = self.watch.breaker
        self.target = getattr(publisher, "breaker", None) or Breaker(
            f"publishing target ({config.publish.target})", config.scheduler.breaker()
        )
        # Taken once and never given back: the first writer to take it loads the gate.
        self._gate_not_loaded = threading.Lock()
        self.policy = FailurePolicy(
            worker=self.worker,
            max_attempts=config.scheduler.max_attempts,
            breaker_of=self._breaker_of,
            database_failed=self.database_failed,
            stop_stage=self._stop_stage,
        )

    # --- the stages, as the runner calls them -----------------------------

    def _write(self, session: Session, story: Story, *, force: bool = False) -> StoryOutcome:
        self._load_gate_ahead()
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

    def _load_gate_ahead(self) -> None:
        """From the first story written with a model, the gate's models load in the
        background (bot.quality.load_models): the load (1 s of CPU, several seconds with
        other workers on the cores) overlaps the model's first answer instead of
        following it. Not before: a run with nothing to write loads nothing."""
        if self.writer.model is not None and self._gate_not_loaded.acquire(blocking=False):
            in_background(partial(quality.load_models, self.config.quality), "gate models")

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
        except (ServiceDown, ModelStopped):
            raise  # the database's or the model's (a revision writes): not the target's
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
                    renew(session, [story_id], self.worker, self.lease)
                    session.commit()
            except DatabaseUnavailable as down:
                # The answer is in hand: what it cost waits in the spool, and writing goes on.
                self.spool.keep_call({"story_id": story_id, **call.__dict__})
                self.database.failed(str(down))

        return record

    def _renew(self, story_ids: list[int]) -> None:
        with self.sessions() as session:
            renew(session, story_ids, self.worker, self.lease)
            session.commit()

    # --- batches, each in its stage's pool --------------------------------

    def write_batch(
        self, limit: int | None = None, progress: Progress | None = None, done: Done | None = None
    ) -> list[StoryOutcome]:
        """Up to `limit` stories (default [scheduler] batch; 0: until none is claimable)
        written, [llm] concurrency at once (one thread for the offline writer: it waits
        on nothing, so threads would only share one core)."""
        writers = self.config.llm.concurrency if self.writer.model is not None else 1
        return self._batch(State.NEW, "write", self._write, limit, progress, writers, done)

    def publish_batch(
        self, limit: int | None = None, progress: Progress | None = None
    ) -> list[StoryOutcome]:
        """Up to `limit` stories published, [publish] concurrency at once."""
        publishers = self.config.publish.concurrency
        return self._batch(State.WRITTEN, "publish", self._publish, limit, progress, publishers)

    def revise_batch(
        self, limit: int | None = None, progress: Progress | None = None
    ) -> list[StoryOutcome]:
        """Published stories due for a revision (bot.pipeline.revise): each posts again,
        so [publish] concurrency at once."""
        publishers = self.config.publish.concurrency
        return self._batch(State.PUBLISHED, "revise", self._revise, limit, progress, publishers)

    def _batch(
        self,
        state: State,
        stage: str,
        work: Stage,
        limit: int | None,
        progress: Progress | None,
        threads: int,
        done: Done | None = None,
    ) -> list[StoryOutcome]:
        if not self.database_ready():
            return []
        claims = Countdown(self.config.scheduler.batch if limit is None else limit or None)
        outcomes: list[tuple[int, StoryOutcome]] = []  # (turn, outcome): list.append is atomic

        def one_thread() -> None:
            story_id = None
            try:
                with self.sessions() as session:
                    for turn, story in self._claimed(session, state, claims):
                        story_id = story.id
                        if progress:
                            progress(story.title)
                        outcome = self.policy.run(session, story, stage, work)
                        outcomes.append((turn, outcome))
                        if done:
                            done(outcome)
            except DatabaseUnavailable as down:  # claiming, or reading the story's feed
                self.database_failed(down, story_id)

        in_threads(min(threads, claims.left or threads), stage, one_thread)
        return [outcome for _, outcome in sorted(outcomes, key=lambda pair: pair[0])]

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
                    with self.in_hand.holding(story.id):
                        outcomes.append(self.policy.run(session, story, stage, work))
        return outcomes

    def _claimed(
        self, session: Session, state: State, claims: Countdown
    ) -> Iterator[tuple[int, Story]]:
        """Claim stories one at a time while `claims` allows: a lease is taken only
        when its story's work starts, so another worker (or thread) is never kept
        waiting on a story that sits in this one's queue, and a stop leaves nothing
        claimed."""
        while not (self.stopping.is_set() or self._stage_stopped(state) or self._blocked(state)):
            if (turn := claims.take()) is None:
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
            with self.in_hand.holding(claimed[0].id):
                yield turn, claimed[0]

    def _stage_stopped(self, state: State) -> bool:
        if state == State.NEW:
            return bool(self.writing_stopped)
        if state == State.PUBLISHED:  # a revision writes, then publishes
            return bool(self.writing_stopped or self.publishing_stopped)
        return bool(self.publishing_stopped)

    def _stop_stage(self, stage: str, error: StopTarget) -> None:
        # A revision meets the model too: its wrong setup stops writing, not publishing.
        writing = stage == "write" or isinstance(error, ModelStopped)
        log.error("%s stopped: %s", "writing" if writing else "publishing", error)
        if writing:
            self.writing_stopped = str(error)
        else:
            self.publishing_stopped = str(error)

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
        return self.watch.ready()

    def database_failed(self, down: DatabaseUnavailable, story_id: int | None) -> None:
        self.watch.failed(down, story_id)

    # --- stopping ------------------------------------------------------------

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no story is in hand; False if the timeout ran out first."""
        return self.in_hand.wait_idle(timeout)

    def release_all_leases(self, *, mine_only: bool = False) -> int:
        """Free this worker's leases (`mine_only`, a stopping daemon), or every lease:
        only safe when this process is alone on the database (the SQLite lock)."""
        with self.sessions() as session:
            return release_all(session, self.worker if mine_only else None)

    def stop(self, grace: float) -> None:
        """SIGTERM: take no more stories, wait up to `grace` seconds for those in hand,
        then give back whatever this worker still holds, untouched, within
        GIVE_BACK_SECONDS. A thread still blocked in a model or site call is not waited
        for: its story is free again, and the caller ends the process."""
        self.stopping.set()
        if not self.wait_idle(grace):
            log.warning("%d story(ies) still in hand after %.0f s: giving them back",
                        len(self.in_hand.ids()), grace)
        self._give_back(GIVE_BACK_SECONDS)

    def _give_back(self, patience: float) -> None:
        """Free this worker's leases, waiting at most `patience` seconds, so that a stop
        never waits out the busy timeout behind a writer holding the lock (a feed being
        stored) on top of its grace. Safe to leave undone: a lease not freed runs out on
        its own ([scheduler] lease_seconds), and a run alone on its database frees every
        lease at start (App.working_pipeline); the caller ends the process, the release
        with it, its transaction uncommitted."""
        freed: Future[int] = Future()

        def release() -> None:
            try:
                freed.set_result(self.release_all_leases(mine_only=True))
            except Exception as error:  # said by the stopping thread, below
                freed.set_exception(error)

        threading.Thread(target=release, name="giving back", daemon=True).start()
        try:
            count = freed.result(timeout=patience)
        except TimeoutError:
            log.warning("the database is busy: this worker's stories are free again when "
                        "their lease runs out")
        except DatabaseUnavailable as down:
            log.warning("%s: this worker's stories are free again when their lease runs out", down)
        else:
            if count:
                log.info("%d story(ies) given back", count)

    def stop_on_signals(self, grace: float) -> None:
        """`run --once`: SIGTERM or SIGINT gives back every story in hand within
        `grace` seconds and ends the process (exit 0), the stories untouched. The
        handler only starts the stopping thread: whatever the main thread was doing
        (a claim, a commit) keeps its locks, and the process ends from there."""

        def stop_and_exit() -> None:
            self.stop(grace)
            logging.shutdown()
            os._exit(0)

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("%s received: stopping", signal.Signals(signum).name)
            threading.Thread(target=stop_and_exit, name="stopping").start()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    # --- one cycle ---------------------------------------------------------

    def run_once(self, *, all_feeds: bool = False, progress: Progress | None = None) -> CycleReport:
        report = CycleReport()
        self.feeds.sync()
        report.feeds.extend(self.feeds.poll_all(self.feeds.due(all_feeds=all_feeds), progress))
        # A failed attempt parks its story: the loops end when nothing may be tried now
        # (no batch limit: the pool stays full). Each draft is published once written,
        # beside the writers (seen at once, posted if the run is cut short); then the rest.
        published: list[StoryOutcome] = []
        publish = partial(self.publish_batch, 0, progress=progress)
        with woken_alongside(lambda: published.extend(publish()), "publishing") as wake:
            while batch := self.write_batch(0, progress=progress, done=on_draft(wake)):
                report.stories.extend(batch)
        report.stories.extend(published)
        while batch := publish():
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
