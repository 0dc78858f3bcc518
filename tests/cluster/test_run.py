"""Story clusters end to end, through the real command: feeds served on 127.0.0.1, one
`depeche run --once`, the outbox; then `stories show`, `split` and `merge` by hand."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cluster.pairs import Telling, events
from tests.pipeline.test_run_once import NO_PAGE_READ, invoke, outbox
from tests.servers.web import Reply, WebServer

EVENTS = {event["id"]: event for event in events()}
# Written at once, from the feed's text: the test is about which stories are written, not
# about waiting, nor about the made-up links' pages.
AT_ONCE = {"cluster": {"wait": "0"}, "writer": NO_PAGE_READ}


def told(event: str, n: int) -> Telling:
    source = EVENTS[event]["source"][n]
    return Telling(event, source["feed"], source["title"], source["text"])


def rss(name: str, *items: tuple[str, Telling]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{t.title}</title>"
        f"<link>https://{name}.example/{guid}</link><description><![CDATA["
        + "".join(f"<p>{p}</p>" for p in t.text.split("\n\n"))
        + "]]></description></item>"
        for guid, t in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title>{body}</channel></rss>"
    )


def serve(web: WebServer, name: str, *items: tuple[str, Telling]) -> str:
    return web.route(f"/{name}.xml", Reply(body=rss(name, *items)))


def show(config: Path, story_id: int) -> dict:
    shown = invoke(config, "stories", "show", str(story_id), "--json")
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.output)


def test_one_event_from_three_feeds_is_one_story_and_one_draft(
    make_config, web_server: WebServer, tmp_path: Path
):
    """Three agencies tell the Iwate earthquake in their own words: one story with three
    sources, one draft. Two attacks in Iraq the same week stay two stories."""
    feeds = [
        serve(web_server, "alpha", ("a-japon", told("seisme-japon", 0)),
              ("a-bagdad", told("bagdad-marche", 0))),
        serve(web_server, "beta", ("b-japon", told("seisme-japon", 1)),
              ("b-mossoul", told("mossoul-barrage", 1))),
        serve(web_server, "gamma", ("c-japon", told("seisme-japon", 2))),
    ]
    config = make_config(feeds=[{"url": url} for url in feeds], **AT_ONCE)
    result = invoke(config, "run", "--once")
    assert result.exit_code == 0, result.output
    drafts = outbox(tmp_path)
    assert len(drafts) == 3, [d["title"] for d in drafts]
    states = json.loads(invoke(config, "status", "--json").output)["states"]
    assert states["published"] == 3 and states["duplicate"] == 0
    by_sources = sorted((show(config, n)["sources"] for n in (1, 2, 3)), key=len)
    assert [len(sources) for sources in by_sources] == [1, 1, 3]
    # In the order they were stored (the feeds are fetched at once: any order).
    assert sorted(s["guid"] for s in by_sources[2]) == ["a-japon", "b-japon", "c-japon"]
    assert {s["feed"] for s in by_sources[2]} == set(feeds)
    assert {by_sources[0][0]["guid"], by_sources[1][0]["guid"]} == {"a-bagdad", "b-mossoul"}
    japan = by_sources[2][0]
    shown = invoke(config, "stories", "show", "1").output
    assert "Sources" in shown and "original" in shown and "gamma" in shown
    assert japan["kind"] == "original"


def test_split_then_merge_by_hand(make_config, web_server: WebServer, tmp_path: Path):
    feeds = [
        serve(web_server, "alpha", ("a-1", told("rachat-banque", 0))),
        serve(web_server, "beta", ("b-1", told("rachat-banque", 1))),
    ]
    config = make_config(feeds=[{"url": url, "category": "Économie"} for url in feeds],
                         **AT_ONCE)
    assert invoke(config, "run", "--once").exit_code == 0
    first, second = show(config, 1)["sources"]
    refused = invoke(config, "stories", "split", "1", str(first["id"]))
    assert refused.exit_code == 2 and "first" in refused.output
    split = invoke(config, "stories", "split", "1", str(second["id"]))
    assert split.exit_code == 0, split.output
    assert "is now story 2" in split.output
    alone = show(config, 2)
    assert alone["state"] == "new" and [s["guid"] for s in alone["sources"]] == [second["guid"]]
    assert [s["guid"] for s in show(config, 1)["sources"]] == [first["guid"]]
    # Story 1 was published: losing a source marks it for revision.
    assert show(config, 1)["sources_changed_at"]
    assert "sources: changed" in invoke(config, "stories", "show", "1").output
    merged = invoke(config, "stories", "merge", "1", "2")
    assert merged.exit_code == 0, merged.output
    assert [s["guid"] for s in show(config, 1)["sources"]] == [first["guid"], second["guid"]]
    assert show(config, 2)["state"] == "duplicate"
    # A published story cannot be merged away: its post would be orphaned.
    again = invoke(config, "stories", "merge", "2", "1")
    assert again.exit_code == 2 and "other way" in again.output
    assert invoke(config, "stories", "merge", "1", "99").exit_code == 2


def test_a_text_changed_under_its_guid_marks_the_published_story(
    make_config, web_server: WebServer, tmp_path: Path
):
    url = serve(web_server, "alpha", ("a-1", told("election-portugal", 0)))
    config = make_config(feeds=[{"url": url}], **AT_ONCE)
    assert invoke(config, "run", "--once").exit_code == 0
    assert not show(config, 1)["sources_changed_at"]
    update = EVENTS["election-portugal"]["update"]
    serve(web_server, "alpha", ("a-1", Telling("election-portugal", "alpha", **update)))
    assert invoke(config, "run", "--once", "--all-feeds").exit_code == 0
    shown = show(config, 1)
    # The mark was dealt with in the same cycle by the revise stage (bot.pipeline.revise):
    # the untouched draft rewritten in place.
    assert not shown["sources_changed_at"] and shown["state"] == "published"
    assert [e["outcome"] for e in shown["events"] if e["stage"] == "revise"] == ["updated"]
    (source,) = shown["sources"]
    assert source["kind"] == "correction" and source["title"].startswith("RECTIFICATIF")
    assert len(outbox(tmp_path)) == 1
