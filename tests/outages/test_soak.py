"""The soak test in CI size (issue 15 §7): the daemon for about half a minute against a
feed that grows, the model failing then recovering, and its PostgreSQL (a throwaway
cluster on its own port) stopped and started again. 0 lost, 0 twice, the breakers'
lines once each way, a bounded log and a flat memory. (bench/soak.py is the long run.)"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.faults.harness import BotProcess, good_answer, rss, wait_for, wire_stories
from tests.outages.daemon import process_figures, stop, transitions
from tests.outages.pgcluster import Cluster
from tests.servers.llm import ScriptedLLM, Step, error
from tests.servers.web import Reply, WebServer

STORIES = 10  # the harness writes ten distinct stories
# The timeline, in seconds after start: the feed (polled every 10 s, the shortest allowed)
# shows 2 stories at its first poll and all ten at its second; the model fails through the
# first poll's writing; the database stops once the model is back and writing has begun.
GROWS_EVERY = 2.0  # two more stories each time, up to ten
MODEL_DOWN_UNTIL = 8.0
DATABASE_DOWN = (20.0, 27.0)
ROWS = "SELECT id, state, post_id FROM stories ORDER BY id"


@pytest.mark.slow
def test_soak_growing_feed_model_and_database_outages(
    make_config,
    llm: ScriptedLLM,
    web_server: WebServer,
    pg_cluster: Cluster,
):
    started = time.monotonic()

    def model(_request: dict[str, Any]) -> Step:
        if time.monotonic() - started < MODEL_DOWN_UNTIL:
            return error(500)
        return good_answer()

    llm.default = model
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(2))))
    config = make_config(
        feeds=[{"url": feed, "every": "10s"}],
        database={"url": pg_cluster.url},
        llm={"base_url": llm.base_url, "attempts": 2, "timeout": 30},
        scheduler={
            "write_every": 2,
            "publish_every": 2,
            "probe_seconds": 2,
            "probe_max_seconds": 8,
            "jitter": 0,
        },
    )
    bot = BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"})
    daemon = bot.start("daemon")
    memory: list[int] = []
    try:
        database_stopped = False
        while time.monotonic() - started < DATABASE_DOWN[1] + 5:
            elapsed = time.monotonic() - started
            count = min(STORIES, 2 + 2 * int(elapsed // GROWS_EVERY))
            web_server.route("/rss", Reply(body=rss(wire_stories(count))))
            if DATABASE_DOWN[0] <= elapsed < DATABASE_DOWN[1] and not database_stopped:
                pg_cluster.stop()
                database_stopped = True
            elif elapsed >= DATABASE_DOWN[1] and database_stopped:
                pg_cluster.start()
                database_stopped = False
            time.sleep(0.5)
        # Warmed up once a story is published (its gate loaded the language models):
        # the memory is sampled from then on, through the last stories.
        wait_for(lambda: any(r["state"] == "published" for r in pg_cluster.rows(ROWS)), 90,
                 "a first story published")
        deadline = time.monotonic() + 90
        idle = 0  # seconds sampled once every story is published
        while idle < 5 and time.monotonic() < deadline:
            memory.append(process_figures(daemon.pid)[0])
            states = [row["state"] for row in pg_cluster.rows(ROWS)]
            idle += states == ["published"] * STORIES
            time.sleep(1)
    finally:
        stderr = stop(daemon)

    rows = pg_cluster.rows(ROWS)
    assert len(rows) == STORIES  # 0 lost
    assert len({row["post_id"] for row in rows}) == STORIES  # 0 twice
    assert len(list((config.parent / "outbox").glob("*.json"))) == STORIES
    lines = stderr.splitlines()
    for breaker in ("model server", "database"):
        assert transitions(stderr, breaker) == (1, 1), stderr
    assert "Traceback" not in stderr and "maximum number of running instances" not in stderr
    # Bounded: about 3 lines a story, a few per outage; not one per failed call or poll.
    assert len(lines) < 3 * STORIES + 40, stderr
    # Flat once warmed up (the first written story loads the gate's models, ~280 MB):
    # through the last stories and idling, within 30 MB.
    assert max(memory) - min(memory) < 30 * 1024, memory
