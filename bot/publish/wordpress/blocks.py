"""The draft's HTML as block-editor markup, so that it opens as native blocks.

A body sent as plain HTML opens in WordPress as one "Classic" block that an
editor must convert by hand. Each top-level element becomes the block that
WordPress itself would have saved: headings, paragraphs, lists, quotes; what
has no simple block (tables, figures...) goes in a Custom HTML block, intact.

The markup is the one the editor's own save functions produce (lists and
quotes in their single-block form, which newer WordPress versions migrate
silently), so that no block opens as "unexpected or invalid content".
"""

from __future__ import annotations

import html
import json

from lxml import html as lxml_html

_HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}  # h1 is the post title


def to_blocks(body_html: str) -> str:
    """Block markup for ``body_html``; blocks separated by blank lines, as WordPress saves."""
    if not body_html.strip():
        return ""
    blocks: list[str] = []
    for node in lxml_html.fragments_fromstring(body_html):
        if isinstance(node, str):
            blocks.extend(_loose_text(node))
            continue
        blocks.append(_block(node))
        blocks.extend(_loose_text(node.tail or ""))
    return "\n\n".join(blocks)


def paragraph(inner_html: str) -> str:
    return _wrap("paragraph", None, f"<p>{inner_html}</p>")


def image(media_id: int, src: str, alt: str, caption: str) -> str:
    """An image block as the editor saves it, its caption under it (the credit)."""
    e = html.escape
    figure = (f'<figure class="wp-block-image size-large"><img src="{e(src)}" alt="{e(alt)}" '
              f'class="wp-image-{media_id}"/><figcaption class="wp-element-caption">'
              f"{e(caption, quote=False)}</figcaption></figure>")
    return _wrap("image", {"id": media_id, "sizeSlug": "large"}, figure)


def link_list(heading: str, links: list[tuple[str, str]]) -> str:
    """A short paragraph and a list of links: « À lire aussi » (no heading: a subheading
    would change the keyphrase-in-subheadings share)."""
    e = html.escape
    items = "".join(f'<li><a href="{e(url)}">{e(text, quote=False)}</a></li>'
                    for text, url in links)
    return "\n\n".join((paragraph(f"<strong>{e(heading, quote=False)}</strong>"),
                        _wrap("list", None, f"<ul>{items}</ul>")))


def _block(node: lxml_html.HtmlElement) -> str:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in _HEADINGS:
        level = _HEADINGS[tag]
        attrs = None if level == 2 else {"level": level}
        return _wrap("heading", attrs, f"<h{level}>{_inner(node)}</h{level}>")
    if tag == "p":
        return paragraph(_inner(node))
    if tag in ("ul", "ol"):
        items = "".join(f"<li>{_inner(li)}</li>" for li in node.iterchildren("li"))
        attrs = {"ordered": True} if tag == "ol" else None
        return _wrap("list", attrs, f"<{tag}>{items}</{tag}>")
    if tag == "blockquote":
        quote = f'<blockquote class="wp-block-quote">{_quote(node)}</blockquote>'
        return _wrap("quote", None, quote)
    return _wrap("html", None, _outer(node))


def _quote(node: lxml_html.HtmlElement) -> str:
    """The quote's paragraphs, then its <cite> (text directly inside becomes a paragraph)."""
    parts: list[str] = []
    cite = ""
    if (node.text or "").strip():
        parts.append(f"<p>{html.escape(node.text.strip(), quote=False)}</p>")
    for child in node.iterchildren():
        if child.tag == "cite":
            cite = f"<cite>{_inner(child)}</cite>"
        elif child.tag == "p":
            parts.append(f"<p>{_inner(child)}</p>")
        else:
            parts.append(f"<p>{_outer(child)}</p>")
        if (child.tail or "").strip():
            parts.append(f"<p>{html.escape(child.tail.strip(), quote=False)}</p>")
    return "".join(parts) + cite


def _loose_text(text: str) -> list[str]:
    """Text outside any element, as paragraphs (one per blank-line-separated chunk)."""
    chunks = [chunk.strip() for chunk in text.split("\n\n")]
    return [paragraph(html.escape(chunk, quote=False)) for chunk in chunks if chunk]


def _wrap(name: str, attrs: dict | None, markup: str) -> str:
    # Compact JSON, as WordPress serializes block attributes.
    opening = f"<!-- wp:{name} {json.dumps(attrs, separators=(',', ':'))} -->" if attrs else None
    opening = opening or f"<!-- wp:{name} -->"
    return f"{opening}\n{markup}\n<!-- /wp:{name} -->"


def _inner(node: lxml_html.HtmlElement) -> str:
    text = html.escape(node.text or "", quote=False)
    return (text + "".join(_outer(child, tail=True) for child in node)).strip()


def _outer(node: lxml_html.HtmlElement, *, tail: bool = False) -> str:
    return lxml_html.tostring(node, encoding="unicode", with_tail=tail)
