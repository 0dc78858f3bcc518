"""Story clusters in the store (bot.store.sources), on SQLite and on the real PostgreSQL:
items that tell one event join one story as its sources; a changed text is a new version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bot.config.cluster import ClusterSettings
from bot.feeds.item import FeedItem
from bot.store import (
    Feed,
    IngestResult,
    State,
    Story,
    ingest,
    session_factory,
    sources,
    upgrade,
)
from bot.store.models import StorySource, clock
from tests.cluster.pairs import Telling, events
from tests.conftest import add_feeds, database_at

EVENTS = {event["id"]: event for event in events()}


def telling(event: str, n: int = 0) -> Telling:
    source = EVENTS[event]["source"][n]
    return Telling(event, source["feed"], source["title"], source["text"])


def as_item(told: Telling, guid: str) -> FeedItem:
    return FeedItem(guid=guid, url=f"https://{told.feed[-4:].lower()}.example/{guid}",
                    title=told.title, text=told.text)


def update_of(event: str, guid: str) -> FeedItem:
    update = EVENTS[event]["update"]
    return FeedItem(guid=guid, url=f"https://maj.example/{guid}", title=update["title"],
                    text=update["text"])


@pytest.fixture
def sessions(sessions):
    """The migrated database (tests/conftest.py), with three feeds; the store's clock put
    back afterwards (the window's tests move it)."""
    add_feeds(sessions, *(f"https://fil-{n}.example/rss" for n in "abc"))
    yield sessions
    clock.offset = timedelta(0)


def feeds(session) -> list[Feed]:
    return list(session.scalars(select(Feed).order_by(Feed.id)))


def story_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Story))


def stored_in_state(session, feed: Feed, event: str, state: State) -> Story:
    """The event's first telling stored from `feed` as "a-1", its story then in `state`
    (as the writing stage or an editor leaves it)."""
    ingest(session, feed, as_item(telling(event, 0), "a-1"), "")
    story = session.scalars(select(Story)).one()
    story.state = state
    session.commit()
    return story


def test_one_event_from_three_feeds_is_one_story_with_three_sources(sessions):
    with sessions() as session:
        a, b, c = feeds(session)
        assert ingest(session, a, as_item(telling("seisme-japon", 0), "a-1"), "") == "new"
        assert ingest(session, b, as_item(telling("seisme-japon", 1), "b-1"), "") == "joined"
        third = update_of("seisme-japon", "c-1")
        assert ingest(session, c, third, "") == IngestResult.JOINED
        (story,) = session.scalars(select(Story)).all()
        listed = sources.of(session, story.id)
        assert [s.guid for s in listed] == ["a-1", "b-1", "c-1"]
        assert [s.kind for s in listed] == ["original", "original", "update"]
        assert [s.feed_id for s in listed] == [a.id, b.id, c.id]
        assert story.sources_changed_at is None  # not written yet: nothing to revise
        # Seen again as they were, all three are known.
        assert ingest(session, b, as_item(telling("seisme-japon", 1), "b-1"), "") == "known"


def test_two_events_of_one_topic_stay_two_stories(sessions):
    with sessions() as session:
        a, b, _ = feeds(session)
        ingest(session, a, as_item(telling("bagdad-marche"), "a-1"), "")
        ingest(session, b, as_item(telling("mossoul-barrage", 1), "b-1"), "")
        ingest(session, a, as_item(telling("lyon-greve-tcl"), "a-2"), "")
        ingest(session, b, as_item(telling("douai-greve-usine", 1), "b-2"), "")
        assert story_count(session) == 4


def test_a_feed_tells_an_event_once_unless_its_title_marks_an_update(sessions):
    with sessions() as session:
        a, _, _ = feeds(session)
        ingest(session, a, as_item(telling("incendie-var", 0), "a-1"), "")
        # The same wire, other words, no marker: its own follow-up, a story of its own.
        assert ingest(session, a, as_item(telling("incendie-var", 1), "a-2"), "") == "new"
        # « MISE À JOUR »: the wire's update of the story it told.
        assert ingest(session, a, update_of("incendie-var", "a-3"), "") == "joined"
        assert story_count(session) == 2


def test_an_item_past_the_window_starts_a_story_of_its_own(sessions):
    settings = ClusterSettings(window="72h")
    with sessions() as session:
        a, b, _ = feeds(session)
        ingest(session, a, as_item(telling("crue-seine", 0), "a-1"), "", clusters=settings)
        clock.offset = timedelta(hours=73)
        joined = ingest(session, b, as_item(telling("crue-seine", 1), "b-1"), "", clusters=settings)
        assert joined == IngestResult.NEW
        assert story_count(session) == 2


def test_a_changed_text_under_a_known_guid_is_a_new_version_and_marks_a_written_story(sessions):
    with sessions() as session:
        a, b, _ = feeds(session)
        story = stored_in_state(session, a, "election-portugal", State.WRITTEN)
        correction = update_of("election-portugal", "a-1")  # same GUID, RECTIFICATIF title
        assert ingest(session, a, correction, "") == IngestResult.CHANGED
        seen = story.sources_changed_at
        assert seen is not None
        assert [s.kind for s in sources.history(session, story.id)] == ["original", "correction"]
        (current,) = sources.of(session, story.id)
        assert current.title.startswith("RECTIFICATIF") and "16 %" in current.text
        assert sources.changed(session) == [story]
        # Another source comes before the revision is done: the mark stays.
        clock.offset = timedelta(seconds=1)
        assert ingest(session, b, as_item(telling("election-portugal", 1), "b-1"), "") == "joined"
        assert sources.settle(session, story, seen) is False
        assert sources.settle(session, story, story.sources_changed_at) is True
        assert sources.changed(session) == []
        assert [s.guid for s in sources.of(session, story.id)] == ["a-1", "b-1"]


def test_a_rejected_story_absorbs_later_sources_and_stays_rejected(sessions):
    with sessions() as session:
        a, b, _ = feeds(session)
        story = stored_in_state(session, a, "incendie-var", State.REJECTED)
        assert ingest(session, b, as_item(telling("incendie-var", 1), "b-1"), "") == "joined"
        assert ingest(session, a, update_of("incendie-var", "a-2"), "") == "joined"
        session.refresh(story)
        assert story.state == State.REJECTED and story.sources_changed_at is None
        assert story_count(session) == 1 and len(sources.of(session, story.id)) == 3


def test_split_and_merge(sessions):
    with sessions() as session:
        a, b, _ = feeds(session)
        ingest(session, a, as_item(telling("rachat-banque", 0), "a-1"), "")
        ingest(session, b, as_item(telling("rachat-banque", 1), "b-1"), "")
        story = session.scalars(select(Story)).one()
        wrong = sources.of(session, story.id)[1]
        alone = sources.split(session, story, wrong, "Économie")
        assert [s.guid for s in sources.of(session, story.id)] == ["a-1"]
        assert [s.guid for s in sources.of(session, alone.id)] == ["b-1"]
        assert alone.state == State.NEW and alone.title == wrong.title
        # Its GUID now finds its own story: seen again, it is known there.
        assert ingest(session, b, as_item(telling("rachat-banque", 1), "b-1"), "") == "known"
        with pytest.raises(ValueError, match="first"):
            sources.split(session, story, sources.of(session, story.id)[0], "")
        sources.merge(session, story, alone)
        assert [s.guid for s in sources.of(session, story.id)] == ["a-1", "b-1"]
        session.refresh(alone)
        assert alone.state == State.DUPLICATE and alone.duplicate_of_id == story.id
        story.post_id = "42"
        with pytest.raises(ValueError, match="other way"):
            sources.merge(session, alone, story)


def test_a_database_from_before_clusters_gets_each_story_its_first_source(tmp_path):
    engine = database_at(tmp_path, "0006_site_sync")
    at = "2026-12-01 10:00:00.000000+00:00"
    told = telling("accident-a7")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO feeds (url, title, error_count) VALUES ('f', '', 0)"))
        connection.execute(
            text(
                "INSERT INTO stories (uid, feed_id, state, state_changed_at, guid, url, title,"
                " source_text, category, fetched_at, attempts, chosen_by_hand)"
                " VALUES ('u1', 1, 'published', :at, 'g1', 'https://x.example/1', :title,"
                " :text, '', :at, 0, 0)"
            ),
            {"at": at, "title": told.title, "text": told.text + " (page lue en entier)"},
        )
        connection.execute(
            text("INSERT INTO story_keys (kind, value, story_id) VALUES ('guid', 'g1', 1)")
        )
    upgrade(engine)
    with session_factory(engine)() as session:
        (first,) = sources.of(session, 1)
        assert (first.guid, first.kind, first.content_hash) == ("g1", "original", None)
        assert first.text.endswith("(page lue en entier)")
        # Its first sighting since is no change (the stored text was the page's), the next
        # one with another text is.
        feed = session.get_one(Feed, 1)
        item = FeedItem(guid="g1", url="https://x.example/1", title=told.title, text=told.text)
        assert ingest(session, feed, item, "") == IngestResult.KNOWN
        assert ingest(session, feed, item, "") == IngestResult.KNOWN
        assert session.get_one(Story, 1).sources_changed_at is None
        changed = update_of("accident-a7", "g1")
        assert ingest(session, feed, changed, "") == IngestResult.CHANGED
        assert session.get_one(Story, 1).sources_changed_at is not None
        assert session.scalar(select(func.count()).select_from(StorySource)) == 2
    engine.dispose()
