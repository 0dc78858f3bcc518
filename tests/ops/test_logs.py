"""Logs an operator can read and a machine can parse (issue 5 §9): JSON lines
with --log-format json, and on each line the story, the feed and the stage."""

from __future__ import annotations

import json

from tests.faults.harness import BotProcess, good_answer, rss, wire_stories
from tests.servers.llm import ScriptedLLM, error
from tests.servers.web import Reply, WebServer


def test_json_lines_say_which_story_feed_and_stage(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    good = web_server.route("/rss", Reply(body=rss(wire_stories(1))))
    gone = web_server.url + "/gone"
    llm.script(error(503))
    llm.default = good_answer
    config = make_config(
        feeds=[{"url": gone}, {"url": good}],
        llm={"base_url": llm.base_url, "attempts": 2, "timeout": 20},
    )
    done = BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"}).run(
        "run", "--once", log_format="json"
    )
    assert done.returncode == 0, done.stderr

    lines = [json.loads(line) for line in done.stderr.splitlines()]  # every line is JSON
    assert lines and all({"time", "level", "message"} <= set(line) for line in lines)
    assert {line["level"] for line in lines} >= {"info", "warning", "error"}

    def about(fragment: str) -> dict:
        (line,) = [line for line in lines if fragment in line["message"]]
        return line

    failed_feed = about(f"feed {gone} failed")
    assert (failed_feed["feed"], failed_feed["stage"]) == (gone, "poll")
    model_error = about("model server: server down (HTTP 503)")
    assert (model_error["story"], model_error["feed"], model_error["stage"]) == ("1", good, "write")
    written = about("new -> written")
    assert (written["story"], written["stage"]) == ("1", "write")
    published = about("written -> published")
    assert (published["story"], published["feed"], published["stage"]) == ("1", good, "publish")
    # Outside any feed or story, a line claims none.
    upgraded = about("database upgraded")
    assert not {"story", "feed", "stage"} & set(upgraded)


def test_human_lines_carry_the_same_context(make_config, web_server: WebServer):
    gone = web_server.url + "/gone"
    config = make_config(feeds=[{"url": gone}])
    done = BotProcess(config).run("run", "--once")
    assert done.returncode == 3, done.stderr  # its only feed failed
    (line,) = [line for line in done.stderr.splitlines() if "failed" in line]
    assert line.endswith(f"[feed={gone} stage=poll]")
    assert " ERROR " in line
