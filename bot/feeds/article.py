"""The article page behind a feed item: its main text and its og:image.

Many feeds carry only a summary. When an item is short, the page is fetched
through the same SSRF-guarded fetcher as feeds (trafilatura is never asked to
fetch anything: it only reads the text we hand it), decoded to Unicode by the
charset the server or the page declares, and its main text extracted by
trafilatura, which drops navigation, cookie banners, share bars, related links
and comments (bench/extraction.py measures it against the old reading).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import trafilatura
from lxml import html as lxml_html
from lxml.etree import ParserError

from bot.net.decode import CharsetUnknown, charset_param, decode_text
from bot.net.http import FetchError, Limits, retry_fetch
from bot.net.retry import BRIEF
from bot.sanitize import valid_characters

log = logging.getLogger(__name__)

# A page's own charset, in the first bytes as browsers look for it (HTML's prescan, simplified).
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
# lxml refuses a str that still declares an encoding; the text is Unicode by then.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


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
    page = page_text(response.content, response.headers.get("content-type", ""))
    return read_article(page, response.url) if page else None


def page_text(content: bytes, content_type: str) -> str | None:
    """The page as Unicode: the server's charset, else the page's <meta>, else UTF-8,
    else the detected one."""
    meta = _META_CHARSET.search(content[:4096])
    declared = [charset_param(content_type), meta.group(1).decode("ascii") if meta else None]
    try:
        return decode_text(content, declared).text
    except CharsetUnknown as error:
        log.warning("article page: %s", error)
        return None


def read_article(page: str, url: str) -> Article | None:
    """The main text (paragraphs apart) and og:image of a decoded page."""
    try:
        root = lxml_html.fromstring(valid_characters(_XML_DECLARATION.sub("", page, count=1)))
    except (ParserError, ValueError):
        return None
    image = root.xpath("string(//meta[@property='og:image']/@content)").strip()
    # The headline is the story's title already, not a paragraph of its text.
    for headline in root.xpath("//h1"):
        headline.drop_tree()
    text = trafilatura.extract(
        root,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=True,
        deduplicate=False,
    )
    image_url = urljoin(url, image) if image else None
    text = _paragraphs(text or "")
    return Article(text=text, image_url=image_url) if text or image_url else None


def _paragraphs(text: str) -> str:
    """trafilatura's lines are its paragraphs; ours are separated by blank lines."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)
