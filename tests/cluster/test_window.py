"""The poller's in-memory window index (bot.store.window), held across batches, makes
exactly the choices of a plain scan of the window (every signature read at each lookup,
the items sharing an LSH bucket compared: `Scan` below) and of an index read whole for
each batch (`store_items` without one): the same polls stored into SQLite files of their
own give every item the same result and the same story, through joins, a feed's own
follow-ups, wire updates, a rolled-back poll, a merge and a split made by hand, the
window passing, and a clock set back."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cluster import Fingerprint
from bot.feeds.item import FeedItem
from bot.store import (
    Feed,
    Story,
    ingest,
    sources,
    store_items,
)
from bot.store.models import StorySource, clock, utcnow
from bot.store.window import WindowIndex
from tests.cluster.pairs import PAIRS_FILE
from tests.cluster.test_sources import EVENTS, as_item, telling, update_of
from tests.conftest import add_feeds, migrated_sessions

WORDS = sorted(set(re.findall(r"\b[a-zà-ÿ]{5,}\b", PAIRS_FILE.read_text(encoding="utf-8"))))
Trace = list[list[tuple[str | None, int | None]]]


def noise(seed: int, count: int = 30) -> list[FeedItem]:
    """Stories of their own, drawn from the labelled set's words: many share a bucket with
    something (as the bench's do), none is close enough to join."""
    items = []
    for n in range(count):
        draw = random.Random(seed * 1000 + n)
        items.append(FeedItem(guid=f"noise-{seed}-{n}", url=f"https://bruit.example/{seed}/{n}",
                              title=" ".join(draw.sample(WORDS, 8)).capitalize(),
                              text=" ".join(draw.sample(WORDS, 40)).capitalize() + "."))
    return items


class Scan:
    """The reference: at each lookup, every indexed source of the window read from the
    database and its buckets worked out; those sharing one with the item go to the
    choice (sources.best_of). Nothing held between lookups."""

    def catch_up(self, session: Session, since: datetime) -> None:
        pass

    def added(self, *source: object) -> None:
        pass

    def closest(self, session: Session, fingerprint: Fingerprint, since: datetime,
                threshold: float, *, other_than_feed: int | None = None):
        rows = session.execute(
            select(StorySource.id, StorySource.story_id, StorySource.signature).where(
                StorySource.added_at >= since, StorySource.signature.is_not(None))
        ).all()
        wanted = set(fingerprint.buckets)
        sharing = [row for row in rows
                   if wanted & set(Fingerprint.from_bytes(row.signature).buckets)]
        return sources.best_of(session, fingerprint, sharing, threshold,
                               other_than_feed=other_than_feed)


def _scenario(sessions: sessionmaker[Session], window: WindowIndex | Scan | None) -> Trace:
    trace: Trace = []
    ids = sorted(EVENTS)
    half = len(ids) // 2
    with_update = [e for e in ids if "update" in EVENTS[e]]

    def poll(feed: int, items: list[FeedItem], *, rolled_back: bool = False) -> None:
        with sessions() as session:
            row = session.scalars(select(Feed).order_by(Feed.id)).all()[feed]
            row.last_polled_at = utcnow()  # as a poll does: its transaction has begun
            stored = store_items(session, row, [(i, None) for i in items], "", window=window)
            session.rollback() if rolled_back else session.commit()
            trace.append([(s.result, s.story_id) for s in stored])

    poll(0, [as_item(telling(e, 0), f"a-{e}") for e in ids[:half]] + noise(1))
    # Two items in one transaction (the second's catch-up reads the first's rows back,
    # uncommitted), rolled back: their ids go to the next rows stored, which must be found.
    with sessions() as session:
        row = session.scalars(select(Feed).order_by(Feed.id)).all()[2]
        row.last_polled_at = utcnow()
        trace.append([(ingest(session, row, item, "", commit=False, window=window), None)
                      for item in noise(9, 2)])
        session.rollback()
    # Never committed: nothing of it may be found later (SQLite gives its ids again).
    poll(1, [as_item(telling(e, 1), f"b-{e}") for e in ids] + noise(2), rolled_back=True)
    poll(0, [as_item(telling(e, 0), f"a-{e}") for e in ids[half:]] + noise(3))
    poll(1, [as_item(telling(e, 1), f"b-{e}") for e in ids[::2]] + noise(4))
    # By hand: two stories merged, a joined source split off (sources move between stories).
    with sessions() as session:
        first, second, third = session.scalars(select(Story).order_by(Story.id).limit(3)).all()
        sources.merge(session, first, second)
        joined = next(s for s in sources.of(session, third.id)[1:2])
        sources.split(session, third, joined, "")
    # Feed a again: its own follow-ups (a story of their own) and its wire updates (joined).
    poll(0, [as_item(telling(e, 1), f"a2-{e}") for e in ids[1::2]]
         + [update_of(e, f"a-u-{e}") for e in with_update[:3]] + noise(5))
    poll(2, [update_of(e, f"c-u-{e}") for e in with_update[3:]] + noise(6))
    clock.offset = timedelta(hours=73)  # the window has passed: every story is new again
    poll(2, [as_item(telling(e, 1), f"c-{e}") for e in ids[:4]] + noise(7))
    clock.offset = timedelta(hours=1)  # a clock set back: the window is read again
    poll(1, [as_item(telling(e, 2), f"b3-{e}") for e in ids if len(EVENTS[e]["source"]) > 2]
         + noise(8))
    return trace


@pytest.fixture(autouse=True)
def _clock():
    yield
    clock.offset = timedelta(0)


def _traced(path: Path, window: WindowIndex | Scan | None) -> Trace:
    """The scenario on a migrated SQLite file of its own, with three feeds."""
    with migrated_sessions(f"sqlite:///{path}") as sessions:
        add_feeds(sessions, *(f"https://fil-{n}.example/rss" for n in "abc"))
        return _scenario(sessions, window)


def test_the_window_index_joins_exactly_as_a_scan_of_the_window(tmp_path):
    by_scan = _traced(tmp_path / "scan.db", Scan())  # type: ignore[arg-type]
    clock.offset = timedelta(0)
    read_each_batch = _traced(tmp_path / "each.db", None)
    clock.offset = timedelta(0)
    held = _traced(tmp_path / "held.db", WindowIndex())
    assert held == by_scan
    assert read_each_batch == by_scan
    results = [result for poll in by_scan for result, _ in poll]
    assert results.count("joined") >= 15 and results.count("new") >= 200
    assert None not in results
