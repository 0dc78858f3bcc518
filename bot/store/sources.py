"""A story's sources, the near-duplicate index, and the mark of a story whose sources
changed after it was written (issue 12).

Every stored item is a source of exactly one story (table story_sources). The item
that starts a story is its first source; an item of another feed telling the same
event in other words joins that story as one more source (bot.cluster decides; the
ingest, bot.store.ingest, finds the story in the window's index, bot.store.window, then
calls `join`, and `record_all` for the first sources of a feed's new stories); a text
that changed under a GUID already stored (a wire's « MISE À JOUR » or correction) is
recorded as a new version of that source (`resighted`), of kind update or correction.

For the stages:
- `of(session, story_id)`: the story's sources in order, the first being the primary;
  each GUID once, in its latest version, at the place of its first.
- `history(session, story_id)`: every version of every source, oldest first.
- `changed(session)`: the stories written or published whose sources changed since
  (`stories.sources_changed_at` set), the oldest change first: what to revise.
- `settle(session, story, seen)`: the change seen at `seen` is dealt with; the mark is
  cleared only if no other source came since (False then: revise again).
A rejected story (its post trashed) absorbs later sources and stays rejected: it is
never marked.

For `depeche stories split` and `merge`: `split()`, `merge()`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.orm import Session

from bot.cluster import Fingerprint, SourceKind, source_kind
from bot.feeds.item import FeedItem
from bot.store.dedup import key_value
from bot.store.models import Event, Feed, State, Story, StoryKey, StorySource, utcnow

# The states whose story has been written: a source that joins or changes it means the
# article no longer tells everything its sources do.
WRITTEN_STATES = (State.WRITTEN, State.PUBLISHED)
# pg_advisory_xact_lock's key for "deciding which story an item belongs to" (any
# constant; this one spells "cluster" in ASCII).
CLUSTER_LOCK = 0x636C7573746572


@dataclass(frozen=True)
class Candidate:
    story_id: int
    similarity: float


def content_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()


def of(session: Session, story_id: int) -> list[StorySource]:
    """The story's sources, the first being the primary: each GUID's latest version,
    in the order the GUIDs first came."""
    current: dict[str, StorySource] = {}
    for source in history(session, story_id):
        current[source.guid] = source  # a dict keeps the place where a key first came
    return list(current.values())


def history(session: Session, story_id: int) -> list[StorySource]:
    """Every version of every source of the story, oldest first."""
    return list(
        session.scalars(
            select(StorySource).where(StorySource.story_id == story_id).order_by(StorySource.id)
        )
    )


def changed(session: Session, limit: int | None = None) -> list[Story]:
    """The written or published stories whose sources changed since, oldest change first."""
    query = (
        select(Story)
        .where(Story.sources_changed_at.is_not(None), Story.state.in_(WRITTEN_STATES))
        .order_by(Story.sources_changed_at, Story.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def settle(session: Session, story: Story, seen: datetime) -> bool:
    """The change marked at `seen` is dealt with: clear the mark, unless a source came
    since (then False, and the story stays marked for another revision). Committed."""
    cleared = session.execute(
        update(Story)
        .where(Story.id == story.id, Story.sources_changed_at == seen)
        .values(sources_changed_at=None)
    )
    session.commit()
    session.refresh(story, ["sources_changed_at"])
    return cleared.rowcount == 1


def lock_index(session: Session) -> None:
    """Several workers on PostgreSQL: one at a time decides which story an item joins,
    until its transaction commits, so the second source of an event stored at the same
    moment by another worker sees the first one's story (the database decides). One
    lock, taken before any key is written: no two ingests can wait on each other.
    SQLite has one writer at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CLUSTER_LOCK)))


def best_of(
    session: Session,
    fingerprint: Fingerprint,
    found: Sequence[Row[tuple[int, int, bytes | None]]],
    threshold: float,
    *,
    other_than_feed: int | None = None,
) -> Candidate | None:
    """The story closest to `fingerprint` among the sources `found` (id, story_id,
    signature): the most similar one's story, from `threshold` on, leaving out the
    stories `other_than_feed` told; between equals, the oldest story. bot.store.window
    gives it the sources of the window sharing a bucket and reaching the threshold."""
    # A source found through several bands is compared once.
    rows = list({row.id: row for row in found if row.signature is not None}.values())
    if rows and other_than_feed is not None:
        told = set(
            session.scalars(
                select(StorySource.story_id).where(
                    StorySource.story_id.in_({row.story_id for row in rows}),
                    StorySource.feed_id == other_than_feed,
                )
            )
        )
        rows = [row for row in rows if row.story_id not in told]
    if not rows:
        return None
    scores = fingerprint.similarities([row.signature for row in rows])
    # The closest; between equals, the oldest story.
    score, story_id = max(zip(scores.tolist(), (-row.story_id for row in rows), strict=True))
    return Candidate(-story_id, score) if score >= threshold else None


def record(
    session: Session,
    story: Story,
    feed: Feed | None,
    item: FeedItem,
    fingerprint: Fingerprint | None,
    *,
    kind: SourceKind | None = None,
) -> StorySource:
    """Add `item` as a source of `story` (flushed, not committed); with a `fingerprint`,
    it is in the near-duplicate index: later items can join the story through it."""
    source = StorySource(**_source_row(story.id, feed, item, fingerprint, kind, utcnow()))
    session.add(source)
    session.flush()
    return source


def record_all(
    session: Session, feed: Feed, firsts: list[tuple[int, FeedItem, Fingerprint | None]]
) -> list[tuple[int, Fingerprint, datetime]]:
    """`record` for the first sources of many stories of one feed at once (a poll's
    batch): (story id, item, fingerprint or None) each; one statement.
    Returns the sources indexed: (source id, fingerprint, added at) each."""
    if not firsts:
        return []
    now = utcnow()
    table = StorySource.__table__
    # Matched by story (one first source each): asking for the rows' order makes SQLite
    # insert them one by one.
    ids = dict(
        session.connection()
        .execute(
            insert(table).returning(table.c.story_id, table.c.id),
            [_source_row(story_id, feed, item, fp, None, now) for story_id, item, fp in firsts],
        )
        .all()
    )
    assert len(ids) == len(firsts), "one first source per story"
    return [(ids[story_id], fp, now) for story_id, _, fp in firsts if fp is not None]


def _source_row(
    story_id: int,
    feed: Feed | None,
    item: FeedItem,
    fingerprint: Fingerprint | None,
    kind: SourceKind | None,
    now: datetime,
) -> dict[str, object]:
    return {
        "story_id": story_id,
        "feed_id": feed.id if feed is not None else None,
        "guid": item.guid,
        "url": item.url,
        "title": item.title,
        "text": item.text,
        "content_hash": content_hash(item.title, item.text),
        "kind": (kind or source_kind(item.title)).value,
        "published_at": item.published_at,
        "added_at": now,
        "signature": fingerprint.to_bytes() if fingerprint is not None else None,
    }


def latest_hashes(session: Session, story_ids: set[int]) -> dict[tuple[int, str], str | None]:
    """The content hash of the latest version of each source of these stories, by
    (story id, GUID): what `resighted` compares with, for a batch in one query."""
    rows = session.execute(
        select(StorySource.story_id, StorySource.guid, StorySource.content_hash)
        .where(StorySource.story_id.in_(story_ids))
        .order_by(StorySource.id)
    )
    return {(story_id, guid): digest for story_id, guid, digest in rows}  # the last wins


def join(
    session: Session,
    story: Story,
    feed: Feed,
    item: FeedItem,
    fingerprint: Fingerprint,
    similarity: float,
) -> StorySource:
    """Another feed's item tells the story: one more source (flushed, not committed)."""
    source = record(session, story, feed, item, fingerprint)
    _note(session, story, "joined", f"{feed.url} {item.guid[:200]} ({similarity:.2f})")
    return source


def resighted(session: Session, story: Story, feed: Feed, item: FeedItem) -> bool:
    """A GUID already stored is seen again: True when its title or text changed, then
    recorded as a new version of that source (kind: update, or correction when the
    title says so). A source stored before clustering has no hash: this first sighting
    records it without calling it a change."""
    latest = session.scalars(
        select(StorySource)
        .where(StorySource.story_id == story.id, StorySource.guid == item.guid)
        .order_by(StorySource.id.desc())
        .limit(1)
    ).first()
    digest = content_hash(item.title, item.text)
    if latest is not None and latest.content_hash is None:
        latest.content_hash = digest
        return False
    if latest is not None and latest.content_hash == digest:
        return False
    kind = source_kind(item.title, changed=latest is not None)
    # A new version is not indexed: the story is found by its first version.
    record(session, story, feed, item, None, kind=kind)
    _note(session, story, kind.value, f"{feed.url} {item.guid[:200]}")
    return True


def _note(session: Session, story: Story, outcome: str, detail: str) -> None:
    """The story's history says which source came; a written story is marked for revision
    (so is one a worker is writing now: it may have read its sources before this one)."""
    session.add(Event(story_id=story.id, stage="sources", outcome=outcome, detail=detail))
    if story.state in WRITTEN_STATES or (story.state == State.NEW and story.lease_owner):
        story.sources_changed_at = utcnow()


def split(session: Session, story: Story, source: StorySource, category: str) -> Story:
    """Detach a wrongly joined source (every version of its GUID, and its GUID key) into
    a new story of its own, in `new`, filed under `category`. The first source cannot
    leave: the story is its. Committed."""
    if source.story_id != story.id:
        raise ValueError(f"source {source.id} is not a source of story {story.id}")
    versions = history(session, story.id)
    if versions[0].guid == source.guid:
        raise ValueError(f"source {source.id} is story {story.id}'s first: split the others off")
    latest = [v for v in versions if v.guid == source.guid][-1]
    alone = Story(
        uid=uuid.uuid4().hex,
        feed_id=latest.feed_id,
        guid=latest.guid,
        url=latest.url,
        title=latest.title,
        source_text=latest.text,
        category=category,
        published_at=latest.published_at,
        state=State.NEW,
    )
    session.add(alone)
    session.flush()
    session.execute(
        update(StorySource)
        .where(StorySource.story_id == story.id, StorySource.guid == source.guid)
        .values(story_id=alone.id)
    )
    # A joined source has only its GUID key (its URL and text would find it anyway).
    session.execute(
        update(StoryKey)
        .where(StoryKey.kind == "guid", StoryKey.value == key_value(source.guid))
        .values(story_id=alone.id)
    )
    session.add(
        Event(story_id=alone.id, stage="sources", outcome="split", detail=f"from #{story.id}")
    )
    _note(session, story, "split", f"source {source.id} is now story #{alone.id}")
    session.commit()
    return alone


def merge(session: Session, keep: Story, other: Story) -> None:
    """`other` tells the same event as `keep`: its sources and keys join `keep`, and it
    becomes `keep`'s duplicate. Refused when `other` has a post (it would be orphaned:
    merge the other way). Committed."""
    if keep.id == other.id:
        raise ValueError("a story cannot be merged with itself")
    if other.post_id:
        raise ValueError(
            f"story {other.id} has a post ({other.post_id}): merge it the other way "
            f"(depeche stories merge {other.id} {keep.id})"
        )
    session.execute(
        update(StorySource).where(StorySource.story_id == other.id).values(story_id=keep.id)
    )
    session.execute(update(StoryKey).where(StoryKey.story_id == other.id).values(story_id=keep.id))
    other.duplicate_of_id = keep.id
    other.state = State.DUPLICATE
    other.state_changed_at = utcnow()
    other.lease_owner = other.lease_until = other.not_before = None
    merged = f"merged into #{keep.id}"
    session.add(Event(story_id=other.id, stage="sources", outcome="duplicate", detail=merged))
    _note(session, keep, "merged", f"story #{other.id}'s sources")
    session.commit()
