"""One event from three feeds, through `depeche run --once`, on the real WordPress: one post,
whose credit line, editor's note and provenance name the three sources with their links."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from bot.cli.common import cli
from tests.pipeline.wires import GOOD, WIRES
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress
from tests.wordpress.test_end_to_end import run_once, status

pytestmark = pytest.mark.wordpress


def test_one_event_from_three_feeds_is_one_post_crediting_three_sources(
    wp: LocalWordPress, llm: ScriptedLLM, web_server: WebServer, make_config
):
    feeds = [{"url": web_server.route(f"/{w.guid}", Reply(body=w.rss())), "name": w.name}
             for w in WIRES]
    config = make_config(
        feeds=feeds,
        llm={"base_url": llm.base_url},
        publish={"target": "wordpress"},
        wordpress={"url": wp.url, "user": wp.user, "api": "rest", "seo_plugin": "yoast"},
    )
    llm.script(answer(json.dumps(GOOD, ensure_ascii=False)))
    result = run_once(config, wp)
    assert result.exit_code == 0, result.output
    assert len(llm.calls) == 1
    states = {k: n for k, n in status(config)["states"].items() if n}
    assert states == {"published": 1}
    shown = json.loads(
        CliRunner().invoke(cli, ["--config", str(config), "stories", "show", "1", "--json"]).output
    )
    assert wp.posts_of_story(shown["uid"]) == [int(shown["post_id"])]  # one post
    post = wp.post(shown["post_id"])
    content = post["content"]["raw"]
    for wire in WIRES:
        assert re.search(f'<a href="{re.escape(wire.link)}"[^>]*>{wire.name}</a>', content)
    note = post["meta"]["_depeche_editor_note"]
    assert "Sources (3) :" in note
    for wire in WIRES:
        assert f"- {wire.name} — {wire.title} : {wire.link}" in note
    provenance = json.loads(post["meta"]["_depeche_provenance"])
    assert sorted((s["name"], s["url"]) for s in provenance["sources"]) == sorted(
        (w.name, w.link) for w in WIRES)
