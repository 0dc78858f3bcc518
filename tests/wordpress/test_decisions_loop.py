"""The editors' loop through the real commands on the real WordPress: a trashed draft
makes its story rejected and nothing that comes later posts it again; the daemon reads a
publish done in WordPress at its `[wordpress] sync_every`."""

from __future__ import annotations

import json
import signal
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from tests.cluster.test_run import AT_ONCE, serve, show, told
from tests.faults.harness import BotProcess, wait_for
from tests.pipeline.test_run_once import invoke
from tests.servers.web import WebServer
from tests.wordpress.conftest import LocalWordPress

pytestmark = pytest.mark.wordpress

EVERY_STATUS = "publish,future,draft,pending,private,trash"


def wordpress_config(make_config, wp: LocalWordPress, feeds: list[str], **wordpress) -> Path:
    """The offline writer (no model), drafts to the test WordPress, clusters at once, the
    feeds' text as it is."""
    return make_config(
        feeds=[{"url": url} for url in feeds],
        **AT_ONCE,
        publish={"target": "wordpress"},
        wordpress={"url": wp.url, "user": wp.user, **wordpress},
    )


def run_once(config: Path):
    result = invoke(config, "run", "--once", "--all-feeds")
    assert result.exit_code == 0, result.output
    return result


def site_posts(wp: LocalWordPress) -> list[int]:
    posts = wp.get("/wp/v2/posts", status=EVERY_STATUS, context="edit", per_page=100, _fields="id")
    return sorted(post["id"] for post in posts)


def test_a_trashed_draft_rejects_its_story_and_later_sources_post_nothing(
    wp: LocalWordPress, make_config, web_server: WebServer, monkeypatch
):
    monkeypatch.setenv("DEPECHE_WP_APP_PASSWORD", wp.password)
    alpha = serve(web_server, "alpha", ("a-japon", told("seisme-japon", 0)))
    beta = serve(web_server, "beta")  # nothing yet
    config = wordpress_config(make_config, wp, [alpha, beta])
    run_once(config)
    story = show(config, 1)
    post_id = int(story["post_id"])
    assert story["state"] == "published" and wp.post(post_id)["status"] == "draft"
    with wp.client() as client:  # the editor throws the draft away
        client.delete(f"/wp/v2/posts/{post_id}").raise_for_status()
    posts_before = site_posts(wp)

    # Then the wire updates its item under the same GUID, and another agency tells the
    # same earthquake in its own words: both are sources of the rejected story.
    update = told("seisme-japon", 0)
    update = replace(update, text=update.text + "\n\nMISE À JOUR : le bilan reste provisoire.")
    serve(web_server, "alpha", ("a-japon", update))
    serve(web_server, "beta", ("b-japon", told("seisme-japon", 1)))
    run_once(config)
    run_once(config)  # and once more: nothing waits to be posted later

    story = show(config, 1)
    assert story["state"] == "rejected"
    assert sorted(s["guid"] for s in story["sources"]) == ["a-japon", "b-japon"]
    states = json.loads(invoke(config, "status", "--json").output)["states"]
    assert states["rejected"] == 1
    assert states["new"] == states["written"] == states["published"] == 0
    assert site_posts(wp) == posts_before  # no new post, the trashed one left in the trash
    assert wp.post(post_id)["status"] == "trash"
    assert wp.posts_of_story(story["uid"]) == [post_id]
    feeds = {row["url"]: row for row in json.loads(invoke(config, "status", "--json").output)["feeds"]}
    assert (feeds[alpha]["drafts"], feeds[alpha]["rejected"], feeds[alpha]["published"]) == (1, 1, 0)


def test_the_daemon_reads_a_publish_back_at_its_sync_every(
    wp: LocalWordPress, make_config, web_server: WebServer
):
    feed = serve(web_server, "alpha", ("a-japon", told("seisme-japon", 0)))
    config = wordpress_config(make_config, wp, [feed], sync_every="10s")
    bot = BotProcess(config, {"DEPECHE_WP_APP_PASSWORD": wp.password})
    assert bot.run("db", "upgrade").returncode == 0  # its tables, before looking at them
    with bot.running("daemon") as daemon:
        wait_for(lambda: any(s["post_id"] for s in bot.stories()), 60, "the daemon's draft")
        [story] = bot.stories()
        with wp.client() as client:  # an editor publishes it while the daemon runs
            post = f"/wp/v2/posts/{story['post_id']}"
            client.post(post, json={"status": "publish"}).raise_for_status()
        wait_for(lambda: review_events(config), 30, "the publish read back")
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=20)
    assert daemon.returncode == 0, stderr
    published_at = wp.post(story["post_id"])["meta"]["_depeche_published_at"]
    [(outcome, detail)] = review_events(config)
    assert outcome == "published"
    assert detail == f"publié par {wp.user} le {published_at} ; publié sans modification"


def review_events(config: Path) -> list[tuple[str, str]]:
    database = config.parent / "depeche.db"
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return connection.execute(
            "SELECT outcome, detail FROM events WHERE stage = 'review' ORDER BY id"
        ).fetchall()
