from __future__ import annotations

import pytest

from bot.store.dedup import canonical_url, text_fingerprint


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.example.fr/politique/article-42",
        "https://example.fr/politique/article-42/",
        "https://EXAMPLE.fr:443/politique/article-42#commentaires",
        "http://example.fr:80/politique/article-42?utm_source=rss&utm_medium=feed",
        "https://example.fr/politique/article-42?fbclid=abc&xtor=RSS-1",
    ],
)
def test_links_to_the_same_article_are_one(variant: str):
    assert canonical_url(variant) == canonical_url("https://example.fr/politique/article-42")


def test_meaningful_query_parameters_are_kept():
    assert canonical_url("https://example.fr/a?id=1") != canonical_url("https://example.fr/a?id=2")
    assert canonical_url("https://example.fr:8443/a") != canonical_url("https://example.fr/a")


def test_text_fingerprint_ignores_typography_not_words():
    text = (
        "Le conseil municipal a voté mardi un budget de quatre millions d'euros "
        "pour rénover six écoles de la commune d'ici à 2029."
    )
    retyped = text.replace("d'", "d’").upper() + "  "
    assert text_fingerprint("a", text) == text_fingerprint("b", retyped)
    assert text_fingerprint("a", text) != text_fingerprint("a", text.replace("six", "sept"))
    assert text_fingerprint("a", "Trop court pour juger.") is None
