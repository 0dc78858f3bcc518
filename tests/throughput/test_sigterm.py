"""SIGTERM with eight stories in flight (issue 10 §2): the real `depeche daemon` and
`depeche run --once` processes, `[llm] concurrency = 8`, the model server holding every
answer. Within seconds the process exits 0 and every story is given back untouched:
still `new`, no attempt counted, its lease freed for the next worker."""

from __future__ import annotations

import signal
import time

import pytest

from tests.faults.harness import BotProcess, rss, wait_for, wire_stories
from tests.servers.llm import ScriptedLLM, hang
from tests.servers.web import Reply, WebServer

IN_FLIGHT = 8


@pytest.mark.parametrize("command", [("daemon",), ("run", "--once")], ids=["daemon", "run-once"])
def test_sigterm_gives_back_every_story_in_flight(
    make_config, llm: ScriptedLLM, web_server: WebServer, command: tuple[str, ...]
):
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(IN_FLIGHT))))
    llm.default = lambda _request: hang(120)  # the model never answers in time
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 300, "concurrency": IN_FLIGHT},
        scheduler={"write_every": 1, "publish_every": 1},
    )
    bot = BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"})
    process = bot.start(*command)
    try:
        wait_for(lambda: llm.in_flight == IN_FLIGHT, 60, "eight model calls held at once")
        held = bot.stories()
        assert len(held) == IN_FLIGHT and all(story["lease_owner"] for story in held)
        # `depeche status`, from another process, reads what is in flight from the leases.
        in_flight = bot.status()["in_flight"]
        assert sorted(f["id"] for f in in_flight) == [story["id"] for story in held]
        assert {(f["stage"], f["worker"]) for f in in_flight} == {("write", held[0]["lease_owner"])}
        assert all(f["since"] for f in in_flight)

        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, stderr = process.communicate(timeout=15)
        stopped_in = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert stopped_in < 6, stopped_in  # the grace (3 s) and Python's exit, not a model timeout
    assert "SIGTERM received: stopping" in stderr
    assert f"{IN_FLIGHT} story(ies) given back" in stderr
    for story in bot.stories():
        assert (story["state"], story["attempts"]) == ("new", 0)
        assert story["lease_owner"] is None and story["lease_until"] is None
    assert bot.status()["in_flight"] == []
    assert len(llm.calls) == IN_FLIGHT  # one call each, none retried after the signal
