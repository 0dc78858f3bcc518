"""Feeds polled at once (issue 10 §1): [fetch] concurrency and per_host are never
exceeded, every item of every feed is stored, and one feed's failure stays its own."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import open_app
from bot.config import Config, load
from bot.pipeline.polling import FeedPoller
from bot.store import Feed, Story
from bot.story import FeedOutcome
from tests.conftest import write_config
from tests.servers.web import RecordedRequest, Reply, WebServer

ITEMS = 3


@contextmanager
def polled(config: Config) -> Iterator[tuple[list[FeedOutcome], sessionmaker[Session]]]:
    """Every feed of `config` polled once through poll_all: the outcomes, and sessions on
    its database while the block runs."""
    app = open_app(config)
    try:
        poller = FeedPoller(config, app.sessions)
        poller.sync()
        yield poller.poll_all(poller.due(all_feeds=True)), app.sessions
    finally:
        app.close()


def _feed(number: int) -> str:
    items = "".join(
        f"<item><guid>ville-{number}-{n}</guid><title>Ville {number} : délibération {n}</title>"
        f"<description>Le conseil de la ville {number} a adopté la délibération {n} "
        f"après {n + number} minutes de débat.</description></item>"
        for n in range(ITEMS)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Ville {number}</title>{items}</channel></rss>"
    )


def test_polling_respects_concurrency_and_per_host_and_stores_every_item(
    tmp_path: Path, web_server: WebServer
):
    lock = threading.Lock()
    in_flight: Counter[str] = Counter()
    peaks: Counter[str] = Counter()

    def slow_feed(request: RecordedRequest) -> Reply:
        host = request.headers.get("host", "").split(":")[0]
        with lock:
            in_flight[host] += 1
            in_flight["all"] += 1
            peaks[host] = max(peaks[host], in_flight[host])
            peaks["all"] = max(peaks["all"], in_flight["all"])
        time.sleep(0.2)
        with lock:
            in_flight[host] -= 1
            in_flight["all"] -= 1
        number = int(request.path.rsplit("/", 1)[1])
        return Reply(body=_feed(number), headers={"Content-Type": "application/rss+xml"})

    for n in range(16):
        web_server.route(f"/ville/{n}", slow_feed)
    base = web_server.url
    # Two hosts for one server: 127.0.0.1 and localhost.
    urls = [f"{base}/ville/{n}" for n in range(8)]
    urls += [f"{base.replace('127.0.0.1', 'localhost')}/ville/{n}" for n in range(8, 16)]
    urls.append(f"{base}/absent/16")  # a 404: this feed's error, not the others'
    config = load(
        write_config(
            tmp_path, feeds=[{"url": u} for u in urls], fetch={"concurrency": 3, "per_host": 2}
        ),
        environ={},
    )
    with polled(config) as (outcomes, sessions), sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Story))
        errors = session.scalars(select(Feed.url).where(Feed.error_count > 0)).all()

    assert len(outcomes) == len(urls)
    assert stored == 16 * ITEMS
    assert errors == [f"{base}/absent/16"]
    assert peaks["127.0.0.1"] == peaks["localhost"] == 2  # per_host, reached and held
    assert peaks["all"] == 3  # concurrency, reached and held
