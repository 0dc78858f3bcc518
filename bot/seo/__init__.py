"""Yoast-grade SEO and readability analysis of a French draft.

``analyze()`` runs the assessments of Yoast SEO's free version (yoastseo 3.6.0: the SEO assessor
and the readability "content" assessor, French researcher) and aggregates their scores the way the
WordPress plugin does. See docs/seo.md.

The text primitives it is built on are shared with the rest of the bot through
``bot.seo.text``: every view of a body's HTML as text (bot.seo.html_views: the reader's
view the feeds and the fact check read, the quotations, Yoast's string and tree views),
words, sentences, keyphrase matching. This package imports nothing else of the bot but
bot.sanitize.
"""

from __future__ import annotations

import logging

from bot.seo.post import Post, js_round
from bot.seo.readability import READABILITY_ASSESSMENTS
from bot.seo.report import Assessment, SeoReport
from bot.seo.seo_assessments import SEO_ASSESSMENTS, function_words_in_keyphrase

__all__ = ["Assessment", "SeoReport", "analyze"]

log = logging.getLogger(__name__)

# Readability: penalty points per light, and the overall score they lead to.
_PENALTIES = {"bad": 3, "ok": 2}
_READABILITY_GOOD, _READABILITY_OK, _READABILITY_BAD, _READABILITY_NONE = 90, 60, 30, 0


def seo_score(results: list[Assessment]) -> int:
    """Yoast's SEO aggregate: the sum of the scores over 9 x the number of results, in %.

    Every result counts, the informative ones scoring 0 included. Yoast's figure can go below
    zero (a missing keyphrase scores -999); ours is clamped to 0..100."""
    if not results:
        return 0
    total = sum(r.score for r in results)
    return max(0, min(100, js_round(total * 100 / (len(results) * 9))))


def readability_score(results: list[Assessment]) -> int:
    """Yoast's readability aggregate for a fully supported language (French is one)."""
    valid = [r for r in results if r.text]
    if len(valid) <= 1:
        return _READABILITY_NONE
    penalty = sum(_PENALTIES.get(r.rating, 0) for r in valid)
    if penalty > 6:
        return _READABILITY_BAD
    if penalty > 4:
        return _READABILITY_OK
    return _READABILITY_GOOD


def analyze(
    *,
    body_html: str,
    keyphrase: str,
    title: str,
    seo_title: str,
    meta_description: str,
    slug: str,
    site_url: str | None = None,
) -> SeoReport:
    """Assess a draft as Yoast SEO would in WordPress and report every light and both scores."""
    post = Post(body_html, keyphrase, title, seo_title, meta_description, slug, site_url)
    seo = [
        assess(post)
        for assess in SEO_ASSESSMENTS
        # Yoast only runs this one when there is a keyphrase.
        if post.has_keyphrase or assess is not function_words_in_keyphrase
    ]
    readability = [assess(post) for assess in READABILITY_ASSESSMENTS]
    report = SeoReport(seo_score(seo), readability_score(readability), seo, readability)
    log.debug("SEO %s, readability %s", report.seo_score, report.readability_score)
    return report
