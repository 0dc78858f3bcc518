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
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from bot.app import open_app
from bot.config import Config, FeedSettings
from bot.errors import AlreadyRunning
from bot.pipeline import Runner
from bot.store import Feed, State

log = logging.getLogger(__name__)

# How long SIGTERM waits for the job in hand before giving its story back.
STOP_GRACE_SECONDS = 3.0


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
    idle = _give_back(pipeline, STOP_GRACE_SECONDS)
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
            "write": ThreadPoolExecutor(1),
            "publish": ThreadPoolExecutor(1),
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    pipeline.feeds.sync()
    due = _next_polls(pipeline)
    for settings in config.feeds:
        _schedule_poll(scheduler, pipeline, settings, due.get(settings.url))
    stages = (
        ("write", _write_then_wake_publishing, (scheduler, pipeline), config.scheduler.write_every),
        ("publish", pipeline.publish_batch, (), config.scheduler.publish_every),
    )
    for name, job, args, seconds in stages:
        scheduler.add_job(
            job,
            "interval",
            args=args,
            seconds=seconds,
            executor=name,
            id=name,
            next_run_time=_now(),
        )
    return scheduler


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
        outcome = pipeline.feeds.poll_safely(settings)
        if outcome.new:
            log.info(
                "%s: %d new stor%s", settings.url, outcome.new, "y" if outcome.new == 1 else "ies"
            )
        if outcome.new and scheduler.running:  # no need to wait for the next writing tick
            scheduler.modify_job("write", next_run_time=_now())
    except Exception:  # one feed's bug must never stop the others
        log.exception("feed %s: unexpected error", settings.url)
    finally:
        # The date job that ran is gone: a feed not rescheduled here is never polled again.
        if scheduler.running:
            _schedule_poll(scheduler, pipeline, settings, _next_poll_or_later(pipeline, settings))


def _next_poll_or_later(pipeline: Runner, settings: FeedSettings) -> datetime:
    """The time the database chose; if the database cannot say (it is down), the
    feed's own interval from now, so the feed stays scheduled."""
    try:
        chosen = _next_polls(pipeline).get(settings.url)
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


def _give_back(pipeline: Runner, grace: float) -> bool:
    """Wait briefly for the story in hand, then free whatever this worker still holds."""
    idle = pipeline.wait_idle(grace)
    if not idle:
        log.warning("a story was still in hand after %.0fs: giving it back", grace)
    pipeline.release_all_leases(mine_only=True)
    return idle
