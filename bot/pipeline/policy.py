"""The failure policy: what a stage's failure means for its story, decided once, by
the branch of the bot.errors tree the error is on:

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

Every change of the story row goes through bot.store. Nothing here belongs to one
story, so one policy serves every thread of a runner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.breaker import Breaker, ServiceDown
from bot.errors import BudgetReached, GiveUpStory, LeaseLost, StopTarget, TryLater, unexpected
from bot.log import context as log_context
from bot.store import State, Story, note_waiting, park, release, transition, wait_for_service
from bot.store.db import DatabaseUnavailable
from bot.story import StoryOutcome

log = logging.getLogger(__name__)

# A story whose attempt failed waits this long before the next one, doubling each time.
RETRY_BASE = timedelta(minutes=1)
RETRY_CEILING = timedelta(hours=1)

Stage = Callable[[Session, Story], StoryOutcome]


class FailurePolicy:
    def __init__(
        self,
        *,
        worker: str,
        max_attempts: int,
        breaker_of: Callable[[State], Breaker | None],
        database_failed: Callable[[DatabaseUnavailable, int | None], None],
        stop_stage: Callable[[str, StopTarget], None],
    ):
        self.worker = worker
        self.max_attempts = max_attempts
        self._breaker_of = breaker_of
        self._database_failed = database_failed
        self._stop_stage = stop_stage

    def run(self, session: Session, story: Story, stage: str, work: Stage) -> StoryOutcome:
        """Run one stage function on one claimed story, under the policy."""
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
            self._database_failed(down, held.story_id)
            held.detail = str(down)
            return held
        except ServiceDown as down:
            return self._waits_for_service(session, story, stage, str(down))
        except BudgetReached as reached:
            # Not an attempt: the story waits in `new`, and the next day writes it.
            note_waiting(session, str(reached), story_ids=[story.id])
            return self._given_back(session, story, stage, str(reached))
        except StopTarget as error:
            self._stop_stage(stage, error)
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
        if story.attempts + 1 >= self.max_attempts:
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
