"""The daemon: APScheduler runs each feed at its own interval, and writing and
publishing as their own jobs, so a slow model never delays polling.

The database decides when each feed is due (``feeds.next_poll_at``, adapted
after every poll); the scheduler only wakes up at that time. SIGTERM or
SIGINT stops taking work, gives the stories in hand back, and exits within
a few seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from bot.app import open_app
from bot.config import Config, FeedSettings
from bot.errors import AlreadyRunning
from bot.pipeline import Runner
from bot.pipeline.runner import STOP_GRACE_SECONDS
from bot.publish.wordpress.decisions import look_back
from bot.store import Feed, State
from bot.store.db import DatabaseUnavailable

log = logging.getLogger(__name__)



def run_daemon(config: Config) -> None:
    app = open_app(config)
    try:
        pipeline = app.working_pipeline()
    except AlreadyRunning as error:
        log.info("%s; exiting", error)
        app.close()
        return
    stop = threading.Event()
    scheduler = _scheduler(config, pipeline)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler.start()
    log.info("daemon started: %d feed(s), worker %s", len(config.feeds), pipeline.worker)
    stop.wait()
    pipeline.stopping.set()
    scheduler.shutdown(wait=False)
    idle = pipeline.stop(STOP_GRACE_SECONDS)
    app.close()
    log.info("daemon stopped")
    if not idle:
        # A job thread is still blocked in a model or site call; its story was given
        # back, so nothing is lost by not waiting for the call to time out.
        logging.shutdown()
        os._exit(0)


def _scheduler(config: Config, pipeline: Runner) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        executors={
            "feeds": ThreadPoolExecutor(4),
            # Two threads: a tick or a wake-up while the stage runs finds a free thread,
            # and StageJob turns it into one more round of the running job.
            "write": ThreadPoolExecutor(2),
            "publish": ThreadPoolExecutor(2),
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    pipeline.feeds.sync()
    due = _next_polls(pipeline)
    for settings in config.feeds:
        _schedule_poll(scheduler, pipeline, settings, due.get(settings.url))
    stages = (
        (
            "write",
            partial(_write_then_wake_publishing, scheduler, pipeline),
            config.scheduler.write_every,
        ),
        ("publish", pipeline.publish_batch, config.scheduler.publish_every),
        # Posted stories due for a revision (a rewrite the review job read back).
        ("revise", pipeline.revise_batch, config.scheduler.publish_every),
    )
    if config.wordpress is not None and config.publish.target == "wordpress":
        look = partial(look_back, pipeline.sessions, config)
        stages += (("review", look, config.wordpress.sync_seconds),)
    for name, work, seconds in stages:
        scheduler.add_job(
            StageJob(work),
            "interval",
            seconds=seconds,
            executor="publish" if name in ("review", "revise") else name,
            id=name,
            next_run_time=_now(),
            max_instances=3,
        )
    return scheduler


class StageJob:
    """A stage's job that never runs twice at once: a tick or a wake-up that comes while
    it runs asks for one more round of the running job, and returns. APScheduler never
    holds a second instance back, so a healthy daemon never logs « maximum number of
    running instances reached »."""

    def __init__(self, work: Callable[[], object]):
        self.work = work
        self._running = threading.Lock()
        self._again = threading.Event()

    def __call__(self) -> None:
        if not self._running.acquire(blocking=False):
            self._again.set()
            return
        try:
            while True:
                self._again.clear()
                self.work()
                if not self._again.is_set():
                    return
        finally:
            self._running.release()


def _write_then_wake_publishing(scheduler: BackgroundScheduler, pipeline: Runner) -> None:
    """A fresh draft is published at once rather than at the next publishing tick."""
    outcomes = pipeline.write_batch()
    if any(o.state == State.WRITTEN for o in outcomes) and scheduler.running:
        scheduler.modify_job("publish", next_run_time=_now())


def _now() -> datetime:
    return datetime.now(UTC)


def _next_polls(pipeline: Runner) -> dict[str, datetime | None]:
    with pipeline.sessions() as session:
        return dict(session.execute(select(Feed.url, Feed.next_poll_at)).tuples().all())


def _poll_and_reschedule(
    scheduler: BackgroundScheduler, pipeline: Runner, settings: FeedSettings
) -> None:
    try:
        if not pipeline.database_ready():  # its breaker says when to look again
            return
        outcome = pipeline.feeds.poll_safely(settings)
        if outcome.new:
            log.info(
                "%s: %d new stor%s", settings.url, outcome.new, "y" if outcome.new == 1 else "ies"
            )
        if outcome.new and scheduler.running:  # no need to wait for the next writing tick
            scheduler.modify_job("write", next_run_time=_now())
    except DatabaseUnavailable as down:  # said once by the database's breaker
        pipeline.database_failed(down, None)
    except Exception:  # one feed's bug must never stop the others
        log.exception("feed %s: unexpected error", settings.url)
    finally:
        # The date job that ran is gone: a feed not rescheduled here is never polled again.
        if scheduler.running:
            _schedule_poll(scheduler, pipeline, settings, _next_poll_or_later(pipeline, settings))


def _next_poll_or_later(pipeline: Runner, settings: FeedSettings) -> datetime:
    """The time the database chose; if the database cannot say (it is down), the
    feed's own interval from now, so the feed stays scheduled."""
    if pipeline.database.blocked():
        return pipeline.database.retry_at() or _now() + timedelta(seconds=settings.every)
    try:
        chosen = _next_polls(pipeline).get(settings.url)
    except DatabaseUnavailable as down:
        pipeline.database_failed(down, None)
        return pipeline.database.retry_at() or _now() + timedelta(seconds=settings.every)
    except Exception:
        log.exception("feed %s: cannot read its next poll; trying again later", settings.url)
        chosen = None
    return chosen or _now() + timedelta(seconds=settings.every)


def _schedule_poll(
    scheduler: BackgroundScheduler,
    pipeline: Runner,
    settings: FeedSettings,
    when: datetime | None,
) -> None:
    """One date job per feed, added anew after each poll at the time the database
    chose (a date job is gone once it has run, so it is replaced, not moved)."""
    scheduler.add_job(
        _poll_and_reschedule,
        "date",
        run_date=max(when or _now(), _now()),
        args=(scheduler, pipeline, settings),
        id=f"feed:{settings.url}",
        executor="feeds",
        replace_existing=True,
    )
