"""The text primitives, on hand-made French text (no node needed)."""

from __future__ import annotations

import pytest

from bot.seo import text as t


def test_count_words_strips_tags_punctuation_and_ignored_blocks() -> None:
    html = (
        "<h2>Le budget</h2><p>Le conseil a voté le <strong>budget</strong>, hier.</p>"
        "<blockquote><p>Ceci n'est pas compté.</p></blockquote>"
        "<pre>ni ceci</pre><p>« Bravo ! » — a-t-il dit.</p>"
    )
    # Le budget / Le conseil a voté le budget hier / Bravo a-t-il dit
    assert t.count_words(html) == 2 + 7 + 3


def test_percent_sign_is_a_word_as_in_yoast() -> None:
    words = t.words("Une hausse de 3 % cette année.")
    assert words == ["Une", "hausse", "de", "3", "%", "cette", "année"]


def test_tree_view_text_drops_quotes_and_code() -> None:
    html = (
        "<p>Il a cité <q>une phrase</q> et <code>x = 1</code> ici.</p>"
        "<blockquote>Non.</blockquote>"
    )
    assert t.tree_view_text(html) == "Il a cité et ici."


def test_sentences_follow_yoast_splitting() -> None:
    text = (
        "M. Dupont est venu. Le taux passe à 3.5 % cette année. "
        "« Nous irons jusqu'au bout. » Qui paiera ? Le Dr. Martin répond."
    )
    assert t.sentences(text) == [
        "M.",
        "Dupont est venu.",
        "Le taux passe à 3.5 % cette année.",
        "« Nous irons jusqu'au bout.",  # Yoast cuts before the closing guillemet
        "» Qui paiera ?",
        "Le Dr. Martin répond.",
    ]


def test_paragraphs_include_implicit_ones_in_lists() -> None:
    html = "<p>Premier paragraphe.</p><ul><li>Un point</li><li>Un autre</li></ul><p><img src=x></p>"
    assert t.paragraphs(html) == ["Premier paragraphe.", "Un point", "Un autre"]


def test_subheadings_and_sections() -> None:
    html = "<p>Intro courte.</p><h2>Première partie</h2><p>Texte un.</p><h3>Détail</h3><p>Deux.</p>"
    assert t.subheadings(html) == [(2, "Première partie"), (3, "Détail")]
    assert t.sections(html) == [
        (None, "Intro courte."),
        ("Première partie", "Texte un."),
        ("Détail", "Deux."),
    ]


def test_keyphrase_count_is_per_sentence_in_any_order() -> None:
    text = (
        "Le budget municipal est voté. Le municipal et le budget. Budget seul. "
        "Budget, budget municipal."
    )
    # function words are ignored; a sentence counts as often as its rarest keyphrase word
    assert t.keyphrase_count(text, "budget municipal") == 3


def test_keyphrase_matches_after_an_elision_and_without_accents() -> None:
    assert t.keyphrase_count("L’eau manque. Les rivières sont à sec.", "eau") == 1
    assert t.keyphrase_count("La secheresse dure.", "sécheresse") == 1
    assert t.keyphrase_count("La sécheresse dure.", "secheresse") == 0  # like Yoast: one way


def test_keyphrase_density_is_weighted_by_keyphrase_length() -> None:
    body = "<p>" + "Le budget est voté. " + "Il pleut sur la ville. " * 19 + "</p>"
    words = 4 + 5 * 19
    raw = 1 / words * 100
    assert t.raw_keyphrase_density(body, "budget") == pytest.approx(raw)
    assert t.keyphrase_density(body, "budget") == pytest.approx(raw * (0.7 + 1 / 3))


def test_title_width_in_arial_20px() -> None:
    assert t.title_width_px("") == 0
    assert t.title_width_px("a") == pytest.approx(556 * 20 / 1000)
    assert t.title_width_px("é") == t.title_width_px("e")
    assert t.title_width_px("W" * 10) > t.title_width_px("i" * 10) * 3


def test_fold_accents() -> None:
    assert t.fold_accents("Sécheresse à Noël, cœur d'Ævar") == "Secheresse a Noel, coeur d'AEvar"
