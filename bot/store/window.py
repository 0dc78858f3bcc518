"""The near-duplicate index of the cluster window, held in memory: finding an item's
story costs no SQL query per item, and storing a story writes no index rows (its
signature, on its source's row, is the index's whole record of it). A poller holds one
across its batches and reads only what was stored since; `store_items` without one reads
the window whole for its batch.

What it holds. For every indexed source of the window (a row of story_sources with a
signature, bot.store.sources), what never changes once it is stored: its id, its MinHash
signature, its `added_at` and its LSH buckets, worked out from the signature (a merge or
a split moves a source to another story; its signature stays). Which story a source
belongs to may change, so it is not held: the sources sharing a bucket with the item and
reaching the threshold are read again from the database, with their story and the "this
feed told it already" check (`sources.best_of`). A source below the threshold can never
be the answer, whatever its story.

Why it holds every indexed source of the window:
- `catch_up`, at the start of each batch, under `sources.lock_index`, reads every
  indexed source with an id above the highest it read before. Indexed sources are only
  inserted by an ingest, and an ingest holds the lock (PostgreSQL's advisory lock, or
  SQLite's one writer) from its first insert to its commit: a source committed later
  than this read has a higher id than any it read, and is found by the next catch-up. A
  poller's transaction holds SQLite's write lock before it stores (the feed's row is
  written first), so on SQLite too nothing is committed between the catch-up and the
  batch's lookups.
- The sources this transaction inserted are uncommitted: held apart (`_pending`), fed by
  `added`, and dropped at the next catch-up, which finds them again only if they were
  committed; a rolled-back batch leaves nothing behind, even where SQLite gives its ids
  again to later rows.
- Sources are dropped once older than the window (`_drop_expired`); should a batch's
  window start before what is held (a clock set back), the window is read again whole.

Memory: per source of the window, its signature (512 bytes), its id and time (16) and
its 20 buckets with their rows (320): about 8.5 MB per 10,000 stories, 12 MB measured
with the slack of a growing array, plus at most _MERGE_AT fresh entries in dicts.
Time: what a catch-up reads is added at once (`_Rows.add_many`: the buckets of all its
signatures worked out in one numpy step, merged into the sorted array in one), so a
poller's first catch-up costs about what reading the window's signatures costs.
One thread at a time: a poller stores its feeds one after the other.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, SessionTransaction

from bot.cluster import Fingerprint, minhash
from bot.cluster.minhash import BANDS, PERMUTATIONS
from bot.store import sources
from bot.store.models import StorySource

# Fresh bucket entries (about 800 sources) kept in a dict before they are merged into the
# sorted array: a merge costs the array's size, so it is paid once per _MERGE_AT entries.
_MERGE_AT = 1 << 14
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOTHING = np.empty(0, dtype=np.int64)


def _micros(moment: datetime) -> int:
    if moment.tzinfo is None:  # SQLite forgets the zone; every time is stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


class _Rows:
    """Indexed sources in arrays, and their buckets: a sorted array searched by bisection,
    plus the entries added since its last merge in dicts of plain ints (a list per bucket
    would be hundreds of thousands of objects for the garbage collector to walk)."""

    def __init__(self) -> None:
        self.count = 0
        self.source_ids = np.empty(64, dtype=np.int64)
        self.added = np.empty(64, dtype=np.int64)  # microseconds since the epoch, UTC
        self.signatures = np.empty((64, PERMUTATIONS), dtype=np.uint32)
        self.keys = np.empty(0, dtype=np.int64)  # buckets, sorted
        self.rows = np.empty(0, dtype=np.int64)  # the row each key belongs to
        self.fresh: dict[int, int] = {}  # bucket -> its first row since the merge
        self.fresh_more: dict[int, list[int]] = {}  # bucket -> its other rows
        self.fresh_entries = 0

    def add(self, source_id: int, added: int, signature: np.ndarray, buckets: list[int]) -> None:
        """One source (a batch's own, as it is stored)."""
        self._make_room(1)
        row = self.count
        self.source_ids[row], self.added[row], self.signatures[row] = source_id, added, signature
        self.count += 1
        self._fresh(row, buckets)

    def add_many(self, source_ids: np.ndarray, added: np.ndarray, signatures: np.ndarray) -> None:
        """Sources read from the database, their buckets worked out all at once: many (a
        poller's first catch-up) go straight into the sorted array, a few (a feed's) in
        the dicts, as `add` does (an insertion into the array costs the array's size)."""
        count = len(source_ids)
        if not count:
            return
        self._make_room(count)
        start, self.count = self.count, self.count + count
        self.source_ids[start : self.count] = source_ids
        self.added[start : self.count] = added
        self.signatures[start : self.count] = signatures
        buckets = minhash.bucket_matrix(signatures)
        if count * BANDS < _MERGE_AT:
            for row, its_buckets in enumerate(buckets.tolist(), start):
                self._fresh(row, its_buckets)
        else:
            self._insert_sorted(buckets.ravel(), np.repeat(np.arange(start, self.count), BANDS))

    def _fresh(self, row: int, buckets: list[int]) -> None:
        for bucket in buckets:
            if self.fresh.setdefault(bucket, row) != row:
                self.fresh_more.setdefault(bucket, []).append(row)
        self.fresh_entries += len(buckets)
        if self.fresh_entries >= _MERGE_AT:
            self._merge()

    def _make_room(self, more: int) -> None:
        if self.count + more > len(self.source_ids):
            # Doubled as single sources come; a first catch-up's many, to their number.
            size = max(64, 2 * self.count, self.count + more)
            self.source_ids = np.resize(self.source_ids, size)
            self.added = np.resize(self.added, size)
            self.signatures = np.resize(self.signatures, (size, PERMUTATIONS))

    def _merge(self) -> None:
        if not self.fresh:
            return
        more = [(key, row) for key, rows in self.fresh_more.items() for row in rows]
        keys = np.fromiter([*self.fresh.keys(), *(key for key, _ in more)], np.int64)
        rows = np.fromiter([*self.fresh.values(), *(row for _, row in more)], np.int64)
        self._insert_sorted(keys, rows)
        self.fresh, self.fresh_more, self.fresh_entries = {}, {}, 0

    def _insert_sorted(self, keys: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        at = np.searchsorted(self.keys, keys[order])
        self.keys = np.insert(self.keys, at, keys[order])
        self.rows = np.insert(self.rows, at, rows[order])

    def matching(self, buckets: list[int], since: int) -> np.ndarray:
        """The rows added from `since` on that share one of these buckets (a row sharing
        several comes as many times: cheaper to compare again than to sort out)."""
        wanted = np.array(buckets, dtype=np.int64)
        starts = np.searchsorted(self.keys, wanted, "left").tolist()
        ends = np.searchsorted(self.keys, wanted, "right").tolist()
        parts = [self.rows[a:b] for a, b in zip(starts, ends, strict=True) if b > a]
        fresh = [self.fresh[b] for b in buckets if b in self.fresh]
        fresh += [row for b in buckets for row in self.fresh_more.get(b, ())]
        if fresh:
            parts.append(np.array(fresh, dtype=np.int64))
        if not parts:
            return _NOTHING
        found = np.concatenate(parts)
        return found[self.added[found] >= since]

    def strong(self, fingerprint: Fingerprint, since: int, threshold: float) -> np.ndarray:
        """The source ids of the rows sharing a bucket with `fingerprint` and at least
        `threshold` similar to it (minhash.similarities' arithmetic)."""
        found = self.matching(fingerprint.buckets, since)
        if not len(found):
            return _NOTHING
        same = np.take(self.signatures, found, axis=0) == fingerprint.signature
        # The booleans summed as bytes: count_nonzero along an axis takes half as long again.
        equal = same.view(np.uint8).sum(axis=1, dtype=np.uint16)
        return self.source_ids[found[equal / PERMUTATIONS >= threshold]]

    def expired(self, since: int) -> int:
        return int(np.count_nonzero(self.added[: self.count] < since))

    def without_before(self, since: int) -> _Rows:
        """The rows added from `since` on, in a new _Rows."""
        kept = _Rows()
        self._merge()
        keep = self.added[: self.count] >= since
        moved = np.cumsum(keep) - 1  # a kept row's new place
        kept.count = int(np.count_nonzero(keep))
        kept.source_ids = self.source_ids[: self.count][keep]
        kept.added = self.added[: self.count][keep]
        kept.signatures = self.signatures[: self.count][keep]
        entries = keep[self.rows]
        kept.keys, kept.rows = self.keys[entries], moved[self.rows[entries]]
        return kept


class WindowIndex:
    """The window's near-duplicate index for one database (see the module's doc): call
    `catch_up` at a batch's start, under `sources.lock_index`; then `closest` for each
    item, and `added` for each source the batch indexes."""

    def __init__(self) -> None:
        self._rows = _Rows()
        self._pending = _Rows()  # this transaction's rows, not committed yet
        self._floor: datetime | None = None  # the rows added before it are not held
        self._last_read = 0  # the highest source id read
        self._transaction: SessionTransaction | None = None
        self._ours: set[int] = set()  # the sources this transaction inserted

    def catch_up(self, session: Session, since: datetime) -> None:
        """Read what was committed since the last catch-up (or the whole window, the
        first time), forget this transaction's uncommitted rows and read them back."""
        if self._floor is None or since < self._floor:
            self._rows, self._floor, self._last_read = _Rows(), since, 0
        else:
            self._drop_expired(since)
        transaction = session.get_transaction()
        if transaction is not self._transaction:
            self._transaction, self._ours = transaction, set()
        self._pending = _Rows()
        self._read(session)

    def closest(
        self,
        session: Session,
        fingerprint: Fingerprint,
        since: datetime,
        threshold: float,
        *,
        other_than_feed: int | None = None,
    ) -> sources.Candidate | None:
        """The story of the window (sources added from `since` on) closest to
        `fingerprint`, if it is at least `threshold` similar: the sources sharing one of
        its LSH buckets compared in memory, and those reaching `threshold` read with their
        story (a merge or a split may have moved them). With `other_than_feed`, the
        stories that feed already told are left out."""
        assert self._floor is not None and since >= self._floor, "catch_up first"
        moment = _micros(since)
        strong = np.concatenate(
            [
                rows.strong(fingerprint, moment, threshold)
                for rows in (self._rows, self._pending)
                if rows.count
            ]
            or [_NOTHING]
        )
        if not len(strong):
            return None
        found = session.execute(
            select(StorySource.id, StorySource.story_id, StorySource.signature).where(
                StorySource.id.in_(strong.tolist())
            )
        ).all()
        return sources.best_of(
            session, fingerprint, found, threshold, other_than_feed=other_than_feed
        )

    def added(self, source_id: int, fingerprint: Fingerprint, added_at: datetime) -> None:
        """This transaction indexed a source (flushed, not committed)."""
        self._ours.add(source_id)
        self._pending.add(source_id, _micros(added_at), fingerprint.signature, fingerprint.buckets)

    def _drop_expired(self, since: datetime) -> None:
        """Rows older than the window go, once they are a quarter of those held."""
        moment = _micros(since)
        if self._rows.expired(moment) * 4 > self._rows.count:
            self._rows, self._floor = self._rows.without_before(moment), since

    def _read(self, session: Session) -> None:
        assert self._floor is not None
        # The first read takes the window by its time (ix_story_sources_added_at); later
        # ones only the ids after the last read, whatever their time: asked for both,
        # SQLite walks the whole window at every batch. A source older than the window
        # read that way is dropped with the others (`_drop_expired`) and never matches
        # meanwhile (`_Rows.matching` looks from `since` on). No ORDER BY: SQLite would
        # scan the table in id order rather than use the time index.
        table = StorySource.__table__.c
        first = self._last_read == 0
        after = table.added_at >= self._floor if first else table.id > self._last_read
        found = session.connection().execute(
            select(table.id, table.added_at, table.signature).where(
                after, table.signature.is_not(None)
            )
        ).all()
        ours = [row for row in found if row.id in self._ours]
        theirs = [row for row in found if row.id not in self._ours]
        if theirs:
            self._last_read = max(self._last_read, max(row.id for row in theirs))
        for rows, read in ((self._rows, theirs), (self._pending, ours)):
            rows.add_many(
                np.fromiter((row.id for row in read), np.int64, len(read)),
                np.fromiter((_micros(row.added_at) for row in read), np.int64, len(read)),
                np.frombuffer(b"".join(row.signature for row in read), "<u4")
                .reshape(len(read), PERMUTATIONS)
                .astype(np.uint32),
            )
