"""The fact check on its own: normalisation of numbers, dates, quotations and names."""

from __future__ import annotations

import pytest

from bot.quality.facts import normalise_numbers, unsupported_facts
from bot.story import Draft, SourceArticle

SOURCE = SourceArticle(
    title="Le Salon de l'agriculture ferme ses portes",
    text=(
        "Le Salon international de l'agriculture a fermé ses portes dimanche 2 mars à Paris, "
        "porte de Versailles. Les organisateurs annoncent 607 503 visiteurs, contre 603 652 "
        "l'an dernier, soit une hausse de 0,6 %. Près de deux mille cinq cents exposants "
        "étaient présents.\n\n"
        "La ministre de l'Agriculture, Annie Genevard, a promis une enveloppe de 3 millions "
        "d'euros pour les éleveurs touchés par la fièvre catarrhale. « Nous serons aux côtés "
        "des éleveurs, dans la durée et sans détour », a-t-elle déclaré.\n\n"
        "Selon la FNSEA, 12 pour cent des exploitations ont un chef de plus de 65 ans. "
        "Le syndicat demande un plan de transmission avant le 15 juin. Les agriculteurs "
        "allemands et espagnols étaient aussi représentés."
    ),
    url="https://www.exemple-agri.example/salon-2025",
    source_name="Agri Hebdo",
)


def facts_of(body: str, title: str = "") -> list[str]:
    draft = Draft(title=title, seo_title="", meta_description="", focus_keyphrase="", slug="",
                  excerpt="", body_html=body)
    return unsupported_facts(draft, [SOURCE])


@pytest.mark.parametrize("written, expected", [
    ("2 500", "2500"), ("2\u00a0500", "2500"), ("2\u202f500", "2500"), ("2.500", "2500"),
    ("deux mille cinq cents", "2500"), ("3 millions", "3000000"), ("3 M€", "3000000€"),
    ("1,5 milliard", "1500000000"), ("12 pour cent", "12 %"), ("vingt et un", "21"),
    ("2,5", "2,5"), ("les deux pays", "les deux pays"), ("un bâtiment neuf", "un bâtiment neuf"),
])
def test_numbers_are_written_one_way(written, expected):
    assert normalise_numbers(written) == expected


@pytest.mark.parametrize("sentence", [
    "Le salon a accueilli 607 503 visiteurs.",
    "Le salon a accueilli 607\u202f503 visiteurs.",
    "La fréquentation progresse de 0,6 %.",
    "Quelque 2 500 exposants étaient là.",
    "Quelque deux mille cinq cents exposants étaient là.",
    "L'enveloppe atteint 3 000 000 d'euros.",
    "L'enveloppe atteint trois millions d'euros.",
    "L'enveloppe atteint 3 M€.",
    "Douze pour cent des exploitations sont concernées.",
    "12 % des exploitations sont concernées.",
    "Le salon a fermé le 2 mars, un dimanche.",
    "Le syndicat fixe une échéance au 15 juin.",
    "Les deux syndicats et les trois ministres étaient là.",  # small word numbers are words
])
def test_supported_numbers_and_dates(sentence):
    assert facts_of(f"<p>{sentence}</p>") == []


@pytest.mark.parametrize("sentence, item", [
    ("Le salon a accueilli 610 000 visiteurs.", "nombre 610 000"),
    ("La fréquentation progresse de 0,8 %.", "pourcentage 0,8 %"),
    ("Quelque trois mille exposants étaient là.", "nombre 3 000"),
    ("L'enveloppe atteint 30 millions d'euros.", "nombre 30 000 000"),
    ("Le salon a fermé le 3 mars.", "date 3 mars"),
    ("Le syndicat fixe une échéance au 1er juillet.", "date 1 juillet"),
    ("Le salon a fermé samedi.", "jour samedi"),
    ("Un bilan sera fait en septembre.", "mois septembre"),
    ("Le salon a ouvert en 2024.", "nombre 2024"),
])
def test_unsupported_numbers_and_dates(sentence, item):
    assert facts_of(f"<p>{sentence}</p>") == [item]


def test_quotations_with_other_quote_marks_spaces_and_an_ellipsis_cut():
    body = (
        "<p>« Nous serons aux côtés des éleveurs […] sans détour », a-t-elle dit. "
        "Elle a promis d'être là “dans la durée”, et \"sans détour\".</p>"
        "<blockquote>«\u202fNous serons aux côtés des éleveurs\u202f»</blockquote>"
    )
    assert facts_of(body) == []


def test_altered_quotation_is_reported():
    body = "<p>« Nous serons toujours aux côtés des éleveurs », a-t-elle déclaré.</p>"
    assert facts_of(body) == ["citation « Nous serons toujours aux côtés des éleveurs »"]


@pytest.mark.parametrize("sentence", [
    "Annie Genevard a promis une enveloppe.",
    "La ministre Genevard a promis une enveloppe.",  # a surname alone
    "Selon la FNSEA, la transmission est urgente.",
    "Le salon se tenait à Paris.",
    "Des éleveurs venus d'Allemagne et d'Espagne étaient là.",  # from "allemands", "espagnols"
    "Côté fréquentation, le salon progresse.",  # a common word opening a sentence
    "Reste la question de la transmission.",
])
def test_supported_names(sentence):
    assert facts_of(f"<p>{sentence}</p>") == []


@pytest.mark.parametrize("sentence, item", [
    ("Le ministre Marc Fesneau a promis une enveloppe.", "personne Marc Fesneau"),
    ("Le préfet Laurent Nuñez visitait le salon.", "personne Laurent Nuñez"),
    ("Le salon se tiendra ensuite à Lyon.", "lieu Lyon"),
])
def test_unsupported_names(sentence, item):
    assert facts_of(f"<p>{sentence}</p>") == [item]


def test_unsupported_organisation_whatever_its_label():
    found = facts_of("<p>Selon la Confédération paysanne, la transmission est urgente.</p>")
    assert len(found) == 1 and found[0].endswith(" Confédération paysanne")


def test_facts_of_the_title_and_seo_fields_count_too():
    assert facts_of("<p>Le salon a fermé.</p>", title="Salon : 700 000 visiteurs") == [
        "nombre 700 000"]


def test_a_good_draft_has_no_false_alarm(good, source):
    assert unsupported_facts(good, [source]) == []
