"""Median time of bot.seo.analyze() per 1,000-word article, over the French corpus.

    python bench/seo_analysis.py [runs]

Each corpus article is analysed `runs` times (caches cleared before every run, as a new draft
would be); the time is scaled to 1,000 words (Yoast's word count) and the median is printed.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from bot.seo import analyze
from bot.seo import text as seo_text
from bot.seo.passive import is_passive

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "seo" / "data" / "corpus"
FIELDS = ("body_html", "keyphrase", "title", "seo_title", "meta_description", "slug", "site_url")


def _clear_caches() -> None:
    for cached in (seo_text.parse_body, seo_text.blocks, is_passive):
        cached.cache_clear()


def main(runs: int) -> None:
    articles = [json.loads(p.read_text()) for p in sorted(CORPUS.glob("*.json"))]
    articles = [a for a in articles if seo_text.count_words(a["body_html"]) >= 200]
    per_thousand: list[float] = []
    for _ in range(runs):
        for article in articles:
            words = seo_text.count_words(article["body_html"])
            _clear_caches()
            start = time.perf_counter()
            analyze(**{k: article.get(k) for k in FIELDS})
            per_thousand.append((time.perf_counter() - start) * 1000 * 1000 / words)
    print(
        f"{len(articles)} articles x {runs} runs: median {statistics.median(per_thousand):.1f} ms "
        f"per 1,000 words (p90 {statistics.quantiles(per_thousand, n=10)[-1]:.1f} ms)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
