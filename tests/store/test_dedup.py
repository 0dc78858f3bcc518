from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store.dedup import canonical_url, normalised_text, text_fingerprint


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


def _stored_keys_definition(text: str) -> str:
    """normalised_text as the text keys already in newsrooms' databases were made: any
    change to it would make a wire's repost of a stored story look new."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", folded))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_text_key_is_made_as_it_always_was(text: str):
    assert normalised_text(text) == _stored_keys_definition(text)


def test_the_text_key_folds_french_and_other_scripts_as_it_always_was():
    for text in ("Ça déjà « Ünïcödé » ﬁn ½ e\u0301\u0345 Ⅻ ǅ ß", "a\u0300\u0316b", "한국어", "आदि"):
        assert normalised_text(text) == _stored_keys_definition(text)
