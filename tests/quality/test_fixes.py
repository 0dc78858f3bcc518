"""apply_local_fixes(): what the gate repairs without the model."""

from __future__ import annotations

import pytest

from bot.quality import QualitySettings, apply_local_fixes, check
from bot.quality.fixes import NNBSP, french_typography
from tests.quality.articles import with_body, with_fields


@pytest.mark.parametrize("raw, fixed", [
    ("Lyon : la ville", f"Lyon{NNBSP}: la ville"),
    ("Lyon: la ville", f"Lyon{NNBSP}: la ville"),
    ("Vraiment ?", f"Vraiment{NNBSP}?"),
    ("Vraiment?!", f"Vraiment{NNBSP}?!"),
    ("oui ; non !", f"oui{NNBSP}; non{NNBSP}!"),
    ("« Bonjour »", f"«{NNBSP}Bonjour{NNBSP}»"),
    ("«Bonjour»", f"«{NNBSP}Bonjour{NNBSP}»"),
    ("à 14:30 sur https://exemple.fr", "à 14:30 sur https://exemple.fr"),
    ("voir https://exemple.fr/a?b=1 ou www.exemple.fr/c?d=2, vraiment ?",
     f"voir https://exemple.fr/a?b=1 ou www.exemple.fr/c?d=2, vraiment{NNBSP}?"),
    ("deux   espaces\net une ligne", "deux espaces et une ligne"),
])
def test_french_typography(raw, fixed):
    assert french_typography(raw) == fixed


def test_typography_in_the_body_leaves_tags_and_entities_alone(good, source, settings):
    draft = with_fields(good, body_html='<p>Tom &amp; Jerry : <a href="https://www.alpes-info'
                        '.example/a?b=1">lire</a> ; <em>vraiment</em> ?</p>')
    body = apply_local_fixes(draft, [source], settings).body_html
    assert body.startswith(f"<p>Tom &amp; Jerry{NNBSP}: <a href=\"https://www.alpes-info"
                           ".example/a?b=1\"")
    assert f"</a>{NNBSP}; <em>vraiment</em>{NNBSP}?</p>" in body


def test_typography_of_the_text_fields(good, source, settings):
    fixed = apply_local_fixes(with_fields(good, title="Grenoble: « plan Écoles 2030 »"),
                              [source], settings)
    assert fixed.title == f"Grenoble{NNBSP}: «{NNBSP}plan Écoles 2030{NNBSP}»"
    assert fixed.seo_title == f"Écoles de Grenoble{NNBSP}: un plan de 48 millions d'euros"


def test_slug_rebuilt_from_the_keyphrase(good, source):
    draft = with_fields(good, slug="Écoles de Grenoble !", focus_keyphrase="écoles de Grenoble")
    assert apply_local_fixes(draft, [source], QualitySettings()).slug == "ecoles-de-grenoble"
    long = with_fields(good, focus_keyphrase="rénovation énergétique des écoles de Grenoble")
    slug = apply_local_fixes(long, [source], QualitySettings(slug_max_chars=30)).slug
    assert slug == "renovation-energetique"  # cut at a word, no dangling "des"


def test_credit_paragraph_with_the_link_to_the_source(good, source, settings):
    fixed = apply_local_fixes(good, [source], settings)
    last = fixed.body_html.splitlines()[-1]
    assert last == (f'<p>Source{NNBSP}: <a href="{source.url}" rel="noopener noreferrer">'
                    "Alpes Info</a></p>")
    assert check(fixed, [source], settings).report.get("externalLinks").rating == "good"


def test_no_second_credit_when_the_body_links_to_the_source(good, source, settings):
    url = source.url.replace("https://www.", "http://") + "/"  # the same page, written otherwise
    linked = with_body(good, "<p>Du côté des parents",
                       f'<p>Selon <a href="{url}">Alpes Info</a>, du côté des parents')
    fixed = apply_local_fixes(linked, [source], settings)
    assert fixed.body_html.count("<a ") == 1 and "Source" not in fixed.body_html


def test_no_credit_without_a_source_url(good, source, settings):
    from dataclasses import replace

    fixed = apply_local_fixes(good, [replace(source, url="")], settings)
    assert "<a " not in fixed.body_html


def test_html_cleaned_to_the_allowlist(good, source, settings):
    body = ('<h1>Les écoles de Grenoble</h1><div onclick="x()"><p style="color:red">Texte '
            '<span>ici</span>.</p><script>alert(1)</script></div><h1>Un autre titre</h1>'
            "<p></p><p>Fin.</p>")
    fixed = apply_local_fixes(with_fields(good, body_html=body), [source], settings).body_html
    assert fixed.splitlines()[:3] == ["<p>Texte ici.</p>", "<h2>Un autre titre</h2>",
                                      "<p>Fin.</p>"]
    assert check(with_fields(good, body_html=fixed), [source], settings).failed("html") is None


def test_the_draft_itself_is_not_changed(good, source, settings):
    before = good.to_dict()
    apply_local_fixes(good, [source], settings)
    assert good.to_dict() == before
