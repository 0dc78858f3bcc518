"""Parse RSS 0.9x/1.0/2.0, Atom (feedparser) and JSON Feed into FeedItems."""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring

from bot.errors import FeedError
from bot.feeds.item import FeedItem
from bot.feeds.jsonfeed import looks_like_json_feed, parse_json_feed
from bot.net.decode import CharsetUnknown, DecodedText, charset_param, decode_text
from bot.sanitize import valid_characters
from bot.seo.text import reader_text

log = logging.getLogger(__name__)

# Dates before this or more than a day ahead are a feed's mistake, not news.
OLDEST_SANE_DATE = datetime(2000, 1, 1, tzinfo=UTC)
# The encoding in an XML declaration, read in ASCII (a wide encoding is told by its first bytes).
_XML_ENCODING = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\sencoding\s*=\s*[\"']([^\"']+)[\"']"
)
_XML_DECLARED_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?\sencoding\s*=\s*)([\"'])[^\"']*\2")


@dataclass
class ParsedFeed:
    title: str
    language: str | None
    items: list[FeedItem]
    ttl_seconds: int | None = None  # RSS <ttl>, in minutes in the feed
    warnings: list[str] = field(default_factory=list)


def parse_feed(content: bytes, *, content_type: str = "", base_url: str = "") -> ParsedFeed:
    """Decode the document to Unicode first, whatever its charset, then read it."""
    if not content.strip():
        raise FeedError("empty document")
    decoded = _decoded(content, content_type)
    warnings = [decoded.warning] if decoded.warning else []
    if looks_like_json_feed(decoded.text, content_type):
        feed = _parse_json(decoded.text, base_url)
    else:
        if may_declare_entities(decoded.text):
            _refuse_entities(decoded.text)
        feed = _parse_xml(_as_utf8(decoded.text), content_type, base_url)
    feed.warnings[:0] = warnings
    return feed


def _decoded(content: bytes, content_type: str) -> DecodedText:
    """The server's charset first, then the XML declaration's (feedparser's order for
    XML media types), then UTF-8, then a detected one."""
    declaration = _XML_ENCODING.match(content)
    declared = declaration.group(1).decode("ascii", "replace") if declaration else None
    try:
        return decode_text(content, [charset_param(content_type), declared])
    except CharsetUnknown as error:
        raise FeedError(str(error)) from None


def may_declare_entities(text: str) -> bool:
    """Whether the text may declare an entity: a declaration is markup, always spelled
    `<!ENTITY` (no character reference can stand in markup, and an external DTD is never
    read), so a text without it needs no XML pass to know it declares none: the pass
    costs 3 % of a parse (tests/feeds/test_parse_options.py: the same results)."""
    return "<!ENTITY" in text


def _refuse_entities(text: str) -> None:
    """Entity declarations are how XML bombs and external-entity reads work;
    no honest feed needs them, so a feed that declares any is refused. The check
    reads the decoded text, the very text feedparser will read."""
    try:
        defused_fromstring(
            _as_utf8(text), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as error:
        raise FeedError(f"refused: the XML declares entities ({type(error).__name__})") from None
    except ParseError:
        pass  # malformed XML: feedparser's lenient parser gets a chance, and says if it fails


def _as_utf8(text: str) -> bytes:
    """The decoded document in UTF-8, its XML declaration saying so."""
    return _XML_DECLARED_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8", "replace")


def _parse_xml(content: bytes, content_type: str, base_url: str) -> ParsedFeed:
    # The content is UTF-8 now, whatever the server said.
    media_type = content_type.split(";")[0].strip()
    headers = {"content-type": f"{media_type}; charset=utf-8"} if media_type else {}
    parsed = feedparser.parse(content, response_headers=headers, sanitize_html=False)
    warnings = []
    if parsed.get("bozo"):
        reason = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"
        if not parsed.entries:
            raise FeedError(f"malformed feed: {reason}")
        warnings.append(f"feed is not well formed, read anyway ({reason})")
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("not a feed: no RSS, Atom or JSON Feed found")
    feed = parsed.feed
    ttl = feed.get("ttl")
    language = feed.get("language")
    items = [_xml_item(entry, base_url, language) for entry in parsed.entries]
    return ParsedFeed(
        title=reader_text(feed.get("title", "")),
        language=language,
        items=[item for item in items if item is not None],
        ttl_seconds=int(ttl) * 60 if str(ttl or "").isdigit() else None,
        warnings=warnings,
    )


def _xml_item(entry: Any, base_url: str, language: str | None) -> FeedItem | None:
    # feedparser may hold None where a malformed element was (a comment left open).
    body = entry.get("content", [{}])[0].get("value") or entry.get("summary") or ""
    image, credit = _xml_image(entry)
    return _item(
        guid=entry.get("id") or "",
        # urljoin(base, "") is the base: an item without a link would get the feed's URL.
        link=urljoin(base_url, entry["link"]) if entry.get("link") else "",
        title=reader_text(entry.get("title") or ""),
        text=reader_text(body),
        published=entry.get("published_parsed") or entry.get("updated_parsed"),
        image=urljoin(base_url, image) if image else None,
        credit=credit,
        language=language,
        categories=_categories(reader_text(t.get("term") or "") for t in entry.get("tags") or []),
    )


def _categories(terms: Iterable[str]) -> tuple[str, ...]:
    """The item's own categories, as the feed spelled them, each once."""
    return tuple(dict.fromkeys(term[:100] for term in terms if term))[:10]


def _xml_image(entry: Any) -> tuple[str | None, str | None]:
    """An image from media:content, media:thumbnail or an image enclosure."""
    credit = None
    if entry.get("media_credit"):
        credit = entry["media_credit"][0].get("content")
    for media in entry.get("media_content", []):
        if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/"):
            return media.get("url"), credit
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "")).startswith("image/"):
            return enclosure.get("href"), credit
    thumbnails = entry.get("media_thumbnail", [])
    return (thumbnails[0].get("url"), credit) if thumbnails else (None, credit)


def _parse_json(text: str, base_url: str) -> ParsedFeed:
    feed = parse_json_feed(text)
    items = [
        _item(
            guid=item.guid,
            link=urljoin(base_url, item.link) if item.link else "",
            title=item.title,
            text=reader_text(item.html) if item.html else item.text,
            published=_iso_to_struct(item.date),
            image=urljoin(base_url, item.image) if item.image else None,
            credit=item.credit or None,
            language=item.language,
            categories=_categories(item.tags),
        )
        for item in feed.items
    ]
    return ParsedFeed(
        title=feed.title,
        language=feed.language,
        items=[item for item in items if item],
        warnings=feed.warnings,
    )


def _iso_to_struct(value: str) -> time.struct_time | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).timetuple()
    except ValueError:
        return None


def _item(
    *,
    guid: str,
    link: str,
    title: str,
    text: str,
    published: time.struct_time | None,
    image: str | None,
    credit: str | None,
    language: str | None,
    categories: tuple[str, ...] = (),
) -> FeedItem | None:
    """Build one item from its plain-text title and text; an item with neither is skipped."""
    if not title and not text:
        return None
    guid, link = valid_characters(guid), valid_characters(link)
    if not guid:
        # No GUID: the link identifies the item; no link either: its words do.
        guid = link or "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return FeedItem(
        guid=guid.strip(),
        url=link if link.startswith(("http://", "https://")) else "",
        title=title,
        text=text,
        language=language,
        image_url=image if image and image.startswith(("http://", "https://")) else None,
        image_credit=credit,
        published_at=_sane_date(published),
        categories=categories,
    )


def _sane_date(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromtimestamp(calendar.timegm(value), UTC)
    if moment < OLDEST_SANE_DATE or moment > datetime.now(UTC) + timedelta(days=1):
        log.warning("ignoring implausible item date %s", moment.isoformat())
        return None
    return moment
