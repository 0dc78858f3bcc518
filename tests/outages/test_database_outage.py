"""PostgreSQL stopped under the daemon while a story is being written, then started
again (issue 15 §2, §7): the model's answer, received while the database was down, is
kept in the spool and used (one model call, not two); the story is not left locked by
the living daemon; it is published once; the log says the outage once each way."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.faults.harness import BotProcess, good_answer, rss, wait_for, wire_stories
from tests.outages.daemon import stop, transitions
from tests.outages.pgcluster import Cluster
from tests.servers.llm import ScriptedLLM, Step
from tests.servers.web import Reply, WebServer

STORIES = "SELECT id, state, attempts, lease_owner FROM stories ORDER BY id"


def test_database_stopped_mid_story_then_back(
    make_config,
    llm: ScriptedLLM,
    web_server: WebServer,
    pg_cluster: Cluster,
):
    answering = threading.Event()

    def model(_request: dict[str, Any]) -> Step:
        answering.set()
        step = good_answer()
        step.delay = 4  # the database is stopped while the model writes
        return step

    llm.default = model
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(1))))
    config = make_config(
        feeds=[{"url": feed, "every": "10m"}],
        database={"url": pg_cluster.url},
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 30},
        scheduler={
            "write_every": 1,
            "publish_every": 1,
            "probe_seconds": 1,
            "probe_max_seconds": 2,
        },
    )
    bot = BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"})
    daemon = bot.start("daemon")
    try:
        wait_for(answering.is_set, 60, "the model call")
        pg_cluster.stop()
        spool = config.parent / "data" / "spool"
        wait_for(lambda: any(spool.glob("answer-*.json")), 30, "the answer kept in the spool")
        time.sleep(3)  # the daemon's jobs meet the dead database a few times
        pg_cluster.start()
        wait_for(
            lambda: [r["state"] for r in pg_cluster.rows(STORIES)] == ["published"],
            60,
            "the story published once the database is back",
        )
    finally:
        stderr = stop(daemon)

    (story,) = pg_cluster.rows(STORIES)
    assert story["attempts"] == 0 and story["lease_owner"] is None
    assert len(llm.calls) == 1, "the kept answer was used, not a second call"
    assert not list(spool.glob("answer-*.json"))
    assert transitions(stderr, "database") == (1, 1), stderr
    assert "Traceback" not in stderr, stderr
    assert len(stderr.splitlines()) < 40, stderr
    outbox = list((config.parent / "outbox").glob("*.json"))
    assert len(outbox) == 1
