"""`[llm] requests_per_minute` through a real `depeche run --once` (issue 10 §2): four
stories written at once keep to the limit together, as bot.writer.ratelimit promises (a
token bucket holding a minute's worth, refilled continuously), and every story is written.

A bucket of a minute's worth lets four single calls go at once, so each story here makes
six calls (five unusable answers sent back to the model, then the good one): 24 calls
for a limit of 22 a minute, the last two held for the refill (one every 60/22 s)."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

from tests.faults.harness import CLOSINGS, BotProcess, good_answer, rss, wire_stories
from tests.servers.llm import ScriptedLLM, Step, answer
from tests.servers.web import Reply, WebServer

STORIES = 4
CALLS_PER_STORY = 6
PER_MINUTE = 22
SKEW = 2.0  # seconds


class EachStoryGoodAtLast:
    """The model's answers: unusable for each story until its last call, then good."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> Step:
        prompt = request["messages"][1]["content"]  # the story's own source
        [story] = [closing for closing in CLOSINGS if closing in prompt]
        with self._lock:
            self.calls[story] += 1
            last = self.calls[story] == CALLS_PER_STORY
        return good_answer() if last else answer("Je ne peux pas répondre en JSON.")


def test_requests_per_minute_hold_the_calls_of_every_writer_together(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(STORIES))))
    llm.default = EachStoryGoodAtLast()
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "concurrency": 4, "requests_per_minute": PER_MINUTE},
        quality={"max_repairs": CALLS_PER_STORY - 1},
    )

    result = BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"}).run_once(timeout=60)

    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "outbox").glob("*.json"))) == STORIES  # every story written
    times = llm.call_times
    assert len(times) == STORIES * CALLS_PER_STORY
    # The bucket's promise: over any stretch of time, at most a minute's worth plus what
    # refilled meanwhile. SKEW allowed between the limiter's clock and the server's: the
    # first calls leave while the gate's models load in the background (bot.pipeline.runner),
    # sharing the GIL (lingua holds it 0.4 s building its judge), and on a loaded CI machine
    # the first call was seen arriving 0.53 s after its grant. Without a limit the bound
    # still fails: 23 calls in 0.23 s, where it allows 22 + rate × 2.23 s = 22.8.
    rate = PER_MINUTE / 60
    for first in range(len(times)):
        for last in range(first, len(times)):
            calls = last - first + 1
            allowed = PER_MINUTE + rate * (times[last] - times[first] + SKEW)
            assert calls <= allowed, (first, last)
    # Held no longer than the refill: the two calls past the minute's worth leave on time.
    assert times[-1] - times[0] < 2 / rate + 2
