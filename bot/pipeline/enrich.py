"""Enrichment, right after a story is stored: its article page, read once.

Many feeds carry only a summary. A new story from a remote feed whose text is
short has its page read now (bot.feeds.article), its text and og:image kept
when they add something, and committed; so the write step reads a complete
story from the database and makes no network call of its own. A local wire
file has no page to read.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.net.limits import Limits
from bot.store import Story


def needs_page(feed_url: str, url: str, text: str, below_words: int) -> bool:
    """Does a story from this feed, at `url`, with this text, have its page read?"""
    remote = feed_url.startswith(("http://", "https://"))
    return remote and bool(url) and len(text.split()) < below_words


def enrich_story(session: Session, story: Story, limits: Limits, below_words: int) -> None:
    """Complete a short story from its article page; a page that cannot be had
    leaves the feed's text as it is."""
    feed_url = story.feed.url if story.feed is not None else ""
    if not needs_page(feed_url, story.url, story.source_text, below_words):
        return
    # Here and not at the top: trafilatura takes 0.1 s to import, which a run whose
    # stories need no page (each worker's start) does not pay.
    from bot.feeds.article import fetch_article

    article = fetch_article(story.url, limits)
    if article is None:
        return
    if len(article.text.split()) > len(story.source_text.split()):
        story.source_text = article.text
    story.image_url = story.image_url or article.image_url
    session.commit()
