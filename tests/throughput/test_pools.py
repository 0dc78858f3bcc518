"""Several stories at once (issue 10 §2, §3): writers and publishers in flight never
exceed their concurrency, and a 429 heard by one writer slows every writer.

In this process, against the scripted model server, which counts the calls it holds at
once; the publisher is the real outbox, wrapped to count the publishes in flight."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from bot.app import make_writer, open_app
from bot.config import Config, load
from bot.pipeline import Runner
from bot.publish import OutboxPublisher
from bot.story import CycleReport, Receipt, Submission
from tests.faults.harness import GOOD_DRAFT, rss, wire_stories
from tests.servers.llm import ScriptedLLM, answer, error
from tests.servers.web import Reply, WebServer

STORIES = 8


class CountingOutbox(OutboxPublisher):
    """The real outbox; each publish held a moment, and counted while it runs."""

    def __init__(self, folder: Path, hold: float):
        super().__init__(folder)
        self.hold = hold
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()

    def publish(self, submission: Submission) -> Receipt:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.hold)
            return super().publish(submission)
        finally:
            with self._lock:
                self.in_flight -= 1


def configured(make_config, llm: ScriptedLLM, web: WebServer, **llm_settings: object) -> Config:
    feed = web.route("/rss", Reply(body=rss(wire_stories(STORIES))))
    path = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 4, "timeout": 20, **llm_settings},
        publish={"concurrency": 2},
    )
    return load(path, environ={})


def run_once(config: Config, publisher: OutboxPublisher | None = None) -> CycleReport:
    with open_app(config) as app:
        runner = Runner(
            config,
            app.sessions,
            writer=make_writer(config),
            publisher=publisher or OutboxPublisher(config.resolve(config.publish.outbox_dir)),
        )
        return runner.run_once()


def published(report: CycleReport) -> list[int]:
    return sorted(o.story_id for o in report.stories if o.stage == "publish" and o.state == "published")


def test_writers_and_publishers_in_flight_never_exceed_their_concurrency(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    llm.default = lambda _request: answer(GOOD_DRAFT, delay=0.6)
    config = configured(make_config, llm, web_server, concurrency=3)
    outbox = CountingOutbox(tmp_path / "outbox", hold=0.3)
    report = run_once(config, outbox)
    assert published(report) == list(range(1, STORIES + 1))
    assert len(llm.calls) == STORIES
    assert llm.max_in_flight == 3  # [llm] concurrency, reached and never passed
    assert outbox.max_in_flight == 2  # [publish] concurrency
    assert len(list((tmp_path / "outbox").glob("*.json"))) == STORIES


def test_one_retry_after_is_honoured_by_every_writer(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    """The first call gets a 429 asking for 2 s; the other writers' calls answer. Their
    next calls wait for the same 2 s: nothing reaches the server between the 429 and
    the end of its Retry-After, and no story loses an attempt or waits for a next run."""
    llm.script(error(429, retry_after="2"))
    llm.default = lambda _request: answer(GOOD_DRAFT, delay=0.3)
    config = configured(make_config, llm, web_server, concurrency=4)
    report = run_once(config)
    assert published(report) == list(range(1, STORIES + 1))
    refused_at = llm.call_times[0]
    after = [at - refused_at for at in llm.call_times[1:]]
    # Sent before the 429 came back (within its round trip), or after its 2 s: none between.
    assert not [at for at in after if 0.25 < at < 1.95], after
    assert len([at for at in after if at >= 1.95]) >= STORIES - 3
    assert all("waiting" not in (o.detail or "") for o in report.stories)


def test_a_429_storm_slows_every_writer_and_loses_no_story(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    """For 2.5 s every call gets a 429 asking for 1 s: the four writers together send
    about one round a second, not a retry each on its own clock, then write everything."""
    storm_ends = time.monotonic() + 2.5

    def server(_request: dict) -> object:
        if time.monotonic() < storm_ends:
            return error(429, retry_after="1")
        return answer(GOOD_DRAFT, delay=0.2)

    llm.default = server
    config = configured(make_config, llm, web_server, concurrency=4, attempts=6)
    report = run_once(config)
    assert published(report) == list(range(1, STORIES + 1))
    refused = [at for at in llm.call_times if at < storm_ends]
    # Rounds of at most 4 calls, one Retry-After apart: 3 rounds fit in 2.5 s.
    assert len(refused) <= 3 * 4, len(refused)
    rounds = sorted(refused)
    for first, later in zip(rounds, rounds[4:], strict=False):
        assert later - first >= 0.95  # a fifth call only once the pause has passed
