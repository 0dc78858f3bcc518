"""Never twice, with clusters too (issue 12 §4): two workers on PostgreSQL storing the two
sources of one event at the same moment end with one story. The database decides: one
advisory lock, held until the storing transaction commits (bot.store.sources.lock_index)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from bot.store import (
    Feed,
    IngestResult,
    Story,
    ingest,
    make_engine,
    session_factory,
    sources,
)
from bot.store.window import WindowIndex
from tests.cluster.test_sources import as_item, events, telling
from tests.conftest import add_feeds, migrated_sessions

pytestmark = pytest.mark.postgres


@pytest.fixture
def url(postgres_url: str) -> str:
    """A migrated database with two feeds; each worker opens its own engine on it."""
    with migrated_sessions(postgres_url) as sessions:
        add_feeds(sessions, "https://fil-a.example/rss", "https://fil-b.example/rss")
    return postgres_url


def _store(url: str, feed_url: str, items, barrier: threading.Barrier, results: list,
           window: WindowIndex | None) -> None:
    """One worker: its own engine and connection; meets the other at the barrier before
    each item, then stores it in a transaction of its own (as a poll does)."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        feed = session.scalars(select(Feed).where(Feed.url == feed_url)).one()
        for item in items:
            barrier.wait(timeout=30)
            results.append(ingest(session, feed, item, "", window=window))
    engine.dispose()


@pytest.mark.parametrize("indexed", [False, True], ids=["window-read-each-time", "window-held"])
def test_two_workers_storing_two_sources_of_each_event_at_once_make_one_story_each(url, indexed):
    """With a poller's window index held across items too: its catch-up under the lock
    sees the other's story."""
    ids = [event["id"] for event in events()][:12]
    results: list[str] = []
    barrier = threading.Barrier(2)
    workers = [
        threading.Thread(
            target=_store,
            args=(url, f"https://fil-{side}.example/rss",
                  [as_item(telling(event, n), f"{side}-{event}") for event in ids],
                  barrier, results, WindowIndex() if indexed else None),
        )
        for n, side in enumerate("ab")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Story)) == len(ids)
        for story in session.scalars(select(Story)):
            assert len(sources.of(session, story.id)) == 2
    engine.dispose()
    assert sorted(results) == sorted([IngestResult.NEW, IngestResult.JOINED] * len(ids))


@pytest.mark.parametrize("indexed", [False, True], ids=["window-read-each-time", "window-held"])
def test_the_second_worker_waits_for_the_first_ones_commit_then_joins_its_story(url, indexed):
    """Worker A has stored the first source but not committed (its feed's other items are
    still being stored): worker B's lookup waits for A's commit instead of missing A's story."""
    first, second = as_item(telling("seisme-turquie", 0), "a-1"), as_item(telling("seisme-turquie", 1), "b-1")
    engine_a, engine_b = make_engine(url), make_engine(url)
    stored = threading.Event()
    result: dict[str, object] = {}

    def worker_b() -> None:
        stored.wait(10)
        with session_factory(engine_b)() as session:
            feed = session.scalars(select(Feed).where(Feed.url.contains("fil-b"))).one()
            window = WindowIndex() if indexed else None
            result["b"] = ingest(session, feed, second, "", window=window)
            result["b_done"] = time.monotonic()

    thread = threading.Thread(target=worker_b)
    thread.start()
    with session_factory(engine_a)() as session:
        feed = session.scalars(select(Feed).where(Feed.url.contains("fil-a"))).one()
        assert ingest(session, feed, first, "", commit=False) == IngestResult.NEW
        stored.set()
        time.sleep(1.0)
        assert "b" not in result, "worker B stored its item while A's story was not committed"
        committed = time.monotonic()
        session.commit()
    thread.join(30)
    assert result["b"] == IngestResult.JOINED and result["b_done"] >= committed
    with session_factory(engine_a)() as session:
        assert session.scalar(select(func.count()).select_from(Story)) == 1
    engine_a.dispose()
    engine_b.dispose()
