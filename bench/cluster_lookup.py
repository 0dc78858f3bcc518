"""How long finding an item's story takes (bot.store.sources.closest) with 10k, 100k and
1M stories stored in a SQLite file, beside a brute-force scan of the window (every
signature stored in the last 72 h read and compared) measured in the same run.

    .venv/bin/python bench/cluster_lookup.py            # 10k, 100k, 1M on SQLite
    .venv/bin/python bench/cluster_lookup.py 10000      # one size
    .venv/bin/python bench/cluster_lookup.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

The stories are made up, bulk-inserted straight through the driver (SQLite's executemany,
PostgreSQL's COPY; no ORM): each gets one
source, a random signature, and one bucket per LSH band. Two made-up stories share a band's
bucket as often as two unrelated stories of the labelled set do (measured here first:
tests/cluster/data/pairs.toml, stories of different topics), so a lookup meets as many
candidates as it would on real wires. They are spread over time at PER_DAY stories a day
(1M stories: 333 days), ids growing with time as on a real wire, so the window holds a
realistic share and its rows are the table's last; a last line stores every
story inside the window, the worst case.
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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from hashlib import blake2b
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cluster import Fingerprint, fingerprint, minhash
from bot.config.cluster import DEFAULT_THRESHOLD, ClusterSettings
from bot.store import make_engine, session_factory, sources, upgrade
from bot.store.models import StoryBand, StorySource, utcnow
from tests.cluster.pairs import events

PER_DAY = 3000  # stories a day: a big newsroom's wires
LOOKUPS = 200
WINDOW = timedelta(seconds=ClusterSettings().window_seconds)
CHUNK = 50_000
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


class MadeUp(Fingerprint):
    """A made-up story's fingerprint: its buckets are drawn, not hashed from words."""

    def __init__(self, signature: np.ndarray, buckets: list[int]):
        super().__init__(signature)
        object.__setattr__(self, "_buckets", buckets)

    @property
    def buckets(self) -> list[int]:
        return self._buckets  # type: ignore[attr-defined]


class Buckets:
    """Each band's bucket drawn among `per_band` values: two draws share a band with
    probability 1/per_band, so at least one of BANDS with the measured rate."""

    def __init__(self, rate: float):
        per_band_rate = 1 - (1 - rate) ** (1 / minhash.BANDS)
        self.per_band = max(1, round(1 / per_band_rate))
        self.values = np.array(
            [
                [
                    int.from_bytes(
                        blake2b(f"{band}/{k}".encode(), digest_size=8).digest(), "little",
                        signed=True,
                    )
                    for k in range(self.per_band)
                ]
                for band in range(minhash.BANDS)
            ],
            dtype=np.int64,
        )

    def draw(self, count: int) -> np.ndarray:
        """(count, BANDS) bucket values."""
        picks = rng.integers(0, self.per_band, size=(count, minhash.BANDS))
        return self.values[np.arange(minhash.BANDS)[None, :], picks]


def _stamp(seconds_ago: np.ndarray, now_epoch: float, zone: str) -> list[str]:
    """As SQLAlchemy stores a datetime in SQLite (zone ""), or with its zone for PostgreSQL."""
    stamps = (now_epoch - seconds_ago).astype("datetime64[s]").astype(str)
    return [s.replace("T", " ") + ".000000" + zone for s in stamps]


Rows = tuple[list[tuple], list[tuple], list[tuple]]


def made_up(count: int, buckets: Buckets, *, all_in_window: bool, zone: str = "") -> Iterator[Rows]:
    """The rows of `count` stories, CHUNK at a time: stories, their sources, their bands."""
    span = WINDOW.total_seconds() if all_in_window else count / PER_DAY * 86400
    now_epoch = utcnow().timestamp()
    signatures = [rng.integers(0, 2**32, size=minhash.PERMUTATIONS, dtype=np.uint32).tobytes()
                  for _ in range(256)]
    for start in range(1, count + 1, CHUNK):
        ids = range(start, min(start + CHUNK, count + 1))
        # Stored in the order they came, as on a real wire: ids grow with time, so the
        # window's rows are the table's last ones.
        ago = span * (1 - (np.arange(ids.start, ids.stop) + rng.uniform(0, 1, len(ids))) / count)
        when = _stamp(ago, now_epoch, zone)
        drawn = buckets.draw(len(ids)).tolist()
        yield (
            [(i, f"u{i}", w, f"g{i}", w) for i, w in zip(ids, when, strict=True)],
            [(i, i, f"g{i}", w, signatures[i % 256]) for i, w in zip(ids, when, strict=True)],
            [(b, w, i) for i, w, row in zip(ids, when, drawn, strict=True) for b in row],
        )


STORIES = ("id, uid, feed_id, state, state_changed_at, guid, url, title, source_text, category,"
           " fetched_at, attempts, chosen_by_hand")
SOURCES = "id, story_id, feed_id, guid, url, title, text, kind, added_at, signature"
INDEXES = ("CREATE INDEX ix_story_bands_bucket_added ON story_bands (bucket, added_at);"
           "CREATE INDEX ix_story_sources_story_id ON story_sources (story_id);")
NO_INDEXES = "DROP INDEX ix_story_bands_bucket_added; DROP INDEX ix_story_sources_story_id;"
ONE_FEED = ("INSERT INTO feeds (id, url, title, error_count)"
            " VALUES (1, 'https://fil.example', '', 0);")


def fill_sqlite(url: str, count: int, buckets: Buckets, *, all_in_window: bool) -> None:
    """Straight through the driver, indexes built once at the end."""
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    db.executescript(f"PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF; {NO_INDEXES} {ONE_FEED}")
    for stories, story_sources, bands in made_up(count, buckets, all_in_window=all_in_window):
        db.executemany(
            f"INSERT INTO stories ({STORIES}) VALUES (?, ?, 1, 'published', ?, ?, '', 'x', '',"
            " '', ?, 0, 0)", stories,
        )
        db.executemany(
            f"INSERT INTO story_sources ({SOURCES}) VALUES (?, ?, 1, ?, '', 'x', '', 'original',"
            " ?, ?)", story_sources,
        )
        db.executemany("INSERT INTO story_bands (bucket, added_at, source_id) VALUES (?, ?, ?)",
                       bands)
    db.executescript(INDEXES)
    db.commit()
    db.close()


def fill_postgres(url: str, count: int, buckets: Buckets, *, all_in_window: bool) -> None:
    """With COPY, indexes built once at the end, then ANALYZE for the planner."""
    engine = make_engine(url)
    connection = engine.raw_connection()
    with connection.cursor() as cursor:
        cursor.execute(NO_INDEXES + ONE_FEED)
        for stories, story_sources, bands in made_up(
            count, buckets, all_in_window=all_in_window, zone="+00"
        ):
            with cursor.copy(f"COPY stories ({STORIES}) FROM STDIN") as copy:
                for i, uid, w, guid, w2 in stories:
                    copy.write_row((i, uid, 1, "published", w, guid, "", "x", "", "", w2, 0, False))
            with cursor.copy(f"COPY story_sources ({SOURCES}) FROM STDIN") as copy:
                for i, story, guid, w, signature in story_sources:
                    copy.write_row((i, story, 1, guid, "", "x", "", "original", w, signature))
            with cursor.copy("COPY story_bands (bucket, added_at, source_id) FROM STDIN") as copy:
                for row in bands:
                    copy.write_row(row)
        cursor.execute(INDEXES)
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum would gather them
    connection.commit()
    connection.close()
    engine.dispose()


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


def size_of(url: str) -> float:
    """The database's size in MB."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6
    engine = make_engine(url)
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return size / 1e6


def brute_force(session, query: Fingerprint, since) -> int | None:  # type: ignore[no-untyped-def]
    """The baseline: every signature of the window read, all compared in one numpy step."""
    rows = session.execute(
        select(StorySource.story_id, StorySource.signature).where(StorySource.added_at >= since)
    ).all()
    scores = query.similarities([row.signature for row in rows])
    best = int(scores.argmax())
    return rows[best].story_id if scores[best] >= DEFAULT_THRESHOLD else None


def timed(work, queries: list[Fingerprint]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median and 95th percentile in milliseconds."""
    for query in queries[:10]:
        work(query)  # warm the page cache
    times = []
    for query in queries:
        started = time.perf_counter()
        work(query)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def measure(backend: str, count: int, buckets: Buckets, *, all_in_window: bool) -> None:
    fill = fill_sqlite if backend == "sqlite" else fill_postgres
    with database(backend) as url:
        started = time.perf_counter()
        fill(url, count, buckets, all_in_window=all_in_window)
        took = time.perf_counter() - started
        engine = make_engine(url)
        since = utcnow() - WINDOW
        queries = [
            MadeUp(rng.integers(0, 2**32, size=minhash.PERMUTATIONS, dtype=np.uint32),
                   [int(b) for b in buckets.draw(1)[0]])
            for _ in range(LOOKUPS)
        ]
        with session_factory(engine)() as session:
            in_window = session.scalar(
                select(func.count()).select_from(StorySource).where(StorySource.added_at >= since)
            )
            candidates = statistics.mean(
                len(session.scalars(
                    select(StoryBand.source_id).where(
                        StoryBand.bucket.in_(q.buckets), StoryBand.added_at >= since
                    )
                ).all())
                for q in queries[:50]
            )
            median, p95 = timed(
                lambda q: sources.closest(session, q, since, DEFAULT_THRESHOLD), queries
            )
            base_median, base_p95 = timed(lambda q: brute_force(session, q, since), queries[:20])
        engine.dispose()
        where = "all in the window" if all_in_window else "spread"
        name = "sqlite" if backend == "sqlite" else "postgresql"
        print(f"{name:>10} {count:>9,} stories ({where}: {in_window:,} in the"
              f" window), filled in {took:.1f} s, {size_of(url):,.0f} MB: lookup median"
              f" {median:.2f} ms, p95 {p95:.2f} ms, {candidates:.1f} candidate bands a lookup;"
              f" brute-force scan of the window: median {base_median:.1f} ms,"
              f" p95 {base_p95:.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--postgres", metavar="URL",
                        help="also on this server (an admin URL: a database is made and dropped)")
    args = parser.parse_args()
    rate = unrelated_collision_rate()
    buckets = Buckets(rate)
    print(f"unrelated stories of the labelled set sharing a bucket: {rate:.2%}; "
          f"{minhash.BANDS} bands, {buckets.per_band:,} values a band; "
          f"{PER_DAY:,} stories a day; window {WINDOW}; {LOOKUPS} lookups each", flush=True)
    for backend in ["sqlite", *([args.postgres] if args.postgres else [])]:
        for count in args.sizes:
            measure(backend, count, buckets, all_in_window=False)
        measure(backend, min(args.sizes[-1], 100_000), buckets, all_in_window=True)


if __name__ == "__main__":
    main()
