"""The model server down for a while, then back, under the real daemon (issue 15 §1, §4):
no story is failed or charged an attempt, the calls made during the outage are the
breaker's opening ones and a handful of probes, the log says it once each way, and the
waiting stories are written as soon as the model is back."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.faults.harness import BotProcess, good_answer, rss, wait_for, wire_stories
from tests.outages.daemon import stop, stored, transitions
from tests.servers.llm import ScriptedLLM, Step, error
from tests.servers.web import Reply, WebServer

# Long enough for the probes' backoff to show (1, 2, 4 s), without waiting out more of it.
OUTAGE_SECONDS = 6


def test_a_model_outage_costs_a_few_probes_and_no_attempt(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    down = threading.Event()
    down.set()
    calls_during_outage: list[float] = []

    def model(_request: dict[str, Any]) -> Step:
        if down.is_set():
            calls_during_outage.append(time.monotonic())
            return error(500)
        return good_answer()

    llm.default = model
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(4))))
    config = make_config(
        feeds=[{"url": feed, "every": "10m"}],
        llm={"base_url": llm.base_url, "attempts": 4},
        scheduler={
            "write_every": 1,
            "publish_every": 1,
            "outage_failures": 3,
            "probe_seconds": 1,
            "probe_max_seconds": 4,
        },
    )
    bot = BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"})
    daemon = bot.start("daemon")
    try:
        wait_for(lambda: stored(bot) == 4, 60, "the four stories stored")
        time.sleep(OUTAGE_SECONDS)
        status = bot.status()
        down.clear()
        back = time.monotonic()
        wait_for(
            lambda: all(s["state"] == "published" for s in bot.stories()),
            60,
            "every story published after the model came back",
        )
        recovered_in = time.monotonic() - back
    finally:
        stderr = stop(daemon)

    stories = bot.stories()
    assert all(s["attempts"] == 0 for s in stories), stories
    # 3 calls open the breaker; then one probe at 1, 2, 4… s: about 3 in 6 s.
    assert 3 <= len(calls_during_outage) <= 3 + 6, len(calls_during_outage)
    # The next probe (≤ 4 s) closes it and all four go at once; the rest is the writing
    # itself (the first answer's gate loads its models: 20 s on a loaded 2-core machine).
    assert recovered_in < 60
    # Each story waits for the model, or is the one a probe holds at that moment.
    held = {h["id"] for h in status["in_flight"]}
    assert {w["id"] for w in status["waiting"]} | held == {s["id"] for s in stories}
    assert all("model server unavailable since" in w["why"] for w in status["waiting"])
    lines = stderr.splitlines()
    assert transitions(stderr, "model server") == (1, 1), stderr
    assert not any("maximum number of running instances" in line for line in lines)
    assert "Traceback" not in stderr
    # Bounded: the outage is a few lines, not one per call or per story.
    assert sum("WARNING" in line or "ERROR" in line for line in lines) < 20, stderr
