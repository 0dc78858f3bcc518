"""PostgreSQL stopped under the daemon while a story is being written, then started
again (issue 15 §2, §7): the model's answer, received while the database was down, is
kept in the spool and used (one model call, not two); the story is not left locked by
the living daemon; it is published once; the log says the outage once each way."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from sqlalchemy import create_engine, text

from tests.faults.harness import BotProcess, good_answer, rss, wait_for, wire_stories
from tests.outages.pgcluster import Cluster, pg_cluster  # noqa: F401  (fixture)
from tests.servers.llm import ScriptedLLM, Step
from tests.servers.web import Reply, WebServer


def rows(url: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(
                text("SELECT id, state, attempts, lease_owner FROM stories ORDER BY id")
            )
            return [dict(row._mapping) for row in result]
    except Exception:
        return []
    finally:
        engine.dispose()


def test_database_stopped_mid_story_then_back(
    make_config,
    llm: ScriptedLLM,
    web_server: WebServer,
    pg_cluster: Cluster,  # noqa: F811
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
            lambda: [r["state"] for r in rows(pg_cluster.url)] == ["published"],
            60,
            "the story published once the database is back",
        )
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=20)

    (story,) = rows(pg_cluster.url)
    assert story["attempts"] == 0 and story["lease_owner"] is None
    assert len(llm.calls) == 1, "the kept answer was used, not a second call"
    assert not list(spool.glob("answer-*.json"))
    lines = stderr.splitlines()
    assert sum("database unavailable since" in line for line in lines) == 1, stderr
    assert sum("database available again" in line for line in lines) == 1, stderr
    assert "Traceback" not in stderr, stderr
    assert len(lines) < 40, stderr
    outbox = list((config.parent / "outbox").glob("*.json"))
    assert len(outbox) == 1
