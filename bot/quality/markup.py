"""The body's HTML: the tags a WordPress post may hold, leftover Markdown, links."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3
from lxml import html as lxml_html

# What a news post needs and WordPress's editor renders as is; everything else is stripped.
ALLOWED_TAGS = frozenset(
    {
        "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote",
        "q", "cite", "br", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td",
        "abbr", "sub", "sup",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan", "scope"}}

_OPEN_TAG_RE = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9]*)\b")
_HREF_RE = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]+>")
_BARE_URL_RE = re.compile(r"\bhttps?://[^\s<>«»\"]+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.I)

# Markdown a model leaves behind when it forgets to write HTML: (what to show, pattern).
_MARKDOWN = (
    ("## titre", re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+\S")),
    ("**gras**", re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")),
    ("- puce", re.compile(r"(?m)^[ \t]*[-*+][ \t]+\S")),
    ("[texte](url)", re.compile(r"\[[^\]\n]+\]\([^)\s]+\)")),
)
_BLOCK_BREAK_RE = re.compile(r"<(?:/?(?:p|h[1-6]|li|ul|ol|blockquote|div|tr)|br)\b[^>]*>", re.I)


def clean_html(body_html: str) -> str:
    """The body reduced to the allowlist (nh3); links get rel="noopener noreferrer"."""
    return nh3.clean(body_html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"})


def disallowed_tags(body_html: str) -> list[str]:
    """Tag names of the body outside the allowlist, each once, in order."""
    names = (m.group(1).lower() for m in _OPEN_TAG_RE.finditer(body_html))
    return list(dict.fromkeys(n for n in names if n not in ALLOWED_TAGS))


def markdown_leftovers(body_html: str) -> list[str]:
    """The kinds of Markdown syntax found in the body's text (blocks on their own lines)."""
    text = html.unescape(_TAG_RE.sub("", _BLOCK_BREAK_RE.sub("\n", body_html)))
    return [shown for shown, pattern in _MARKDOWN if pattern.search(text)]


def link_targets(body_html: str) -> list[str]:
    """Every URL the body points to: link targets and URLs written out in the text."""
    text = html.unescape(_TAG_RE.sub(" ", body_html))
    return [*_HREF_RE.findall(body_html), *_BARE_URL_RE.findall(text)]


def host(url: str) -> str:
    """The host of a URL, lower case, without "www."; "" for a relative link."""
    if url.lower().startswith("www."):
        url = "https://" + url
    name = (urlsplit(url.strip()).hostname or "").lower()
    return name.removeprefix("www.")


def same_page(url: str, other: str) -> bool:
    """Two URLs of one page: scheme, "www." and a trailing slash do not matter."""
    def key(u: str) -> str:
        parts = urlsplit(u.strip())
        return f"{host(u)}{parts.path.rstrip('/')}?{parts.query}"

    return bool(url.strip()) and key(url) == key(other)


def foreign_links(body_html: str, allowed_hosts: set[str]) -> list[str]:
    """Links to a host that is neither the source's nor allowed (a subdomain counts as its
    parent), relative links excepted: a promotion slipped in by a prompt injection shows here."""
    def allowed(name: str) -> bool:
        return not name or any(name == h or name.endswith("." + h) for h in allowed_hosts)

    return list(dict.fromkeys(u for u in link_targets(body_html) if not allowed(host(u))))


def body_blocks(body_html: str) -> list[str]:
    """The body's top-level elements as HTML strings, in order: what a repair request numbers
    and a patch answer replaces. Loose text between elements stays with the element before."""
    if not body_html.strip():
        return []
    parts: list[str] = []
    for node in lxml_html.fragments_fromstring(body_html):
        if isinstance(node, str):
            parts.append(node.strip())
        else:
            parts.append(lxml_html.tostring(node, encoding="unicode", with_tail=True).strip())
    return [part for part in parts if part]
