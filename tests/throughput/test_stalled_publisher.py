"""A publisher stalled past its lease while a second worker takes its story (issue 10
§4): never a second post, in the outbox or on the real WordPress (REST).

Two real `run --once` workers on the real PostgreSQL. Worker A writes the story, looks
for its post (none yet) and freezes right before making it (failpoint
`before-post:stop`: SIGSTOP, its heartbeat frozen with it). Its lease is then run out
(the row's expiry moved to the past: the minutes a real stall would take). Worker B
takes the story and publishes it. A is woken and goes on with its post: the outbox
gives it the file B named, WordPress's mu-plugin refuses a second post for the story
(409) and A edits B's post instead; its commit finds B's result and drops its own."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.faults.harness import (
    BotProcess,
    frozen,
    good_answer,
    rss,
    wait_for,
    wire_stories,
)
from tests.faults.test_crash_wordpress import all_posts
from tests.servers.llm import ScriptedLLM
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress

pytestmark = pytest.mark.postgres


def rows(database: str) -> list[dict[str, Any]]:
    engine = create_engine(database)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT id, uid, state, post_id, post_url, lease_owner FROM stories ORDER BY id")
        )
        result = [dict(row._mapping) for row in found]
    engine.dispose()
    return result


def expire_leases(database: str) -> None:
    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE stories SET lease_until = now() - interval '1 second'"
                " WHERE lease_owner IS NOT NULL"
            )
        )
    engine.dispose()


def stall_then_take_over(bot: BotProcess, database: str) -> tuple[str, str]:
    """A freezes before its post; B publishes; A goes on. Returns (A's stderr, B's)."""
    stalled = bot.start("run", "--once", failpoint="before-post:stop")
    try:
        wait_for(lambda: frozen(stalled), 90, "worker A frozen right before its post")
        (story,) = rows(database)
        assert story["state"] == "written" and story["lease_owner"]  # A holds it
        expire_leases(database)
        taker = bot.run_once(timeout=90)
        assert taker.returncode == 0, taker.stderr
        assert rows(database)[0]["state"] == "published"
        stalled.send_signal(signal.SIGCONT)
        _, stalled_err = stalled.communicate(timeout=90)
    finally:
        if stalled.poll() is None:
            stalled.send_signal(signal.SIGCONT)
            stalled.kill()
            stalled.communicate()
    assert stalled.returncode == 0, stalled_err
    assert "dropping this worker's result" in stalled_err
    return stalled_err, taker.stderr


def test_a_stalled_publisher_makes_no_second_outbox_draft(
    make_config, llm: ScriptedLLM, web_server: WebServer, postgres_url: str, tmp_path: Path
):
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(1))))
    llm.default = good_answer
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 20},
        database={"url": postgres_url},
    )
    stall_then_take_over(BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"}), postgres_url)
    (story,) = rows(postgres_url)
    drafts = sorted(path.name for path in (tmp_path / "outbox").glob("*.json"))
    pages = sorted(path.name for path in (tmp_path / "outbox").glob("*.html"))
    assert drafts == [f"{story['post_id']}.json"] and pages == [f"{story['post_id']}.html"]
    assert story["state"] == "published" and story["lease_owner"] is None


@pytest.mark.wordpress
def test_a_stalled_publisher_makes_no_second_wordpress_post(
    make_config,
    llm: ScriptedLLM,
    web_server: WebServer,
    postgres_url: str,
    empty_site: LocalWordPress,
):
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(1))))
    llm.default = good_answer
    config = make_config(
        feeds=[{"url": feed, "category": "Société"}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 20},
        database={"url": postgres_url},
        publish={"target": "wordpress"},
        wordpress={
            "url": empty_site.url,
            "user": empty_site.user,
            "api": "rest",
            "seo_plugin": "yoast",
            "timeout": 20,
        },
    )
    env = {"OPENAI_API_KEY": "sk-test-throwaway", "DEPECHE_WP_APP_PASSWORD": empty_site.password}
    before = set(all_posts(empty_site))
    stalled_err, taker_err = stall_then_take_over(BotProcess(config, env), postgres_url)
    (story,) = rows(postgres_url)
    assert f"new post {story['post_id']}" in taker_err  # B made it: A froze before its own
    assert empty_site.posts_of_story(story["uid"]) == [int(story["post_id"])]
    assert set(all_posts(empty_site)) - before == {int(story["post_id"])}  # one post, in all
    assert "the site already holds post" in stalled_err  # the mu-plugin's 409, then an edit
