"""The offline writer: the source packaged as an SEO draft, not rewritten.

For licensed wire copy that may be published as is, or a dry run before an
API key is set. It keeps the source's words and facts, adds subheadings (the
source's own section heads, else built from its key phrases), picks a focus
keyphrase with YAKE, and says plainly that the text was not rewritten.
"""

from __future__ import annotations

import html
import re
from typing import Any

import yake
from slugify import slugify

from bot.nlp import french
from bot.writer.draft import Draft, SourceArticle

PARAGRAPHS_PER_SECTION = 3
NOT_REWRITTEN = (
    "Brouillon non réécrit : le texte de la source est repris tel quel et mis en forme "
    "(mode hors ligne, aucun modèle configuré)."
)
_SENTENCE_END = re.compile(r"[.!?…»\"”:;)]$")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_PHRASE_EDGES = {"NOUN", "PROPN", "ADJ", "NUM"}


def _is_heading(paragraph: str) -> bool:
    """A short line without closing punctuation is the source's own section head."""
    return len(paragraph.split()) <= 12 and not _SENTENCE_END.search(paragraph)


def _key_phrases(text: str, top: int) -> list[str]:
    """YAKE's key phrases, keeping only those made of nouns, adjectives and the
    words that join them: "rénovation thermique", not "vote la rénovation"."""
    extractor = yake.KeywordExtractor(lan="fr", n=3, top=top, dedupLim=0.7)
    phrases = [phrase for phrase, _score in extractor.extract_keywords(text)]
    tagger = french("morphologizer", "attribute_ruler")
    # Tagged in context: a word alone is ambiguous ("vote" the noun, "vote" the verb).
    tagged = [(token.lower_, token.pos_) for token in tagger(text)]
    return [p for p in phrases if _nominal(_tags_of(p, tagged, tagger))]


def _tags_of(phrase: str, tagged: list[tuple[str, str]], tagger: Any) -> list[str]:
    """The part-of-speech tags of the phrase's first occurrence in the tagged text."""
    words = [token.lower_ for token in tagger.tokenizer(phrase)]
    for start in range(len(tagged) - len(words) + 1):
        if all(tagged[start + i][0] == word for i, word in enumerate(words)):
            return [tag for _word, tag in tagged[start : start + len(words)]]
    return []


def _nominal(tags: list[str]) -> bool:
    return (
        bool(tags)
        and not {"VERB", "AUX"} & set(tags)
        and tags[0] in _PHRASE_EDGES
        and tags[-1] in _PHRASE_EDGES
    )


def _focus_keyphrase(title: str, text: str, first_paragraph: str) -> str:
    """The best key phrase of two words or more that the opening paragraph holds
    verbatim, preferring one the headline holds too: what the story is about."""
    phrases = [p for p in _key_phrases(f"{title}\n\n{text}", 30) if len(p.split()) >= 2]
    opening, headline = first_paragraph.casefold(), title.casefold()
    in_opening = [p for p in phrases if p.casefold() in opening]
    in_both = [p for p in in_opening if p.casefold() in headline]
    best = in_both or in_opening or phrases or _key_phrases(text, 1)
    return best[0] if best else ""


def _tags(title: str, text: str) -> list[str]:
    """Key phrases the headline holds: the story's subjects, not its verbs."""
    phrases = _key_phrases(f"{title}\n\n{text}", 30)
    headline = title.casefold()
    return [p for p in phrases if p.casefold() in headline][:5] or phrases[:5]


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _meta_description(paragraphs: list[str]) -> str:
    sentences = _SENTENCE.split(" ".join(paragraphs[:2]))
    meta = ""
    for sentence in sentences:
        if len(meta) + len(sentence) + 1 > 156:
            break
        meta = f"{meta} {sentence}".strip()
    return meta or _shorten(sentences[0] if sentences else "", 156)


def _sections(paragraphs: list[str]) -> list[tuple[str | None, list[str]]]:
    """Group paragraphs under the source's own heads, or else the lede alone and
    then runs of a few paragraphs, so that any text of two paragraphs has a head."""
    sections: list[tuple[str | None, list[str]]] = []
    has_heads = any(_is_heading(p) for p in paragraphs[1:])
    for index, paragraph in enumerate(paragraphs):
        if has_heads and _is_heading(paragraph):
            sections.append((paragraph, []))
        elif (
            not sections
            or (not has_heads and index == 1)
            or (not has_heads and len(sections[-1][1]) >= PARAGRAPHS_PER_SECTION)
        ):
            sections.append((None, [paragraph]))
        else:
            sections[-1][1].append(paragraph)
    return sections


def _heading_for(paragraphs: list[str], keyphrase: str, used: set[str]) -> str:
    for phrase in _key_phrases(" ".join(paragraphs), 5):
        if phrase.casefold() not in used:
            used.add(phrase.casefold())
            return phrase[:1].upper() + phrase[1:]
    return keyphrase[:1].upper() + keyphrase[1:]


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _body_html(sections: list[tuple[str | None, list[str]]], keyphrase: str) -> str:
    parts: list[str] = []
    used: set[str] = set()
    for index, (head, paragraphs) in enumerate(sections):
        # The opening paragraphs stand without a head, as a lede does.
        if index > 0 or head is not None:
            parts.append(f"<h2>{_escape(head or _heading_for(paragraphs, keyphrase, used))}</h2>")
        parts.extend(f"<p>{_escape(p)}</p>" for p in paragraphs)
    return "\n".join(parts)


def package(source: SourceArticle, *, category: str, min_words: int) -> Draft:
    paragraphs = [p.strip() for p in source.text.split("\n\n") if p.strip()] or [source.title]
    prose = [p for p in paragraphs if not _is_heading(p)] or paragraphs
    keyphrase = _focus_keyphrase(source.title, source.text, prose[0])
    words = len(source.text.split())
    warnings = [NOT_REWRITTEN]
    if words < min_words:
        warnings.append(
            f"Texte de {words} mots, sous l'objectif de {min_words} mots : à compléter."
        )
    return Draft(
        title=source.title,
        seo_title=_shorten(source.title, 60),
        meta_description=_meta_description(prose),
        focus_keyphrase=keyphrase,
        slug=slugify(keyphrase or source.title, max_length=60, word_boundary=True),
        excerpt=_shorten(_SENTENCE.split(prose[0])[0], 300),
        body_html=_body_html(_sections(paragraphs), keyphrase),
        tags=_tags(source.title, source.text),
        category=category,
        writer="offline",
        rewritten=False,
        warnings=warnings,
    )
