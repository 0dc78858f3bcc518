"""SIGKILL around the WordPress call, on the real WordPress: never a second post.

Two boundaries: DURING the call (a reverse proxy lets WordPress create the
post, then holds its answer while the bot waits, and the bot is killed) and
AFTER WordPress accepted but before the database recorded it (failpoint
`published-unrecorded`). The restarted bot (a clean run in this process,
as in test_crash.py) looks the post up by the story's uid and edits it: one post per
story, counted through the REST API.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.faults.harness import BotProcess, good_answer, kill, rss, wait_for, wire_stories
from tests.faults.proxy import (
    HoldingProxy,
    creates_rest_post,
    creates_xmlrpc_post,
    holding_proxy,
)
from tests.servers.llm import ScriptedLLM
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress

pytestmark = pytest.mark.wordpress

STORIES = 2
CREATES = {"rest": creates_rest_post, "xmlrpc": creates_xmlrpc_post}


@pytest.fixture
def site(empty_site: LocalWordPress) -> LocalWordPress:
    return empty_site  # (named for brevity in the tests below)


@pytest.fixture
def proxy(site: LocalWordPress) -> Iterator[HoldingProxy]:
    with holding_proxy(site.url) as running:
        yield running


def make_bot(
    make_config, llm: ScriptedLLM, web_server: WebServer, site: LocalWordPress, url: str, api: str
) -> BotProcess:
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(STORIES))))
    llm.default = good_answer
    # One story at a time in each stage, so a failpoint is crossed by exactly one story
    # (with [publish] concurrency 2, both posts would be on their way when it fires).
    config = make_config(
        feeds=[{"url": feed, "category": "Société"}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 20, "concurrency": 1},
        publish={"target": "wordpress", "concurrency": 1},
        wordpress={"url": url, "user": site.user, "api": api, "seo_plugin": "yoast", "timeout": 20},
    )
    env = {"OPENAI_API_KEY": "sk-test-throwaway", "DEPECHE_WP_APP_PASSWORD": site.password}
    return BotProcess(config, env)


def all_posts(site: LocalWordPress) -> list[int]:
    posts = site.get(
        "/wp/v2/posts",
        status="draft,pending,publish,future,private",
        context="edit",
        per_page=100,
        _fields="id",
    )
    return [post["id"] for post in posts]


def assert_one_post_per_story(bot: BotProcess, site: LocalWordPress) -> None:
    rows = bot.stories()
    assert sorted(row["guid"] for row in rows) == [s.guid for s in wire_stories(STORIES)]
    assert [row["state"] for row in rows] == ["published"] * STORIES
    for row in rows:
        assert site.posts_of_story(row["uid"]) == [int(row["post_id"])]
    assert sorted(all_posts(site)) == sorted(int(row["post_id"]) for row in rows)
    assert bot.status()["states"]["published"] == STORIES


@pytest.mark.parametrize("api", ["rest", "xmlrpc"])
def test_killed_after_wordpress_accepted(make_config, llm, web_server, site, api):
    bot = make_bot(make_config, llm, web_server, site, site.url, api)
    crashed = bot.run_once(failpoint="published-unrecorded")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    posts = {row["id"]: len(site.posts_of_story(row["uid"])) for row in bot.stories()}
    # WordPress has the first story written (the freshest): the bot died before writing
    # that down. It was posted as soon as it was written: the other story may still
    # have been with the model.
    assert sorted(posts.values()) == [0, 1]
    states = {row["id"]: row["state"] for row in bot.stories()}
    (posted,) = [story for story, count in posts.items() if count]
    assert states.pop(posted) == "written"  # the database knows of no post
    (other,) = states.values()
    assert other in ("new", "written")
    again = bot.run_here("run", "--once")
    assert again.returncode == 0, again.stderr
    assert "edited post" in again.stderr
    assert_one_post_per_story(bot, site)


@pytest.mark.parametrize("api", ["rest", "xmlrpc"])
def test_killed_while_waiting_for_wordpress(make_config, llm, web_server, site, proxy, api):
    bot = make_bot(make_config, llm, web_server, site, proxy.url, api)
    proxy.hold_when = CREATES[api]
    process = bot.start("run", "--once")
    wait_for(proxy.held.is_set, 60, "WordPress's answer to the post creation")
    kill(process)
    assert len(all_posts(site)) == 1  # committed on the site, answer never delivered
    proxy.release()
    again = bot.run_here("run", "--once")
    assert again.returncode == 0, again.stderr
    assert_one_post_per_story(bot, site)
