"""repair_request(): the follow-up message names every failure, value and target."""

from __future__ import annotations

from bot.quality import QualitySettings, check, repair_request
from bot.writer.draft import DRAFT_KEYS
from tests.quality.articles import with_body, with_fields


def test_repair_request_lists_each_failure_with_measure_and_target(good, source, settings):
    bad = with_fields(
        with_body(with_body(good, "41 voix pour", "43 voix pour"), "lundi 3 mars",
                  "mardi 4 mars"),
        meta_description=good.meta_description + " Premier chantier en juillet 2025.",
    )
    result = check(bad, source, settings)
    message = repair_request(result, settings)
    lines = message.splitlines()
    assert "1. [meta_length] méta description de 186 caractères, attendu entre 120 et 156 " \
           "(mesuré : 186 ; cible : 120-156)" in lines
    assert any(line.startswith("2. [unsupported_facts]") for line in lines)
    for fact in ("date 4 mars", "jour mardi", "nombre 43"):
        assert f"   - {fact}" in lines
    assert "sans rien inventer" in message
    assert ", ".join(DRAFT_KEYS) in lines[-1]
    assert "objet JSON corrigé" in lines[-1] and "mêmes clés" in lines[-1]


def test_repair_request_for_structure_and_language(good, source):
    flat = good.body_html.replace("<h2>", "<p>").replace("</h2>", "</p>")
    english = with_fields(good, title="Grenoble will spend 48 million euros on its schools",
                          body_html=flat)
    settings = QualitySettings(min_words=900)
    message = repair_request(check(english, source, settings), settings)
    assert "[language]" in message and "réécrivez tout en français" in message
    assert "[min_words]" in message and "(mesuré : 730 ; cible : >= 900)" in message
    assert "[h2]" in message and "[section_length]" in message
    assert "corps d'au moins 900 mots" in message
