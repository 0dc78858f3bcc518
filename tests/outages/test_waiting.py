"""A waiting story says why and until when in `stories list`, `stories show` and
`status` (issue 15 §5): a model outage (until its breaker's next probe) and a failed
attempt (parked until its retry time)."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import update

from bot.cli.common import cli
from bot.config import load
from bot.store import Story, make_engine
from bot.store.models import utcnow
from tests.faults.harness import rss, wire_stories
from tests.servers.llm import ScriptedLLM, error
from tests.servers.web import Reply, WebServer


def invoke(config, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_waiting_story_says_why_and_until_when(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(2))))
    config = make_config(feeds=[{"url": feed}], llm={"base_url": llm.base_url, "attempts": 1})
    llm.default = lambda _request: error(503)
    invoke(config, "run", "--once")

    listed = invoke(config, "stories", "list")
    assert listed.count("model server unavailable since") == 2
    shown = invoke(config, "stories", "show", "1")
    assert "   waiting: model server unavailable since" in shown and "next probe" in shown
    data = json.loads(invoke(config, "stories", "show", "1", "--json"))
    assert data["waiting"]["why"].startswith("model server unavailable since")
    assert data["attempts"] == 0

    # A story parked after a failed attempt: why, and until its retry time.
    until = utcnow() + timedelta(minutes=4)
    engine = make_engine(load(config).database_url)
    with engine.begin() as connection:
        connection.execute(
            update(Story).where(Story.id == 2).values(not_before=until, last_error="garbled")
        )
    engine.dispose()
    status = json.loads(invoke(config, "status", "--json"))
    parked = next(w for w in status["waiting"] if w["id"] == 2)
    assert parked["why"] == "retry after a failed attempt: garbled"
    assert parked["until"] == until.strftime("%Y-%m-%d %H:%M:%S")
    shown = invoke(config, "stories", "show", "2")
    assert f"     until: {until:%Y-%m-%d %H:%M:%S} UTC" in shown
    assert "Waiting, why and until when" in invoke(config, "status")
