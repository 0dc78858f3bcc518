"""repair_request(): the follow-up message names every failure, value and target."""

from __future__ import annotations

import re

from bot.quality import QualitySettings, check, repair_request
from bot.story import DRAFT_KEYS
from tests.quality.articles import with_body, with_fields


def test_repair_request_lists_each_failure_with_measure_and_target(good, source, settings):
    bad = with_fields(
        with_body(with_body(good, "41 voix pour", "43 voix pour"), "lundi 3 mars",
                  "mardi 4 mars"),
        meta_description=good.meta_description + " Premier chantier en juillet 2025.",
    )
    result = check(bad, [source], settings)
    request = repair_request(result.failures, bad, [source], settings)
    lines = request.text.splitlines()
    assert "1. [meta_length] méta description de 186 caractères, attendu entre 120 et 156 " \
           "(mesuré : 186 ; cible : 120-156)" in lines
    assert any(line.startswith("2. [unsupported_facts]") for line in lines)
    for fact in ("date 4 mars", "jour mardi", "nombre 43"):
        assert f"   - {fact}" in lines
    assert "sans rien inventer" in request.text
    # A patch: only the meta description and the blocks holding the facts are quoted back.
    assert request.patch
    quoted = [line for line in lines if line.startswith("- ")]
    assert quoted[0].startswith("- meta_description (méta description) : ")
    assert all(line.startswith("- bloc ") for line in quoted[1:])
    assert any("43 voix pour" in line for line in quoted)
    assert any("mardi 4 mars" in line for line in quoted)
    assert len(request.text) < len(bad.body_html)
    assert "seules clés à changer (meta_description, blocs)" in lines[-1]


def test_repair_request_for_structure_and_language(good, source):
    flat = good.body_html.replace("<h2>", "<p>").replace("</h2>", "</p>")
    english = with_fields(good, title="Grenoble will spend 48 million euros on its schools",
                          body_html=flat)
    settings = QualitySettings(min_words=900)
    request = repair_request(check(english, [source], settings).failures, english, [source],
                             settings)
    message = request.text
    assert not request.patch and ", ".join(DRAFT_KEYS) in message.splitlines()[-1]
    assert "[language]" in message and "réécrivez tout en français" in message
    assert "[min_words]" in message and "(mesuré : 730 ; cible : >= 900)" in message
    assert "[h2]" in message and "[section_length]" in message
    assert "corps d'au moins 900 mots" in message


def test_the_repair_names_the_subheadings_to_change(good, source, settings):
    """One subheading of five holds the keyphrase (20 %, target 30-75 %): the request quotes
    the four others and asks for one more, and only the subheadings go back to the model."""
    draft = with_body(good, "dans les écoles de Grenoble</h2>", "dans la ville</h2>")
    failure = check(draft, [source], settings).failed("keyphrase_in_subheadings")
    assert failure is not None and failure.severity == "warn"
    request = repair_request([failure], draft, [source], settings)
    assert request.patch
    assert "dans 1 de plus de ces intertitres" in request.text
    others = [h for h in re.findall(r"<h2>(.*?)</h2>", draft.body_html) if "Grenoble" not in h]
    assert len(others) == 4
    for text in others:
        assert f"   - « {text} »" in request.text
    quoted = [line for line in request.text.splitlines() if line.startswith("- bloc ")]
    assert len(quoted) == 5 and all("<h2>" in line for line in quoted)
