"""Article-page extraction: precision, recall and F1 of trafilatura (what the bot uses)
beside the old hand-written reading (paragraphs of the first <article>/<main>), both
measured in this run on the sample pages of tests/feeds/pages.py, scored by
trafilatura's own evaluation rule.

    python bench/extraction.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import html as lxml_html
from lxml.etree import ParserError

from bot.feeds.article import read_article
from bot.sanitize import clean_html
from bot.seo.text import reader_text
from tests.feeds.pages import PAGES, Score, score

URL = "https://journal.example/article"


def old_extractor(page: str) -> str:
    """The reading Dépêche used before issue 14, kept here as the baseline."""
    try:
        root = lxml_html.fromstring(page)
    except (ParserError, ValueError):
        return ""  # an XHTML page with an XML declaration ends here
    container = next(iter(root.xpath("//article | //main")), root)
    parts = [
        lxml_html.tostring(p, encoding="unicode")
        for p in container.iter("p", "h2", "h3")
        if p.tag != "p" or len(p.text_content().split()) >= 8
    ]
    return reader_text(clean_html("".join(parts)))


def new_extractor(page: str) -> str:
    article = read_article(page, URL)
    return article.text if article else ""


def row(name: str, result: Score, seconds: float) -> str:
    return (
        f"{name:<34} {result.precision:>9.3f} {result.recall:>7.3f} {result.f1:>6.3f} "
        f"{result.empty:>6} {seconds * 1000 / len(PAGES):>8.1f}"
    )


def main() -> None:
    print(f"{len(PAGES)} French news pages (tests/feeds/pages.py)")
    print(f"{'extractor':<34} {'precision':>9} {'recall':>7} {'F1':>6} {'empty':>6} {'ms/page':>8}")
    for name, extract in (
        ("old: first <article>/<main> (baseline)", old_extractor),
        ("new: trafilatura", new_extractor),
    ):
        started = time.perf_counter()
        result = score(extract)
        print(row(name, result, time.perf_counter() - started))


if __name__ == "__main__":
    main()
