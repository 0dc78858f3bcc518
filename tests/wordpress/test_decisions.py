"""Decisions flow back from the real WordPress, over REST and over XML-RPC: a post an editor
publishes records the editor and the time; an edited one says so; a trashed or deleted
one makes its story `rejected`; the Dépêche box shows who reviewed and published it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.publish.wordpress import WordPressPublisher
from bot.publish.wordpress.decisions import sync_decisions
from bot.store.models import Event, State, Story
from tests.wordpress.conftest import submission

pytestmark = pytest.mark.wordpress

APIS = ["rest", "xmlrpc"]
PARIS = ZoneInfo("Europe/Paris")  # the test site's time zone (scripts/wordpress/install.php)


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite alone for the migrated database (`sessions`, tests/conftest.py): what is
    tested is WordPress's side; the store's is tested on PostgreSQL too (tests/store)."""
    return sqlite_url


def posted_story(sessions, publisher) -> tuple[str, int]:
    """A story in the database, then its post in WordPress, as the pipeline does."""
    uid = f"story-{uuid.uuid4().hex[:12]}"
    with sessions() as session:
        session.add(Story(uid=uid, guid=uid, title="Pistes cyclables", state=State.PUBLISHED))
        session.commit()
    return uid, int(publisher.publish(submission(uid)).post_id)


def review_events(sessions, uid: str) -> list[tuple[str, str]]:
    return [(event.outcome, event.detail) for event in review_rows(sessions, uid)]


def review_rows(sessions, uid: str) -> list[Event]:
    with sessions() as session:
        story = session.scalars(select(Story).where(Story.uid == uid)).one()
        return list(
            session.scalars(
                select(Event).where(Event.story_id == story.id, Event.stage == "review")
            )
        )


def state_of(sessions, uid: str) -> str:
    with sessions() as session:
        return session.scalars(select(Story.state).where(Story.uid == uid)).one()


@pytest.mark.parametrize("api", APIS)
def test_editors_decisions_are_recorded_once_each(api, wp, sessions):
    settings = wp.settings(api=api)
    publisher = WordPressPublisher(settings, wp.password)
    sync_decisions(sessions, settings, wp.password)  # the look before: older posts seen
    as_is, as_is_post = posted_story(sessions, publisher)
    edited, edited_post = posted_story(sessions, publisher)
    trashed, trashed_post = posted_story(sessions, publisher)
    deleted, deleted_post = posted_story(sessions, publisher)
    untouched, _ = posted_story(sessions, publisher)
    with wp.client() as client:
        client.post(f"/wp/v2/posts/{as_is_post}", json={"status": "publish"}).raise_for_status()
        text = wp.post(edited_post)["content"]["raw"].replace("lundi", "lundi matin")
        client.post(f"/wp/v2/posts/{edited_post}", json={"content": text}).raise_for_status()
        client.delete(f"/wp/v2/posts/{trashed_post}").raise_for_status()  # to the trash
        client.delete(f"/wp/v2/posts/{deleted_post}", params={"force": "true"}).raise_for_status()

    sync_decisions(sessions, settings, wp.password)

    [(outcome, detail)] = review_events(sessions, as_is)
    published_at = wp.post(as_is_post)["meta"]["_depeche_published_at"]
    assert outcome == "published"
    assert detail == f"publié par depeche le {published_at} ; publié sans modification"
    assert review_events(sessions, edited)[0][0] == "edited"
    assert review_events(sessions, trashed)[0][0] == "rejected"
    assert state_of(sessions, trashed) == State.REJECTED
    [(outcome, detail)] = review_events(sessions, deleted)
    assert (outcome, detail.split(" (")[0]) == ("rejected", "supprimé définitivement")
    assert state_of(sessions, deleted) == State.REJECTED
    assert review_events(sessions, untouched) == []  # no false alarm
    assert state_of(sessions, untouched) == State.PUBLISHED

    # Publishing the edited post is recorded as edited before publishing; nothing twice.
    with wp.client() as client:
        client.post(f"/wp/v2/posts/{edited_post}", json={"status": "publish"}).raise_for_status()
    sync_decisions(sessions, settings, wp.password)
    sync_decisions(sessions, settings, wp.password)
    outcomes = review_events(sessions, edited)
    assert [o for o, _ in outcomes] == ["edited", "published_edited"]
    assert outcomes[1][1].endswith("modifié par une personne avant publication")
    assert len(review_events(sessions, as_is)) == 1
    assert len(review_events(sessions, deleted)) == 1


@pytest.mark.parametrize("api", APIS)
def test_a_post_the_bot_may_not_edit_any_more_is_still_seen_published(
    api, wp, bot_user, sessions
):
    """The review-first setup: the bot (role depeche_bot) posts `pending`, an editor
    publishes; the bot, which may not edit a published post, still reads who and when."""
    login, password = bot_user
    settings = wp.settings(api=api, user=login, status="pending")
    publisher = WordPressPublisher(settings, password)
    sync_decisions(sessions, settings, password)
    uid, post_id = posted_story(sessions, publisher)
    assert wp.post(post_id)["status"] == "pending"
    with wp.client() as client:  # the editor's account
        client.post(f"/wp/v2/posts/{post_id}", json={"status": "publish"}).raise_for_status()

    [decision] = sync_decisions(sessions, settings, password)

    meta = wp.post(post_id)["meta"]
    assert meta["_depeche_published_by"] == wp.user != login
    [event] = review_rows(sessions, uid)
    assert event.outcome == "published" and decision.post_id == post_id
    assert event.detail.startswith(f"publié par {wp.user} le {meta['_depeche_published_at']}")
    # The history is dated when the editor published, not when the bot looked.
    published_at = datetime.fromisoformat(meta["_depeche_published_at"])
    assert event.at == published_at.astimezone(UTC)


def test_a_post_taken_out_of_the_trash_gives_its_story_back(wp, sessions):
    publisher = WordPressPublisher(wp.settings(), wp.password)
    sync_decisions(sessions, wp.settings(), wp.password)
    uid, post_id = posted_story(sessions, publisher)
    with wp.client() as client:
        client.delete(f"/wp/v2/posts/{post_id}").raise_for_status()
    sync_decisions(sessions, wp.settings(), wp.password)
    assert state_of(sessions, uid) == State.REJECTED
    with wp.client() as client:  # the editor changes their mind: back to the drafts
        client.post(f"/wp/v2/posts/{post_id}", json={"status": "draft"}).raise_for_status()

    sync_decisions(sessions, wp.settings(), wp.password)
    sync_decisions(sessions, wp.settings(), wp.password)

    assert state_of(sessions, uid) == State.PUBLISHED  # its post exists again
    with sessions() as session:
        story = session.scalars(select(Story).where(Story.uid == uid)).one()
        restored = [e for e in story.events if e.stage == "restore"]
        assert [e.detail.split(" (")[0] for e in restored] == ["sorti de la corbeille"]
    assert [o for o, _ in review_events(sessions, uid)] == ["rejected"]  # nothing twice


def test_the_box_shows_who_reviewed_and_published_the_post(wp, sessions):
    publisher = WordPressPublisher(wp.settings(), wp.password)
    _, post_id = posted_story(sessions, publisher)
    box = box_of(wp.admin_page(f"post.php?post={post_id}&action=edit"))
    assert "Relu par</strong> personne pour l’instant" in box
    assert "Publié par" not in box  # a draft: nobody published it
    with wp.client() as client:
        text = wp.post(post_id)["content"]["raw"].replace("lundi", "lundi soir")
        client.post(f"/wp/v2/posts/{post_id}", json={"content": text}).raise_for_status()
        client.post(f"/wp/v2/posts/{post_id}", json={"status": "publish"}).raise_for_status()
    meta = wp.post(post_id)["meta"]
    shown = datetime.fromisoformat(meta["_depeche_published_at"]).astimezone(PARIS)

    box = box_of(wp.admin_page(f"post.php?post={post_id}&action=edit"))

    assert f"Relu par</strong> {wp.user}" in box
    assert f"Publié par</strong> {wp.user} le {shown:%d/%m/%Y à %H:%M}" in box


def box_of(page: str) -> str:
    start = page.index('id="depeche-editor-note"')
    return page[start : page.index("</div>\n</div>", start)]
