"""The daemon: APScheduler runs polling, writing and publishing as their own jobs, so
a slow model never delays polling.

The database decides when each feed is due (``feeds.next_poll_at``, adapted
after every poll); the polling job wakes up at the soonest of those times and polls
every feed then due through the bounded pool `run --once` uses (FeedPoller.poll_all). SIGTERM or
SIGINT stops taking work, gives the stories in hand back, and exits within
a few seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from bot.app import open_app
from bot.config import Config
from bot.errors import AlreadyRunning
from bot.pipeline import Runner
from bot.pipeline.pool import StageJob
from bot.pipeline.runner import STOP_GRACE_SECONDS
from bot.pipeline.stages import on_draft
from bot.publish.wordpress.decisions import look_back
from bot.store import Feed
from bot.store.db import DatabaseUnavailable

log = logging.getLogger(__name__)

POLL_JOB = "poll"
# The longest the polling job sleeps: a feed added to a running database is polled soon.
POLL_IDLE_SECONDS = 60



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
    pipeline.stop(STOP_GRACE_SECONDS)
    app.close()
    log.info("daemon stopped")
    # Not a return: Python's exit would wait for any job thread still blocked in a model
    # or site call (its story was given back: nothing is lost by not waiting), then tear
    # down an interpreter holding the gate's language models, seconds of CPU after
    # « daemon stopped » on a loaded machine, where SIGTERM must stop within seconds.
    logging.shutdown()
    os._exit(0)


def _scheduler(config: Config, pipeline: Runner) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        executors={
            # The polling job's own pool is [fetch] concurrency wide (FeedPoller.poll_all).
            "feeds": ThreadPoolExecutor(2),
            # Two threads: a tick or a wake-up while the stage runs finds a free thread,
            # and StageJob turns it into one more round of the running job.
            "write": ThreadPoolExecutor(2),
            "publish": ThreadPoolExecutor(2),
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    pipeline.feeds.sync()
    # One polling job for every feed: each round polls the feeds due through the pool.
    scheduler.add_job(
        StageJob(partial(_poll_due, scheduler, pipeline)),
        "interval",
        seconds=POLL_IDLE_SECONDS,
        executor="feeds",
        id=POLL_JOB,
        next_run_time=_now(),
        max_instances=3,
    )
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


def _write_then_wake_publishing(scheduler: BackgroundScheduler, pipeline: Runner) -> None:
    """Each fresh draft is published at once, not at the next publishing tick nor at the
    end of the writing batch (a running publishing job takes it in one more round)."""

    def wake_publishing() -> None:
        if scheduler.running:
            scheduler.modify_job("publish", next_run_time=_now())

    pipeline.write_batch(done=on_draft(wake_publishing))


def _now() -> datetime:
    return datetime.now(UTC)


def _poll_due(scheduler: BackgroundScheduler, pipeline: Runner) -> None:
    """Every due feed, through the same bounded pool as `run --once` ([fetch] concurrency
    and per_host, one shared client, each feed's items stored in one transaction); then
    the job sleeps until the next feed is due."""
    try:
        if not pipeline.database_ready():  # its breaker says when to look again
            return
        outcomes = pipeline.feeds.poll_all(pipeline.feeds.due())
        for outcome in outcomes:
            if outcome.new:
                plural = "y" if outcome.new == 1 else "ies"
                log.info("%s: %d new stor%s", outcome.url, outcome.new, plural)
        if any(o.new for o in outcomes) and scheduler.running:  # no need to wait for a tick
            scheduler.modify_job("write", next_run_time=_now())
    except DatabaseUnavailable as down:  # said once by the database's breaker
        pipeline.database_failed(down, None)
    except Exception:  # a bug in one round must never stop the polling
        log.exception("polling: unexpected error")
    finally:
        if scheduler.running:
            scheduler.modify_job(POLL_JOB, next_run_time=_next_round(pipeline))


def _next_round(pipeline: Runner) -> datetime:
    """When the next feed is due, as the database chose it; if the database cannot say
    (it is down), when its breaker looks again, or a minute from now."""
    later = _now() + timedelta(seconds=POLL_IDLE_SECONDS)
    if pipeline.database.blocked():
        return pipeline.database.retry_at() or later
    try:
        with pipeline.sessions() as session:
            soonest = session.scalar(select(func.min(Feed.next_poll_at)))
    except DatabaseUnavailable as down:
        pipeline.database_failed(down, None)
        return pipeline.database.retry_at() or later
    except Exception:
        log.exception("polling: cannot read the next poll; trying again later")
        return later
    return max(min(soonest or later, later), _now())


