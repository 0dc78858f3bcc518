"""The offline writer's fields come from the story (issue 14 §7): a keyphrase from the
headline and the lead, never from a photo caption or a credit; a meta description that
holds it; an SEO title that fits without « … »; tags from the feed's own categories and
the story's names; subheadings that are sentences of the section they open."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.config import default_prompts_dir
from bot.config.quality import QualitySettings
from bot.seo.keyphrase import keyphrase_count
from bot.seo.text import title_width_px
from bot.story import Draft, SourceArticle
from bot.writer import Writer
from bot.writer.prompt import Prompts

SOURCES = Path(__file__).parent / "data" / "offline"
# Each source has a photo caption whose credit names someone the story never mentions.
CREDITS = {
    "barrage-lac-vert": ("Jeanne Morel", "Agence Exemple"),
    "hopital-urgences-nuit": ("Lucas Ferrand",),
    "festival-jazz-remparts": ("Marion Delcourt",),
}


def source(name: str) -> SourceArticle:
    data = json.loads((SOURCES / f"{name}.json").read_text(encoding="utf-8"))
    return SourceArticle(
        title=data["title"],
        text=data["text"],
        url=data["url"],
        categories=tuple(data["categories"]),
    )


def write(article: SourceArticle) -> Draft:
    writer = Writer(
        model=None, prompts=Prompts.load(default_prompts_dir()), quality=QualitySettings()
    )
    draft = writer.write([article], category="Actualités", record=lambda call: None).draft
    assert draft is not None
    return draft


@pytest.fixture(scope="module")
def drafts() -> dict[str, tuple[SourceArticle, Draft]]:
    return {name: (source(name), write(source(name))) for name in CREDITS}


@pytest.mark.parametrize("name", list(CREDITS))
def test_fields_come_from_the_story_never_from_the_caption(drafts, name: str):
    article, draft = drafts[name]
    lead = article.text.split("\n\n")[0]
    assert keyphrase_count(article.title, draft.focus_keyphrase)
    assert keyphrase_count(lead, draft.focus_keyphrase)
    assert keyphrase_count(draft.meta_description, draft.focus_keyphrase)
    assert 120 <= len(draft.meta_description) <= 156
    headings = re.findall(r"<h2>(.*?)</h2>", draft.body_html)
    chosen = [draft.focus_keyphrase, draft.meta_description, *draft.tags, *headings]
    for credit in CREDITS[name]:
        assert not any(credit in field for field in chosen), (credit, chosen)


@pytest.mark.parametrize("name", list(CREDITS))
def test_seo_title_fits_without_an_ellipsis(drafts, name: str):
    article, draft = drafts[name]
    assert len(draft.seo_title) <= 60 and title_width_px(draft.seo_title) <= 600
    assert "…" not in draft.seo_title
    # Words of the headline, in its order: a phrase of it, not a made-up line.
    normalise = lambda text: " ".join(text.replace("\u202f", " ").casefold().split())  # noqa: E731
    assert normalise(draft.seo_title) in normalise(article.title)


@pytest.mark.parametrize("name", list(CREDITS))
def test_tags_are_the_feeds_categories_and_the_storys_names(drafts, name: str):
    article, draft = drafts[name]
    assert draft.category == "Actualités"  # the configured category stays the category
    assert draft.tags[: len(article.categories)] == list(article.categories)
    for tag in draft.tags[len(article.categories) :]:
        assert tag in article.title or tag in article.text  # whole names, as written
        assert tag[:1].isupper() or tag == draft.focus_keyphrase


@pytest.mark.parametrize("name", list(CREDITS))
def test_each_subheading_is_a_sentence_of_its_section(drafts, name: str):
    _, draft = drafts[name]
    sections = re.split(r"<h2>(.*?)</h2>", draft.body_html)[1:]
    assert sections, "a text of 400 words gets subheadings"
    for heading, section in zip(sections[::2], sections[1::2], strict=True):
        assert 3 <= len(heading.split()) <= 12
        assert heading[1:].casefold() in section.casefold(), (heading, section[:200])


def test_the_sources_own_section_heads_are_kept():
    """Good input stays as it is: a wire with its own heads keeps them, in order."""
    text = (
        "Le conseil municipal de Val-d'Orge a adopté mardi un plan de rénovation thermique "
        "de six écoles, chiffré à 4,2 millions d'euros.\n\n"
        "Des travaux pendant les vacances\n\n"
        "Les chantiers se dérouleront pendant les vacances scolaires.\n\n"
        "L'opposition réclame un calendrier plus rapide\n\n"
        "Le groupe d'opposition a voté contre le plan de rénovation thermique."
    )
    draft = write(SourceArticle(title="Val-d'Orge rénove six écoles", text=text))
    assert re.findall(r"<h2>(.*?)</h2>", draft.body_html) == [
        "Des travaux pendant les vacances",
        "L'opposition réclame un calendrier plus rapide",
    ]
