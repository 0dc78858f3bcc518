"""The daemon's writing job in its pool publishes each draft as soon as it is written,
not at the end of its batch (issue 10 §6)."""

from __future__ import annotations

import signal
import sqlite3
from contextlib import closing

from tests.faults.harness import GOOD_DRAFT, BotProcess, rss, wait_for, wire_stories
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer


def test_a_draft_is_published_while_its_batch_still_writes(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(4))))
    # Two quick answers, then two slow ones: the same batch, two writers.
    llm.script(*(answer(GOOD_DRAFT, delay=0.3) for _ in range(2)))
    llm.default = lambda _request: answer(GOOD_DRAFT, delay=6)
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 30, "concurrency": 2},
        scheduler={"write_every": 60, "publish_every": 60},  # no tick would publish in time
    )
    bot = BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"})
    daemon = bot.start("daemon")
    try:
        wait_for(lambda: llm.calls, 60, "the first model call")
        wait_for(
            lambda: [s["state"] for s in bot.stories()].count("published") == 4,
            90,
            "four stories published",
        )
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=15)
    with closing(sqlite3.connect(config.parent / "depeche.db")) as connection:
        events = connection.execute(
            "SELECT outcome, at FROM events WHERE outcome IN ('written', 'published') ORDER BY at"
        ).fetchall()
    # The two quick drafts were published while the two slow ones were still being written.
    assert [outcome for outcome, _ in events][:4].count("published") == 2, events
