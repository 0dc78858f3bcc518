"""Median time of bot.seo.analyze() per 1,000-word article, over the French corpus.

    python bench/seo_analysis.py [runs]

Each corpus article is analysed `runs` times (caches cleared before every run, as a new draft
would be); the time is scaled to 1,000 words (Yoast's word count) and the median is printed,
beside the baseline measured in the same run on the same articles: reading the body alone
(parsed, cut into blocks, words counted), the floor that any analysis of the HTML pays.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.seo import analyze
from bot.seo import text as seo_text
from bot.seo.passive import is_passive

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "seo" / "data" / "corpus"
FIELDS = ("body_html", "keyphrase", "title", "seo_title", "meta_description", "slug", "site_url")


def _clear_caches() -> None:
    for cached in (seo_text.parse_body, seo_text.blocks, is_passive):
        cached.cache_clear()


def _read_body(article: dict[str, Any]) -> None:
    seo_text.blocks(article["body_html"])
    seo_text.count_words(article["body_html"])


def _analyze(article: dict[str, Any]) -> None:
    analyze(**{k: article.get(k) for k in FIELDS})


def per_thousand_words(
    articles: list[dict[str, Any]], runs: int, work: Callable[[dict[str, Any]], None]
) -> list[float]:
    times: list[float] = []
    for _ in range(runs):
        for article in articles:
            words = seo_text.count_words(article["body_html"])
            _clear_caches()
            start = time.perf_counter()
            work(article)
            times.append((time.perf_counter() - start) * 1000 * 1000 / words)
    return times


def main(runs: int) -> None:
    articles = [json.loads(p.read_text()) for p in sorted(CORPUS.glob("*.json"))]
    articles = [a for a in articles if seo_text.count_words(a["body_html"]) >= 200]
    analysis = per_thousand_words(articles, runs, _analyze)
    floor = per_thousand_words(articles, runs, _read_body)
    print(
        f"{len(articles)} articles x {runs} runs: median {statistics.median(analysis):.1f} ms "
        f"per 1,000 words (p90 {statistics.quantiles(analysis, n=10)[-1]:.1f} ms); "
        f"baseline, same run: reading the body alone {statistics.median(floor):.1f} ms "
        f"(p90 {statistics.quantiles(floor, n=10)[-1]:.1f} ms)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
