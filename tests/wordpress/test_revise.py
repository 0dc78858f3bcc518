"""Revising a posted story on the real WordPress, through `depeche run --once` with the
scripted model server: a rewrite asked in the Dépêche box updates THE SAME draft (one
post, a new WordPress revision, the request cleared with a dated line); a request on a
published post is refused with a message; a rewrite the gate refuses changes nothing."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bot.cli.common import cli
from bot.publish.wordpress import WordPressPublisher
from bot.publish.wordpress.rest import RestTransport
from tests.revise.wires import FIRST, FIRST_DRAFT, as_json, rss
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress, login_cookies, submission

pytestmark = pytest.mark.wordpress

GOOD = as_json(FIRST_DRAFT)
# The same article with an economic angle, as an editor asked: only the source's facts.
ECONOMIC = as_json({
    **FIRST_DRAFT,
    "title": "Écoles de Grenoble : la ville, l'État et la Région financent 48 millions "
    "d'euros de travaux",
})
INSTRUCTION = "angle économique, le financement d'abord"


def run_once(config: Path, site: LocalWordPress):
    env = {"OPENAI_API_KEY": "sk-test-throwaway", "DEPECHE_WP_APP_PASSWORD": site.password}
    result = CliRunner().invoke(
        cli, ["--config", str(config), "run", "--once"], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result


def shown(config: Path) -> dict:
    result = CliRunner().invoke(cli, ["--config", str(config), "stories", "show", "1", "--json"])
    return json.loads(result.output)


@pytest.fixture(params=["rest"])
def posted(wp: LocalWordPress, llm: ScriptedLLM, web_server: WebServer, make_config, request):
    """A story written by the model and posted as a draft: (config, post id, story uid).
    Over REST unless the test asks for XML-RPC too (indirect parametrize)."""
    guid = f"revise-{request.node.name}".replace("[", "-").replace("]", "")
    url = web_server.route("/rss", Reply(body=rss("Fil Alpes", (guid, FIRST["title"], FIRST["text"]))))
    config = make_config(
        feeds=[{"url": url, "category": "Société"}],
        llm={"base_url": llm.base_url},
        publish={"target": "wordpress"},
        wordpress={"url": wp.url, "user": wp.user, "api": request.param},
    )
    llm.script(answer(GOOD))
    run_once(config, wp)
    story = shown(config)
    return config, int(story["post_id"]), story["uid"]


def ask_rewrite(wp: LocalWordPress, post_id: int, instruction: str) -> None:
    """What ticking « Réécrire » with an instruction in the box saves on the post."""
    meta = {"_depeche_rewrite_instruction": instruction, "_depeche_rewrite_requested": "1"}
    with wp.client() as client:
        client.post(f"/wp/v2/posts/{post_id}", json={"meta": meta}).raise_for_status()


def revisions(wp: LocalWordPress, post_id: int) -> int:
    return len(wp.get(f"/wp/v2/posts/{post_id}/revisions", per_page=100))


@pytest.mark.parametrize("posted", ["rest", "xmlrpc"], indirect=True)
def test_a_rewrite_request_updates_the_same_draft(wp, llm, posted):
    config, post_id, uid = posted
    before = wp.post(post_id)
    revisions_before = revisions(wp, post_id)
    ask_rewrite(wp, post_id, INSTRUCTION)
    llm.script(answer(ECONOMIC))
    calls_before = len(llm.calls)

    run_once(config, wp)

    assert wp.posts_of_story(uid) == [post_id]  # the same post, never a second
    after = wp.post(post_id)
    assert "la ville, l'État et la Région financent" in after["title"]["raw"]
    assert after["status"] == before["status"] == "draft"
    assert revisions(wp, post_id) == revisions_before + 1  # WordPress kept the previous one
    meta = after["meta"]
    assert meta["_depeche_rewrite_requested"] == "" and meta["_depeche_rewrite_instruction"] == ""
    [line] = meta["_depeche_box_notes"].splitlines()
    assert line.startswith("Réécrit le ") and line.endswith(f" : {INSTRUCTION}")
    assert line in meta["_depeche_editor_note"]
    [call] = llm.calls[calls_before:]
    assert INSTRUCTION in call["messages"][-1]["content"]  # the instruction reached the model
    history = shown(config)["events"]
    assert [e["outcome"] for e in history if e["stage"] in ("review", "revise")] == [
        "rewrite asked",
        "rewritten",
    ]
    # The next cycle has nothing left to do: the request was answered once.
    run_once(config, wp)
    assert len(llm.calls) == calls_before + 1
    assert revisions(wp, post_id) == revisions_before + 1


def test_a_request_on_a_published_post_is_refused_in_the_box(wp, llm, posted):
    config, post_id, uid = posted
    with wp.client() as client:
        client.post(f"/wp/v2/posts/{post_id}", json={"status": "publish"}).raise_for_status()
    content = wp.post(post_id)["content"]["raw"]
    ask_rewrite(wp, post_id, "plus court, 500 mots")
    calls_before = len(llm.calls)

    run_once(config, wp)

    after = wp.post(post_id)
    assert after["content"]["raw"] == content and after["status"] == "publish"
    assert len(llm.calls) == calls_before  # no model call for a refused request
    [line] = after["meta"]["_depeche_box_notes"].splitlines()
    assert line.startswith("Le ") and "réécriture refusée (l’article est déjà publié)" in line
    assert after["meta"]["_depeche_rewrite_requested"] == ""
    assert wp.posts_of_story(uid) == [post_id]


def test_a_rewrite_the_gate_refuses_leaves_the_post_untouched(wp, llm, posted):
    config, post_id, _ = posted
    before = wp.post(post_id)
    revisions_before = revisions(wp, post_id)
    ask_rewrite(wp, post_id, "en anglais")
    llm.default = lambda request: answer("Sorry, here is the article in English.")

    run_once(config, wp)

    after = wp.post(post_id)
    assert after["content"]["raw"] == before["content"]["raw"]
    assert after["title"]["raw"] == before["title"]["raw"]
    assert revisions(wp, post_id) == revisions_before
    [line] = after["meta"]["_depeche_box_notes"].splitlines()
    assert "réécriture non appliquée, refusée par le contrôle" in line
    assert "réponse inutilisable" in line
    assert after["meta"]["_depeche_rewrite_requested"] == ""
    assert shown(config)["state"] == "published"


def test_the_box_form_saves_a_request_with_its_nonce_and_shows_the_notes(wp):
    """What an editor does in wp-admin: the box's form, saved with the post, asks for the
    rewrite; a forged form (no box nonce) changes nothing; the bot's notes are shown,
    a correction in red."""
    post_id = int(WordPressPublisher(wp.settings(), wp.password).publish(
        submission(f"box-{uuid.uuid4().hex[:12]}")).post_id)
    cookies = login_cookies(wp.url, wp.user)

    def save_box(*, forged: bool) -> None:
        """Tick « Réécrire » with an instruction and save, as the editor's browser does."""
        with httpx.Client(base_url=wp.url, cookies=cookies, timeout=10) as browser:
            page = browser.get(f"/wp-admin/post.php?post={post_id}&action=edit").text
            form = {"action": "editpost", "post_ID": str(post_id), "post_type": "post",
                    "original_post_status": "draft", "_wpnonce": _hidden(page, "_wpnonce"),
                    "depeche_rewrite": "plus court, 500 mots", "depeche_rewrite_asked": "1",
                    "depeche_box_nonce": "0" if forged else _hidden(page, "depeche_box_nonce")}
            saved = browser.post("/wp-admin/post.php", data=form)
        assert saved.status_code in (200, 302), saved.text[:300]

    save_box(forged=True)
    assert wp.post(post_id)["meta"]["_depeche_rewrite_requested"] == ""

    save_box(forged=False)
    meta = wp.post(post_id)["meta"]
    assert meta["_depeche_rewrite_requested"] == "1"
    assert meta["_depeche_rewrite_instruction"] == "plus court, 500 mots"
    box = wp.admin_page(f"post.php?post={post_id}&action=edit")
    assert "Réécriture demandée : Dépêche la fera à sa prochaine synchronisation" in box

    correction = "⚠ CORRECTION le 02/12/2026 à 10:42 : https://fil.example/a%C3%A9-1"
    transport = RestTransport(wp.settings(), wp.password)
    try:
        transport.add_note(post_id, "Le 02/12/2026 à 10:40 : première note")
        transport.add_note(post_id, correction, clear_request=True)
    finally:
        transport.close()
    meta = wp.post(post_id)["meta"]
    assert meta["_depeche_box_notes"].splitlines() == [
        "Le 02/12/2026 à 10:40 : première note", correction  # the %XX of a link kept
    ]
    assert meta["_depeche_rewrite_requested"] == ""
    box = wp.admin_page(f"post.php?post={post_id}&action=edit")
    assert 'style="color:#b32d2e;font-weight:bold">⚠ CORRECTION le 02/12/2026' in box


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"no {name} in the page"
    return match.group(1)
