"""Parse RSS 0.9x/1.0/2.0, Atom (feedparser) and JSON Feed into FeedItems."""

from __future__ import annotations

import calendar
import hashlib
import logging
import time
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
from bot.feeds.jsonfeed import json_item_fields, looks_like_json_feed, parse_json_feed
from bot.sanitize import html_to_text, valid_characters

log = logging.getLogger(__name__)

# Dates before this or more than a day ahead are a feed's mistake, not news.
OLDEST_SANE_DATE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class ParsedFeed:
    title: str
    language: str | None
    items: list[FeedItem]
    ttl_seconds: int | None = None  # RSS <ttl>, in minutes in the feed
    warnings: list[str] = field(default_factory=list)


def parse_feed(content: bytes, *, content_type: str = "", base_url: str = "") -> ParsedFeed:
    if not content.strip():
        raise FeedError("empty document")
    if looks_like_json_feed(content, content_type):
        return _parse_json(content, base_url)
    _refuse_entities(content)
    return _parse_xml(content, content_type, base_url)


def _refuse_entities(content: bytes) -> None:
    """Entity declarations are how XML bombs and external-entity reads work;
    no honest feed needs them, so a feed that declares any is refused."""
    try:
        defused_fromstring(content, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise FeedError(f"refused: the XML declares entities ({type(error).__name__})") from None
    except ParseError:
        pass  # malformed XML: feedparser's lenient parser gets a chance, and says if it fails


def _parse_xml(content: bytes, content_type: str, base_url: str) -> ParsedFeed:
    headers = {"content-type": content_type} if content_type else {}
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
        title=html_to_text(feed.get("title", "")),
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
        title=entry.get("title") or "",
        body_html=body,
        published=entry.get("published_parsed") or entry.get("updated_parsed"),
        image=urljoin(base_url, image) if image else None,
        credit=credit,
        language=language,
        categories=_categories(entry),
    )


def _categories(entry: Any) -> tuple[str, ...]:
    """The item's own categories, as the feed spelled them, each once."""
    terms = (html_to_text(tag.get("term") or "")[:100] for tag in entry.get("tags") or [])
    return tuple(dict.fromkeys(term for term in terms if term))[:10]


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


def _parse_json(content: bytes, base_url: str) -> ParsedFeed:
    title, language, raw_items = parse_json_feed(content)
    items = []
    for raw in raw_items:
        fields = json_item_fields(raw)
        items.append(
            _item(
                guid=fields["id"],
                link=urljoin(base_url, fields["link"]) if fields["link"] else "",
                title=fields["title"],
                body_html=fields["html"] or fields["text"],
                published=_iso_to_struct(fields["date"]),
                image=urljoin(base_url, fields["image"]) if fields["image"] else None,
                credit=fields["credit"] or None,
                language=fields["language"] or language,
            )
        )
    return ParsedFeed(title=title, language=language, items=[i for i in items if i])


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
    body_html: str,
    published: time.struct_time | None,
    image: str | None,
    credit: str | None,
    language: str | None,
    categories: tuple[str, ...] = (),
) -> FeedItem | None:
    """Build one item; an item with neither title nor text is skipped."""
    title_text = html_to_text(title)
    text = html_to_text(body_html)
    if not title_text and not text:
        return None
    guid, link = valid_characters(guid), valid_characters(link)
    if not guid:
        # No GUID: the link identifies the item; no link either: its words do.
        guid = link or "sha256:" + hashlib.sha256(f"{title_text}\n{text}".encode()).hexdigest()
    return FeedItem(
        guid=guid.strip(),
        url=link if link.startswith(("http://", "https://")) else "",
        title=title_text,
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
