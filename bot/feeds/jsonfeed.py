"""JSON Feed 1.0 and 1.1 (jsonfeed.org/version/1.1), which feedparser does not read.

Read to the letter of the spec: `title`, `content_text` and `summary` are plain
text (« <script> » in them is words, not markup); an item without an `id` is
discarded; a field of another type than the spec's is ignored with a warning,
never turned into a string (only an `id` number is, as the spec asks); nesting
is bounded before the JSON parser recurses into it; `_extensions` are ignored.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from itertools import accumulate
from typing import Any

from bot.errors import FeedError
from bot.seo.text import reader_text

# No feed nests deeper than a few levels; json.loads recurses once per level.
MAX_DEPTH = 64
_VERSION = re.compile(r"https?://jsonfeed\.org/version/1(\.\d+)?/?")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


@dataclass
class JsonItem:
    guid: str
    link: str
    title: str  # plain text
    html: str  # content_html, as HTML
    text: str  # content_text, else summary: plain text
    date: str
    image: str
    credit: str
    language: str | None
    tags: list[str]


@dataclass
class JsonFeed:
    title: str
    language: str | None
    items: list[JsonItem]
    warnings: list[str] = field(default_factory=list)


def looks_like_json_feed(text: str, content_type: str) -> bool:
    return "json" in content_type or text.lstrip("\ufeff \t\r\n")[:1] == "{"


def parse_json_feed(text: str) -> JsonFeed:
    document = _loads(text.lstrip("\ufeff"))
    if not isinstance(document, dict) or not _is_version_1(document.get("version")):
        raise FeedError("not a JSON Feed: no https://jsonfeed.org/version/1 or 1.1 version")
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        raise FeedError("malformed JSON Feed: 'items' is not a list")
    reader = _Reader()
    language = reader.string(document, "language") or None
    feed_authors = reader.authors(document)
    items = [
        item
        for raw in raw_items
        if (item := reader.item(raw, feed_authors, language)) is not None
    ]
    return JsonFeed(
        title=plain_text(reader.string(document, "title")),
        language=language,
        items=items,
        warnings=reader.warnings(),
    )


def plain_text(value: str) -> str:
    """A plain-text field as our text: its « < » and « & » are characters, not markup.
    (Wrapped in a paragraph so that the escaped text is read as HTML, entities and all.)"""
    return reader_text(f"<p>{escape(value, quote=False)}</p>")


def _is_version_1(version: Any) -> bool:
    return isinstance(version, str) and _VERSION.fullmatch(version.strip()) is not None


def _loads(text: str) -> Any:
    # Brackets inside strings are text; the others nest.
    brackets = _BRACKETS.findall(_STRINGS.sub("", text))
    depth = max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0)
    if depth > MAX_DEPTH:
        raise FeedError(f"malformed JSON Feed: nested {depth} levels deep (at most {MAX_DEPTH})")
    try:
        return json.loads(text)
    except ValueError as error:
        raise FeedError(f"malformed JSON Feed: {error}") from None


class _Reader:
    """Reads fields by the spec's types, counting what it had to ignore."""

    def __init__(self) -> None:
        self._ignored: Counter[str] = Counter()

    def string(self, obj: dict[str, Any], key: str) -> str:
        value = obj.get(key)
        if value is None or isinstance(value, str):
            return (value or "").strip()
        self._ignored[f"'{key}' that is a {type(value).__name__}, not a string"] += 1
        return ""

    def item(
        self, raw: Any, feed_authors: list[str], language: str | None
    ) -> JsonItem | None:
        if not isinstance(raw, dict):
            self._ignored["item that is not an object"] += 1
            return None
        guid = self._id(raw)
        if not guid:
            self._ignored["item without an id (the spec requires one)"] += 1
            return None
        return JsonItem(
            guid=guid,
            link=self.string(raw, "url") or self.string(raw, "external_url"),
            title=plain_text(self.string(raw, "title")),
            html=self.string(raw, "content_html"),
            text=plain_text(self.string(raw, "content_text") or self.string(raw, "summary")),
            date=self.string(raw, "date_published") or self.string(raw, "date_modified"),
            image=self.string(raw, "image")
            or self.string(raw, "banner_image")
            or self._image_attachment(raw),
            credit=", ".join(self.authors(raw) or feed_authors),
            language=self.string(raw, "language") or language,
            tags=self._strings(raw, "tags"),
        )

    def _id(self, raw: dict[str, Any]) -> str:
        value = raw.get("id")
        # The spec: "If an id is presented as a number or other type, a JSON Feed
        # reader must coerce it to a string." A number has one spelling; an object has none.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return self.string(raw, "id")

    def authors(self, obj: dict[str, Any]) -> list[str]:
        """The names of `authors` (1.1), else of the one `author` (1.0)."""
        authors = obj.get("authors")
        if authors is None and isinstance(obj.get("author"), dict):
            authors = [obj["author"]]
        if authors is None:
            return []
        if not isinstance(authors, list):
            self._ignored["'authors' that is not a list"] += 1
            return []
        names = (self.string(a, "name") for a in authors if isinstance(a, dict))
        return [name for name in names if name]

    def _strings(self, obj: dict[str, Any], key: str) -> list[str]:
        values = obj.get(key)
        if values is None:
            return []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            self._ignored[f"'{key}' that is not a list of strings"] += 1
            return []
        return [plain_text(value) for value in values]

    def _image_attachment(self, raw: dict[str, Any]) -> str:
        attachments = raw.get("attachments")
        if not isinstance(attachments, list):
            return ""
        for attachment in attachments:
            if isinstance(attachment, dict) and self.string(attachment, "mime_type").startswith(
                "image/"
            ):
                return self.string(attachment, "url")
        return ""

    def warnings(self) -> list[str]:
        return [
            f"JSON Feed: ignored {count} {what}" for what, count in sorted(self._ignored.items())
        ]
