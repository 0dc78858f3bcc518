"""The gate's hard rules on language, structure, headline and SEO fields.

Each function returns the failures of one family of rules; measurements come from bot.seo's
primitives (word counts, sections, keyphrase matching, title width) so the gate and the Yoast
report never disagree on what they count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.config.quality import QualitySettings
from bot.quality import language, markup
from bot.quality.lexicon import stop_words
from bot.quality.result import Failure
from bot.seo.text import (
    count_words,
    fold_accents,
    keyphrase_count,
    keyphrase_density,
    paragraphs,
    quotations,
    sections,
    share_of_keyphrase_words,
    subheadings,
    title_width_px,
    words,
)
from bot.story import Draft, SourceArticle

# Blocks shorter than this are not judged alone ("Source : Reuters" has no language).
MIN_WORDS_TO_JUDGE = 4
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_H1_RE = re.compile(r"<\s*h1\b", re.IGNORECASE)


def fr_number(value: float, decimals: int = 1) -> str:
    """A measured value as a French reader writes it: 2,5; 700."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


# --- language ------------------------------------------------------------------------------------


def language_blocks(draft: Draft) -> list[tuple[str, str]]:
    """(where, text) of every block whose language the gate judges: the fields, the
    subheadings, the paragraphs and the quotations long enough to have a language."""
    blocks = [("titre", draft.title), ("titre SEO", draft.seo_title),
              ("méta description", draft.meta_description), ("extrait", draft.excerpt)]
    blocks += [(f"intertitre {i}", text) for i, (_, text) in
               enumerate(subheadings(draft.body_html), start=1)]
    blocks += _body_blocks(draft.body_html)
    return [(w, t) for w, t in blocks if len(words(t)) >= MIN_WORDS_TO_JUDGE]


def _body_blocks(body_html: str) -> list[tuple[str, str]]:
    body = [(f"paragraphe {i}", text) for i, text in enumerate(paragraphs(body_html), 1)]
    # Yoast's paragraphs leave quotations out; the language rule must not.
    return body + [(f"citation {i}", text) for i, text in enumerate(quotations(body_html), 1)]


def language_rules(draft: Draft, settings: QualitySettings) -> list[Failure]:
    foreign = language.foreign_blocks(language_blocks(draft), settings.language)
    if not foreign:
        return []
    target = language.target_name(settings.language)
    items = [f"{b.where} en {b.language} : « {b.excerpt} »" for b in foreign]
    body_words = sum(len(words(t)) for _, t in _body_blocks(draft.body_html)) or 1
    foreign_words = sum(b.words for b in foreign if b.where.startswith("paragraphe"))
    if foreign_words * 2 >= body_words:
        main = max(foreign, key=lambda b: b.words).language
        return [Failure("language", f"le texte est en {main}, il doit être en {target}",
                        measured=main, target=target, items=items)]
    where = ", ".join(b.where for b in foreign)
    return [Failure("language", f"texte mixte : {where} pas en {target}",
                    measured="mixte", target=target, items=items)]


# --- structure -----------------------------------------------------------------------------------


def structure_rules(draft: Draft, sources: Sequence[SourceArticle],
                    settings: QualitySettings) -> list[Failure]:
    body = draft.body_html
    failures = []
    total = count_words(body)
    if total < settings.min_words:
        failures.append(Failure("min_words", f"{total} mots dans le corps, minimum "
                                f"{settings.min_words}", str(total), f">= {settings.min_words}"))
    h2_count = sum(1 for level, _ in subheadings(body) if level == 2)
    if not h2_count:
        failures.append(Failure("h2", "aucun intertitre <h2>, il en faut au moins un",
                                "0", ">= 1"))
    too_long = [(heading, len(words(text))) for heading, text in sections(body)
                if len(words(text)) > settings.max_section_words]
    if too_long:
        items = [f"« {heading or 'introduction'} » : {n} mots" for heading, n in too_long]
        worst = max(n for _, n in too_long)
        failures.append(Failure(
            "section_length",
            f"{len(too_long)} section(s) de plus de {settings.max_section_words} mots "
            f"(la plus longue : {worst}) ; ajoutez des intertitres <h2>",
            str(worst), f"<= {settings.max_section_words}", items))
    if _H1_RE.search(body):
        failures.append(Failure("h1", "le corps contient un <h1> (le titre est déjà le h1 de "
                                "la page) ; utilisez <h2>", "h1", "aucun h1"))
    bad_tags = markup.disallowed_tags(body)
    if bad_tags:
        shown = ", ".join(f"<{t}>" for t in bad_tags)
        failures.append(Failure("html", f"balises non autorisées : {shown}", shown,
                                "balises autorisées : " + " ".join(sorted(markup.ALLOWED_TAGS)),
                                [f"<{t}>" for t in bad_tags]))
    leftovers = markup.markdown_leftovers(body)
    if leftovers:
        failures.append(Failure("markdown", "syntaxe Markdown au lieu de HTML : "
                                + ", ".join(leftovers), ", ".join(leftovers),
                                "HTML seulement (<h2>, <strong>, <ul><li>, <a href>)", leftovers))
    foreign = markup.foreign_links(body, linkable_hosts(sources, settings))
    if foreign:
        failures.append(Failure("links", "liens vers des sites hors source : "
                                + ", ".join(foreign), str(len(foreign)),
                                "liens vers la source seulement", foreign))
    return failures


def linkable_hosts(sources: Sequence[SourceArticle], settings: QualitySettings) -> set[str]:
    """The sites an article may link to: its sources' and the newsroom's allowed domains."""
    return {*(markup.host(s.url) for s in sources), *settings.allowed_link_domains} - {""}


# --- headline ------------------------------------------------------------------------------------


def content_words(text: str) -> set[str]:
    """Folded words of a headline without stop words: what makes it say what it says."""
    folded = fold_accents(text).lower().replace("’", "'")
    found = re.findall(r"[a-z0-9]+", folded)
    return {w for w in found if w not in stop_words() and len(w) > 1}


def headline_similarity(title: str, source_title: str) -> float:
    """Jaccard index of the two headlines' content words: 1.0 for the same words reordered."""
    mine, theirs = content_words(title), content_words(source_title)
    if not mine or not theirs:
        return 0.0
    return len(mine & theirs) / len(mine | theirs)


def headline_rules(draft: Draft, sources: Sequence[SourceArticle],
                   settings: QualitySettings) -> list[Failure]:
    """The headline must be new against every source's: the closest one is judged."""
    similarity, source = max(
        ((headline_similarity(draft.title, s.title), s) for s in sources), key=lambda x: x[0]
    )
    if similarity < settings.headline_max_similarity:
        return []
    percent = round(similarity * 100)
    return [Failure("headline_new",
                    f"le titre reprend les mots du titre source « {source.title} » "
                    f"({percent} % de mots en commun, maximum "
                    f"{round(settings.headline_max_similarity * 100)} %) ; écrivez un titre neuf",
                    f"{percent} %", f"< {round(settings.headline_max_similarity * 100)} %")]


# --- SEO fields ----------------------------------------------------------------------------------


def seo_field_rules(draft: Draft, settings: QualitySettings) -> list[Failure]:
    return [*_title_and_meta(draft, settings), *_slug(draft, settings),
            *_keyphrase(draft, settings)]


def _title_and_meta(draft: Draft, s: QualitySettings) -> list[Failure]:
    failures = []
    chars = len(draft.seo_title)
    if chars > s.seo_title_max_chars:
        failures.append(Failure("seo_title_length", f"titre SEO de {chars} caractères, maximum "
                                f"{s.seo_title_max_chars}", str(chars),
                                f"<= {s.seo_title_max_chars}"))
    width = title_width_px(draft.seo_title)
    if width > s.seo_title_max_px:
        measured, limit = f"{fr_number(width, 0)} px", f"{fr_number(s.seo_title_max_px, 0)} px"
        failures.append(Failure("seo_title_width", f"titre SEO de {measured} de large, "
                                f"maximum {limit}", measured, f"<= {limit}"))
    meta = len(draft.meta_description)
    if not s.meta_min_chars <= meta <= s.meta_max_chars:
        failures.append(Failure("meta_length", f"méta description de {meta} caractères, "
                                f"attendu entre {s.meta_min_chars} et {s.meta_max_chars}",
                                str(meta), f"{s.meta_min_chars}-{s.meta_max_chars}"))
    return failures


def _slug(draft: Draft, s: QualitySettings) -> list[Failure]:
    slug = draft.slug
    problems = []
    if not _SLUG_RE.match(slug):
        problems.append("pas en ASCII minuscule avec des tirets")
    if len(slug) > s.slug_max_chars:
        problems.append(f"{len(slug)} caractères, maximum {s.slug_max_chars}")
    if draft.focus_keyphrase.strip() and share_of_keyphrase_words(
        slug.replace("-", " "), draft.focus_keyphrase, hyphens_split=True
    ) < 100:
        problems.append(f"ne contient pas l'expression clé « {draft.focus_keyphrase} »")
    if not problems:
        return []
    return [Failure("slug", f"slug « {slug} » : " + " ; ".join(problems), slug,
                    f"ASCII, <= {s.slug_max_chars} caractères, avec l'expression clé")]


def _keyphrase(draft: Draft, s: QualitySettings) -> list[Failure]:
    keyphrase = draft.focus_keyphrase.strip()
    if not keyphrase:
        return [Failure("keyphrase", "aucune expression clé (focus_keyphrase vide)",
                        "", "non vide")]
    failures = []
    quoted = f"« {keyphrase} »"
    if share_of_keyphrase_words(draft.seo_title, keyphrase) < 100:
        failures.append(Failure("keyphrase_in_seo_title", f"l'expression clé {quoted} manque "
                                "dans le titre SEO (de préférence au début)",
                                "absente", "présente"))
    first = paragraphs(draft.body_html)[:1]
    if not first or not keyphrase_count(first[0], keyphrase):
        failures.append(Failure("keyphrase_in_intro", f"l'expression clé {quoted} manque dans "
                                "le premier paragraphe", "absente", "présente"))
    if not keyphrase_count(draft.meta_description, keyphrase):
        failures.append(Failure("keyphrase_in_meta", f"l'expression clé {quoted} manque dans "
                                "la méta description", "absente", "présente"))
    failures += _keyphrase_in_subheadings(draft.body_html, keyphrase, s)
    density = keyphrase_density(draft.body_html, keyphrase)
    if not s.density_min <= density <= s.density_max:
        target = f"{fr_number(s.density_min)}-{fr_number(s.density_max)} %"
        failures.append(Failure("keyphrase_density", f"densité de l'expression clé {quoted} : "
                                f"{fr_number(density, 2)} %, attendu {target}",
                                f"{fr_number(density, 2)} %", target))
    return failures


def _keyphrase_in_subheadings(body: str, keyphrase: str, s: QualitySettings) -> list[Failure]:
    # Yoast counts h2 and h3, and a subheading holds the keyphrase when more than half of its
    # content words are there; a lone subheading that holds it is fine.
    heads = [text for level, text in subheadings(body) if level in (2, 3)]
    if not heads:
        return []  # the "h2" rule already says so
    holding = sum(1 for text in heads if share_of_keyphrase_words(text, keyphrase) > 50)
    share = holding / len(heads) * 100
    if (len(heads) == 1 and holding == 1) or (
        s.subheadings_keyphrase_min <= share <= s.subheadings_keyphrase_max
    ):
        return []
    low, high = s.subheadings_keyphrase_min, s.subheadings_keyphrase_max
    target = f"{fr_number(low, 0)}-{fr_number(high, 0)} %"
    return [Failure("keyphrase_in_subheadings",
                    f"l'expression clé « {keyphrase} » est dans {holding} intertitre(s) sur "
                    f"{len(heads)} ({fr_number(share, 0)} %), attendu {target}",
                    f"{fr_number(share, 0)} %", target)]
