"""Yoast's link assessments: internal and external links, and links competing for the keyphrase.

Each function takes the Post and returns one Assessment whose id is Yoast's identifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from lxml import etree

from bot.seo.french import FUNCTION_WORDS
from bot.seo.html_views import STRING_VIEW_IGNORED, TREE_VIEW_IGNORED, inline_text, parse_body
from bot.seo.keyphrase import word_regex
from bot.seo.post import Post
from bot.seo.report import Assessment
from bot.seo.tokens import normalize_quotes, words


@dataclass
class _Anchor:
    href: str | None
    rel: str
    text: str


def ancestors_ignored(element: etree._Element, ignored: frozenset[str]) -> bool:
    parent = element.getparent()
    while parent is not None:
        if isinstance(parent.tag, str) and parent.tag.lower() in ignored:
            return True
        parent = parent.getparent()
    return False


def _anchors(post: Post, ignored: frozenset[str], *, need_attributes: bool) -> list[_Anchor]:
    root = parse_body(post.body_html)
    found = []
    for a in root.iter("a"):
        if need_attributes and not a.attrib:
            continue
        if ancestors_ignored(a, ignored):
            continue
        found.append(_Anchor(a.get("href"), a.get("rel") or "", inline_text(a)))
    return found


def _link_type(href: str, site_url: str) -> str:
    parsed = urlparse(href)
    if (parsed.scheme and parsed.scheme not in ("http", "https")) or href.startswith("#"):
        return "other"
    if "//" not in href and href.startswith("/"):
        return "internal"
    if not parsed.hostname:
        return "internal"
    site_host = urlparse(site_url).hostname if site_url else None
    return "internal" if parsed.hostname == site_host else "external"


def _link_counts(post: Post) -> dict[str, tuple[int, int]]:
    """(total, nofollow) per link type, as Yoast's link statistics count them."""
    counts = {"internal": [0, 0], "external": [0, 0], "other": [0, 0]}
    for anchor in _anchors(post, STRING_VIEW_IGNORED, need_attributes=True):
        kind = _link_type(anchor.href or "", post.permalink)
        counts[kind][0] += 1
        if "nofollow" in anchor.rel.lower().split():
            counts[kind][1] += 1
    return {kind: (total, nofollow) for kind, (total, nofollow) in counts.items()}


# Per kind of link: the assessment id, the advice when there is none, the noun in its forms.
_LINK_KINDS = {
    "external": ("externalLinks", "Aucun lien sortant : citez au moins une source.", "sortant"),
    "internal": (
        "internalLinks",
        "Aucun lien interne : renvoyez vers d'autres articles.",
        "interne",
    ),
}


def _links_assessment(post: Post, kind: str) -> Assessment:
    aid, advice, noun = _LINK_KINDS[kind]
    total, nofollow = _link_counts(post)[kind]
    if total == 0:
        return Assessment.scored(aid, 3, advice, 0)
    if nofollow == total:
        return Assessment.scored(aid, 7, f"{total} lien(s) {noun}(s), tous en nofollow.", total)
    if nofollow:
        return Assessment.scored(aid, 8, f"{total} liens {noun}s, dont {nofollow} nofollow.", total)
    return Assessment.scored(aid, 9, f"{total} lien(s) {noun}(s) : bien.", total)


def external_links(post: Post) -> Assessment:
    return _links_assessment(post, "external")


def internal_links(post: Post) -> Assessment:
    return _links_assessment(post, "internal")


def _is_self_link(href: str | None, permalink: str) -> bool:
    if not href:
        return False
    if href.startswith("#"):
        return True

    def bare(url: str) -> str:
        return url.split("#")[0].split("?")[0].rstrip("/") + "/"

    return bare(href) == bare(permalink)


def _anchor_is_competing(post: Post, anchor: _Anchor) -> bool:
    if post.share_found(anchor.text) != 100:
        return False
    anchor_words = list(dict.fromkeys(words(anchor.text)))
    content = [w for w in anchor_words if w.lower() not in FUNCTION_WORDS]
    anchor_words = content or anchor_words
    return all(
        any(word_regex(k).search(normalize_quotes(w)) for k in post.keyphrase_words)
        for w in anchor_words
    )


def text_competing_links(post: Post) -> Assessment:
    aid = "textCompetingLinks"
    competing = 0
    if post.has_keyphrase and post.has_text:
        anchors = _anchors(post, TREE_VIEW_IGNORED, need_attributes=False)
        anchors = [a for a in anchors if not _is_self_link(a.href, post.permalink)]
        competing = sum(1 for a in anchors if _anchor_is_competing(post, a))
    if competing == 0:
        return Assessment.scored(aid, 8, "Aucun lien n'a l'expression clé pour ancre : bien.", 0)
    return Assessment.scored(
        aid,
        2,
        f"{competing} lien(s) ont l'expression clé pour ancre : ils concurrencent "
        "l'article sur cette requête.",
        competing,
    )
