"""Issue 9 through `depeche run --once`: a feed named in English, an answer with an SEO
warning: the story is published in one call, the editor sees the warning with its measure and
the Yoast scores, and `depeche status` counts it by rule."""

from __future__ import annotations

import json
from pathlib import Path

from tests.pipeline.test_run_once import GOOD, GRENOBLE, invoke, outbox
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer


def test_an_english_feed_and_a_warning_give_a_published_french_draft(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    guid, title, link, text = GRENOBLE
    feed_xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Reuters World News</title>"
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<description><![CDATA[{text}]]></description></item></channel></rss>"
    )
    feed = web_server.route("/rss", Reply(body=feed_xml,
                                          headers={"Content-Type": "application/rss+xml"}))
    config = make_config(feeds=[{"url": feed}], llm={"base_url": llm.base_url})
    one_head = dict(GOOD, body_html=GOOD["body_html"].replace(
        "dans les écoles de Grenoble</h2>", "dans la ville</h2>"))
    llm.script(answer(json.dumps(one_head, ensure_ascii=False)))
    result = invoke(config, "run", "--once", env={"OPENAI_API_KEY": "sk-test-throwaway"})
    assert result.exit_code == 0, result.output
    assert len(llm.calls) == 1
    (draft,) = outbox(tmp_path)
    assert "Reuters World News</a></p>" in draft["body_html"]
    [warning] = draft["warnings"]
    assert "(mesuré : 20 % ; cible : 30-75 %)" in warning
    page = (tmp_path / "outbox" / f"{draft['slug']}.html").read_text(encoding="utf-8")
    assert "mesuré : 20 %" in page and f"SEO {draft['seo']['seo_score']}/100" in page
    status = json.loads(invoke(config, "status", "--json").output)
    assert status["states"]["published"] == 1 and status["states"]["held"] == 0
    assert status["warnings"] == {"keyphrase_in_subheadings": 1}
    shown = invoke(config, "status").output
    assert "keyphrase_in_subheadings" in shown


def test_the_wordpress_editor_note_lists_warnings_and_yoast_scores():
    from bot.publish.base import Submission
    from bot.publish.wordpress.content import editor_note
    from bot.story import Draft, SourceArticle

    draft = Draft.from_dict(dict(GOOD, seo={"seo_score": 87, "readability_score": 90},
                                 warnings=["SEO à revoir : densité (mesuré : 0,3 % ; cible : "
                                           "0,5-3 %)"]))
    source = SourceArticle("Titre", "", "https://wire.example/a", "AFP")
    note = editor_note(Submission("uid", draft, (source,), ""), [])
    assert "Yoast : SEO 87/100, lisibilité 90/100" in note.splitlines()
    assert "- SEO à revoir : densité (mesuré : 0,3 % ; cible : 0,5-3 %)" in note.splitlines()
