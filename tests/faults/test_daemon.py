"""The daemon as systemd runs it: a cron run beside it steps aside at once, and
SIGTERM stops it within seconds with the story in hand given back (issue 5 §2, §3)."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from contextlib import closing

import pytest

from tests.faults.harness import BotProcess, rss, wait_for, wire_stories
from tests.servers.llm import ScriptedLLM, hang
from tests.servers.web import RecordedRequest, Reply, WebServer


@pytest.fixture
def bot_in_a_model_call(make_config, llm: ScriptedLLM, web_server: WebServer) -> BotProcess:
    """A daemon's bot with one story, whose model call never answers in time: the story
    stays in hand."""
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(1))))
    llm.default = lambda _request: hang(60)
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 120},
        scheduler={"write_every": 1, "publish_every": 1},
    )
    return BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"})


def test_sigterm_stops_the_daemon_and_frees_its_story(
    bot_in_a_model_call: BotProcess, llm: ScriptedLLM
):
    bot = bot_in_a_model_call
    with bot.running("daemon") as daemon:
        wait_for(lambda: len(llm.calls) == 1, 30, "the daemon's model call")
        (story,) = bot.stories()
        assert story["lease_owner"]  # in hand

        started = time.monotonic()
        cron = bot.run_once(timeout=30)
        assert cron.returncode == 0, cron.stderr
        assert "another Dépêche" in cron.stdout and "nothing to do" in cron.stdout
        assert time.monotonic() - started < 10  # at once: Python's start-up, no waiting

        daemon.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, stderr = daemon.communicate(timeout=10)
        assert time.monotonic() - started < 5
    assert daemon.returncode == 0, stderr
    assert "SIGTERM received: stopping" in stderr
    (story,) = bot.stories()
    assert story["state"] == "new" and story["lease_owner"] is None and story["lease_until"] is None
    assert len(llm.calls) == 1


def test_sigterm_does_not_wait_out_a_locked_database(
    bot_in_a_model_call: BotProcess, llm: ScriptedLLM
):
    """Another writer holds SQLite's write lock through the whole stop: the daemon gives
    up giving its story back after GIVE_BACK_SECONDS instead of waiting out the busy
    timeout (5 s) after its grace; the story's lease runs out on its own."""
    bot = bot_in_a_model_call
    with bot.running("daemon") as daemon:
        wait_for(lambda: len(llm.calls) == 1, 30, "the daemon's model call")
        database = bot.config.parent / "depeche.db"
        with closing(sqlite3.connect(database, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")  # held until the daemon is gone
            daemon.send_signal(signal.SIGTERM)
            _, stderr = daemon.communicate(timeout=10)
            other.execute("ROLLBACK")
    assert daemon.returncode == 0, stderr
    assert "the database is busy: this worker's stories are free again" in stderr
    (story,) = bot.stories()
    assert story["state"] == "new" and story["lease_owner"]  # until its lease runs out


def test_the_daemon_polls_through_the_bounded_pool(make_config, web_server: WebServer):
    """The daemon polls its due feeds through the pool `run --once` uses: never more than
    [fetch] concurrency requests at once (here 2, with per_host 2 on one host), every
    feed polled and stored, each feed's next poll chosen."""
    lock = threading.Lock()
    in_flight = [0, 0]  # now, peak
    served: list[str] = []

    def slow_feed(request: RecordedRequest) -> Reply:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight)
        time.sleep(0.3)
        with lock:
            in_flight[0] -= 1
            served.append(request.path)
        number = int(request.path.rsplit("/", 1)[1])
        return Reply(body=rss(wire_stories(1, f"ville{number}", first=number)))

    feeds = [web_server.route(f"/ville/{n}", slow_feed) for n in range(6)]
    config = make_config(
        feeds=[{"url": url} for url in feeds],
        fetch={"concurrency": 2, "per_host": 2},
        scheduler={"write_every": 3600, "publish_every": 3600},
    )
    bot = BotProcess(config, {})
    with bot.running("daemon") as daemon:
        wait_for(lambda: len(served) == 6, 30, "every feed fetched")
        wait_for(lambda: all(f["next_poll"] for f in bot.status()["feeds"]), 10, "every poll")
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=10)
    assert daemon.returncode == 0, stderr
    assert in_flight[1] == 2  # the pool's bound, reached and never passed
    status = bot.status()
    assert len(status["feeds"]) == 6 and all(feed["errors"] == 0 for feed in status["feeds"])
    # One event told by six feeds: one story, the other feeds' items joined it as sources.
    assert len(bot.stories()) == 1
