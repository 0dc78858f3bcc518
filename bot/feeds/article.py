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

from bot.net.http import FetchError, Limits, retry_fetch
from bot.net.retry import BRIEF
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
        response = retry_fetch(url, limits=limits, policy=BRIEF, headers={"Accept": "text/html"})
    except FetchError as error:
        log.warning("article page %s: %s", url, error.reason)
        return None
    if response.status != 200 or not response.content.strip():
        return None
    return read_article(
        _decoded(response.content, response.headers.get("content-type", "")), response.url
    )


def _decoded(content: bytes, content_type: str) -> str | bytes:
    """Text in the charset the server declared, else UTF-8 when it is valid UTF-8;
    else the bytes, for lxml to read the page's own <meta charset> (its default,
    Latin-1, would garble every accent of a UTF-8 page)."""
    charset = content_type.partition("charset=")[2].split(";")[0].strip(" \"'")
    for encoding in filter(None, (charset, "utf-8")):
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content


def read_article(content: str | bytes, url: str) -> Article | None:
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
