"""Storing feed items: every item is stored before anything else is done with it,
once, whatever feed or worker brings it again.

An item is the story it tells: its GUID, canonical URL and text fingerprint are
its keys (bot.store.dedup). A GUID seen before is `known`, or `changed` when its
title or text changed (a new version of that source, bot.store.sources); an item
whose URL or text is another story's is stored as that story's `duplicate`; one the
selection turned away is stored as `skipped`, with its reason; one telling a story
of the window in other words `joins` it as one more source (bot.cluster); any other
is `new`, and its item is the story's first source.

- `store_items` stores one feed's items at once (a poll): the keys of all of them
  are looked up in one query, the new stories inserted with their keys, first
  sources and events in a few statements, nothing committed (the poll commits the
  items with the feed's validators). Should the batch fail (a value the database
  refuses, another worker storing one of its keys at the same moment), it is rolled
  back and the items are stored one by one, each in its own savepoint: one bad item
  costs only itself.
- `ingest` stores one item.

Both decide each item's fate in `_plan` and insert what it planned in `_insert`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import cluster
from bot.config.cluster import ClusterSettings
from bot.feeds.item import FeedItem
from bot.store import digest, sources
from bot.store.db import DatabaseUnavailable
from bot.store.dedup import Key, key_value, stored_keys
from bot.store.models import Event, Feed, State, Story, StoryKey, utcnow
from bot.store.window import WindowIndex

DEFAULT_CLUSTERS = ClusterSettings()
# The reason a new story gives while it waits for other sources to join ([cluster] wait).
CLUSTER_WAIT = "cluster wait"


class IngestResult:
    NEW = "new"
    KNOWN = "known"  # this GUID was stored before, unchanged: nothing to do
    DUPLICATE = "duplicate"  # another item already told this story, word for word
    SKIPPED = "skipped"  # stored, but turned away by the selection (bot.select)
    JOINED = "joined"  # another feed's telling of a stored story: one more source of it
    CHANGED = "changed"  # this GUID's title or text changed: a new version of the source


@dataclass
class Stored:
    """What became of one item: its IngestResult and its story's id, or the error that
    kept it out of the database."""

    result: str | None
    story_id: int | None = None
    error: Exception | None = None


@dataclass
class _Planned:
    item: FeedItem
    keys: list[Key]
    skipped: str | None
    result: str = IngestResult.NEW
    # The story this one repeats: its id, or a story planned earlier in the same batch.
    original: int | _Planned | None = None
    fingerprint: cluster.Fingerprint | None = None
    story_id: int | None = None

    @property
    def original_id(self) -> int | None:
        original = self.original
        return original.story_id if isinstance(original, _Planned) else original

    @property
    def inserted(self) -> bool:
        """A row of its own in `stories` (not a known GUID nor a joined source)."""
        return self.result in (IngestResult.NEW, IngestResult.DUPLICATE, IngestResult.SKIPPED)


def stored_story(session: Session, guid: str) -> Story | None:
    """The story stored under this item GUID, if any."""
    story_id = session.scalar(
        select(StoryKey.story_id).where(StoryKey.kind == "guid", StoryKey.value == key_value(guid))
    )
    return session.get(Story, story_id) if story_id is not None else None


def store_items(
    session: Session,
    feed: Feed,
    items: Sequence[tuple[FeedItem, str | None]],
    category: str,
    clusters: ClusterSettings = DEFAULT_CLUSTERS,
    window: WindowIndex | None = None,
) -> list[Stored]:
    """Store one feed's `items` (each with the selection's reason to skip it, or
    None), uncommitted; one Stored per item, in order. A poller passes the `window`
    it holds (bot.store.window), which reads only what was stored since its last
    batch; without one, the batch reads the window whole."""
    try:
        with session.begin_nested():
            return _Batch(session, feed, category, clusters, window).store(items)
    except DatabaseUnavailable:
        raise  # no item of this feed can be stored now: not theirs to record
    except Exception:
        # Rolled back to before the batch: now item by item, so only a bad one is lost.
        return [
            _store_one(session, feed, item, category, skipped, clusters, window)
            for item, skipped in items
        ]


def ingest(
    session: Session,
    feed: Feed,
    item: FeedItem,
    category: str,
    skipped: str | None = None,
    *,
    commit: bool = True,
    clusters: ClusterSettings = DEFAULT_CLUSTERS,
    window: WindowIndex | None = None,
) -> str:
    """Store one item (committed unless `commit` is False); returns its IngestResult.
    Safe with several workers: the unique key constraint decides who stored the
    story first, and the loser looks again and finds it; on PostgreSQL one lock
    makes the choice of a cluster one at a time (bot.store.sources.lock_index)."""
    stored = _store_one(session, feed, item, category, skipped, clusters, window)
    if stored.error is not None:
        raise stored.error
    if commit:
        session.commit()
    assert stored.result is not None
    return stored.result


def _store_one(
    session: Session,
    feed: Feed,
    item: FeedItem,
    category: str,
    skipped: str | None,
    clusters: ClusterSettings,
    window: WindowIndex | None,
) -> Stored:
    """One item in its own savepoint; a key another worker stored first meanwhile
    makes it look again."""
    error: Exception = RuntimeError(f"could not store item {item.guid!r}: keys keep colliding")
    for _ in range(3):
        try:
            with session.begin_nested():
                batch = _Batch(session, feed, category, clusters, window)
                return batch.store([(item, skipped)])[0]
        except IntegrityError:
            continue
        except DatabaseUnavailable:
            raise
        except Exception as refused:  # rolled back to the savepoint: the others stay
            error = refused
            break
    return Stored(None, error=error)


class _Batch:
    """One feed's items decided in order, each against the stories stored before and
    the items before it; the rows inserted together at the end."""

    def __init__(
        self,
        session: Session,
        feed: Feed,
        category: str,
        clusters: ClusterSettings,
        window: WindowIndex | None,
    ) -> None:
        self.session = session
        self.window = window or WindowIndex()
        self.feed = feed
        self.category = category
        self.clusters = clusters
        self.window_start = utcnow() - timedelta(seconds=clusters.window_seconds)
        self.waits_until = _joinable_until(feed, clusters)
        self.known: dict[Key, int | _Planned] = {}
        self.hashes: dict[tuple[int, str], str | None] = {}
        self.pending: list[_Planned] = []

    def store(self, items: Sequence[tuple[FeedItem, str | None]]) -> list[Stored]:
        sources.lock_index(self.session)
        self.window.catch_up(self.session, self.window_start)
        plans = [_Planned(item, digest.keys(item), skipped) for item, skipped in items]
        self.known.update(stored_keys(self.session, [key for p in plans for key in p.keys]))
        seen_before = {sid for sid in self.known.values() if isinstance(sid, int)}
        self.hashes = sources.latest_hashes(self.session, seen_before) if seen_before else {}
        for plan in plans:
            self._plan(plan)
        self._insert()
        return [Stored(p.result, p.story_id) for p in plans]

    def _plan(self, plan: _Planned) -> None:
        """Decide the item's fate, and record the keys it will own."""
        guid_key, *other_keys = plan.keys
        if guid_key in self.known:
            plan.result = self._seen_again(plan, self.known[guid_key])
            return
        plan.original = next((self.known[k] for k in other_keys if k in self.known), None)
        if plan.original is not None:
            plan.result = IngestResult.DUPLICATE
        elif plan.skipped:
            plan.result = IngestResult.SKIPPED
        else:
            plan.fingerprint = digest.fingerprint(plan.item)
            if plan.fingerprint is not None and (story := self._told_elsewhere(plan)):
                # A joined source keeps only its GUID key, like a duplicate: its URL and
                # text would find the story again anyway.
                plan.result, plan.story_id = IngestResult.JOINED, story.id
                self.session.add(StoryKey(kind=guid_key[0], value=guid_key[1], story_id=story.id))
                self.session.flush()
                self.known[guid_key] = story.id
                return
        # A duplicate keeps only its GUID key: the URL and text keys belong to the original.
        # So does a skipped story: the same story from a feed whose rules let it through
        # is then stored as new, not as the duplicate of one that is not written.
        if plan.result != IngestResult.NEW:
            plan.keys = [guid_key]
        for key in plan.keys:
            self.known[key] = plan
        self.pending.append(plan)

    def _seen_again(self, plan: _Planned, known: int | _Planned) -> str:
        """A GUID stored before (or earlier in this batch): changed when its title or
        text differs from its latest version's."""
        if isinstance(known, _Planned):
            return IngestResult.KNOWN
        item = plan.item
        latest = self.hashes.get((known, item.guid), "")
        if latest == sources.content_hash(item.title, item.text):
            return IngestResult.KNOWN
        # Changed, or no hash to compare with: bot.store.sources decides, on the rows.
        story = self.session.get(Story, known)
        changed = story is not None and sources.resighted(self.session, story, self.feed, item)
        return IngestResult.CHANGED if changed else IngestResult.KNOWN

    def _told_elsewhere(self, plan: _Planned) -> Story | None:
        """The story of the window that the item tells in other words, which it joins as
        one more source; None if it tells a story of its own."""
        # A feed tells an event once: its next item on it is a follow-up of its own, unless
        # the title says it is the wire's update or correction of it.
        marked = cluster.source_kind(plan.item.title) != cluster.SourceKind.ORIGINAL
        if marked:
            self._insert()  # this feed's stories planned so far can be found too
        assert plan.fingerprint is not None
        near = self.window.closest(
            self.session,
            plan.fingerprint,
            self.window_start,
            self.clusters.threshold,
            other_than_feed=None if marked else self.feed.id,
        )
        if near is None:
            return None
        story = self.session.get_one(Story, near.story_id)
        source = sources.join(
            self.session, story, self.feed, plan.item, plan.fingerprint, near.similarity
        )
        self.window.added(source.id, plan.fingerprint, source.added_at)
        return story

    def _insert(self) -> None:
        """Insert the stories planned so far, their keys, first sources and first
        events: the originals first, then the duplicates of an original planned in
        the same batch."""
        planned, self.pending = self.pending, []
        connection = self.session.connection()
        first = [p for p in planned if not isinstance(p.original, _Planned)]
        then = [p for p in planned if isinstance(p.original, _Planned)]
        for batch in (first, then):
            if not batch:
                continue
            table = Story.__table__
            rows = [self._story_row(plan) for plan in batch]
            # Matched by uid: asking for the rows' order makes SQLite insert them one by one.
            ids = dict(
                connection.execute(insert(table).returning(table.c.uid, table.c.id), rows).all()
            )
            for plan, row in zip(batch, rows, strict=True):
                plan.story_id = ids[row["uid"]]
        if not planned:
            return
        keys = [
            {"kind": kind, "value": value, "story_id": p.story_id}
            for p in planned
            for kind, value in p.keys
        ]
        connection.execute(insert(StoryKey.__table__), keys)
        # Only a story that may be written is indexed, so that later items of its event
        # join it: a new one, the only kind whose fingerprint _plan works out.
        firsts = [(p.story_id, p.item, p.fingerprint) for p in planned if p.story_id is not None]
        for source in sources.record_all(self.session, self.feed, firsts):
            self.window.added(*source)
        connection.execute(insert(Event.__table__), [self._event_row(p) for p in planned])

    def _story_row(self, plan: _Planned) -> dict[str, Any]:
        item = plan.item
        state = {IngestResult.DUPLICATE: State.DUPLICATE, IngestResult.SKIPPED: State.SKIPPED}
        new_story = plan.result == IngestResult.NEW
        waits = [CLUSTER_WAIT] if new_story and self.waits_until else None
        return {
            "uid": uuid.uuid4().hex,
            "feed_id": self.feed.id,
            "guid": item.guid,
            "url": item.url,
            "title": item.title,
            "source_text": item.text,
            # A language tag is short ("fr", "fr-CA"); a feed's odd value must not fail the row.
            "source_language": item.language[:20] if item.language else None,
            "category": self.category,
            "source_categories": list(item.categories) or None,
            "image_url": item.image_url,
            "image_credit": item.image_credit,
            "published_at": item.published_at,
            "state": state.get(plan.result, State.NEW),
            "duplicate_of_id": plan.original_id,
            "reasons": [plan.skipped] if plan.result == IngestResult.SKIPPED else waits,
            "not_before": self.waits_until if waits else None,
        }

    def _event_row(self, plan: _Planned) -> dict[str, Any]:
        if plan.result == IngestResult.DUPLICATE:
            detail = f"same story as #{plan.original_id}"
        elif plan.result == IngestResult.SKIPPED:
            detail = plan.skipped or ""
        else:
            detail = f"from {self.feed.url}"
        return {
            "story_id": plan.story_id,
            "stage": "ingest",
            "outcome": plan.result,
            "detail": detail,
        }


def _joinable_until(feed: Feed, clusters: ClusterSettings) -> datetime | None:
    """When a new story may be written: `[cluster] wait` after its first source came, so
    that other wires telling it can join before the model call (None: at once). A feed's
    first poll does not wait: its items are a backlog already out before we read it, and
    the other feeds' copies come in their own first polls, before anything is written
    (so the sample run and a new newsroom's first run draft at once)."""
    if not clusters.wait_seconds or feed.last_success_at is None:
        return None
    return utcnow() + timedelta(seconds=clusters.wait_seconds)
