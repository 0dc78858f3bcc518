"""Decisions flow back from the real WordPress: a post an editor publishes records the
editor and the time; an edited one says so; a trashed one makes its story `rejected`."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.publish.wordpress import WordPressPublisher
from bot.publish.wordpress.decisions import sync_decisions
from bot.store import make_engine, session_factory, upgrade
from bot.store.models import Event, State, Story
from tests.wordpress.conftest import submission

pytestmark = pytest.mark.wordpress


@pytest.fixture
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'depeche.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def posted_story(sessions, wp, publisher) -> tuple[str, str]:
    """A story in the database, then its draft in WordPress, as the pipeline does."""
    uid = f"story-{uuid.uuid4().hex[:12]}"
    with sessions() as session:
        session.add(Story(uid=uid, guid=uid, title="Pistes cyclables", state=State.PUBLISHED))
        session.commit()
    return uid, publisher.publish(submission(uid)).post_id


def review_events(sessions, uid: str) -> list[tuple[str, str]]:
    with sessions() as session:
        story = session.scalars(select(Story).where(Story.uid == uid)).one()
        events = session.scalars(
            select(Event).where(Event.story_id == story.id, Event.stage == "review")
        ).all()
        return [(event.outcome, event.detail) for event in events]


def state_of(sessions, uid: str) -> str:
    with sessions() as session:
        return session.scalars(select(Story.state).where(Story.uid == uid)).one()


def test_editors_decisions_are_recorded_once_each(wp, sessions):
    settings = wp.settings()
    publisher = WordPressPublisher(settings, wp.password)
    sync_decisions(sessions, settings, wp.password)  # the look before: older posts seen
    as_is, as_is_post = posted_story(sessions, wp, publisher)
    edited, edited_post = posted_story(sessions, wp, publisher)
    trashed, trashed_post = posted_story(sessions, wp, publisher)
    untouched, _ = posted_story(sessions, wp, publisher)
    with wp.client() as client:
        client.post(f"/wp/v2/posts/{as_is_post}", json={"status": "publish"}).raise_for_status()
        text = wp.post(edited_post)["content"]["raw"].replace("lundi", "lundi matin")
        client.post(f"/wp/v2/posts/{edited_post}", json={"content": text}).raise_for_status()
        client.delete(f"/wp/v2/posts/{trashed_post}").raise_for_status()  # to the trash

    sync_decisions(sessions, settings, wp.password)

    [(outcome, detail)] = review_events(sessions, as_is)
    published_at = wp.post(as_is_post)["meta"]["_depeche_published_at"]
    assert outcome == "published"
    assert detail == f"publié par depeche le {published_at} ; publié sans modification"
    assert review_events(sessions, edited)[0][0] == "edited"
    assert review_events(sessions, trashed)[0][0] == "rejected"
    assert state_of(sessions, trashed) == State.REJECTED
    assert review_events(sessions, untouched) == []  # no false alarm

    # Publishing the edited post is recorded as edited before publishing; nothing twice.
    with wp.client() as client:
        client.post(f"/wp/v2/posts/{edited_post}", json={"status": "publish"}).raise_for_status()
    sync_decisions(sessions, settings, wp.password)
    sync_decisions(sessions, settings, wp.password)
    outcomes = review_events(sessions, edited)
    assert [o for o, _ in outcomes] == ["edited", "published"]
    assert outcomes[1][1].endswith("modifié par une personne avant publication")
    assert len(review_events(sessions, as_is)) == 1
