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
# The timeline follows the daemon, whatever its start-up takes on a loaded machine: the
# feed (polled every 10 s, the shortest allowed) grows from the start; the model fails for
# a while from its first call; the database stops once a first story is published (the
# model is back), and the daemon is watched a few seconds more once it is started again.
GROWS_EVERY = 2.0  # seconds: two more stories each time, up to ten
MODEL_DOWN = 8.0  # seconds from the model's first call
DATABASE_DOWN = 7.0  # seconds
WATCHED_AFTER = 5.0  # seconds after the database is back
ROWS = "SELECT id, state, post_id FROM stories ORDER BY id"


@pytest.mark.slow
def test_soak_growing_feed_model_and_database_outages(
    make_config,
    llm: ScriptedLLM,
    web_server: WebServer,
    pg_cluster: Cluster,
):
    started = time.monotonic()
    first_call: list[float] = []

    def model(_request: dict[str, Any]) -> Step:
        first_call[:] = first_call or [time.monotonic()]
        if time.monotonic() - first_call[0] < MODEL_DOWN:
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
        stopped = back = None  # when the database was stopped, and started again
        while back is None or time.monotonic() - back < WATCHED_AFTER:
            now = time.monotonic()
            assert now - started < 180, "no story published, or the database never back"
            count = min(STORIES, 2 + 2 * int((now - started) // GROWS_EVERY))
            web_server.route("/rss", Reply(body=rss(wire_stories(count))))
            if stopped is None:
                if any(row["state"] == "published" for row in pg_cluster.rows(ROWS)):
                    pg_cluster.stop()
                    stopped = time.monotonic()
            elif back is None and now - stopped >= DATABASE_DOWN:
                pg_cluster.start()
                back = time.monotonic()
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
