"""Several workers on one database: none gives up while a story is claimable, none
takes a story another holds (issue 10 §4), on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.feeds.item import FeedItem
from bot.store import Feed, State, Story, claim, ingest, make_engine, session_factory
from tests.conftest import migrated_sessions

LEASE = timedelta(minutes=10)


def _item(n: int) -> FeedItem:
    return FeedItem(
        guid=f"conseil-{n}",
        url=f"https://fil.example/conseil/{n}",
        title=f"Conseil municipal : la délibération numéro {n} adoptée",
        text=f"Le conseil a adopté la délibération {n} après un débat de {n + 3} minutes.",
    )


def _fill(url: str, count: int) -> None:
    with migrated_sessions(url) as sessions, sessions() as session:
        feed = Feed(url="https://fil.example/rss")
        session.add(feed)
        session.commit()
        for n in range(count):
            ingest(session, feed, _item(n), "")


def test_a_worker_that_loses_the_race_takes_the_next_story(database_url: str):
    """Worker B takes the story worker A looked at, between A's look and A's claim:
    A claims the next story instead of coming back empty-handed."""
    _fill(database_url, 3)
    engine_a, engine_b = make_engine(database_url), make_engine(database_url)
    sessions_a, sessions_b = session_factory(engine_a), session_factory(engine_b)
    taken_by_b: list[int] = []

    # Right after A's look (its SELECT of the candidates), before A's UPDATE: on SQLite
    # that UPDATE's transaction takes the write lock first (bot.store.db), so B cannot
    # slip in any later.
    @event.listens_for(engine_a, "after_cursor_execute")
    def b_goes_first(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not taken_by_b:
            # In a thread: on PostgreSQL, A's connection is in its own transaction.
            worker = threading.Thread(target=lambda: taken_by_b.extend(_claim_one(sessions_b)))
            worker.start()
            worker.join(10)
            assert not worker.is_alive(), "worker B waited on A's lock instead of skipping it"

    with sessions_a() as session:
        mine = claim(session, State.NEW, "worker-A", LEASE, 1)
    assert len(taken_by_b) == 1
    assert [story.id for story in mine] != [] and mine[0].id != taken_by_b[0]
    engine_a.dispose()
    engine_b.dispose()


def _claim_one(sessions) -> list[int]:
    with sessions() as session:
        return [story.id for story in claim(session, State.NEW, "worker-B", LEASE, 1)]


def _work(url: str, name: str, results) -> None:
    """One worker process: claim one story at a time until none is claimable."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    mine = []
    with sessions() as session:
        while claimed := claim(session, State.NEW, name, LEASE, 1):
            mine.extend(story.id for story in claimed)
    results.put((name, mine))
    engine.dispose()


@pytest.mark.postgres
def test_four_worker_processes_share_the_stories_without_overlap(postgres_url: str):
    count = 120
    _fill(postgres_url, count)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=_work, args=(postgres_url, f"worker-{n}", results)) for n in range(4)
    ]
    for worker in workers:
        worker.start()
    claimed = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    every = [story_id for ids in claimed.values() for story_id in ids]
    assert len(every) == len(set(every)) == count  # each story claimed once, none left
    engine = make_engine(postgres_url)
    with session_factory(engine)() as session:
        owners = {
            row.id: row.lease_owner for row in session.execute(select(Story.id, Story.lease_owner))
        }
    engine.dispose()
    assert all(owners[story_id] == name for name, ids in claimed.items() for story_id in ids)
