"""Article extraction measured on sample French news pages (tests/feeds/pages.py).

bench/extraction.py prints the same scores beside the old extractor's.
"""

from __future__ import annotations

import pytest

from bot.feeds.article import fetch_article, read_article
from bot.net.http import Limits
from tests.feeds.pages import PAGES, Page, score
from tests.servers.web import Reply, WebServer

URL = "https://journal.example/article"


def extract(html: str) -> str:
    article = read_article(html, URL)
    return article.text if article else ""


def test_the_sample_is_large_enough_and_scores_as_the_readme_says():
    assert len(PAGES) >= 15
    result = score(extract)
    assert result.recall == 1.0 and result.empty == 0
    assert result.precision >= 0.95 and result.f1 >= 0.97  # README: 0.961, 1.000, 0.980


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_paragraph_of_each_page_and_its_og_image(page: Page):
    article = read_article(page.html, URL)
    assert article is not None
    assert article.image_url == "https://journal.example/img/une.jpg"
    # Whole, and a paragraph of its own (a list item keeps its « - »).
    paragraphs = {p.removeprefix("- ") for p in article.text.split("\n\n")}
    for expected in page.body:
        assert expected in paragraphs
    for chrome in ("Accueil", "Tout accepter", "Commentaires", "Tous droits réservés"):
        assert chrome not in article.text


def test_pages_in_other_charsets_over_http(web_server: WebServer):
    """The page is fetched once, by our fetcher, and decoded before extraction."""
    page = next(p for p in PAGES if p.name == "xhtml")
    html = page.html.replace('encoding="utf-8"', 'encoding="iso-8859-15"').replace(
        'charset="utf-8"', 'charset="iso-8859-15"'
    )
    url = web_server.route(
        "/xhtml", Reply(body=html.encode("iso-8859-15"), headers={"Content-Type": "text/html"})
    )
    article = fetch_article(url, Limits(allow_private=True, timeout=5))
    assert article is not None and page.body[0] in article.text
    assert web_server.hits("/xhtml") == 1


def test_the_guard_still_stands_before_any_page(web_server: WebServer):
    url = web_server.route("/interne", Reply(body=PAGES[0].html))
    assert fetch_article(url, Limits(timeout=5)) is None  # 127.0.0.1 is not public
    assert web_server.hits("/interne") == 0
