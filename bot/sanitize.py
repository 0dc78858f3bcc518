"""One HTML allowlist for everything that enters or leaves the bot.

HTML from feeds is cleaned before it is stored, and the model's HTML before
it is posted: no script, style, iframe, form, event handler or javascript:
URL can reach WordPress. nh3 (Rust's ammonia) does the cleaning: a parser,
not regular expressions.
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "q",
    "cite",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "br",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Dropped with their content, not just unwrapped.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "form", "noscript", "template"}


# Characters no XML or HTML document may hold: control characters (lxml refuses
# them with a ValueError), lone surrogates (UTF-8 cannot encode them) and NUL
# (PostgreSQL refuses it). A JSON Feed can carry any of them as \u escapes.
_INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def valid_characters(text: str) -> str:
    return _INVALID_CHARACTERS.sub("", text)


def clean_html(html: str) -> str:
    """The allowed markup only. Cleaned again until it stops changing: mis-nested input
    (`<h2><a><h2></a></h2>`) can come out as a tree (a heading inside a heading) that
    HTML parses differently the next time, so one pass alone is not a fixed point."""
    cleaned = _clean_once(valid_characters(html))
    for _ in range(3):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def _clean_once(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags=DROP_WITH_CONTENT,
        link_rel="noopener",
        strip_comments=True,
    )
