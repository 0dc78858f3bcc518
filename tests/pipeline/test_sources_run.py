"""`depeche run --once` on one event told by three feeds (issue 12 §2): one story, one model
call whose prompt holds the three sources delimited and named, one draft crediting the three;
and `[cluster] wait`: a story a feed's later poll brings waits for other sources, and says so."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path

from bot.store.ingest import CLUSTER_WAIT
from bot.store.models import State, Story, utcnow
from bot.store.queries import wait_reason
from tests.pipeline.test_run_once import GRENOBLE, NO_PAGE_READ, invoke, outbox, rss
from tests.pipeline.wires import GOOD, WIRES
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer

KEY = {"OPENAI_API_KEY": "sk-test-throwaway"}


def counted(status: dict) -> dict[str, int]:
    return {state: n for state, n in status["states"].items() if n}


def three_feeds(web_server: WebServer) -> list[dict[str, str]]:
    return [
        {"url": web_server.route(f"/{wire.guid}", Reply(body=wire.rss())), "name": wire.name}
        for wire in WIRES
    ]


def test_one_event_from_three_feeds_gives_one_draft_crediting_three_sources(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    config = make_config(feeds=three_feeds(web_server), llm={"base_url": llm.base_url})
    llm.script(answer(json.dumps(GOOD, ensure_ascii=False)))
    result = invoke(config, "run", "--once", env=KEY)
    assert result.exit_code == 0, result.output

    status = json.loads(invoke(config, "status", "--json").output)
    assert counted(status) == {"published": 1}
    assert len(llm.calls) == 1  # one model call for the three
    user = llm.calls[0]["messages"][1]["content"]
    blocks = re.findall(r'<source numéro="(\d)" nom="([^"]+)">\n(.*?)\n</source>', user, re.S)
    assert sorted(number for number, _, _ in blocks) == ["1", "2", "3"]
    by_name = {name: inside for _, name, inside in blocks}
    assert set(by_name) == {wire.name for wire in WIRES}
    for wire in WIRES:  # each source whole: its title, its link, its words
        assert by_name[wire.name].startswith(f"Titre : {wire.title}\nLien : {wire.link}\n\n")
        assert all(p in by_name[wire.name] for p in wire.text.split("\n\n"))

    (draft,) = outbox(tmp_path)
    assert {(s["name"], s["url"]) for s in draft["sources"]} == {
        (wire.name, wire.link) for wire in WIRES}
    credit = draft["body_html"].rsplit("<p>", 1)[1]
    assert credit.startswith("Sources\u202f: ")
    for wire in WIRES:
        assert re.search(f'<a href="{re.escape(wire.link)}"[^>]*>{wire.name}</a>', credit)
    page = (tmp_path / "outbox" / f"{draft['slug']}.html").read_text("utf-8")
    for wire in WIRES:
        assert f'<a href="{wire.link}">{html.escape(wire.title)}</a> ({wire.name})' in page
    shown = json.loads(invoke(config, "stories", "show", "1", "--json").output)
    assert shown["state"] == "published"


def later_item(web_server: WebServer, make_config, **cluster: str) -> Path:
    """A feed read once (its backlog written at once), then bringing a new story."""
    first = ("tram-1", "Lyon : la ligne T9 du tramway ouvrira en septembre",
             "https://wire.example/lyon-t9",
             "<p>La nouvelle ligne T9 du tramway lyonnais sera mise en service en septembre, "
             "a annoncé le Sytral. Elle reliera Vaulx-en-Velin à Villeurbanne.</p>")
    feed = web_server.route("/fil", Reply(body=rss(first)))
    config = make_config(feeds=[{"url": feed}], cluster=cluster, writer=NO_PAGE_READ)
    assert invoke(config, "run", "--once").exit_code == 0
    web_server.route("/fil", Reply(body=rss(first, GRENOBLE)))
    assert invoke(config, "run", "--once", "--all-feeds").exit_code == 0
    return config


def test_a_story_from_a_later_poll_waits_for_other_sources_and_says_so(
    make_config, web_server: WebServer, tmp_path: Path
):
    config = later_item(web_server, make_config, wait="10m")
    status = json.loads(invoke(config, "status", "--json").output)
    assert counted(status) == {"published": 1, "new": 1}  # the backlog was not held back
    (waiting,) = status["waiting"]
    assert (waiting["id"], waiting["why"]) == (2, CLUSTER_WAIT) and waiting["until"]
    shown = invoke(config, "stories", "show", "2").output
    assert f"waiting: {CLUSTER_WAIT}" in shown and "until: " in shown
    listed = invoke(config, "stories", "list", "--state", "new", env={"COLUMNS": "200"}).output
    assert f"{CLUSTER_WAIT} until " in listed
    assert json.loads(invoke(config, "stories", "show", "2", "--json").output)["attempts"] == 0
    assert len(outbox(tmp_path)) == 1


def test_no_wait_writes_a_later_story_at_once(make_config, web_server: WebServer,
                                              tmp_path: Path):
    config = later_item(web_server, make_config, wait="0")
    assert counted(json.loads(invoke(config, "status", "--json").output)) == {"published": 2}
    assert len(outbox(tmp_path)) == 2


def test_a_story_waiting_for_its_cluster_says_so_even_once_a_breaker_noted_it():
    now = utcnow()
    later = now + timedelta(minutes=10)
    waiting = Story(state=State.NEW, attempts=0, not_before=later,
                    reasons=["model server unavailable since 10:42 (server down)"])
    assert wait_reason(waiting, now) == (CLUSTER_WAIT, later)
    parked = Story(state=State.NEW, attempts=1, not_before=later, last_error="HTTP 500",
                   reasons=[CLUSTER_WAIT])
    assert wait_reason(parked, now) == ("retry after a failed attempt: HTTP 500", later)
