"""bot.seo against yoastseo 3.6.0 itself, on the whole French corpus (one node process)."""

from __future__ import annotations

import pytest

from tests.seo.yoast_compare import YoastUnavailable, compare, load_corpus, run_yoast

MIN_AGREEMENT = 95.0
MAX_SCORE_GAP = 5


@pytest.mark.yoast
def test_ratings_and_scores_agree_with_yoastseo() -> None:
    corpus = load_corpus()
    assert len(corpus) >= 24
    try:
        yoast = run_yoast(corpus)
    except YoastUnavailable as missing:
        pytest.fail(f"cannot compare with yoastseo: {missing}")
    comparison = compare(corpus, yoast)
    print(comparison.summary())
    assert comparison.agreement >= MIN_AGREEMENT, comparison.summary()
    for name, theirs, ours in comparison.seo_gaps:
        assert abs(theirs - ours) <= MAX_SCORE_GAP, f"{name}: SEO yoast {theirs} ours {ours}"
    for name, theirs, ours in comparison.readability_gaps:
        gap = abs(theirs - ours)
        assert gap <= MAX_SCORE_GAP, f"{name}: readability yoast {theirs} ours {ours}"
