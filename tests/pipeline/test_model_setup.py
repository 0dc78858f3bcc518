"""A model server that refuses the setup stops the writing stage once, in its own words."""

from __future__ import annotations

import json
from pathlib import Path

from tests.pipeline.test_run_once import GRENOBLE, NO_PAGE_READ, invoke, rss
from tests.servers.llm import ScriptedLLM, error, json_mode_refused
from tests.servers.web import Reply, WebServer

LYON = (
    "lyon-1",
    "Lyon ouvre trois nouvelles pistes cyclables le long du Rhône",
    "https://wire.example/lyon-pistes",
    "<p>La métropole de Lyon a inauguré lundi trois pistes cyclables qui longent le Rhône "
    "entre le pont Pasteur et le parc de Gerland.</p><p>Les travaux ont duré huit mois et "
    "la circulation automobile reste possible sur une voie dans chaque sens.</p>",
)


def test_a_refused_parameter_stops_writing_once_and_keeps_every_story(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    feed = web_server.route("/rss", Reply(body=rss(GRENOBLE, LYON)))
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 3},
        writer=NO_PAGE_READ,
    )
    llm.default = lambda _request: json_mode_refused()  # every call, as the server would
    result = invoke(config, "run", "--once")
    assert result.exit_code == 9
    assert "Writing stopped:" in result.output and "json_mode = false" in result.output
    # Not retried, and no story claimed once it was heard: at most one call per writer
    # already in flight ([llm] concurrency 4: both stories may have left at once).
    assert len(llm.calls) <= 2
    status = json.loads(invoke(config, "status", "--json").output)
    assert status["states"]["new"] == 2
    shown = [
        json.loads(invoke(config, "stories", "show", str(i), "--json").output) for i in (1, 2)
    ]
    assert [story["attempts"] for story in shown] == [0, 0]  # the setup's fault, not theirs
    tried = [story for story in shown if story["calls"]]
    assert len(tried) == len(llm.calls)
    for story in tried:
        assert "response_format of type json_object is not supported" in story["calls"][0]["error"]
        assert "json_mode = false" in story["last_error"]


def test_a_request_the_server_refuses_fails_that_story_only(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    feed = web_server.route("/rss", Reply(body=rss(GRENOBLE)))
    config = make_config(feeds=[{"url": feed}], llm={"base_url": llm.base_url})
    llm.script(error(400, body='{"error": {"message": "content rejected by the moderation filter"}}'))
    assert invoke(config, "run", "--once").exit_code == 0
    shown = json.loads(invoke(config, "stories", "show", "1", "--json").output)
    assert shown["state"] == "failed"
    assert any("content rejected by the moderation filter" in r for r in shown["reasons"])
