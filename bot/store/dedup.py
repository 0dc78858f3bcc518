"""What makes two feed items the same story: GUID, canonical URL, or text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.feeds.item import FeedItem
from bot.seo.tokens import without_marks
from bot.store.models import StoryKey

# Query parameters that track the reader, never identify the article.
TRACKING_PARAMS = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|xtor|at_.*|"
    r"ocid|cmpid|ito|ns_.*|spm|ref|ref_src|s_cid)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}
Key = tuple[str, str]  # (kind, value): guid | url | text
# How many key values one lookup sends: well under any database's parameter limit.
_LOOKUP_CHUNK = 500
_WORD = re.compile(r"\w+")


def canonical_url(url: str) -> str:
    """Strip what differs between two links to the same page.

    Tracking parameters, the fragment, a trailing slash, the default port and
    the letter case of the scheme and host. A site serves the same page over
    http and https, with or without www., so those map to one form too.
    """
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/") or ""
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING_PARAMS.match(k)
        )
    )
    if scheme == "http":
        scheme = "https"
    return urlunsplit((scheme, netloc, path, query, ""))


def normalised_text(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: the same wire text
    reposted with other quotes, dashes or line breaks hashes the same."""
    folded = without_marks(unicodedata.normalize("NFKD", text.casefold()))
    return " ".join(_WORD.findall(folded))


def text_fingerprint(title: str, text: str) -> str | None:
    """None when there is too little text to tell two stories apart."""
    body = normalised_text(text)
    if len(body.split()) < 12:
        return None
    return hashlib.sha256(body.encode()).hexdigest()


def key_value(value: str) -> str:
    """Keys are stored hashed when long, so any URL or GUID fits the index."""
    return value if len(value) <= 255 else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def item_keys(item: FeedItem) -> list[Key]:
    """The item's dedup keys, its GUID's first."""
    keys = [("guid", key_value(item.guid))]
    if item.url:
        keys.append(("url", key_value(canonical_url(item.url))))
    if fingerprint := text_fingerprint(item.title, item.text):
        keys.append(("text", fingerprint))
    return keys


def stored_keys(session: Session, keys: list[Key]) -> dict[Key, int]:
    """The stories these keys already point at, by (kind, value), the unique index's
    order: one query for a feed's items."""
    by_kind: dict[str, set[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, set()).add(value)
    chunks = [
        (kind, ordered[start : start + _LOOKUP_CHUNK])
        for kind, values in by_kind.items()
        for ordered in [sorted(values)]
        for start in range(0, len(ordered), _LOOKUP_CHUNK)
    ]
    table = StoryKey.__table__
    found: dict[Key, int] = {}
    for start in range(0, len(chunks), 3):
        wanted = or_(
            *(and_(table.c.kind == k, table.c.value.in_(v)) for k, v in chunks[start : start + 3])
        )
        rows = session.connection().execute(
            select(table.c.kind, table.c.value, table.c.story_id).where(wanted)
        )
        found.update({(kind, value): story_id for kind, value, story_id in rows})
    return found
