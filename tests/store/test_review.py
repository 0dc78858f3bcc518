"""The editors' decisions per feed (bot.store.review.per_feed), on SQLite and PostgreSQL,
and as `depeche status` and `depeche feeds list` show them."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.common import cli
from bot.store import Event, Feed, State, Story, review, transition
from tests.conftest import migrated_sessions

WIRE = "https://wire.example/rss"
OTHER = "https://autre.example/atom"
QUIET = "https://calme.example/rss"


def posted(session, feed: Feed, uid: str) -> Story:
    """A story of this feed whose post the bot made (as bot.pipeline.stages records it)."""
    story = Story(uid=uid, guid=uid, feed_id=feed.id, title=uid, state=State.WRITTEN)
    session.add(story)
    session.commit()
    transition(session, story, State.PUBLISHED, stage="publish", detail=f"https://site/?p={uid}")
    return story


def posted_at(session, story: Story):
    return session.scalars(
        select(Event.at).where(Event.story_id == story.id, Event.stage == "publish")
    ).one()


def decide(session, story: Story, outcome: str, after: timedelta) -> None:
    at = posted_at(session, story) + after
    assert review.record_decision(session, story.uid, outcome, f"{outcome} {after}", at=at)


def fill(sessions) -> None:
    """The wire: five posts (one published as is after 10 min, one edited then published
    after 30 min, one published as is after 2 h, one trashed, one untouched) and a story
    never posted; the other feed: one untouched post; the quiet feed: nothing posted."""
    with sessions() as session:
        wire, other, quiet = Feed(url=WIRE), Feed(url=OTHER), Feed(url=QUIET)
        session.add_all([wire, other, quiet])
        session.commit()
        as_is, edited, late, trashed, _ = (posted(session, wire, f"w{i}") for i in range(5))
        session.add(Story(uid="new", guid="new", feed_id=wire.id, state=State.NEW))
        session.add(Story(uid="q", guid="q", feed_id=quiet.id, state=State.HELD))
        posted(session, other, "o1")
        decide(session, as_is, review.PUBLISHED, timedelta(minutes=10))
        decide(session, edited, review.EDITED, timedelta(minutes=5))
        decide(session, edited, review.PUBLISHED_EDITED, timedelta(minutes=30))
        decide(session, late, review.PUBLISHED, timedelta(hours=2))
        decide(session, trashed, review.REJECTED, timedelta(hours=1))


def test_decisions_per_feed(sessions):
    fill(sessions)
    with sessions() as session:
        found = review.per_feed(session)
        trashed = session.scalars(select(Story).where(Story.uid == "w3")).one()
        assert trashed.state == State.REJECTED

    assert found[WIRE] == review.FeedDecisions(
        drafts=5, published=3, edited=1, rejected=1, median_to_publish=30 * 60
    )
    assert found[OTHER] == review.FeedDecisions(drafts=1)
    assert QUIET not in found  # nothing posted: nothing to count


def test_status_and_feeds_list_show_the_decisions(make_config, sqlite_url):
    config = make_config(
        feeds=[{"url": WIRE, "name": "Le Fil"}, {"url": QUIET}],
        publish={"target": "wordpress"},
        wordpress={"url": "https://www.example.fr", "user": "depeche"},
    )
    with migrated_sessions(sqlite_url) as sessions:  # the database the config names
        fill(sessions)

    shown = CliRunner().invoke(cli, ["--config", str(config), "status", "--json"])
    assert shown.exit_code == 0, shown.output
    rows = {row["url"]: row for row in json.loads(shown.output)["feeds"]}
    assert {k: rows[WIRE][k] for k in ("drafts", "published", "edited", "rejected")} == {
        "drafts": 5, "published": 3, "edited": 1, "rejected": 1
    }
    assert rows[WIRE]["median_to_publish"] == 1800
    assert rows[QUIET]["drafts"] == 0 and rows[QUIET]["median_to_publish"] is None

    for command in (["status"], ["feeds", "list"]):
        table = CliRunner().invoke(cli, ["--config", str(config), *command], env={"COLUMNS": "120"})
        assert table.exit_code == 0, table.output
        decisions = table.output[table.output.index("Editors' decisions") :]
        row = next(line for line in decisions.splitlines() if "Le Fil" in line)
        assert [cell.strip() for cell in row.split("│")[2:7]] == ["5", "3", "1", "1", "30 min"]
        assert "calme.example" not in decisions  # nothing posted from it: no row

    outbox = make_config(feeds=[{"url": WIRE, "name": "Le Fil"}])  # the same database
    table = CliRunner().invoke(cli, ["--config", str(outbox), "status"], env={"COLUMNS": "120"})
    assert table.exit_code == 0 and "Editors' decisions" not in table.output
