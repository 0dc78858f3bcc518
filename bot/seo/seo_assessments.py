"""Yoast SEO's SEO assessments for a French post, with Yoast's thresholds and 0..9 scores.

Each function takes the Post and returns one Assessment whose id is Yoast's identifier. The
texts are ours, in French, with the measured value and the target. The link assessments are in
bot.seo.links; SEO_ASSESSMENTS lists them all in Yoast's order.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from lxml import etree

from bot.seo.french import FUNCTION_WORDS
from bot.seo.html_views import TREE_VIEW_IGNORED, Block, parse_body, subheadings
from bot.seo.keyphrase import (
    body_keyphrase_count,
    keyphrase_length_factor,
    keyphrase_words,
    share_of_keyphrase_words,
    word_regex,
)
from bot.seo.links import ancestors_ignored, external_links, internal_links, text_competing_links
from bot.seo.post import Post, french_number, js_round
from bot.seo.report import Assessment
from bot.seo.sentence_split import split_sentences
from bot.seo.text import title_width_px
from bot.seo.tokens import normalize_quotes, words


def introduction_keyword(post: Post) -> Assessment:
    aid = "introductionKeyword"
    if not (post.has_keyphrase and post.has_text):
        return Assessment.scored(aid, 3, "Indiquez une expression clé et un texte.")
    intro = _first_paragraph(post)
    if intro is None:
        return Assessment.scored(aid, 3, "Le texte n'a pas de paragraphe d'introduction.")
    if any(post.share_found(s.text) == 100 for s in intro.sentences):
        text = "L'expression clé figure dans une phrase de l'introduction."
        return Assessment.scored(aid, 9, text)
    if post.share_found(intro.text) == 100:
        return Assessment.scored(
            aid,
            6,
            "Les mots de l'expression clé sont dans l'introduction, mais pas dans "
            "une même phrase : réunissez-les.",
        )
    return Assessment.scored(aid, 3, "L'expression clé n'apparaît pas dans le premier paragraphe.")


def _first_paragraph(post: Post) -> Block | None:
    for block in post.blocks:
        if block.kind != "p" or not block.sentences or block.only_links:
            continue
        if block.in_figcaption or block.text.lstrip().startswith(
            ("[caption", "[gallery", "[embed", "[playlist")
        ):
            continue
        return block
    return None


def keyphrase_length(post: Post) -> Assessment:
    aid = "keyphraseLength"
    length = len(post.keyphrase_words)
    if length < 1:
        return Assessment.scored(aid, -999, "Aucune expression clé n'est définie.", 0)
    if length <= 4:
        text = f"Expression clé de {length} mot(s) utile(s) : bien."
        return Assessment.scored(aid, 9, text, length)
    if length <= 8:
        return Assessment.scored(
            aid,
            6,
            f"L'expression clé compte {length} mots utiles ; 4 au plus sont recommandés.",
            length,
        )
    return Assessment.scored(
        aid,
        3,
        f"L'expression clé compte {length} mots utiles, bien plus que les 4 recommandés.",
        length,
    )


def _recommended_count(keyphrase_length_: int, density: float, maximum: bool, words: int) -> int:
    count = density * words / (100 * (0.7 + keyphrase_length_ / 3))
    if count < 2:
        return 2
    return math.floor(count) if maximum else math.ceil(count)


def keyphrase_density(post: Post) -> Assessment:
    aid = "keyphraseDensity"
    if not (post.has_keyphrase and post.has_text):
        return Assessment.scored(aid, -50, "Indiquez une expression clé et un texte.")
    count = body_keyphrase_count(post.body_html, post.keyphrase)
    words = post.tree_word_count
    density = count / words * 100 * keyphrase_length_factor(post.keyphrase) if words else 0.0
    found = f"Expression clé trouvée {count} fois"
    if words < 100:
        maximum = 2 if words > 50 else 1
        score = _short_text_density_score(count, maximum)
        target = f"texte court : 1 à {maximum} fois"
    else:
        length = len(post.keyphrase_words)
        minimum = _recommended_count(length, 0.5, False, words)
        maximum = _recommended_count(length, 3, True, words)
        score = _density_score(count, density, minimum)
        target = f"densité pondérée {french_number(round(density, 2))} %, cible 0,5 à 3 %"
    return Assessment.scored(aid, score, f"{found} ({target}).", round(density, 2))


def _short_text_density_score(count: int, maximum: int) -> int:
    if count == 0:
        return 4
    if 1 <= count <= maximum:
        return 9
    return -10 if count == maximum + 1 else -50


def _density_score(count: int, density: float, minimum: int) -> int:
    if count == 0 or 0 <= density < 0.5 or count == 1:
        return 4
    if 0.5 <= density <= 3 or (count == 2 and minimum <= 2):
        return 9
    return -10 if 3 < density <= 4 else -50


def meta_description_keyword(post: Post) -> Assessment:
    aid = "metaDescriptionKeyword"
    if not (post.has_keyphrase and post.meta_description):
        return Assessment.scored(aid, 3, "Indiquez une expression clé et une méta-description.")
    count = _keyphrase_count_in_string(post.meta_description, post.keyphrase_words)
    if count in (1, 2):
        return Assessment.scored(aid, 9, "L'expression clé figure dans la méta-description.", count)
    if count >= 3:
        return Assessment.scored(
            aid,
            3,
            f"L'expression clé apparaît {count} fois dans la méta-description (2 au plus).",
            count,
        )
    return Assessment.scored(aid, 3, "La méta-description ne contient pas l'expression clé.", 0)


def _keyphrase_count_in_string(text: str, kwords: list[str]) -> int:
    """Per sentence, the number of times the rarest keyphrase word occurs; summed."""
    total = 0
    for line in text.split("\n"):
        for sentence in split_sentences(line):
            normalized = normalize_quotes(sentence)
            counts = [len(word_regex(normalize_quotes(w)).findall(normalized)) for w in kwords]
            total += min(counts) if counts else 0
    return total


def meta_description_length(post: Post) -> Assessment:
    aid = "metaDescriptionLength"
    length = len(post.meta_description.encode("utf-16-le")) // 2  # JavaScript's string length
    if length == 0:
        return Assessment.scored(aid, 1, "Aucune méta-description : rédigez-en une.", 0)
    if length <= 120:
        text = f"Méta-description trop courte : {length} caractères (visez 121 à 156)."
        return Assessment.scored(aid, 6, text, length)
    if length > 156:
        text = f"Méta-description trop longue : {length} caractères (156 au plus)."
        return Assessment.scored(aid, 6, text, length)
    return Assessment.scored(aid, 9, f"Méta-description de {length} caractères : bien.", length)


def subheadings_keyword(post: Post) -> Assessment:
    aid = "subheadingsKeyword"
    if not (post.has_keyphrase and post.has_text):
        return Assessment.scored(aid, 1, "Indiquez une expression clé et un texte.")
    headings = [text for level, text in subheadings(post.body_html) if level in (2, 3)]
    if not headings:
        if post.word_count >= 300:
            return Assessment.scored(aid, 2, "Texte long sans intertitre H2/H3 : ajoutez-en.")
        return Assessment.scored(aid, 9, "Texte court : des intertitres ne sont pas nécessaires.")
    matches = sum(1 for h in headings if post.share_found(h) > 50)
    count = len(headings)
    share = round(matches / count * 100)
    low, high = math.ceil(count * 0.3), math.floor(count * 0.75)
    summary = f"{matches} intertitre(s) H2/H3 sur {count} reprennent l'expression clé"
    if 0 < matches < low:
        return Assessment.scored(aid, 3, f"{summary} : trop peu (30 à 75 %).", share)
    if count > 1 and matches > high:
        return Assessment.scored(aid, 3, f"{summary} : trop (30 à 75 %).", share)
    if (count == 1 and matches == 1) or low <= matches <= high:
        return Assessment.scored(aid, 9, f"{summary} : bien.", share)
    return Assessment.scored(aid, 3, f"{summary} : reprenez-la dans 30 à 75 % d'entre eux.", share)


def _images(post: Post) -> list[etree._Element]:
    root = parse_body(post.body_html)
    return [img for img in root.iter("img") if not ancestors_ignored(img, TREE_VIEW_IGNORED)]


def images(post: Post) -> Assessment:
    count = len(_images(post))
    if count == 0:
        return Assessment.scored("images", 3, "Aucune image : ajoutez-en au moins une.", 0)
    return Assessment.scored("images", 9, f"{count} image(s) dans l'article : bien.", count)


def image_keyphrase(post: Post) -> Assessment:
    aid = "imageKeyphrase"
    found = _images(post)
    count = len(found)
    if not post.has_keyphrase or count == 0:
        return Assessment.scored(aid, 3, "Pas d'image ou pas d'expression clé.", 0)
    alts = [" ".join((img.get("alt") or "").split()) for img in found]
    with_keyphrase = sum(1 for alt in alts if alt and post.share_found(alt) >= 50)
    with_other_alt = sum(1 for alt in alts if alt) - with_keyphrase
    low, high = math.ceil(count * 0.3), math.floor(count * 0.75)
    summary = f"{with_keyphrase} image(s) sur {count} ont l'expression clé dans leur texte alt"
    if with_other_alt > 0 and with_keyphrase == 0:
        return Assessment.scored(aid, 6, f"{summary} : ajoutez-la.", with_keyphrase)
    if count > 4 and 0 < with_keyphrase < low:
        return Assessment.scored(aid, 6, f"{summary} : trop peu (30 à 75 %).", with_keyphrase)
    good = (
        (count < 5 and with_keyphrase > 0)
        or (count == 5 and 2 <= with_keyphrase <= 4)
        or (count > 4 and low <= with_keyphrase <= high)
    )
    if good:
        return Assessment.scored(aid, 9, f"{summary} : bien.", with_keyphrase)
    if count > 4 and with_keyphrase > high:
        return Assessment.scored(aid, 6, f"{summary} : trop (30 à 75 %).", with_keyphrase)
    return Assessment.scored(aid, 6, "Les images n'ont pas de texte alt.", 0)


def text_length(post: Post) -> Assessment:
    aid = "textLength"
    count = post.word_count
    if count >= 300:
        return Assessment.scored(aid, 9, f"{count} mots : bien (300 au moins).", count)
    if count < 100:
        score = -20
    elif count < 200:
        score = -10
    elif count < 250:
        score = 3
    else:
        score = 6
    return Assessment.scored(aid, score, f"{count} mots : trop court (300 au moins).", count)


def keyphrase_in_seo_title(post: Post) -> Assessment:
    aid = "keyphraseInSEOTitle"
    if not (post.has_keyphrase and post.seo_title):
        return Assessment.scored(aid, 2, "Indiquez une expression clé et un titre SEO.")
    title = normalize_quotes(" ".join(post.seo_title.split()))
    phrase = normalize_quotes(post.keyphrase)
    match = word_regex(phrase).search(title)
    if match:
        start = match.start() if _starts_word(match.group(0)) else match.start() + 1
        if _only_function_words(title[:start]):
            return Assessment.scored(aid, 9, "L'expression clé ouvre le titre SEO : bien.", 0)
        return Assessment.scored(
            aid, 6, "L'expression clé est dans le titre SEO ; placez-la au début.", start
        )
    if post.share_found(title) == 100:
        return Assessment.scored(
            aid, 6, "Les mots de l'expression clé sont dans le titre SEO, mais pas tels quels."
        )
    return Assessment.scored(aid, 2, "Le titre SEO ne contient pas l'expression clé.")


def _starts_word(matched: str) -> bool:
    return matched[0].isalnum()


def _only_function_words(text: str) -> bool:
    return all(w.lower() in FUNCTION_WORDS for w in words(text.replace("-", " ")))


def title_width(post: Post) -> Assessment:
    aid = "titleWidth"
    width = title_width_px(post.seo_title) if post.seo_title else 0.0
    shown = f"{js_round(width)} px"
    if width == 0:
        return Assessment.scored(aid, 1, "Aucun titre SEO : rédigez-en un.", 0.0)
    if width <= 600:
        # The SEO assessor accepts short titles (Yoast's widthTooShort score is 9 there).
        return Assessment.scored(aid, 9, f"Titre SEO de {shown} : bien (600 px au plus).", width)
    return Assessment.scored(
        aid, 3, f"Titre SEO de {shown} : trop large, il sera tronqué (600 px au plus).", width
    )


def slug_keyword(post: Post) -> Assessment:
    aid = "slugKeyword"
    if not (post.has_keyphrase and post.slug):
        return Assessment.scored(aid, 3, "Indiquez une expression clé et un slug.")
    slug_text = post.slug.replace("-", " ").replace("_", " ")
    share = share_of_keyphrase_words(slug_text, post.keyphrase, hyphens_split=True)
    length = len(keyphrase_words(post.keyphrase.replace("-", " ")))
    good = share == 100 if length < 3 else share > 50
    if good:
        return Assessment.scored(aid, 9, "Le slug reprend l'expression clé : bien.", share)
    return Assessment.scored(
        aid, 6, f"Le slug ne reprend que {share} % des mots de l'expression clé.", share
    )


def function_words_in_keyphrase(post: Post) -> Assessment:
    aid = "functionWordsInKeyphrase"
    keyword_words = [w.lower() for w in words(post.keyphrase.replace("-", " "))]
    if all(w in FUNCTION_WORDS for w in keyword_words):
        return Assessment.scored(
            aid,
            0,
            "L'expression clé n'est faite que de mots outils : choisissez des mots "
            "porteurs de sens.",
        )
    return Assessment.scored(aid, 0, "")


def single_h1(post: Post) -> Assessment:
    aid = "singleH1"
    count = sum(1 for b in post.blocks if b.kind == "h" and b.level == 1 and b.text)
    if count <= 1:
        return Assessment.scored(aid, 8, "Pas de second H1 dans le texte : bien.", count)
    return Assessment.scored(
        aid, 1, f"{count} titres H1 dans le texte : gardez-en un seul (le titre).", count
    )


SEO_ASSESSMENTS: tuple[Callable[[Post], Assessment], ...] = (
    introduction_keyword,
    keyphrase_length,
    keyphrase_density,
    meta_description_keyword,
    meta_description_length,
    subheadings_keyword,
    text_competing_links,
    image_keyphrase,
    images,
    text_length,
    external_links,
    keyphrase_in_seo_title,
    internal_links,
    title_width,
    slug_keyword,
    function_words_in_keyphrase,
    single_h1,
)
