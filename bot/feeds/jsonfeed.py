"""JSON Feed 1.0/1.1 (jsonfeed.org), which feedparser does not read."""

from __future__ import annotations

import json
from typing import Any

from bot.errors import FeedError


def looks_like_json_feed(content: bytes, content_type: str) -> bool:
    if "json" in content_type:
        return True
    return content.lstrip()[:1] == b"{"


def parse_json_feed(content: bytes) -> tuple[str, str | None, list[dict[str, Any]]]:
    """Returns (feed title, feed language, raw items) of a JSON Feed document."""
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise FeedError(f"malformed JSON Feed: {error}") from None
    if not isinstance(document, dict) or "jsonfeed.org/version" not in str(
        document.get("version", "")
    ):
        raise FeedError("not a JSON Feed: no https://jsonfeed.org/version/1.x version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("malformed JSON Feed: 'items' is not a list")
    return (
        str(document.get("title") or ""),
        _text(document.get("language")) or None,
        [item for item in items if isinstance(item, dict)],
    )


def json_item_fields(item: dict[str, Any]) -> dict[str, Any]:
    """The fields of one JSON Feed item, under the names feedparser uses."""
    image = item.get("image") or item.get("banner_image")
    authors = item.get("authors")
    if not isinstance(authors, list):  # JSON Feed 1.0 had one "author"; garbage is none
        authors = [item["author"]] if isinstance(item.get("author"), dict) else []
    return {
        "id": _text(item.get("id")),
        "link": _text(item.get("url") or item.get("external_url")),
        "title": _text(item.get("title")),
        "html": _text(item.get("content_html")),
        "text": _text(item.get("content_text") or item.get("summary")),
        "date": _text(item.get("date_published") or item.get("date_modified")),
        "image": _text(image),
        "credit": ", ".join(_text(a.get("name")) for a in authors if isinstance(a, dict)),
        "language": _text(item.get("language")) or None,
    }


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))
