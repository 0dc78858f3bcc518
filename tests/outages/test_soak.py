"""The soak test in CI size (issue 15 §7): the daemon for about two minutes against a
feed that grows, the model failing then recovering, and its PostgreSQL (a throwaway
cluster on its own port) stopped and started again. 0 lost, 0 twice, the breakers'
lines once each way, a bounded log and a flat memory."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.faults.harness import BotProcess, good_answer, rss, wait_for, wire_stories
from tests.outages.pgcluster import Cluster, pg_cluster  # noqa: F401  (fixture)
from tests.servers.llm import ScriptedLLM, Step, error
from tests.servers.web import Reply, WebServer

STORIES = 10  # the harness writes ten distinct stories
MODEL_DOWN_UNTIL = 25.0  # seconds after start
DATABASE_DOWN = (45.0, 60.0)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def published(url: str) -> list[tuple[int, str, str | None]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(text("SELECT id, state, post_id FROM stories ORDER BY id"))
            return [tuple(row) for row in result]
    except Exception:  # the database is down right now
        return []
    finally:
        engine.dispose()


@pytest.mark.slow
def test_soak_growing_feed_model_and_database_outages(
    make_config,
    llm: ScriptedLLM,
    web_server: WebServer,
    pg_cluster: Cluster,  # noqa: F811
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
        while time.monotonic() - started < 100:
            elapsed = time.monotonic() - started
            # The feed grows: two more stories every 10 s, up to ten.
            count = min(STORIES, 2 + 2 * int(elapsed // 10))
            web_server.route("/rss", Reply(body=rss(wire_stories(count))))
            if DATABASE_DOWN[0] <= elapsed < DATABASE_DOWN[1] and not database_stopped:
                pg_cluster.stop()
                database_stopped = True
            elif elapsed >= DATABASE_DOWN[1] and database_stopped:
                pg_cluster.start()
                database_stopped = False
            if elapsed > 65:  # warmed up: the gate's language models are loaded by then
                memory.append(rss_kb(daemon.pid))
            time.sleep(1)
        wait_for(
            lambda: [row[1] for row in published(pg_cluster.url)] == ["published"] * STORIES,
            90,
            "every story published",
        )
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=20)

    rows = published(pg_cluster.url)
    assert len(rows) == STORIES  # 0 lost
    assert len({post for _, _, post in rows}) == STORIES  # 0 twice
    assert len(list((config.parent / "outbox").glob("*.json"))) == STORIES
    lines = stderr.splitlines()
    for breaker in ("model server", "database"):
        assert sum(f"{breaker} unavailable since" in line for line in lines) == 1, stderr
        assert sum(f"{breaker} available again" in line for line in lines) == 1, stderr
    assert "Traceback" not in stderr and "maximum number of running instances" not in stderr
    # Bounded: about 3 lines a story, a few per outage; not one per failed call or poll.
    assert len(lines) < 3 * STORIES + 40, stderr
    # Flat once warmed up (the first written story loads the gate's models, ~280 MB):
    # through the database outage's end and the last stories, within 30 MB.
    assert max(memory) - min(memory) < 30 * 1024, memory
