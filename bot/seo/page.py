"""A web page's own SEO fields and its article: what `seo check` reads from an HTML file.

The outbox writes its pages with these fields as <meta> tags (see OutboxPublisher), so a
draft scores the same from its .html page as from its .json record; any other page gives
what it has (its <title>, meta description, <h1>, and its article without the page's
boxes and navigation).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

# The <meta name> of each field a page may carry besides <title> and description.
META_FOCUS_KEYPHRASE = "depeche:focus-keyphrase"
META_SLUG = "depeche:slug"
# The element holding the article's text alone, in the outbox page.
BODY_CLASS = "entry-content"
# Around an article, never part of it.
_NOT_ARTICLE = ("aside", "nav", "header", "footer", "script", "style", "form")


@dataclass(frozen=True)
class PageFields:
    body_html: str
    title: str
    seo_title: str
    meta_description: str
    slug: str
    focus_keyphrase: str


def _meta(tree: etree._Element, name: str) -> str:
    found = tree.xpath("//meta[@name=$name]/@content", name=name)
    return str(found[0]).strip() if found else ""


def _article(tree: etree._Element) -> etree._Element:
    for query in (
        f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {BODY_CLASS} ')]",
        "//*[@itemprop='articleBody']",
        "//article",
        "//main",
        "//body",
    ):
        found = tree.xpath(query)
        if found:
            return found[0]
    return tree


def read_page(text: str) -> PageFields:
    tree = lxml_html.document_fromstring(text.encode("utf-8"))
    headline = tree.xpath("//h1")
    title = headline[0].text_content().strip() if headline else ""
    article = _article(tree)
    for element in article.xpath(" | ".join(f".//{tag}" for tag in _NOT_ARTICLE) + " | .//h1"):
        element.drop_tree()
    inner = (article.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in article
    )
    page_title = tree.xpath("//title")
    return PageFields(
        body_html=inner.strip(),
        title=title,
        seo_title=page_title[0].text_content().strip() if page_title else "",
        meta_description=_meta(tree, "description"),
        slug=_meta(tree, META_SLUG),
        focus_keyphrase=_meta(tree, META_FOCUS_KEYPHRASE),
    )
