"""Several threads writing one SQLite file (WAL) never fail with "database is locked".

A transaction takes the write lock with its first write, before it reads what it decides
on (bot.store.db): threads that read then write wait for one another (busy_timeout)
instead of failing. A session that only reads (`depeche status`), or the poller while
its feed is fetched, holds no lock: the writers never wait for it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import open_app
from bot.cli import cli
from bot.config import load
from bot.feeds.item import FeedItem
from bot.pipeline.polling import FeedPoller
from bot.store import (
    Feed,
    IngestResult,
    State,
    Story,
    claim,
    ingest,
    store_items,
    transition,
)
from bot.store.db import BUSY_TIMEOUT_MS, redoable
from bot.store.models import utcnow
from bot.store.stories import still_held
from tests.conftest import add_feeds, migrated_sessions, write_config
from tests.servers.web import Reply, WebServer

T = TypeVar("T")
THREADS = 8
LEASE = timedelta(minutes=10)
# Far below the busy timeout: a writer that waited for a lock nobody needed would miss it.
PROMPTLY = BUSY_TIMEOUT_MS / 1000 / 4


def _item(guid: str, url: str = "") -> FeedItem:
    return FeedItem(
        guid=guid,
        url=url,
        title=f"Conseil municipal : la délibération {guid} adoptée",
        text=f"Le conseil a adopté la délibération {guid} après un long débat sur le budget.",
    )


@pytest.fixture
def sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    """A migrated SQLite file (tests/conftest.py), a connection and a feed per thread."""
    with migrated_sessions(sqlite_url, connections=THREADS) as factory:
        add_feeds(factory, *(f"https://fil.example/{n}/rss" for n in range(THREADS)))
        yield factory


def _all_at_once(work: Callable[[int], T]) -> list[T]:
    """`work(n)` in THREADS threads started together; their results, in order. A thread's
    exception is raised here (a pytest warning only, else)."""
    start = threading.Barrier(THREADS)
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = work(n)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    if errors:
        raise errors[0]
    return [results[n] for n in range(THREADS)]


def _feeds(session: Session) -> list[Feed]:
    return list(session.scalars(select(Feed).order_by(Feed.id)))


def test_threads_that_ingest_one_item_store_it_once(sessions):
    for round_ in range(3):

        def ingest_it(_n: int, guid: str = f"course-{round_}") -> str:
            with sessions() as session:
                return ingest(session, _feeds(session)[0], _item(guid), "")

        results = _all_at_once(ingest_it)
        assert sorted(results) == [IngestResult.KNOWN] * (THREADS - 1) + [IngestResult.NEW]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Story)) == 3


def test_threads_that_store_a_feed_each_store_every_item_and_validator(sessions):
    """The poller's transaction, from several threads: read the feed, store its items
    (one told by every feed, by URL), write its validators, one commit."""

    def poll(n: int) -> None:
        with sessions() as session:
            redoable(session)
            feed = _feeds(session)[n]
            feed.last_polled_at = utcnow()
            items = [_item(f"{n}-{i}") for i in range(5)] + [
                _item(f"{n}-shared", "https://mairie.example/budget")
            ]
            store_items(session, feed, [(item, None) for item in items], "")
            feed.etag = f'"v{n}"'
            session.commit()

    _all_at_once(poll)
    with sessions() as session:
        assert [feed.etag for feed in _feeds(session)] == [f'"v{n}"' for n in range(THREADS)]
        states = session.execute(select(Story.state, func.count()).group_by(Story.state))
        assert dict(states.all()) == {State.NEW: THREADS * 5 + 1, State.DUPLICATE: THREADS - 1}


def test_threads_that_claim_and_write_stories_each_take_their_own(sessions):
    with sessions() as session:
        feed = _feeds(session)[0]
        for n in range(2 * THREADS):
            ingest(session, feed, _item(f"a-{n}"), "")

    def write_two(n: int) -> list[int]:
        done = []
        with sessions() as session:
            for _ in range(2):
                (story,) = claim(session, State.NEW, f"worker-{n}", LEASE, 1)
                # still_held reads the lease, then the transition writes: one transaction.
                transition(session, story, State.WRITTEN, stage="write", worker=f"worker-{n}")
                done.append(story.id)
        return done

    written = [story_id for ids in _all_at_once(write_two) for story_id in ids]
    assert len(set(written)) == len(written) == 2 * THREADS
    with sessions() as session:
        assert set(session.scalars(select(Story.state))) == {State.WRITTEN}


def test_a_read_meant_for_writing_holds_the_writers_back_until_its_commit(sessions):
    """SELECT ... FOR UPDATE (still_held) takes the lock: no other writer can change the
    lease between its look and its write."""
    with sessions() as session:
        for n in range(2):
            ingest(session, _feeds(session)[0], _item(f"b-{n}"), "")
    taken: list[Story] = []

    def claim_other() -> None:
        with sessions() as session:
            taken.extend(claim(session, State.NEW, "worker-B", LEASE, 1))

    with sessions() as mine:
        (story,) = claim(mine, State.NEW, "worker-A", LEASE, 1)
        still_held(mine, story, "worker-A")
        other = threading.Thread(target=claim_other)
        other.start()
        time.sleep(0.3)
        assert other.is_alive() and not taken  # waiting for the lock still_held took
        mine.commit()
    other.join(10)
    assert [s.id for s in taken] != [story.id] and len(taken) == 1


def test_a_session_that_only_reads_holds_up_no_writer(sessions):
    with sessions() as reader, sessions() as writer:
        assert len(_feeds(reader)) == THREADS  # read, and the session left open
        started = time.monotonic()
        ingest(writer, _feeds(writer)[0], _item("c-1"), "")
        assert time.monotonic() - started < PROMPTLY


def test_depeche_status_answers_at_once_while_a_run_writes(tmp_path: Path):
    config = write_config(tmp_path, feeds=[])
    app = open_app(load(config, environ={}))
    try:
        with app.sessions() as session:
            session.add(Feed(url="https://fil.example/rss"))
            session.commit()
            ingest(session, _feeds(session)[0], _item("d-1"), "", commit=False)  # lock held
            started = time.monotonic()
            result = CliRunner().invoke(cli, ["--config", str(config), "status", "--json"])
            elapsed = time.monotonic() - started
            session.commit()
    finally:
        app.close()
    assert result.exit_code == 0, result.output
    assert elapsed < PROMPTLY
    assert json.loads(result.output)["states"].get(State.NEW.value, 0) == 0  # not committed yet


def test_the_poller_holds_no_lock_while_its_feed_is_fetched(tmp_path: Path, web_server: WebServer):
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Lent</title><item>'
        "<guid>lent-1</guid><title>Le pont rouvre</title><description>Le pont de la "
        "Guillotière rouvre lundi après six mois de travaux.</description></item></channel></rss>"
    )
    slow = web_server.route("/lent.xml", Reply(body=rss, delay=3.0))
    config = load(write_config(tmp_path, feeds=[{"url": slow}]), environ={})
    app = open_app(config)
    try:
        poller = FeedPoller(config, app.sessions)
        poller.sync()
        (row,) = poller.due(all_feeds=True)
        with app.sessions() as session:
            ingest(session, _feeds(session)[0], _item("e-1"), "")
        polling = threading.Thread(target=poller.poll, args=(row,))
        polling.start()
        while web_server.hits("/lent.xml") == 0:  # the fetch is under way
            time.sleep(0.01)
        started = time.monotonic()
        with app.sessions() as session:
            (story,) = claim(session, State.NEW, "writer", LEASE, 1)
            transition(session, story, State.WRITTEN, stage="write", worker="writer")
        assert time.monotonic() - started < PROMPTLY
        assert polling.is_alive()  # written while the feed was still being fetched
        polling.join(30)
        with app.sessions() as session:
            assert session.scalar(select(Story.state).where(Story.guid == "lent-1")) == State.NEW
    finally:
        app.close()
