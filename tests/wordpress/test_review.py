"""Review first on the real WordPress: the depeche_bot role, pending posts, provenance, the
AI disclosure the mu-plugin adds at publishing, and images uploaded once per site."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from bot.config.wordpress import DEFAULT_DISCLOSURE_TEXT
from bot.net.limits import Limits
from bot.publish.wordpress import WordPressPublisher, check_site
from tests.servers.web import Reply
from tests.wordpress.conftest import png_image, submission

pytestmark = pytest.mark.wordpress


def uid() -> str:
    return f"story-{uuid.uuid4().hex[:12]}"


def bot_publisher(wp, bot_user, **settings) -> WordPressPublisher:
    login, password = bot_user
    # [fetch]'s limits for images: the test web server is on 127.0.0.1.
    local = Limits(allow_private=True, timeout=10)
    return WordPressPublisher(wp.settings(user=login, **settings), password, limits=local)


def publish_as_editor(wp, post_id: str, **changes) -> dict:
    """What an editor does in wp-admin, over REST as the editor's user."""
    with wp.client() as client:
        answer = client.post(f"/wp/v2/posts/{post_id}", json={"status": "publish", **changes})
    answer.raise_for_status()
    return wp.post(post_id)


@pytest.mark.parametrize("api", ["rest", "xmlrpc"])
def test_a_depeche_bot_user_writes_a_pending_post_with_provenance(wp, bot_user, api):
    receipt = bot_publisher(wp, bot_user, api=api, status="pending").publish(submission(uid()))
    post = wp.post(receipt.post_id)
    assert post["status"] == "pending"
    with httpx.Client(base_url=wp.url + "/wp-json", auth=bot_user, timeout=10) as client:
        me = client.get("/wp/v2/users/me", params={"context": "edit"}).json()
    assert post["author"] == me["id"] and me["roles"] == ["depeche_bot"]
    provenance = json.loads(post["meta"]["_depeche_provenance"])
    assert provenance["model"] == "gpt-4o-mini"
    assert provenance["sources"][0]["url"].startswith("https://fil.example.org/articles/")
    assert "le coût du chantier n’est pas chiffré par la source" in provenance["gate_warnings"]
    assert len(provenance["prompt_version"]) == 12 or provenance["prompt_version"] == ""
    # The tags the role may not create are named for the editor, not a failure.
    assert "étiquette « vélo » absente du site" in post["meta"]["_depeche_editor_note"]


def test_the_depeche_bot_role_cannot_publish(wp, bot_user):
    receipt = bot_publisher(wp, bot_user).publish(submission(uid()))
    with httpx.Client(base_url=wp.url + "/wp-json", auth=bot_user, timeout=10) as client:
        answer = client.post(f"/wp/v2/posts/{receipt.post_id}", json={"status": "publish"})
    assert answer.status_code == 403
    assert wp.post(receipt.post_id)["status"] == "draft"


def test_check_warns_a_user_who_can_publish_and_suggests_the_role(wp, bot_user):
    ok, lines = check_site(wp.settings(status="pending"), wp.password)
    text = "\n".join(lines)
    assert ok, text
    assert "[warn] user 'depeche' can publish (roles: editor)" in text
    assert "depeche_bot" in text
    login, password = bot_user
    ok, lines = check_site(wp.settings(user=login, status="pending"), password)
    text = "\n".join(lines)
    assert ok, text
    assert "can publish" not in text  # no false alarm for the least-rights role
    assert "roles: depeche_bot" in text


def test_an_unedited_post_gets_the_disclosure_when_a_person_publishes_it(wp, bot_user):
    receipt = bot_publisher(wp, bot_user).publish(submission(uid()))
    post = publish_as_editor(wp, receipt.post_id)
    assert post["status"] == "publish"
    assert "depeche-ai-disclosure" in post["content"]["raw"]
    assert DEFAULT_DISCLOSURE_TEXT in post["content"]["rendered"]
    assert post["meta"]["_depeche_published_by"] == "depeche"
    assert post["meta"]["_depeche_published_at"].endswith("Z")
    assert post["meta"]["_depeche_reviewed_by"] == ""


def test_an_edited_post_is_published_without_the_disclosure_and_names_its_reviewer(wp, bot_user):
    receipt = bot_publisher(wp, bot_user).publish(submission(uid()))
    edited = wp.post(receipt.post_id)["content"]["raw"].replace("lundi", "lundi matin")
    post = publish_as_editor(wp, receipt.post_id, content=edited)
    assert "depeche-ai-disclosure" not in post["content"]["raw"]
    assert "lundi matin" in post["content"]["raw"]
    assert post["meta"]["_depeche_reviewed_by"] == "depeche"


@pytest.mark.parametrize(("mode", "shown"), [("never", False), ("always", True)])
def test_never_and_always_override_the_review(wp, bot_user, mode, shown):
    receipt = bot_publisher(wp, bot_user, ai_disclosure=mode).publish(submission(uid()))
    edited = wp.post(receipt.post_id)["content"]["raw"] + "<p>Ajout de la rédaction.</p>"
    post = publish_as_editor(wp, receipt.post_id, content=edited)
    assert ("depeche-ai-disclosure" in post["content"]["raw"]) is shown


def test_a_post_the_bot_publishes_itself_carries_the_disclosure(wp):
    receipt = WordPressPublisher(wp.settings(status="publish"), wp.password).publish(
        submission(uid())
    )
    post = wp.post(receipt.post_id)
    assert post["status"] == "publish"
    assert post["content"]["raw"].count('<p class="depeche-ai-disclosure">') == 1


@pytest.mark.parametrize("api", ["rest", "xmlrpc"])
def test_two_stories_with_the_same_image_upload_it_once(wp, bot_user, web_server, api):
    image_url = web_server.route(
        f"/photos/port-{api}.png", Reply(body=png_image(), headers={"Content-Type": "image/png"})
    )
    publisher = bot_publisher(wp, bot_user, api=api)
    first = publisher.publish(
        submission(uid(), image_url=image_url, image_credit="Photo A. Le Goff")
    )
    second = publisher.publish(submission(uid(), image_url=image_url))
    assert first.warnings == [] and second.warnings == []
    media_id = wp.post(first.post_id)["featured_media"]
    assert media_id and wp.post(second.post_id)["featured_media"] == media_id
    assert web_server.hits(f"/photos/port-{api}.png") == 1
    media = wp.get(f"/wp/v2/media/{media_id}", context="edit")
    assert media["meta"]["_depeche_source_url"] == image_url
    assert media["alt_text"].startswith("Illustration : ")
    assert "Photo A. Le Goff" in media["caption"]["raw"]
    found = wp.get("/wp/v2/media", depeche_source_url=image_url, context="edit")
    assert [m["id"] for m in found] == [media_id]
