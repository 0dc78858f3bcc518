"""The publishing target down under the real daemon, then back (issue 15 §1): a real
`depeche daemon` publishes to the real WordPress through a proxy (tests/outages/
target_proxy.py) that answers 503, then refuses connections, then relays again;
another time it answers 429 with a Retry-After. The target's breaker opens (one
line), no story is charged an attempt, polling and writing go on, the calls made
while it is down are counted at the proxy, and once it is back every story is
posted within a minute: 0 twice, 0 lost.

    flock /tmp/depeche-wp.lock pytest tests/outages/test_target_outage.py
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from itertools import pairwise

import pytest

from tests.faults.conftest import empty_site, fresh_site, wordpress, wp  # noqa: F401  (fixtures)
from tests.faults.harness import BotProcess, good_answer, rss, wait_for, wire_stories
from tests.outages.daemon import stop, stored, transitions
from tests.outages.target_proxy import OutageProxy, Seen, outage_proxy
from tests.servers.llm import ScriptedLLM
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress

pytestmark = pytest.mark.wordpress

TARGET = "publishing target (wordpress)"


@pytest.fixture
def proxy(empty_site: LocalWordPress) -> Iterator[OutageProxy]:  # noqa: F811
    with outage_proxy(empty_site.url) as running:
        yield running


def start_daemon(
    make_config, llm: ScriptedLLM, feed: str, site: LocalWordPress, proxy: OutageProxy
) -> tuple[BotProcess, subprocess.Popen[str]]:
    llm.default = good_answer
    config = make_config(
        feeds=[{"url": feed, "every": "10s", "category": "Société"}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 20},
        publish={"target": "wordpress"},
        wordpress={"url": proxy.url, "user": site.user, "timeout": 5},
        scheduler={
            "write_every": 1,
            "publish_every": 1,
            "jitter": 0,
            "probe_seconds": 1,
            "probe_max_seconds": 4,
        },
    )
    env = {"OPENAI_API_KEY": "sk-test-throwaway", "DEPECHE_WP_APP_PASSWORD": site.password}
    bot = BotProcess(config, env)
    return bot, bot.start("daemon")


def states(bot: BotProcess) -> list[str]:
    return [story["state"] for story in bot.stories()]


def waiting_for_target(bot: BotProcess, count: int) -> bool:
    waiting = bot.status()["waiting"]
    return len(waiting) == count and all(TARGET in w["why"] for w in waiting)


def probes_since(proxy: OutageProxy, start: float) -> list[Seen]:
    """The publishing requests that reached the proxy since `start` (not the reading of
    the editors' decisions, /changed-posts)."""
    seen = proxy.requests_between(start, float("inf"))
    return [s for s in seen if "changed-posts" not in s.path]


def target_back(proxy: OutageProxy, bot: BotProcess, count: int) -> tuple[float, float]:
    """The proxy relays again: when the target came back, and how many seconds after it
    the `count` stories were all posted."""
    proxy.up()
    back = time.monotonic()
    wait_for(lambda: states(bot) == ["published"] * count, 60, "every story posted")
    return back, time.monotonic() - back


def assert_recovered(
    bot: BotProcess,
    daemon: subprocess.Popen[str],
    stderr: str,
    site: LocalWordPress,
    count: int,
    recovered_in: float,
) -> None:
    """A clean stop; every story posted once, within a minute of the target's return,
    none charged an attempt."""
    assert daemon.returncode == 0, stderr
    rows = bot.stories()
    assert [row["state"] for row in rows] == ["published"] * count  # 0 lost
    for row in rows:
        assert site.posts_of_story(row["uid"]) == [int(row["post_id"])]  # 0 twice
    assert all(row["attempts"] == 0 for row in rows), rows  # none charged an attempt
    assert recovered_in < 60, recovered_in


def test_target_down_then_back(make_config, llm, web_server: WebServer, empty_site, proxy):  # noqa: F811
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(2))))
    proxy.answer(503)
    bot, daemon = start_daemon(make_config, llm, feed, empty_site, proxy)
    try:
        wait_for(lambda: stored(bot) == 2, 60, "the first stories stored")
        wait_for(lambda: waiting_for_target(bot, 2), 90, "the target's breaker open")
        opened = time.monotonic()
        # The site's server goes away altogether; the feed grows meanwhile.
        proxy.refuse()
        web_server.route("/rss", Reply(body=rss(wire_stories(3))))
        wait_for(lambda: states(bot) == ["written"] * 3, 60, "polling and writing going on")
        wait_for(lambda: waiting_for_target(bot, 3), 30, "the new story waiting too")
        waiting = bot.status()["waiting"]
        proxy.answer(503)
        answering = time.monotonic()
        wait_for(lambda: probes_since(proxy, answering), 30, "a probe met by the 503 again")
        back, recovered_in = target_back(proxy, bot, 3)
    finally:
        stderr = stop(daemon)
    assert_recovered(bot, daemon, stderr, empty_site, 3, recovered_in)
    # Opening: 3 failed attempts of 4 tries each (the publisher's own retries), and the
    # other publisher's attempt in flight ([publish] concurrency 2), beside the start's
    # reading of the editors' decisions; then one request per probe (refused
    # connections are not seen by the proxy).
    opening = [s for s in proxy.seen if s.at < opened and "changed-posts" not in s.path]
    probes = proxy.requests_between(opened, back)
    print(f"503 until the breaker opened: {len(opening)} requests; then {len(probes)} "
          f"answered 503 over {back - opened:.0f} s down; back in {recovered_in:.1f} s")
    assert len(opening) <= (3 + 1) * 4, opening
    assert 1 <= len(probes) <= 6, probes  # probes at most every 1, 2, 4, 4 s: one request each
    assert all(TARGET in w["why"] and "next probe" in w["why"] for w in waiting), waiting
    assert transitions(stderr, TARGET) == (1, 1), stderr
    assert "Traceback" not in stderr
    # Quiet: the opening attempts' lines, the breaker's two; no line per probe.
    assert sum(" WARNING " in line for line in stderr.splitlines()) <= 3 + 2, stderr


def test_a_429_storm_at_the_target_is_waited_out(
    make_config, llm, web_server: WebServer, empty_site, proxy  # noqa: F811
):
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(2))))
    proxy.answer(429, retry_after="3")
    bot, daemon = start_daemon(make_config, llm, feed, empty_site, proxy)
    try:
        wait_for(lambda: stored(bot) == 2, 60, "the stories stored")
        wait_for(lambda: waiting_for_target(bot, 2), 90, "the target's breaker open")
        opened = time.monotonic()
        # Two requests more, each after its Retry-After: the gaps measured below.
        wait_for(lambda: len(probes_since(proxy, opened)) >= 2, 30, "two requests waited out")
        _, recovered_in = target_back(proxy, bot, 2)
    finally:
        stderr = stop(daemon)
    assert_recovered(bot, daemon, stderr, empty_site, 2, recovered_in)
    asked = [s.at for s in proxy.seen if s.mode == "429" and "changed-posts" not in s.path]
    # The publishers (two at once) sent their first requests together, before any 429
    # came back; from then on, the Retry-After between every two requests.
    together = [at for at in asked if at - asked[0] < 1]
    gaps = [b - a for a, b in pairwise([together[-1], *asked[len(together):]])]
    print(f"429 storm: {len(asked)} requests ({len(together)} at once first), "
          f"then gaps {[round(g, 1) for g in gaps]} s")
    assert gaps and min(gaps) >= 2.9, gaps
    assert transitions(stderr, TARGET) == (1, 1), stderr
    assert "Traceback" not in stderr
