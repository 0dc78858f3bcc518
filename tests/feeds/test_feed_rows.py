"""A feed's [[feeds]] settings live on its row (issue 8 §4): each sync writes them, and
polling reads the row alone: its interval, category, name, timeout and language."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from bot.app import open_app
from bot.config import load
from bot.pipeline.polling import FeedPoller
from bot.store import Feed, Story, upgrade
from tests.conftest import database_at, write_config
from tests.servers.web import Reply, WebServer

FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Mairie</title>'
    "<item><guid>{guid}</guid><title>Le marché couvert rouvre {when}</title>"
    "<description>Après huit mois de travaux, le marché couvert de la place Carnot rouvre "
    "ses portes {when} avec vingt-deux commerçants et une halle agrandie.</description>"
    "</item></channel></rss>"
)


def poller_for(tmp_path: Path, feeds: list[dict]) -> tuple[FeedPoller, object]:
    config = load(write_config(tmp_path, feeds=feeds), environ={})
    app = open_app(config)
    return FeedPoller(config, app.sessions), app


def test_sync_writes_the_settings_on_the_row_and_polling_reads_them(
    tmp_path: Path, web_server: WebServer
):
    first = web_server.route("/marche", Reply(body=FEED.format(guid="m-1", when="samedi")))
    other = web_server.route("/autre", Reply(body=FEED.format(guid="m-2", when="dimanche")))
    settings = {"url": first, "every": "30m", "category": "Commerce", "name": "La mairie",
                "timeout": 12, "language": "fr", "min_words": 5, "priority": 2}
    poller, app = poller_for(tmp_path, [settings, {"url": other}])
    try:
        poller.sync()
        with app.sessions() as session:
            row = session.scalars(select(Feed).where(Feed.url == first)).one()
            assert (row.every, row.category, row.name, row.timeout, row.language) == (
                1800, "Commerce", "La mairie", 12, "fr"
            )
            assert row.selection["min_words"] == 5 and row.selection["priority"] == 2
        (due, _) = poller.due(all_feeds=True)
        assert due.url == first and due.category == "Commerce"
        poller.poll_all([due])
        with app.sessions() as session:
            story = session.scalars(select(Story)).one()
            assert story.category == "Commerce"  # from the row
            row = session.scalars(select(Feed).where(Feed.url == first)).one()
            assert row.title == "La mairie" and row.interval_seconds == 1800
    finally:
        app.close()

    # The other feed leaves the config: its row stays, without an interval, never due.
    poller, app = poller_for(tmp_path, [{**settings, "category": "Vie locale"}])
    try:
        poller.sync()
        assert [f.url for f in poller.due(all_feeds=True)] == [first]
        with app.sessions() as session:
            left = session.scalars(select(Feed).where(Feed.url == other)).one()
            assert left.every is None
            assert session.scalars(select(Feed.category).where(Feed.url == first)).one() == (
                "Vie locale"
            )
    finally:
        app.close()


def test_a_database_from_before_the_feed_settings_keeps_its_feeds(tmp_path: Path):
    """Up to 0009 a feed row had no settings: it keeps its state, and waits for the sync."""
    engine = database_at(tmp_path, "0009_lease_since")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO feeds (url, title, error_count, etag) VALUES ('f', 'T', 0, 'e1')")
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT etag, every, category, name FROM feeds")).one()
    assert tuple(row) == ("e1", None, "", "")
    engine.dispose()
