"""A story already posted to the real WordPress gets a new source or a correction, through
`depeche run --once` with feeds served on 127.0.0.1 and the scripted model server: the
untouched draft is updated in place (same post id, one post, a new WordPress revision);
a correction arriving after an editor changed the post adds a dated note in the Dépêche
box and leaves the body alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.store.models import clock
from tests.revise.wires import (
    CORRECTION_TEXT,
    CORRECTION_TITLE,
    FIRST,
    FIRST_DRAFT,
    SECOND_TEXT,
    SECOND_TITLE,
    UPDATED_DRAFT,
    an_hour_later,
    as_json,
    rss,
)
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress
from tests.wordpress.test_revise import revisions, run_once, shown

pytestmark = pytest.mark.wordpress


@pytest.fixture(autouse=True)
def store_clock() -> Iterator[None]:
    yield
    clock.offset = timedelta(0)


@pytest.fixture
def posted(wp: LocalWordPress, llm: ScriptedLLM, web_server: WebServer, make_config, request):
    """The first wire's story written by the model and posted as a draft; the second
    wire's feed still empty. (config, post id, story uid, the web server, the first guid)."""
    guid = f"alpes-{request.node.name}"
    web_server.route("/alpes", Reply(body=rss("Fil Alpes", (guid, FIRST["title"], FIRST["text"]))))
    web_server.route("/sud", Reply(body=rss("Fil Sud")))
    config: Path = make_config(
        feeds=[{"url": web_server.url + "/alpes"}, {"url": web_server.url + "/sud"}],
        llm={"base_url": llm.base_url},
        cluster={"wait": "0"},
        publish={"target": "wordpress"},
        wordpress={"url": wp.url, "user": wp.user},
    )
    llm.script(answer(as_json(FIRST_DRAFT)))
    run_once(config, wp)
    story = shown(config)
    return config, int(story["post_id"]), story["uid"], web_server, guid


def test_a_second_source_an_hour_later_updates_the_untouched_draft(wp, llm, posted):
    config, post_id, uid, web, _ = posted
    revisions_before = revisions(wp, post_id)
    an_hour_later(web, llm, ("/sud", "Fil Sud"), ("sud-1", SECOND_TITLE, SECOND_TEXT),
                  UPDATED_DRAFT)

    run_once(config, wp)

    assert wp.posts_of_story(uid) == [post_id]  # the same post, never a second
    post = wp.post(post_id)
    assert "17 entreprises de l'agglomération" in post["content"]["raw"]
    assert post["status"] == "draft"
    assert revisions(wp, post_id) == revisions_before + 1
    [line] = post["meta"]["_depeche_box_notes"].splitlines()
    assert line.startswith("Mis à jour le ") and "nouvelle source — Fil Sud" in line
    assert line in post["meta"]["_depeche_editor_note"]
    assert [e["outcome"] for e in shown(config)["events"] if e["stage"] == "revise"] == [
        "updated"
    ]


def test_a_correction_after_an_editor_changed_the_post_is_a_note_in_the_box(wp, llm, posted):
    config, post_id, uid, web, guid = posted
    text = wp.post(post_id)["content"]["raw"].replace("lundi 3 mars", "lundi")
    with wp.client() as client:
        client.post(f"/wp/v2/posts/{post_id}", json={"content": text}).raise_for_status()
    edited = wp.post(post_id)
    calls_before = an_hour_later(
        web, llm, ("/alpes", "Fil Alpes"), (guid, CORRECTION_TITLE, CORRECTION_TEXT)
    )

    run_once(config, wp)

    post = wp.post(post_id)
    assert post["content"]["raw"] == edited["content"]["raw"]  # the editor's body untouched
    assert post["title"]["raw"] == edited["title"]["raw"]
    assert len(llm.calls) == calls_before
    [note] = post["meta"]["_depeche_box_notes"].splitlines()
    assert note.startswith("⚠ CORRECTION le ") and CORRECTION_TITLE in note
    assert "faits nouveaux : nombre 43" in note and "remplacés : nombre 41" in note
    assert wp.posts_of_story(uid) == [post_id]
    assert shown(config)["events"][-1]["outcome"] == "noted"
