"""`depeche wp check` against the real site."""

from __future__ import annotations

import pytest

from bot.publish.wordpress import check_site

pytestmark = pytest.mark.wordpress


def leftover_check_drafts(wp) -> list[int]:
    found = wp.get(
        "/wp/v2/posts", search="brouillon de vérification", status="draft,trash", context="edit"
    )
    return [post["id"] for post in found]


@pytest.mark.parametrize("api", ["rest", "xmlrpc"])
@pytest.mark.parametrize("seo_plugin", ["yoast", "rankmath"])
def test_a_ready_site_checks_ok_and_keeps_no_throwaway_draft(wp, api, seo_plugin):
    ok, lines = check_site(wp.settings(api=api, seo_plugin=seo_plugin), wp.password)
    text = "\n".join(lines)
    assert ok, text
    assert "[ok] REST API works: logged in as 'depeche' (roles: editor)" in text
    assert "[ok] XML-RPC works" in text
    assert "[ok] the Dépêche mu-plugin is installed" in text
    assert "[ok] capability manage_categories: yes, needed to create" in text
    prefix = "_yoast_wpseo" if seo_plugin == "yoast" else "rank_math"
    assert text.count(f"[ok] field {prefix}") == 3
    assert "[ok] field depeche_story_id: sticks" in text
    assert leftover_check_drafts(wp) == []


def test_without_the_mu_plugin_the_check_fails_naming_fields_and_fix(wp):
    wp.remove_plugin("depeche.php")
    ok, lines = check_site(wp.settings(), wp.password)
    text = "\n".join(lines)
    assert not ok
    assert "[fail] the Dépêche mu-plugin is missing" in text
    assert "[fail] field _yoast_wpseo_metadesc: does NOT stick" in text
    assert "depeche wp plugin" in text


def test_an_author_cannot_schedule_and_cannot_create_categories(wp):
    settings = wp.settings(
        user=wp.author_user, status="future", publish_date="2031-01-05T09:00:00+01:00"
    )
    ok, lines = check_site(settings, wp.author_password)
    text = "\n".join(lines)
    assert "roles: author" in text
    assert "[warn] capability manage_categories: NO, needed to create" in text
    assert ok  # authors may publish their own posts: scheduling is allowed


def test_a_bad_password_fails_on_both_transports(wp):
    ok, lines = check_site(wp.settings(), "wrong password")
    text = "\n".join(lines)
    assert not ok
    assert "[fail] REST API: WordPress at" in text and "refused user 'depeche'" in text
    assert "wrong password" not in text
