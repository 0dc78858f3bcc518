"""Issue 9's corpus: what the default gate holds, and the Yoast scores of the posts on WordPress.

    flock /tmp/depeche-wp.lock python bench/yoast_corpus.py

The corpus (tests/quality/data/judgement_corpus) is good French drafts written for the tests, each
with its source. Each draft goes through the gate as a model answer would (local fixes, then
check() with the default [quality] settings): the number held must be 0. Then every draft is
published, in order, to the real WordPress of scripts/wordpress.sh (needs .wordpress/env) as
the bot publishes: blocks, credit, the story's image (served on 127.0.0.1) in the body,
« À lire aussi » links to the site's published posts ([seo] internal_links = 3). The posts
are published (status "publish"), so each later story can link to the earlier ones, as on a
newsroom's site that fills up. Each post's content is read back from WordPress and scored by
the real yoastseo package (tests/yoast, French researcher); the bench prints the median SEO
and readability scores beside the 90 targets, then deletes its posts.
"""

from __future__ import annotations

import json
import statistics
import sys
import uuid
from pathlib import Path

from bot.config.quality import QualitySettings
from bot.config.wordpress import WordPressSettings
from bot.errors import PublishError
from bot.publish.wordpress import WordPressPublisher
from bot.publish.wordpress.publisher import open_transport
from bot.quality import apply_local_fixes, check
from bot.story import Draft, SourceArticle, Submission
from tests.seo.yoast_compare import run_yoast
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import ENV_FILE, _read_env, png_image

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "quality" / "data" / "judgement_corpus"
TARGET = 90


def load() -> list[tuple[str, SourceArticle, Draft]]:
    stories = []
    for path in sorted(CORPUS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        stories.append((path.stem, SourceArticle(**data["source"]), Draft(**data["draft"])))
    return stories


def gate(stories: list[tuple[str, SourceArticle, Draft]]) -> list[tuple[str, SourceArticle,
                                                                         Draft]]:
    """The drafts as the writer would keep them; prints what the default gate says."""
    settings = QualitySettings()
    kept, held = [], 0
    for name, source, draft in stories:
        fixed = apply_local_fixes(draft, [source], settings)
        result = check(fixed, [source], settings)
        if result.holds:
            held += 1
        warned = ", ".join(f.rule for f in result.warnings) or "-"
        print(f"  {name:<28} {'HELD' if result.holds else 'kept'}; warnings: {warned}"
              + (f"; holds: {'; '.join(f.message for f in result.holds)}" if result.holds
                 else ""))
        fixed.seo = result.report.to_dict() if result.report else None
        kept.append((name, source, fixed))
    print(f"default gate: {held} held of {len(stories)} (target 0)")
    return kept


def main() -> int:
    if not ENV_FILE.exists():
        print("no .wordpress/env: start the test WordPress with scripts/wordpress.sh start")
        return 2
    env = _read_env()
    settings = WordPressSettings(url=env["DEPECHE_WP_URL"], user=env["DEPECHE_WP_USER"],
                                 allow_private=True, timeout=20, status="publish")
    password = env["DEPECHE_WP_APP_PASSWORD"]
    stories = gate(load())
    publisher = WordPressPublisher(settings, password, internal_links=3)
    run = uuid.uuid4().hex[:8]
    posts: list[tuple[str, Draft, int]] = []
    transport = open_transport(settings, password)
    try:
        with WebServer() as images:
            for name, source, draft in stories:
                image = images.route(f"/{name}.png", Reply(
                    body=png_image(1200, 675), headers={"Content-Type": "image/png"}))
                receipt = publisher.publish(Submission(
                    story_uid=f"bench-{run}-{name}", draft=draft, sources=(source,),
                    category=draft.category, image_url=image,
                    image_credit=f"Photo {source.source_name}"))
                posts.append((name, draft, int(receipt.post_id)))
        articles = []
        for name, draft, post_id in posts:
            post = transport.get_post(post_id)
            assert post is not None
            articles.append({
                "name": name, "body_html": post.content, "keyphrase": draft.focus_keyphrase,
                "title": draft.title, "seo_title": draft.seo_title,
                "meta_description": draft.meta_description, "slug": draft.slug,
                "site_url": settings.site,
            })
        scores = run_yoast(articles)
    finally:
        for _, _, post_id in posts:
            try:
                transport.delete_post(post_id)
            except PublishError as error:  # never hide the error that stopped the bench
                print(f"post {post_id} not deleted: {error}")
        transport.close()
    print(f"\n{'story':<28} {'SEO':>4} {'lisibilité':>10}  not green")
    for result in scores:
        orange = [f"{k}({v['rating']})" for group in ("seo", "readability")
                  for k, v in result[group].items() if v["rating"] not in ("good", "feedback")]
        print(f"{result['name']:<28} {result['seo_score']:>4} {result['readability_score']:>10}"
              f"  {', '.join(orange) or '-'}")
    seo = statistics.median(r["seo_score"] for r in scores)
    readability = statistics.median(r["readability_score"] for r in scores)
    print(f"\n{len(scores)} posts on WordPress, yoastseo: median SEO {seo:g} (target >= {TARGET}), "
          f"median readability {readability:g} (target >= {TARGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
