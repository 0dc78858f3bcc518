"""What finding an item's story costs with the near-duplicate index held in memory
(bot.store.window.WindowIndex), with 10k, 100k and 1M stories stored (SQLite, PostgreSQL):

- the first catch-up, a poller's start: the window's signatures read (story_sources.added_at
  indexed) and their LSH buckets worked out; and the memory the index then holds
  (tracemalloc, over a second index read apart so that the timing is not slowed);
- a later catch-up, after ARRIVALS new sources (one feed's poll) were committed by another
  session: what each batch of a running poller pays before its lookups;
- `closest`, median and 95th percentile over LOOKUPS items, for items of new stories (most
  of a wire: nothing reaches the threshold, no SQL) and for items joining a story of the
  window (its sources read again with their story, then `sources.best_of`); issue 12's
  target is ≤ 5 ms at 1M stories;
- beside them, in the same run: a brute-force scan of the window (every signature of the
  last 72 h read and compared in one numpy step).

    .venv/bin/python bench/cluster_lookup.py            # 10k, 100k, 1M on SQLite
    .venv/bin/python bench/cluster_lookup.py 10000      # one size
    .venv/bin/python bench/cluster_lookup.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

The stories are made up and bulk-inserted straight through the driver (SQLite's
executemany, PostgreSQL's COPY; the indexes built at the end): one source each, with a
signature drawn so that two made-up stories share a band's bucket as often as two
unrelated stories of the labelled set do (tests/cluster/data/pairs.toml, stories of
different topics; both rates printed): the buckets are worked out from the signature, as
the product does, so a lookup meets as many candidates as on real wires. They are spread
at PER_DAY stories a day (1M: 333 days), ids growing with time as on a real wire; a last
line stores every story inside the window, the worst case.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cluster import Fingerprint, fingerprint, minhash
from bot.config.cluster import DEFAULT_THRESHOLD, ClusterSettings
from bot.store import make_engine, session_factory, upgrade
from bot.store.models import Story, StorySource, utcnow
from bot.store.window import WindowIndex
from tests.cluster.pairs import events

PER_DAY = 3000  # stories a day: a big newsroom's wires
LOOKUPS = 200
ARRIVALS = 20  # one feed's poll
ROUNDS = 10  # later catch-ups timed
WINDOW = timedelta(seconds=ClusterSettings().window_seconds)
CHUNK = 50_000
INDEXED = minhash.BANDS * minhash.ROWS  # the signature's first positions, cut into bands
rng = np.random.default_rng(12)


def unrelated_collision_rate() -> float:
    """How often two unrelated real stories share at least one LSH bucket."""
    told = [(e["topic"], fingerprint(s["title"], s["text"])) for e in events() for s in e["source"]]
    shared = [
        bool(set(a.buckets) & set(b.buckets))
        for (ta, a), (tb, b) in itertools.combinations(told, 2)
        if ta != tb and a is not None and b is not None
    ]
    return sum(shared) / len(shared)


class Signatures:
    """Made-up signatures: each band's ROWS positions are one of `per_band` fixed tuples,
    so two of them share a band's bucket with probability 1/per_band, and at least one of
    BANDS with the measured rate; the other positions are random (two made-up stories are
    never near-duplicates)."""

    def __init__(self, rate: float):
        per_band_rate = 1 - (1 - rate) ** (1 / minhash.BANDS)
        self.per_band = max(1, round(1 / per_band_rate))
        self.tuples = rng.integers(
            0, 2**32, size=(minhash.BANDS, self.per_band, minhash.ROWS), dtype=np.uint32
        )

    def draw(self, count: int) -> np.ndarray:
        """(count, PERMUTATIONS) uint32."""
        drawn = rng.integers(0, 2**32, size=(count, minhash.PERMUTATIONS), dtype=np.uint32)
        picks = rng.integers(0, self.per_band, size=(count, minhash.BANDS))
        drawn[:, :INDEXED] = self.tuples[np.arange(minhash.BANDS), picks].reshape(count, INDEXED)
        return drawn

    def collision_rate(self, count: int = 1500) -> float:
        """How often two of them share a bucket, the buckets worked out by minhash.buckets."""
        buckets = np.array([minhash.buckets(s) for s in self.draw(count)])
        shared = (buckets[:, None, :] == buckets[None, :, :]).any(axis=2)
        return shared[np.triu_indices(count, 1)].mean()


def _stamp(seconds_ago: np.ndarray, now_epoch: float, zone: str) -> list[str]:
    """As SQLAlchemy stores a datetime in SQLite (zone ""), or with its zone for PostgreSQL."""
    stamps = (now_epoch - seconds_ago).astype("datetime64[s]").astype(str)
    return [s.replace("T", " ") + ".000000" + zone for s in stamps]


def made_up(
    count: int, signatures: Signatures, *, all_in_window: bool, zone: str = ""
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """The rows of `count` stories, CHUNK at a time: the stories, their sources."""
    span = WINDOW.total_seconds() if all_in_window else count / PER_DAY * 86400
    now_epoch = utcnow().timestamp()
    for start in range(1, count + 1, CHUNK):
        ids = range(start, min(start + CHUNK, count + 1))
        # Stored in the order they came, as on a real wire: ids grow with time, so the
        # window's rows are the table's last ones.
        ago = span * (1 - (np.arange(ids.start, ids.stop) + rng.uniform(0, 1, len(ids))) / count)
        when = _stamp(ago, now_epoch, zone)
        drawn = [minhash.to_bytes(s) for s in signatures.draw(len(ids))]
        yield (
            [(i, f"u{i}", w, f"g{i}", w) for i, w in zip(ids, when, strict=True)],
            [(i, i, f"g{i}", w, s) for i, w, s in zip(ids, when, drawn, strict=True)],
        )


STORIES = ("id, uid, feed_id, state, state_changed_at, guid, url, title, source_text, category,"
           " fetched_at, attempts, chosen_by_hand")
SOURCES = "id, story_id, feed_id, guid, url, title, text, kind, added_at, signature"
INDEXES = ("CREATE INDEX ix_story_sources_story_id ON story_sources (story_id);"
           "CREATE INDEX ix_story_sources_added_at ON story_sources (added_at);")
NO_INDEXES = "DROP INDEX ix_story_sources_story_id; DROP INDEX ix_story_sources_added_at;"
ONE_FEED = ("INSERT INTO feeds (id, url, title, error_count)"
            " VALUES (1, 'https://fil.example', '', 0);")


def fill_sqlite(url: str, count: int, signatures: Signatures, *, all_in_window: bool) -> None:
    """Straight through the driver, indexes built once at the end."""
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    db.executescript(f"PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF; {NO_INDEXES} {ONE_FEED}")
    for stories, story_sources in made_up(count, signatures, all_in_window=all_in_window):
        db.executemany(
            f"INSERT INTO stories ({STORIES}) VALUES (?, ?, 1, 'published', ?, ?, '', 'x', '',"
            " '', ?, 0, 0)", stories,
        )
        db.executemany(
            f"INSERT INTO story_sources ({SOURCES}) VALUES (?, ?, 1, ?, '', 'x', '', 'original',"
            " ?, ?)", story_sources,
        )
    db.executescript(INDEXES)
    db.commit()
    db.close()


def fill_postgres(url: str, count: int, signatures: Signatures, *, all_in_window: bool) -> None:
    """With COPY, indexes built once at the end, then ANALYZE for the planner."""
    engine = make_engine(url)
    connection = engine.raw_connection()
    with connection.cursor() as cursor:
        cursor.execute(NO_INDEXES + ONE_FEED)
        for stories, story_sources in made_up(
            count, signatures, all_in_window=all_in_window, zone="+00"
        ):
            with cursor.copy(f"COPY stories ({STORIES}) FROM STDIN") as copy:
                for i, uid, w, guid, w2 in stories:
                    copy.write_row((i, uid, 1, "published", w, guid, "", "x", "", "", w2, 0, False))
            with cursor.copy(f"COPY story_sources ({SOURCES}) FROM STDIN") as copy:
                for i, story, guid, w, signature in story_sources:
                    copy.write_row((i, story, 1, guid, "", "x", "", "original", w, signature))
        cursor.execute(INDEXES)
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum would gather them
    connection.commit()
    connection.close()
    engine.dispose()


def arrive(engine: Engine, first_id: int, signatures: Signatures) -> None:
    """ARRIVALS new stories with their sources, committed by another connection."""
    now = utcnow()
    ids = range(first_id, first_id + ARRIVALS)
    drawn = signatures.draw(ARRIVALS)
    with engine.begin() as connection:
        connection.execute(insert(Story.__table__), [
            {"id": i, "uid": f"u{i}", "feed_id": 1, "state": "published", "guid": f"g{i}"}
            for i in ids
        ])
        connection.execute(insert(StorySource.__table__), [
            {"id": i, "story_id": i, "feed_id": 1, "guid": f"g{i}", "added_at": now,
             "signature": minhash.to_bytes(s)}
            for i, s in zip(ids, drawn, strict=True)
        ])


@contextmanager
def database(backend: str) -> Iterator[str]:
    """An empty database at the schema's head: a SQLite file, or a PostgreSQL database."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as folder:
            url = f"sqlite:///{folder}/lookup.db"
            _upgrade(url)
            yield url
        return
    name = f"depeche_bench_{os.getpid()}"
    admin = create_engine(backend, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = backend.rsplit("/", 1)[0] + f"/{name}"
        _upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _upgrade(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def brute_force(session: Session, query: Fingerprint, since: datetime) -> int | None:
    """The baseline: every signature of the window read, all compared in one numpy step."""
    rows = session.execute(
        select(StorySource.story_id, StorySource.signature).where(StorySource.added_at >= since)
    ).all()
    scores = query.similarities([row.signature for row in rows])
    best = int(scores.argmax())
    return rows[best].story_id if scores[best] >= DEFAULT_THRESHOLD else None


def ms(work: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    work(*args)
    return (time.perf_counter() - started) * 1000


def timed(work: Callable[[Fingerprint], object], queries: list[Fingerprint]) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    for query in queries[:10]:
        work(query)  # warm the page cache
    times = sorted(ms(work, query) for query in queries)
    return statistics.median(times), times[int(len(times) * 0.95)]


def index_megabytes(session: Session, since: datetime) -> float:
    """What a first catch-up leaves allocated: the index's arrays and dicts."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = WindowIndex()
    index.catch_up(session, since)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / 1e6


def joining(session: Session, last_id: int, in_window: int) -> list[Fingerprint]:
    """LOOKUPS items of stories of the window: a stored signature, half its positions
    drawn again (similarity about 0.5, a few bands still shared)."""
    ids = rng.choice(np.arange(last_id - in_window + 1, last_id + 1), LOOKUPS, replace=False)
    picked = StorySource.id.in_(ids.tolist())
    stored = session.scalars(select(StorySource.signature).where(picked)).all()
    queries = []
    for signature in stored:
        told = minhash.from_bytes(signature).copy()
        again = rng.uniform(size=len(told)) < 0.5
        told[again] = rng.integers(0, 2**32, size=int(again.sum()), dtype=np.uint32)
        queries.append(Fingerprint(told))
    return queries


def catch_ups(
    engine: Engine, session: Session, count: int, signatures: Signatures
) -> tuple[WindowIndex, datetime, str]:
    """The first catch-up and the index's memory, then ROUNDS later ones, each after
    ARRIVALS sources were committed by another connection: the index, caught up from
    the window's start returned, and the figures."""
    since = utcnow() - WINDOW
    index = WindowIndex()
    first = ms(index.catch_up, session, since)
    megabytes = index_megabytes(session, since)
    later = []
    for round_ in range(ROUNDS):
        session.commit()  # a poller commits each feed's batch
        arrive(engine, count + 1 + round_ * ARRIVALS, signatures)
        since = utcnow() - WINDOW
        later.append(ms(index.catch_up, session, since))
    return index, since, (f"first catch-up {first:.0f} ms, index {megabytes:.1f} MB; later catch-up"
            f" ({ARRIVALS} new sources) median {statistics.median(later):.2f} ms,"
            f" max {max(later):.2f} ms")


def lookups(
    session: Session, index: WindowIndex, since: datetime, count: int, in_window: int,
    signatures: Signatures,
) -> str:
    """`closest` for items of new stories and of stories of the window, and the scan."""
    new = [Fingerprint(s) for s in signatures.draw(LOOKUPS)]
    join = joining(session, count, in_window)
    found = sum(index.closest(session, q, since, DEFAULT_THRESHOLD) is not None for q in join)
    alone = timed(lambda q: index.closest(session, q, since, DEFAULT_THRESHOLD), new)
    # Another feed's item: the check that this feed did not tell the story runs too.
    joined = timed(
        lambda q: index.closest(session, q, since, DEFAULT_THRESHOLD, other_than_feed=2), join
    )
    scan = timed(lambda q: brute_force(session, q, since), new[:20])
    return (f"closest, a new story: median {alone[0]:.3f} ms, p95 {alone[1]:.3f} ms; joining"
            f" one ({found}/{len(join)} found): median {joined[0]:.2f} ms, p95 {joined[1]:.2f}"
            f" ms\n{'':>11}brute-force scan of the window: median {scan[0]:.1f} ms, p95"
            f" {scan[1]:.1f} ms")


def measure(backend: str, count: int, signatures: Signatures, *, all_in_window: bool) -> None:
    fill = fill_sqlite if backend == "sqlite" else fill_postgres
    with database(backend) as url:
        started = time.perf_counter()
        fill(url, count, signatures, all_in_window=all_in_window)
        took = time.perf_counter() - started
        engine = make_engine(url)
        with session_factory(engine)() as session:
            in_window = session.scalar(
                select(func.count())
                .select_from(StorySource)
                .where(StorySource.added_at >= utcnow() - WINDOW)
            )
            index, since, kept = catch_ups(engine, session, count, signatures)
            looked = lookups(session, index, since, count, in_window, signatures)
        engine.dispose()
        where = "all in the window" if all_in_window else "spread"
        name = "sqlite" if backend == "sqlite" else "postgresql"
        print(f"{name:>10} {count:>9,} stories ({where}: {in_window:,} in the window), filled"
              f" in {took:.1f} s\n{'':>11}{kept}\n{'':>11}{looked}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--postgres", metavar="URL",
                        help="also on this server (an admin URL: a database is made and dropped)")
    args = parser.parse_args()
    rate = unrelated_collision_rate()
    signatures = Signatures(rate)
    print(f"sharing a bucket: unrelated stories of the labelled set {rate:.2%}, made-up ones"
          f" {signatures.collision_rate():.2%}; {minhash.BANDS} bands, {signatures.per_band:,}"
          f" tuples a band; {PER_DAY:,} stories a day; window {WINDOW}; {LOOKUPS} lookups each",
          flush=True)
    for backend in ["sqlite", *([args.postgres] if args.postgres else [])]:
        for count in args.sizes:
            measure(backend, count, signatures, all_in_window=False)
        measure(backend, min(args.sizes[-1], 100_000), signatures, all_in_window=True)


if __name__ == "__main__":
    main()
