"""Ingest, dedup, claim and transitions on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bot.errors import LeaseLost
from bot.feeds.item import FeedItem
from bot.store import (
    Event,
    Feed,
    IngestResult,
    State,
    Story,
    claim,
    ingest,
    park,
    release,
    retry,
    session_factory,
    store_items,
    transition,
    upgrade,
)
from tests.conftest import add_feeds, database_at

TEXT = (
    "La préfecture a ouvert mercredi un centre d'accueil de jour pour les sinistrés "
    "des inondations de la vallée, avec quarante lits et une cantine solidaire."
)


def item(guid: str, url: str = "", text: str = TEXT) -> FeedItem:
    return FeedItem(guid=guid, url=url, title="Inondations : un centre d'accueil ouvert", text=text)


@pytest.fixture
def sessions(sessions):
    """The migrated database (tests/conftest.py), with one feed: the wire's."""
    add_feeds(sessions, "https://wire.example/rss")
    return sessions


def feed_of(session) -> Feed:
    return session.scalars(select(Feed)).one()


def test_same_guid_is_known_not_stored_twice(sessions):
    with sessions() as session:
        feed = feed_of(session)
        assert ingest(session, feed, item("g1", "https://a.example/x"), "") == IngestResult.NEW
        assert ingest(session, feed, item("g1", "https://a.example/x"), "") == IngestResult.KNOWN
        assert session.scalar(select(func.count()).select_from(Story)) == 1


def test_same_url_or_text_under_another_guid_is_a_recorded_duplicate(sessions):
    with sessions() as session:
        feed = feed_of(session)
        ingest(session, feed, item("g1", "https://a.example/x"), "")
        by_url = ingest(
            session, feed, item("g2", "https://www.a.example/x/?utm_source=tw", "Autre texte."), ""
        )
        by_text = ingest(session, feed, item("g3", "https://b.example/y", TEXT.upper()), "")
        assert by_url == by_text == IngestResult.DUPLICATE
        duplicates = session.scalars(select(Story).where(Story.state == State.DUPLICATE)).all()
        assert {d.guid for d in duplicates} == {"g2", "g3"}
        assert all(d.duplicate_of_id == 1 for d in duplicates)
        # Seen again as it was, a duplicate is known: it is not recorded a second time.
        again = item("g2", "https://www.a.example/x/?utm_source=tw", "Autre texte.")
        assert ingest(session, feed, again, "") == IngestResult.KNOWN


def test_concurrent_ingest_of_one_story_stores_it_once(sessions):
    results: list[str] = []

    def worker():
        with sessions() as session:
            results.append(
                ingest(session, feed_of(session), item("race", "https://r.example/1"), "")
            )

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results).count(IngestResult.NEW) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Story)) == 1


def test_a_claimed_story_is_not_claimed_again_until_its_lease_expires(sessions):
    with sessions() as session:
        ingest(session, feed_of(session), item("g1"), "")
    with sessions() as one, sessions() as two:
        first = claim(one, State.NEW, "worker-1", timedelta(minutes=10), 10)
        assert [s.guid for s in first] == ["g1"]
        assert claim(two, State.NEW, "worker-2", timedelta(minutes=10), 10) == []
        release(one, first[0])
        assert len(claim(two, State.NEW, "worker-2", timedelta(seconds=-1), 10)) == 1
        # worker-2's lease is already expired (negative): a third worker takes it over.
        assert len(claim(one, State.NEW, "worker-3", timedelta(minutes=1), 10)) == 1


def test_transitions_are_committed_with_their_history(sessions):
    with sessions() as session:
        ingest(session, feed_of(session), item("g1"), "")
        (story,) = claim(session, State.NEW, "w", timedelta(minutes=1), 1)
        story.draft = {"title": "Brouillon"}
        transition(session, story, State.WRITTEN, stage="write", detail="SEO 80")
    with sessions() as other:  # a fresh session sees the committed state
        story = other.scalars(select(Story)).one()
        assert story.state == State.WRITTEN and story.lease_owner is None
        stages = [e.stage for e in other.scalars(select(Event).order_by(Event.id))]
        assert stages == ["ingest", "write"]


def test_a_failed_attempt_parks_the_story_then_retry_puts_it_back(sessions):
    with sessions() as session:
        ingest(session, feed_of(session), item("g1"), "")
        (story,) = claim(session, State.NEW, "w", timedelta(minutes=1), 1)
        park(
            session,
            story,
            stage="write",
            error="model server answered HTTP 503",
            retry_in=timedelta(minutes=5),
        )
        assert story.attempts == 1 and story.last_error == "model server answered HTTP 503"
        # The wait is its own column; the lease is gone with its owner.
        assert story.lease_owner is None and story.lease_until is None
        assert story.not_before is not None
        assert claim(session, State.NEW, "w", timedelta(minutes=1), 1) == []  # parked
        transition(session, story, State.FAILED, stage="write", reasons=["HTTP 503"])
        assert retry(session, story) == State.NEW
        assert story.attempts == 0
        story.draft = {"title": "x"}
        transition(session, story, State.FAILED, stage="publish", reasons=["site down"])
        assert retry(session, story) == State.WRITTEN  # the draft is kept, only publishing again


def test_a_worker_whose_lease_was_taken_over_cannot_commit_its_result(sessions):
    """Worker 1 stalls past its lease, worker 2 takes the story and writes it: worker 1's
    late result is refused, and worker 2's stands."""
    with sessions() as session:
        ingest(session, feed_of(session), item("g1"), "")
    with sessions() as one, sessions() as two:
        (slow,) = claim(one, State.NEW, "worker-1", timedelta(seconds=-1), 1)  # already run out
        (fast,) = claim(two, State.NEW, "worker-2", timedelta(minutes=10), 1)
        slow.draft = {"title": "Le brouillon en retard"}
        with pytest.raises(LeaseLost, match="held by worker-2"):
            transition(one, slow, State.WRITTEN, stage="write", worker="worker-1")
        fast.draft = {"title": "Le bon brouillon"}
        transition(two, fast, State.WRITTEN, stage="write", worker="worker-2")
    with sessions() as check:
        story = check.scalars(select(Story)).one()
        assert story.state == State.WRITTEN and story.draft == {"title": "Le bon brouillon"}
        with pytest.raises(LeaseLost):
            park(check, story, stage="publish", error="x", retry_in=timedelta(0),
                           worker="worker-1")


def test_a_database_from_before_not_before_keeps_its_parked_story_parked(tmp_path):
    """Up to 0004 a parked failure had no owner and its retry time in lease_until."""
    engine = database_at(tmp_path, "0004_llm_finish_reason")
    retry_at = "2099-01-01 00:00:00.000000+00:00"
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO feeds (url, title, error_count) VALUES ('f', '', 0)"))
        connection.execute(
            text(
                "INSERT INTO stories (uid, feed_id, state, state_changed_at, guid, url, title,"
                " source_text, category, fetched_at, attempts, lease_until, chosen_by_hand)"
                " VALUES ('u1', 1, 'new', :at, 'g1', '', 't', 'x', '', :at, 1, :at, 0)"
            ),
            {"at": retry_at},
        )
    upgrade(engine)
    with session_factory(engine)() as session:
        story = session.scalars(select(Story)).one()
        assert story.lease_until is None
        assert story.not_before is not None and story.not_before.year == 2099
        assert claim(session, State.NEW, "w", timedelta(minutes=1), 1) == []
    engine.dispose()


def test_a_feeds_items_stored_at_once_are_deduplicated_among_themselves(sessions):
    """store_items decides each item against the stories stored before and the items
    before it in the same batch: a repeated GUID is known, a repeated URL or text is a
    duplicate of the batch's first, a skipped item keeps only its GUID key."""
    other_text = (
        "Le tribunal administratif a suspendu jeudi l'arrêté municipal qui interdisait "
        "les terrasses chauffées dans le centre historique de la ville."
    )
    with sessions() as session:
        feed = feed_of(session)
        ingest(session, feed, item("before", "https://a.example/avant", other_text), "")
        batch = [
            (item("g1", "https://a.example/x"), None),
            (item("g1", "https://a.example/x"), None),  # the same GUID twice in one feed
            (item("g2", "https://a.example/x?utm_source=rss", "Autre."), None),  # same URL
            (item("g3", "https://c.example/z", other_text.upper()), None),  # a stored text
            (item("g4", "https://d.example/w", "Court."), "min_words: 1 < 50"),
        ]
        stored = store_items(session, feed, batch, "Société")
        session.commit()
        assert [s.result for s in stored] == [
            IngestResult.NEW,
            IngestResult.KNOWN,
            IngestResult.DUPLICATE,
            IngestResult.DUPLICATE,
            IngestResult.SKIPPED,
        ]
        rows = {s.guid: s for s in session.scalars(select(Story))}
        assert rows["g2"].duplicate_of_id == rows["g1"].id == stored[0].story_id
        assert rows["g3"].duplicate_of_id == rows["before"].id
        assert rows["g4"].state == State.SKIPPED and rows["g4"].reasons == ["min_words: 1 < 50"]
        assert rows["g1"].category == "Société" and rows["g1"].state == State.NEW
        events = session.scalars(select(Event).where(Event.story_id == rows["g2"].id)).one()
        assert events.detail == f"same story as #{rows['g1'].id}"
        # The skipped story's URL is not a key: the same story from another feed is new.
        assert ingest(session, feed, item("g5", "https://d.example/w", other_text[:40]), "") == (
            IngestResult.NEW
        )
