"""Greener drafts on the real WordPress: « À lire aussi » links to the site's own published
posts (never a draft, never the post itself), cached for the run, and the story's image in
the body with the keyphrase in its alt text and the credit as caption."""

from __future__ import annotations

import re
import uuid

import pytest

from bot.net.limits import Limits
from bot.publish.wordpress import WordPressPublisher
from bot.publish.wordpress.related import RelatedPosts
from tests.servers.web import Reply
from tests.wordpress.conftest import png_image, submission

pytestmark = pytest.mark.wordpress


def uid() -> str:
    return f"story-{uuid.uuid4().hex[:12]}"


def make_post(wp, title: str, status: str, tags: list[int] | None = None) -> int:
    with wp.client() as client:
        response = client.post("/wp/v2/posts", json={
            "title": title, "status": status, "tags": tags or [],
            "content": f"<p>{title}. Un article de la rédaction écrit pour les tests.</p>"})
    response.raise_for_status()
    return response.json()["id"]


def make_tag(wp, name: str) -> int:
    with wp.client() as client:
        response = client.post("/wp/v2/tags", json={"name": name})
    answer = response.json()
    return answer["id"] if response.is_success else answer["data"]["term_id"]


@pytest.fixture
def site(wp):
    wp.script("reset")  # each test counts the site's posts: none left by the one before
    vélo = make_tag(wp, "vélo")
    posts = {
        "published": make_post(wp, "Pistes cyclables Nantes : le bilan de l'hiver", "publish"),
        "published_2": make_post(wp, "Les pistes cyclables de Nantes plébiscitées", "publish"),
        "tagged": make_post(wp, "Le vélo cargo séduit les familles", "publish", [vélo]),
        "draft": make_post(wp, "Pistes cyclables Nantes : un brouillon de la rédaction", "draft"),
        "unrelated": make_post(wp, "Le marché de Noël ouvre vendredi", "publish"),
    }
    return wp, posts


def links_of(content: str) -> list[str]:
    listed = content.split("<strong>À lire aussi</strong>")[1]
    return re.findall(r'<li><a href="([^"]+)">', listed)


def test_a_draft_links_to_published_posts_on_its_subject(site):
    wp, posts = site
    receipt = WordPressPublisher(wp.settings(), wp.password, internal_links=3).publish(
        submission(uid()))
    content = wp.post(receipt.post_id)["content"]["raw"]
    links = links_of(content)
    expected = {wp.post(posts[name])["link"] for name in ("published", "published_2", "tagged")}
    assert set(links) == expected and len(links) == 3
    assert wp.post(posts["draft"])["link"] not in content
    assert "<!-- wp:list -->" in content  # native blocks an editor can edit


def test_never_the_post_itself_and_zero_turns_it_off(site):
    wp, posts = site
    related = RelatedPosts(wp.settings(), wp.password, 3)
    found = related.find("pistes cyclables Nantes", [], exclude=posts["published"])
    assert [p.id for p in found] == [posts["published_2"]]
    receipt = WordPressPublisher(wp.settings(), wp.password, internal_links=0).publish(
        submission(uid()))
    assert "À lire aussi" not in wp.post(receipt.post_id)["content"]["raw"]


def test_answers_are_cached_for_the_run(site):
    wp, _ = site
    related = RelatedPosts(wp.settings(), wp.password, 3)
    first = related.find("pistes cyclables Nantes", [], exclude=None)
    make_post(wp, "Pistes cyclables Nantes : une nouvelle passerelle", "publish")
    assert related.find("pistes cyclables Nantes", [], exclude=None) == first
    fresh = RelatedPosts(wp.settings(), wp.password, 3).find("pistes cyclables Nantes", [], None)
    assert len(fresh) == 3 and fresh != first


@pytest.mark.parametrize("api", ["rest", "xmlrpc"])
def test_the_image_is_in_the_body_with_keyphrase_alt_and_credit(wp, web_server, api):
    image_url = web_server.route(
        "/photos/piste.png", Reply(body=png_image(), headers={"Content-Type": "image/png"}))
    # [fetch]'s limits for the image: the test web server is on 127.0.0.1.
    local = Limits(allow_private=True, timeout=10)
    receipt = WordPressPublisher(wp.settings(api=api), wp.password, limits=local).publish(
        submission(uid(), image_url=image_url, image_credit="Photo Jeanne Martin / Le Fil"))
    post = wp.post(receipt.post_id)
    content = post["content"]["raw"]
    media = wp.get(f"/wp/v2/media/{post['featured_media']}")
    block = re.search(r"<!-- wp:image (\{.*?\}) -->\n(.*?)\n<!-- /wp:image -->", content)
    assert block is not None
    assert f'"id":{post["featured_media"]}' in block.group(1)
    assert f'<img src="{media["source_url"]}" alt="Pistes cyclables Nantes : La ville de ' \
           'Nantes ouvre trois nouvelles pistes cyclables"' in block.group(2)
    assert "<figcaption class=\"wp-element-caption\">Crédit : Photo Jeanne Martin / Le Fil" \
           in block.group(2)
    # After the first paragraph, not before the article starts.
    assert content.index("<!-- wp:image") > content.index("<!-- wp:paragraph")
