"""analyze() and a few assessments on hand-made French drafts (no node needed)."""

from __future__ import annotations

import json

from bot.seo import analyze
from bot.seo.passive import is_passive
from bot.seo.report import score_to_rating

PARAGRAPH = (
    "<p>Le conseil municipal a voté le budget municipal lundi soir. Ensuite, la maire a présenté "
    "les travaux prévus dans les écoles. Cependant, l'opposition critique la dette de la ville. "
    "Les habitants pourront donner leur avis en ligne jusqu'au mois de mars.</p>"
)


def _draft(**overrides: object) -> dict:
    draft = {
        "body_html": PARAGRAPH * 8,
        "keyphrase": "budget municipal",
        "title": "Le budget municipal voté",
        "seo_title": "Budget municipal : la ville investit dans ses écoles",
        "meta_description": "Le budget municipal de la ville est voté : écoles, voirie et piscine "
        "en profitent, sans hausse des impôts locaux, selon la maire et ses adjoints.",
        "slug": "budget-municipal-ecoles",
        "site_url": "https://exemple.fr",
    }
    draft.update(overrides)
    return draft


def test_report_has_every_yoast_assessment_and_is_json_ready() -> None:
    report = analyze(**_draft())
    assert [a.id for a in report.seo] == [
        "introductionKeyword", "keyphraseLength", "keyphraseDensity", "metaDescriptionKeyword",
        "metaDescriptionLength", "subheadingsKeyword", "textCompetingLinks", "imageKeyphrase",
        "images", "textLength", "externalLinks", "keyphraseInSEOTitle", "internalLinks",
        "titleWidth", "slugKeyword", "functionWordsInKeyphrase", "singleH1",
    ]
    assert [a.id for a in report.readability] == [
        "subheadingsTooLong", "textParagraphTooLong", "textSentenceLength", "textTransitionWords",
        "passiveVoice", "textPresence", "sentenceBeginnings",
    ]
    assert json.loads(json.dumps(report.to_dict()))["seo_score"] == report.seo_score
    assert 0 <= report.seo_score <= 100
    assert report.readability_score in (0, 30, 60, 90)


def test_keyphrase_placement_assessments() -> None:
    report = analyze(**_draft())
    assert report.get("introductionKeyword").rating == "good"
    assert report.get("keyphraseInSEOTitle").score == 9
    assert report.get("slugKeyword").rating == "good"
    assert report.get("metaDescriptionKeyword").rating == "good"
    moved = analyze(**_draft(seo_title="La ville investit : le budget municipal voté"))
    assert moved.get("keyphraseInSEOTitle").score == 6
    assert analyze(**_draft(seo_title="La ville investit")).get("keyphraseInSEOTitle").score == 2


def test_text_length_thresholds() -> None:
    assert analyze(**_draft()).get("textLength").rating == "good"  # 8 x 41 words
    short = analyze(**_draft(body_html=PARAGRAPH))
    assert short.get("textLength").score == -20
    assert short.get("textLength").value == 41
    assert "mots" in short.get("textLength").text


def test_meta_description_length() -> None:
    assert analyze(**_draft()).get("metaDescriptionLength").score == 9
    assert analyze(**_draft(meta_description="Trop court.")).get("metaDescriptionLength").score == 6
    assert analyze(**_draft(meta_description="")).get("metaDescriptionLength").score == 1


def test_title_width_too_wide() -> None:
    wide = analyze(**_draft(seo_title="Budget municipal : " + "la ville investit massivement " * 4))
    assert wide.get("titleWidth").rating == "bad"
    assert wide.get("titleWidth").value > 600


def test_links_and_images() -> None:
    body = (
        PARAGRAPH * 8
        + '<p><a href="/autre-article/">un autre article</a> et '
        '<a href="https://insee.fr/" rel="nofollow">l\'Insee</a></p>'
        + '<img src="a.jpg" alt="Le budget municipal en chiffres">'
    )
    report = analyze(**_draft(body_html=body))
    assert report.get("internalLinks").score == 9
    assert report.get("externalLinks").score == 7
    assert report.get("images").score == 9
    assert report.get("imageKeyphrase").score == 9
    assert analyze(**_draft()).get("images").score == 3


def test_two_h1_in_body_is_bad() -> None:
    body = "<h1>Un</h1>" + PARAGRAPH + "<h1>Deux</h1>" + PARAGRAPH
    assert analyze(**_draft(body_html=body)).get("singleH1").score == 1


def test_readability_penalties() -> None:
    long_paragraph = "<p>" + " ".join([PARAGRAPH[3:-4]] * 8) + "</p>"  # 328 words
    report = analyze(**_draft(body_html=long_paragraph))
    assert report.get("textParagraphTooLong").rating == "bad"
    assert report.get("subheadingsTooLong").score == 2  # over 300 words, no subheading
    assert report.readability_score == 60  # two bad lights: 6 penalty points


def test_passive_voice_in_french() -> None:
    assert is_passive("Le budget a été adopté par le conseil.")
    assert is_passive("Les travaux seront financés par la région.")
    assert is_passive("Une décision est prise chaque année.")
    assert not is_passive("Le conseil a adopté le budget.")
    assert not is_passive("Elle est arrivée à Lyon.")
    assert not is_passive("Les élus se sont réunis hier.")
    assert not is_passive("C'est une année difficile.")


def test_score_to_rating() -> None:
    assert [score_to_rating(s) for s in (-50, 0, 3, 4, 5, 7, 8, 9)] == [
        "bad", "feedback", "bad", "bad", "ok", "ok", "good", "good",
    ]


def test_missing_keyphrase_gives_zero_seo_score_and_no_function_word_check() -> None:
    report = analyze(**_draft(keyphrase=""))
    assert report.seo_score == 0
    assert report.get("functionWordsInKeyphrase") is None
    assert report.get("keyphraseLength").score == -999
