"""Migration 0011: the band rows of the near-duplicate index go, the window index reads the
signatures instead (bot.store.window). What a database indexed before is what it indexes
after: a source with band rows keeps its signature and is joined; one with a signature but
no band row (none is known to exist) loses it. The downgrade builds the band rows again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text, update

from bot.cluster import fingerprint
from bot.cluster.minhash import BANDS
from bot.store import Feed, IngestResult, ingest, session_factory, upgrade
from bot.store.db import _alembic_config
from bot.store.models import StorySource, utcnow
from tests.cluster.test_fingerprints import EXPECTED
from tests.cluster.test_sources import as_item, telling
from tests.conftest import database_at

AT = "2026-12-01 10:00:00.000000+00:00"


def _buckets_0010(event: str) -> list[int]:
    """The buckets 0010 stored for the event's first telling (tests/cluster/data)."""
    return next(e["buckets"] for e in EXPECTED if e.get("event") == event and e["n"] == 0)


def _old_story(connection, number: int, event: str, *, banded: bool) -> None:  # type: ignore[no-untyped-def]
    """A story and its first source as 0010 stored them: the signature, and with
    `banded` its band rows."""
    told = telling(event)
    found = fingerprint(told.title, told.text)
    assert found is not None
    values = {"n": number, "at": AT, "title": told.title, "text": told.text,
              "signature": found.to_bytes()}
    connection.execute(text(
        "INSERT INTO stories (id, uid, feed_id, state, state_changed_at, guid, url, title,"
        " source_text, category, fetched_at, attempts, chosen_by_hand) VALUES (:n, 'u' || :n,"
        " 1, 'new', :at, 'g' || :n, '', :title, :text, '', :at, 0, 0)"), values)
    connection.execute(text(
        "INSERT INTO story_sources (id, story_id, feed_id, guid, url, title, text, kind,"
        " added_at, signature) VALUES (:n, :n, 1, 'g' || :n, '', :title, :text, 'original',"
        " :at, :signature)"), values)
    if banded:
        for bucket in _buckets_0010(event):
            connection.execute(text(
                "INSERT INTO story_bands (bucket, added_at, source_id) VALUES (:b, :at, :n)"),
                {"b": bucket, "at": AT, "n": number})


def test_the_index_moves_from_band_rows_to_the_signatures_and_back(tmp_path):
    engine = database_at(tmp_path, "0010_feed_settings")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO feeds (id, url, title, error_count)"
                                " VALUES (1, 'https://a.example', '', 0),"
                                " (2, 'https://b.example', '', 0)"))
        _old_story(connection, 1, "seisme-turquie", banded=True)
        _old_story(connection, 2, "accident-a7", banded=False)
    upgrade(engine)
    assert "story_bands" not in inspect(engine).get_table_names()
    assert "ix_story_sources_added_at" in {
        index["name"] for index in inspect(engine).get_indexes("story_sources")}
    with session_factory(engine)() as session:
        signed = {s.id: s.signature is not None for s in session.query(StorySource)}
        assert signed == {1: True, 2: False}
        feed = session.get_one(Feed, 2)
        # The window is 72 h from now: the old stories are stored a day ago in this test.
        session.execute(update(StorySource).values(added_at=utcnow()))
        joined = ingest(session, feed, as_item(telling("seisme-turquie", 1), "b-1"), "")
        alone = ingest(session, feed, as_item(telling("accident-a7", 1), "b-2"), "")
        assert (joined, alone) == (IngestResult.JOINED, IngestResult.NEW)
    command.downgrade(_alembic_config(engine), "0010_feed_settings")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT source_id, count(*) FROM story_bands GROUP BY source_id")).all()
        first = connection.scalars(text("SELECT bucket FROM story_bands WHERE source_id = 1"))
        assert sorted(first) == sorted(_buckets_0010("seisme-turquie"))
    # Story 1's first source, the joined one, and the new story's: each its bands.
    assert sorted(count for _, count in rows) == [BANDS] * 3
    engine.dispose()

