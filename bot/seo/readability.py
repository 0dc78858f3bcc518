"""Yoast SEO's readability assessments for a French post, with Yoast's thresholds and 0..9 scores.

Each function takes the Post and returns one Assessment whose id is Yoast's identifier. The
texts are ours, in French, with the measured value and the target.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.seo.french import FIRST_WORD_EXCEPTIONS
from bot.seo.html_views import sections, string_view_text
from bot.seo.passive import has_transition, is_passive
from bot.seo.post import Post, format_percentage, french_number
from bot.seo.report import Assessment
from bot.seo.tokens import Sentence, words


def subheadings_too_long(post: Post) -> Assessment:
    aid = "subheadingsTooLong"
    total = post.word_count
    found = sections(post.body_html)
    has_headings = any(heading is not None for heading, _ in found)
    lengths = [(heading, len(words(body))) for heading, body in found]
    if total <= 300:
        return Assessment.scored(aid, 9, f"Texte de {total} mots : la répartition convient.")
    if not has_headings:
        return Assessment.scored(
            aid, 2, f"Texte de {total} mots sans intertitre : découpez-le (300 mots par section)."
        )
    too_long = sum(1 for _, n in lengths if n > 300)
    intro = lengths[0][1] if lengths and lengths[0][0] is None else 0
    longest = max(n for _, n in lengths)
    if 300 < intro <= 350 and too_long < 2:
        return Assessment.scored(
            aid, 6, f"Le début avant le premier intertitre fait {intro} mots (300 au plus).", intro
        )
    if intro > 350 and too_long < 2:
        return Assessment.scored(
            aid, 3, f"Le début avant le premier intertitre fait {intro} mots (300 au plus).", intro
        )
    if longest <= 300:
        return Assessment.scored(aid, 9, "Aucune section ne dépasse 300 mots : bien.", longest)
    score = 6 if longest <= 350 else 3
    return Assessment.scored(
        aid,
        score,
        f"{too_long} section(s) dépassent 300 mots (la plus longue : {longest}).",
        longest,
    )


def paragraph_too_long(post: Post) -> Assessment:
    aid = "textParagraphTooLong"
    lengths = [b.word_count for b in post.blocks if b.kind == "p" and b.word_count > 0]
    longest = max(lengths, default=0)
    if longest <= 150:
        return Assessment.scored(aid, 9, "Aucun paragraphe ne dépasse 150 mots : bien.", longest)
    too_long = sum(1 for n in lengths if n > 150)
    score = 6 if longest <= 200 else 3
    return Assessment.scored(
        aid,
        score,
        f"{too_long} paragraphe(s) dépassent 150 mots (le plus long : {longest}).",
        longest,
    )


def sentence_length(post: Post) -> Assessment:
    aid = "textSentenceLength"
    lengths = [len(s.words) for s in post.sentences]
    lengths = [n for n in lengths if n > 0]
    too_long = sum(1 for n in lengths if n > 20)
    share = format_percentage(too_long / len(lengths) * 100) if lengths else 0
    text = f"{french_number(share)} % des phrases dépassent 20 mots (25 % au plus)."
    if share <= 25:
        return Assessment.scored(aid, 9, text, share)
    return Assessment.scored(aid, 6 if share <= 30 else 3, text, share)


def transition_words(post: Post) -> Assessment:
    aid = "textTransitionWords"
    total = len(post.sentences)
    with_transition = sum(1 for s in post.sentences if has_transition(s))
    share = format_percentage(with_transition / total * 100) if total and with_transition else 0
    text = f"{french_number(share)} % des phrases contiennent un mot de liaison (30 % au moins)."
    if post.tree_word_count < 200:
        return Assessment.scored(aid, 9, f"Texte court : {text}", share)
    if share < 20:
        return Assessment.scored(aid, 3, text, share)
    return Assessment.scored(aid, 6 if share < 30 else 9, text, share)


def passive_voice(post: Post) -> Assessment:
    aid = "passiveVoice"
    texts = [s.text for s in post.sentences]
    passives = sum(1 for s in texts if is_passive(s))
    share = format_percentage(passives / len(texts) * 100) if texts else 0
    text = f"{french_number(share)} % des phrases sont au passif (10 % au plus)."
    if share <= 10:
        return Assessment.scored(aid, 9, text, share)
    return Assessment.scored(aid, 6 if share <= 15 else 3, text, share)


def text_presence(post: Post) -> Assessment:
    characters = len(" ".join(string_view_text(post.body_html).split()))
    if characters >= 50:
        return Assessment.scored("textPresence", 0, "", characters)
    return Assessment.scored(
        "textPresence", 3, "Il n'y a presque pas de texte : écrivez l'article.", characters
    )


def _beginning(sentence: Sentence) -> str:
    found = [w for w in sentence.words if w.strip()]
    if not found:
        return ""
    first = found[0].lower()
    if first in FIRST_WORD_EXCEPTIONS and len(found) > 1:
        return f"{first} {found[1].lower()}"
    return first


def sentence_beginnings(post: Post) -> Assessment:
    aid = "sentenceBeginnings"
    sentences = [s for b in post.blocks if not b.in_list_or_table for s in b.sentences if s.tokens]
    longest_run, run, previous = 0, 0, None
    repeated = 0
    for sentence in sentences:
        beginning = _beginning(sentence)
        run = run + 1 if beginning and beginning == previous else 1
        previous = beginning
        if run == 3:
            repeated += 1
        longest_run = max(longest_run, run if beginning else 0)
    if repeated:
        return Assessment.scored(
            aid,
            3,
            f"{longest_run} phrases de suite commencent par le même mot : variez.",
            longest_run,
        )
    return Assessment.scored(aid, 9, "Les débuts de phrase sont variés : bien.", longest_run)


READABILITY_ASSESSMENTS: tuple[Callable[[Post], Assessment], ...] = (
    subheadings_too_long,
    paragraph_too_long,
    sentence_length,
    transition_words,
    passive_voice,
    text_presence,
    sentence_beginnings,
)
