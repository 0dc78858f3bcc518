"""Drafts land in a real WordPress, over both transports, with every field."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.net.limits import Limits
from bot.publish.wordpress import WordPressPublisher
from bot.publish.wordpress.rest import RestTransport
from bot.publish.wordpress.transport import CATEGORY, TAG
from bot.publish.wordpress.xmlrpc import XmlRpcTransport
from tests.servers.web import Reply
from tests.wordpress.conftest import french_draft, png_image, submission

pytestmark = pytest.mark.wordpress

APIS = ["rest", "xmlrpc"]
# What [fetch] gives the publisher for images: the test web server is on 127.0.0.1.
LOCAL = Limits(allow_private=True, timeout=10)


def uid() -> str:
    return f"story-{uuid.uuid4().hex[:12]}"


def ids(values: list[int]) -> str:
    return ",".join(map(str, values))


def top_level_is_blocks(content: str) -> bool:
    """True when nothing sits outside a block (WordPress would show a Classic block)."""
    outside = re.sub(r"<!-- wp:(\w[\w-]*).*?-->.*?<!-- /wp:\1 -->", "", content, flags=re.S)
    return outside.strip() == ""


@pytest.mark.parametrize("api", APIS)
def test_a_draft_lands_with_blocks_credit_note_and_yoast_fields(wp, api):
    story = uid()
    receipt = WordPressPublisher(wp.settings(api=api), wp.password).publish(
        submission(story, category="Vie locale")
    )
    post = wp.post(receipt.post_id)
    draft = french_draft()

    assert post["status"] == "draft"
    assert post["title"]["raw"] == draft.title
    assert post["slug"] == draft.slug
    assert post["excerpt"]["raw"] == draft.excerpt
    content = post["content"]["raw"]
    assert top_level_is_blocks(content)
    for block in ("heading", "paragraph", "list", "quote"):
        assert f"<!-- wp:{block} -->" in content
    assert "<h2>Un chantier d’un an et demi</h2>" in content
    credit = f'D’après <a href="https://fil.example.org/articles/{story}">Le Fil de l’Ouest</a>'
    assert credit in content
    assert post["meta"]["_yoast_wpseo_title"] == draft.seo_title
    assert post["meta"]["_yoast_wpseo_metadesc"] == draft.meta_description
    assert post["meta"]["_yoast_wpseo_focuskw"] == draft.focus_keyphrase
    assert post["meta"]["depeche_story_id"] == story
    note = post["meta"]["_depeche_editor_note"]
    for expected in (
        "Le Fil de l’Ouest",
        "Nantes : trois pistes cyclables inaugurées",
        f"https://fil.example.org/articles/{story}",
        "gpt-4o-mini",
        "vérifier le nom de l’adjointe",
        "le coût du chantier n’est pas chiffré",
    ):
        assert expected in note
    assert note not in content and "gpt-4o-mini" not in post["excerpt"]["raw"]
    assert [c["name"] for c in wp.get("/wp/v2/categories", include=ids(post["categories"]))] == [
        "Vie locale"
    ]
    assert sorted(t["name"] for t in wp.get("/wp/v2/tags", include=ids(post["tags"]))) == [
        "mobilités",
        "vélo",
    ]
    assert receipt.url and receipt.warnings == []


def test_readers_never_see_the_editor_note(wp):
    receipt = WordPressPublisher(wp.settings(status="publish"), wp.password).publish(
        submission(uid())
    )
    public = wp.get(f"/wp/v2/posts/{receipt.post_id}")  # view context, as a reader's request
    assert "_depeche_editor_note" not in public["meta"]
    assert "gpt-4o-mini" not in public["content"]["rendered"]


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("seo_plugin", ["rankmath", "none"])
def test_seo_fields_follow_the_seo_plugin_setting(wp, api, seo_plugin):
    receipt = WordPressPublisher(wp.settings(api=api, seo_plugin=seo_plugin), wp.password).publish(
        submission(uid())
    )
    meta = wp.post(receipt.post_id)["meta"]
    draft = french_draft()
    rank_math = [
        meta["rank_math_title"],
        meta["rank_math_description"],
        meta["rank_math_focus_keyword"],
    ]
    yoast = [
        meta["_yoast_wpseo_title"],
        meta["_yoast_wpseo_metadesc"],
        meta["_yoast_wpseo_focuskw"],
    ]
    if seo_plugin == "rankmath":
        assert rank_math == [draft.seo_title, draft.meta_description, draft.focus_keyphrase]
    else:
        assert rank_math == ["", "", ""]
    assert yoast == ["", "", ""]


@pytest.mark.parametrize("api", APIS)
def test_the_same_story_twice_is_one_post_edited(wp, api):
    story = uid()
    publisher = WordPressPublisher(wp.settings(api=api), wp.password)
    first = publisher.publish(submission(story))
    rewritten = french_draft(
        title="Nantes : les trois pistes cyclables sont ouvertes",
        seo_title="Pistes cyclables à Nantes : ce qui change",
    )
    second = publisher.publish(submission(story, draft=rewritten))

    assert second.post_id == first.post_id
    assert wp.posts_of_story(story) == [int(first.post_id)]
    post = wp.post(first.post_id)
    assert post["title"]["raw"] == rewritten.title
    assert post["meta"]["_yoast_wpseo_title"] == rewritten.seo_title
    # XML-RPC adds a row per custom field unless given its id: one row per key.
    fields = wp.xmlrpc().wp.getPost(0, wp.user, wp.password, int(first.post_id))["custom_fields"]
    keys = [field["key"] for field in fields]
    assert sorted(keys) == sorted(set(keys))


def test_a_recorded_post_id_is_edited_not_duplicated(wp):
    with wp.client() as client:
        made = client.post("/wp/v2/posts", json={"title": "Ancien brouillon", "status": "draft"})
    post_id = str(made.json()["id"])
    story = uid()
    receipt = WordPressPublisher(wp.settings(), wp.password).publish(
        submission(story, existing_post_id=post_id)
    )
    assert receipt.post_id == post_id
    assert wp.posts_of_story(story) == [int(post_id)]


def test_a_post_an_editor_published_is_left_alone(wp):
    story = uid()
    publisher = WordPressPublisher(wp.settings(), wp.password)
    first = publisher.publish(submission(story))
    with wp.client() as client:
        client.post(f"/wp/v2/posts/{first.post_id}", json={"status": "publish"})
    again = publisher.publish(submission(story, draft=french_draft(title="Autre titre")))
    assert again.post_id == first.post_id
    assert "laissé tel quel" in again.warnings[0]
    post = wp.post(first.post_id)
    assert post["status"] == "publish" and post["title"]["raw"] == french_draft().title


@pytest.mark.parametrize("api", APIS)
def test_terms_are_created_once_then_reused(wp, api):
    publisher = WordPressPublisher(wp.settings(api=api), wp.password)
    category = f"Économie {api}"
    tags = [f"budget {api}", f"impôts {api}"]
    one = publisher.publish(submission(uid(), category=category, draft=french_draft(tags=tags)))
    two = publisher.publish(
        submission(
            uid(), category=category.upper(), draft=french_draft(tags=[t.upper() for t in tags])
        )
    )
    first, second = wp.post(one.post_id), wp.post(two.post_id)
    assert first["categories"] == second["categories"]
    assert sorted(first["tags"]) == sorted(second["tags"]) and len(first["tags"]) == 2
    assert len(wp.get("/wp/v2/categories", search=category)) == 1


@pytest.mark.parametrize("api", APIS)
def test_creating_an_existing_term_answers_its_id(wp, api):
    settings = wp.settings(api=api)
    transport = (XmlRpcTransport if api == "xmlrpc" else RestTransport)(settings, wp.password)
    try:
        for taxonomy in (CATEGORY, TAG):
            name = f"Déjà là {api} {taxonomy}"
            created = transport.create_term(taxonomy, name)
            assert transport.create_term(taxonomy, name) == created  # term_exists
    finally:
        transport.close()


@pytest.mark.parametrize("api", APIS)
def test_the_featured_image_is_uploaded_with_french_alt_text_and_credit(wp, web_server, api):
    image_url = web_server.route(
        "/photos/velo.png", Reply(body=png_image(), headers={"Content-Type": "image/png"})
    )
    receipt = WordPressPublisher(wp.settings(api=api), wp.password, limits=LOCAL).publish(
        submission(uid(), image_url=image_url, image_credit="Photo Jeanne Martin / Le Fil")
    )
    assert receipt.warnings == []
    media_id = wp.post(receipt.post_id)["featured_media"]
    media = wp.get(f"/wp/v2/media/{media_id}", context="edit")
    assert media["alt_text"] == f"Illustration : {french_draft().title}"
    assert "Photo Jeanne Martin / Le Fil" in media["caption"]["raw"]
    assert media["mime_type"] == "image/png"
    assert media["source_url"].endswith(".png")


def test_a_missing_image_is_a_warning_not_a_failure(wp, web_server):
    image_url = web_server.url + "/photos/absente.jpg"
    receipt = WordPressPublisher(wp.settings(), wp.password, limits=LOCAL).publish(
        submission(uid(), image_url=image_url)
    )
    post = wp.post(receipt.post_id)
    assert post["featured_media"] == 0
    assert len(receipt.warnings) == 1 and image_url in receipt.warnings[0]
    assert "404" in receipt.warnings[0]
    assert image_url in post["meta"]["_depeche_editor_note"]


def test_images_are_downloaded_with_the_fetch_limits_not_the_site_timeout(wp, web_server):
    """[fetch] says what a download may cost: a slow image gives up after its own deadline
    (1 s here), not after [wordpress] timeout (30 s), and the draft lands without it."""
    slow = web_server.route(
        "/photos/lente.png",
        Reply(body=png_image(), headers={"Content-Type": "image/png"}, trickle=0.5),
    )
    publisher = WordPressPublisher(
        wp.settings(timeout=30), wp.password, limits=Limits(allow_private=True, timeout=1)
    )
    started = time.monotonic()
    receipt = publisher.publish(submission(uid(), image_url=slow))
    assert time.monotonic() - started < 15  # the retries of one-second attempts, not 30 s each
    assert len(receipt.warnings) == 1 and "deadline" in receipt.warnings[0]
    assert wp.post(receipt.post_id)["featured_media"] == 0


def test_without_limits_an_image_on_a_private_address_is_refused(wp, web_server):
    """The publisher's default reaches no private address: only [fetch] allow_private does."""
    image_url = web_server.route(
        "/photos/velo.png", Reply(body=png_image(), headers={"Content-Type": "image/png"})
    )
    receipt = WordPressPublisher(wp.settings(), wp.password).publish(
        submission(uid(), image_url=image_url)
    )
    assert len(receipt.warnings) == 1 and "refused to connect" in receipt.warnings[0]
    assert web_server.hits("/photos/velo.png") == 0


@pytest.mark.parametrize("api", APIS)
def test_a_scheduled_post_gets_its_date(wp, api):
    when = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0, second=0)
    settings = wp.settings(api=api, status="future", publish_date=when.isoformat())
    receipt = WordPressPublisher(settings, wp.password).publish(submission(uid()))
    post = wp.post(receipt.post_id)
    assert post["status"] == "future"
    assert post["date_gmt"] == when.replace(tzinfo=None).isoformat()


def test_a_reader_cannot_look_posts_up_by_story_id(wp):
    story = uid()
    WordPressPublisher(wp.settings(status="publish"), wp.password).publish(submission(story))
    anonymous = httpx.get(wp.url + "/wp-json/wp/v2/posts", params={"depeche_story_id": story})
    assert anonymous.status_code == 200 and anonymous.json() == []
