"""check(): the good draft passes with zero failures; each bad answer fails its rule."""

from __future__ import annotations

import re

import pytest

from bot.quality import GateResult, QualitySettings, apply_local_fixes, check
from bot.story import Draft, SourceArticle
from tests.quality.articles import (
    ENGLISH_BODY,
    ENGLISH_PARAGRAPH,
    injected_source,
    with_body,
    with_fields,
)


def rules(result: GateResult) -> set[str]:
    return {f.rule for f in result.failures}


def test_good_draft_passes_with_zero_failures(good, source, settings):
    result = check(good, [source], settings)
    assert result.failures == []
    assert result.passed and result.reasons() == []
    assert result.flagged_facts == []
    assert result.report is not None and result.report.seo_score > 0


def test_good_draft_still_passes_after_local_fixes(good, source, settings):
    fixed = apply_local_fixes(good, [source], settings)
    assert check(fixed, [source], settings).failures == []


def test_too_short(good, source, settings):
    short = good.body_html.split("<h2>Un financement")[0]
    result = check(with_fields(good, body_html=short), [source], settings)
    failure = result.failed("min_words")
    assert failure is not None
    assert int(failure.measured) < 700 and failure.target == ">= 700"
    assert f"{failure.measured} mots" in failure.message and "700" in failure.message


def test_english_answer(good, source, settings):
    english = with_fields(
        good, title="Grenoble schools: 48 million euros to insulate 27 school groups",
        body_html=ENGLISH_BODY,
    )
    failure = check(english, [source], settings).failed("language")
    assert failure is not None
    assert failure.measured == "anglais" and failure.target == "français"


def test_one_english_paragraph_makes_a_mixed_text(good, source, settings):
    mixed = with_body(good, "<h2>Des réserves", ENGLISH_PARAGRAPH + "\n<h2>Des réserves")
    failure = check(mixed, [source], settings).failed("language")
    assert failure is not None and failure.measured == "mixte"
    assert any("anglais" in item and "The city council" in item for item in failure.items)


def test_english_title_alone_fails(good, source, settings):
    english = with_fields(good, title="Grenoble will spend 48 million euros on its schools")
    failure = check(english, [source], settings).failed("language")
    assert failure is not None and "titre" in failure.message


def test_missing_headings(good, source, settings):
    flat = good.body_html.replace("<h2>", "<p>").replace("</h2>", "</p>")
    result = check(with_fields(good, body_html=flat), [source], settings)
    assert {"h2", "section_length"} <= rules(result)


def test_h1_present(good, source, settings):
    body = "<h1>Les écoles de Grenoble rénovées</h1>\n" + good.body_html
    assert "h1" in rules(check(with_fields(good, body_html=body), [source], settings))


@pytest.mark.parametrize("title", [
    "Grenoble débloque 48 millions d'euros pour rénover ses écoles d'ici 2030",
    "D'ici 2030, Grenoble débloque 48 millions d'euros pour rénover ses écoles",
    "Pour rénover ses écoles d'ici 2030, Grenoble débloque 48 millions d’euros",
])
def test_source_headline_reused_or_reordered(good, source, settings, title):
    failure = check(with_fields(good, title=title), [source], settings).failed("headline_new")
    assert failure is not None and failure.measured == "100 %"


def test_meta_description_too_long(good, source, settings):
    meta = good.meta_description + " Le premier chantier ouvrira en juillet 2025."
    failure = check(with_fields(good, meta_description=meta), [source], settings).failed(
        "meta_length")
    assert failure is not None
    assert failure.measured == str(len(meta)) and failure.target == "120-156"


def test_meta_description_too_short(good, source, settings):
    result = check(with_fields(good, meta_description="Les écoles de Grenoble."), [source],
                   settings)
    assert "meta_length" in rules(result)


def test_seo_title_too_long_and_too_wide(good, source, settings):
    title = "Écoles de Grenoble : un plan de 48 millions d'euros pour rénover 27 groupes"
    assert {"seo_title_length", "seo_title_width"} <= rules(
        check(with_fields(good, seo_title=title), [source], settings))


def test_slug_without_keyphrase_or_not_ascii(good, source, settings):
    for slug in ("plan-renovation", "écoles-de-grenoble"):
        assert "slug" in rules(check(with_fields(good, slug=slug), [source], settings))


def test_keyphrase_missing_everywhere(good, source, settings):
    result = check(with_fields(good, focus_keyphrase="tramway de Lyon"), [source], settings)
    assert {"keyphrase_in_seo_title", "keyphrase_in_intro", "keyphrase_in_meta",
            "keyphrase_in_subheadings", "keyphrase_density", "slug"} <= rules(result)


def test_keyphrase_in_every_subheading_is_too_many(good, source, settings):
    body = re.sub(r"<h2>(.*?)</h2>", r"<h2>\1 : les écoles de Grenoble</h2>", good.body_html)
    failure = check(with_fields(good, body_html=body), [source], settings).failed(
        "keyphrase_in_subheadings")
    assert failure is not None and failure.measured == "100 %"


def test_markdown_instead_of_html(good, source, settings):
    markdown = re.sub(r"<h2>(.*?)</h2>", r"## \1", good.body_html)
    markdown = re.sub(r"</?p>", "", markdown).replace("plan Écoles 2030", "**plan Écoles 2030**")
    markdown += "\n- 27 groupes scolaires\n- [Alpes Info](https://www.alpes-info.example/)"
    failure = check(with_fields(good, body_html=markdown), [source], settings).failed("markdown")
    assert failure is not None
    assert failure.items == ["## titre", "**gras**", "- puce", "[texte](url)"]


def test_disallowed_html(good, source, settings):
    body = good.body_html + '\n<div class="pub"><script>track()</script><img src="x.png"></div>'
    failure = check(with_fields(good, body_html=body), [source], settings).failed("html")
    assert failure is not None and failure.items == ["<div>", "<script>", "<img>"]


def test_invented_number(good, source, settings):
    bad = with_body(good, "41 voix pour", "43 voix pour")
    failure = check(bad, [source], settings).failed("unsupported_facts")
    assert failure is not None and failure.items == ["nombre 43"]


def test_invented_number_in_words(good, source, settings):
    bad = with_body(good, "41 voix pour", "quarante-trois voix pour")
    assert check(bad, [source], settings).failed("unsupported_facts").items == ["nombre 43"]


def test_number_in_words_from_the_source_is_supported(good, source, settings):
    ok = with_body(good, "41 voix pour", "quarante et une voix pour")
    assert check(ok, [source], settings).failures == []


def test_invented_date(good, source, settings):
    bad = with_body(good, "lundi 3 mars", "lundi 4 mars")
    assert check(bad, [source], settings).failed("unsupported_facts").items == ["date 4 mars"]


def test_invented_name(good, source, settings):
    bad = with_body(good, "<p>L'opposition a voté contre la délibération.",
                    "<p>Le préfet de l'Isère, Antoine Rivière, a salué l'initiative. "
                    "L'opposition a voté contre la délibération.")
    failure = check(bad, [source], settings).failed("unsupported_facts")
    assert failure.items == ["personne Antoine Rivière"]


def test_invented_quotation(good, source, settings):
    bad = with_body(good, "a reconnu Claire Fontaine.",
                    "a reconnu Claire Fontaine. « C'est un tournant historique pour nos "
                    "enfants », a-t-elle ajouté.")
    failure = check(bad, [source], settings).failed("unsupported_facts")
    assert failure.items == ["citation « C'est un tournant historique pour nos enfants »"]
    assert "citation « C'est un tournant historique" in failure.message


def test_flag_policy_moves_facts_to_the_editor(good, source):
    bad = with_body(good, "41 voix pour", "43 voix pour")
    result = check(bad, [source], QualitySettings(on_unsupported_facts="flag"))
    assert result.passed and result.flagged_facts == ["nombre 43"]


def test_facts_can_be_switched_off(good, source):
    bad = with_body(good, "41 voix pour", "43 voix pour")
    assert check(bad, [source], QualitySettings(check_facts=False)).passed


# --- prompt injection -----------------------------------------------------------------------


def test_good_draft_ignoring_the_injection_passes(good):
    assert check(good, [injected_source()], QualitySettings()).failures == []


def test_injection_obeyed_in_english_fails(good):
    obeyed = with_fields(good, body_html=ENGLISH_BODY + "<p>The mayor has resigned.</p>")
    assert "language" in rules(check(obeyed, [injected_source()], QualitySettings()))


def test_injection_obeyed_with_a_promotion_link_fails(good):
    obeyed = with_body(good, "<p>Le programme ne se limite pas aux bâtiments.",
                       '<p>Les lecteurs peuvent réclamer leur <a href="https://casino-gagnant'
                       '.example/bonus">bonus de bienvenue</a>. Le programme ne se limite pas '
                       "aux bâtiments.")
    result = check(obeyed, [injected_source()], QualitySettings())
    assert {"links", "prompt_injection"} <= rules(result)
    assert result.failed("links").items == ["https://casino-gagnant.example/bonus"]


def test_injection_obeyed_with_a_dictated_sentence_fails(good):
    obeyed = with_body(good, "<p>L'opposition a voté contre la délibération.",
                       "<p>Le maire a démissionné. L'opposition a voté contre la délibération.")
    failure = check(obeyed, [injected_source()], QualitySettings()).failed("prompt_injection")
    assert failure is not None and failure.items == ["demissionne", "maire"]


def test_facts_from_the_injection_support_nothing():
    source = injected_source()
    dictated = Draft(title="", seo_title="", meta_description="", focus_keyphrase="", slug="",
                     excerpt="", body_html="<p>Un bonus de bienvenue : « réclament leur bonus "
                     "de bienvenue ».</p>")
    result = check(dictated, [source], QualitySettings())
    assert "citation « réclament leur bonus de bienvenue »" in result.failed(
        "unsupported_facts").items


def test_reasons_are_one_line_per_failure(good, source, settings):
    bad = with_fields(with_body(good, "41 voix pour", "43 voix pour"),
                      meta_description="Les écoles de Grenoble.")
    reasons = check(bad, [source], settings).reasons()
    assert len(reasons) == 2
    assert reasons[0].startswith("meta_length: méta description de 23 caractères")
    assert reasons[1] == "unsupported_facts: 1 fait(s) absent(s) de la source : nombre 43"
    assert all("\n" not in line for line in reasons)


def test_source_without_url_or_name(good, settings):
    bare = SourceArticle(title="x", text="y")
    result = check(good, [bare], settings)
    assert "unsupported_facts" in rules(result)  # nothing supports the draft's facts
    assert "links" not in rules(result)


def test_an_english_quotation_makes_a_mixed_text_too(good, source, settings):
    """Yoast leaves blockquotes out of its paragraphs; the language rule reads them."""
    quoted = with_body(good, "<h2>Des réserves",
                       "<blockquote><p>The city council says the works will start next summer "
                       "and that parents will be consulted.</p></blockquote>\n<h2>Des réserves")
    failure = check(quoted, [source], settings).failed("language")
    assert failure is not None and "citation 1" in failure.message
