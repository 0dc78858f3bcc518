"""The article page behind a feed item: its main text and its og:image.

Many feeds carry only a summary. When an item is short, the page is fetched
(through the same guarded fetcher as feeds) and its paragraphs read: those
inside <article> or <main> when the page has one, else every paragraph long
enough to be prose rather than navigation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import html as lxml_html
from lxml.etree import ParserError

from bot.net.http import FetchError, Limits, fetch
from bot.sanitize import clean_html, html_to_text

log = logging.getLogger(__name__)

MIN_PROSE_WORDS = 8


@dataclass
class Article:
    text: str
    image_url: str | None


def fetch_article(url: str, limits: Limits) -> Article | None:
    """None when the page cannot be had; the feed's own text is then used."""
    try:
        response = fetch(url, limits=limits, headers={"Accept": "text/html"})
    except FetchError as error:
        log.warning("article page %s: %s", url, error.reason)
        return None
    if response.status != 200 or not response.content.strip():
        return None
    return read_article(response.content, response.url)


def read_article(content: bytes, url: str) -> Article | None:
    try:
        page = lxml_html.fromstring(content, base_url=url)
    except (ParserError, ValueError):
        return None
    image = page.xpath("string(//meta[@property='og:image']/@content)").strip()
    container = next(iter(page.xpath("//article | //main")), page)
    paragraphs = [
        lxml_html.tostring(p, encoding="unicode")
        for p in container.iter("p", "h2", "h3")
        if p.tag != "p" or len(p.text_content().split()) >= MIN_PROSE_WORDS
    ]
    text = html_to_text(clean_html("".join(paragraphs)))
    image_url = urljoin(url, image) if image else None
    return Article(text=text, image_url=image_url) if text or image_url else None
