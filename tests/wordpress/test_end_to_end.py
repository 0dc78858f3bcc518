"""From a feed to a WordPress draft, through `depeche run --once`, on the real WordPress."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.common import cli
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress, png_image

pytestmark = pytest.mark.wordpress

DATA = Path(__file__).parents[1] / "quality" / "data"
SOURCE = json.loads((DATA / "source_grenoble.json").read_text(encoding="utf-8"))
GOOD = (DATA / "draft_grenoble.json").read_text(encoding="utf-8")


def feed(image_url: str, guid: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in SOURCE["text"].split("\n\n"))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fil Alpes</title>'
        f"<item><guid>{guid}</guid><title>{SOURCE['title']}</title>"
        f"<link>https://wire.example/{guid}</link>"
        f'<enclosure url="{image_url}" type="image/png" length="100"/>'
        f"<description><![CDATA[{body}]]></description></item></channel></rss>"
    )


def run_once(config: Path, site: LocalWordPress, password: str | None = None):
    env = {
        "OPENAI_API_KEY": "sk-test-throwaway",
        "DEPECHE_WP_APP_PASSWORD": password or site.password,
    }
    return CliRunner().invoke(
        cli, ["--config", str(config), "run", "--once"], env=env, catch_exceptions=False
    )


def status(config: Path) -> dict:
    result = CliRunner().invoke(cli, ["--config", str(config), "status", "--json"])
    return json.loads(result.output)


@pytest.mark.parametrize("api", ["rest", "xmlrpc"])
def test_feed_to_draft_with_seo_fields_terms_and_image(
    api: str, wp: LocalWordPress, llm: ScriptedLLM, web_server: WebServer, make_config
):
    image = web_server.route(
        "/photo.png", Reply(body=png_image(), headers={"Content-Type": "image/png"})
    )
    rss = web_server.route("/rss", Reply(body=feed(image, f"e2e-{api}")))
    config = make_config(
        feeds=[{"url": rss, "category": "Société"}],
        llm={"base_url": llm.base_url},
        publish={"target": "wordpress"},
        wordpress={"url": wp.url, "user": wp.user, "api": api, "seo_plugin": "yoast"},
    )
    llm.script(answer(GOOD))
    result = run_once(config, wp)
    assert result.exit_code == 0, result.output
    assert status(config)["states"]["published"] == 1
    shown = json.loads(
        CliRunner().invoke(cli, ["--config", str(config), "stories", "show", "1", "--json"]).output
    )
    post = wp.post(shown["post_id"])
    draft = json.loads(GOOD)
    assert post["status"] == "draft"
    assert post["slug"] == shown["draft"]["slug"]
    assert (
        "<!-- wp:heading" in post["content"]["raw"]
        and "<!-- wp:paragraph" in post["content"]["raw"]
    )
    assert post["meta"]["_yoast_wpseo_focuskw"] == draft["focus_keyphrase"]
    assert post["meta"]["_yoast_wpseo_metadesc"] == shown["draft"]["meta_description"]
    assert post["featured_media"] > 0, shown["draft"]["warnings"]
    media = wp.get(f"/wp/v2/media/{post['featured_media']}", context="edit")
    assert media["alt_text"].startswith("Illustration")
    categories = wp.get("/wp/v2/categories", include=",".join(map(str, post["categories"])))
    assert [c["name"] for c in categories] == ["Société"]
    assert len(post["tags"]) == len(draft["tags"])
    # Run again: the same story is never posted twice.
    assert run_once(config, wp).exit_code == 0
    assert wp.posts_of_story(shown["uid"]) == [post["id"]]


def test_bad_credentials_stop_publishing_and_lose_nothing(
    wp: LocalWordPress, web_server: WebServer, make_config
):
    rss = web_server.route("/rss", Reply(body=feed(web_server.url + "/none.png", "e2e-badpass")))
    config = make_config(
        feeds=[{"url": rss}],
        publish={"target": "wordpress"},
        wordpress={"url": wp.url, "user": wp.user},
    )
    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "run", "--once"],
        env={"DEPECHE_WP_APP_PASSWORD": "abcd efgh ijkl mnop qrst uvwx"},
    )
    assert result.exit_code == 4  # publishing stopped by the site: cron and systemd hear it
    assert "Publishing stopped" in result.output and wp.user in result.output
    assert "abcd efgh" not in result.output
    states = status(config)["states"]
    assert states["written"] == 1 and states["published"] == 0
    # Fixed credentials: the next run publishes it.
    assert run_once(config, wp).exit_code == 0
    assert status(config)["states"]["published"] == 1


def test_wp_check_command(wp: LocalWordPress, make_config):
    config = make_config(
        feeds=[], wordpress={"url": wp.url, "user": wp.user, "seo_plugin": "rankmath"}
    )
    good = CliRunner().invoke(
        cli, ["--config", str(config), "wp", "check"], env={"DEPECHE_WP_APP_PASSWORD": wp.password}
    )
    assert good.exit_code == 0, good.output
    bad = CliRunner().invoke(
        cli,
        ["--config", str(config), "wp", "check"],
        env={"DEPECHE_WP_APP_PASSWORD": "wrong wrong wrong wrong"},
    )
    assert bad.exit_code == 1 and "[fail]" in bad.output
    plugin = CliRunner().invoke(cli, ["wp", "plugin"])
    assert plugin.output.startswith("<?php") and "depeche_story_id" in plugin.output
