"""`run --once` publishes each draft as soon as it is written, beside the writers, not
after the last story's model call: an editor sees it at once, and a run cut short by
cron's timeout leaves it posted.

The scripted model server holds the last story's call until every earlier draft is in
the real outbox (or gives up after a while): a run that published only at the end
would leave them waiting there."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.faults.harness import GOOD_DRAFT, rss, wire_stories
from tests.pipeline.test_run_once import invoke
from tests.servers.llm import ScriptedLLM, Step, answer
from tests.servers.web import Reply, WebServer
from tests.throughput.test_pools import configured, run_once

STORIES = 4
# How long the last call waits for the earlier drafts: far more than publishing takes.
PATIENCE_SECONDS = 20.0


def drafts(folder: Path) -> int:
    return len(list((folder / "outbox").glob("*.json")))


def test_each_draft_is_in_the_outbox_before_the_last_model_call_is_answered(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(STORIES))))
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "concurrency": 1, "timeout": 60},
    )
    drafts_seen: list[int] = []  # in the outbox when each call was answered

    def server(_request: dict[str, Any]) -> Step:
        if len(llm.calls) == STORIES:  # the last story's call, held for the earlier drafts
            given_up = time.monotonic() + PATIENCE_SECONDS
            while drafts(tmp_path) < STORIES - 1 and time.monotonic() < given_up:
                time.sleep(0.05)
        drafts_seen.append(drafts(tmp_path))
        return answer(GOOD_DRAFT, delay=0.3)

    llm.default = server
    result = invoke(config, "run", "--once", env={"OPENAI_API_KEY": "sk-test-throwaway"})
    assert result.exit_code == 0, result.output
    assert len(llm.calls) == STORIES and llm.max_in_flight == 1
    assert drafts_seen[-1] == STORIES - 1, drafts_seen
    assert drafts(tmp_path) == STORIES
    status = json.loads(invoke(config, "status", "--json").output)
    assert status["states"]["published"] == STORIES


def test_the_report_tells_each_stage_of_each_story_once_writing_first(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    """The report `run --once` prints from: every story's writing, in claim order, then
    its publishing; nothing twice though publishing ran beside the writers."""
    llm.default = lambda _request: answer(GOOD_DRAFT, delay=0.2)
    report = run_once(configured(make_config, llm, web_server, concurrency=2))
    stages = [(o.stage, o.story_id) for o in report.stories]
    written = [story for stage, story in stages if stage == "write"]
    published = [story for stage, story in stages if stage == "publish"]
    assert sorted(written) == sorted(published) == list(range(1, 9))
    assert stages[: len(written)] == [("write", story) for story in written]
    assert all(o.state == "published" for o in report.stories if o.stage == "publish")
