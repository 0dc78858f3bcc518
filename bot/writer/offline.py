"""The offline writer: the source packaged as an SEO draft, not rewritten.

For licensed wire copy that may be published as is, or a dry run before an
API key is set. It keeps the source's words and facts, adds subheadings (the
source's own section heads, else built from its key phrases), picks a focus
keyphrase with YAKE, and says plainly that the text was not rewritten.
"""

from __future__ import annotations

import html
import re

import yake
from slugify import slugify

from bot.writer.draft import Draft, SourceArticle

PARAGRAPHS_PER_SECTION = 3
NOT_REWRITTEN = (
    "Brouillon non réécrit : le texte de la source est repris tel quel et mis en forme "
    "(mode hors ligne, aucun modèle configuré)."
)
_SENTENCE_END = re.compile(r"[.!?…»\"”:;)]$")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def _is_heading(paragraph: str) -> bool:
    """A short line without closing punctuation is the source's own section head."""
    return len(paragraph.split()) <= 12 and not _SENTENCE_END.search(paragraph)


def _key_phrases(text: str, top: int) -> list[str]:
    extractor = yake.KeywordExtractor(lan="fr", n=3, top=top, dedupLim=0.7)
    return [phrase for phrase, _score in extractor.extract_keywords(text)]


def _focus_keyphrase(text: str, first_paragraph: str) -> str:
    """The best key phrase of two words or more that the opening paragraph holds verbatim."""
    phrases = _key_phrases(text, 20)
    opening = first_paragraph.casefold()
    for phrase in phrases:
        if len(phrase.split()) >= 2 and phrase.casefold() in opening:
            return phrase
    return phrases[0] if phrases else ""


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
    """Group paragraphs under the source's own heads, or in runs of a few paragraphs."""
    sections: list[tuple[str | None, list[str]]] = []
    has_heads = any(_is_heading(p) for p in paragraphs[1:])
    for paragraph in paragraphs:
        if has_heads and _is_heading(paragraph):
            sections.append((paragraph, []))
        elif not sections or (not has_heads and len(sections[-1][1]) >= PARAGRAPHS_PER_SECTION):
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
            parts.append(
                f"<h2>{_escape(head or _heading_for(paragraphs, keyphrase, used))}</h2>"
            )
        parts.extend(f"<p>{_escape(p)}</p>" for p in paragraphs)
    return "\n".join(parts)


def package(source: SourceArticle, *, category: str, min_words: int) -> Draft:
    paragraphs = [p.strip() for p in source.text.split("\n\n") if p.strip()] or [source.title]
    prose = [p for p in paragraphs if not _is_heading(p)] or paragraphs
    keyphrase = _focus_keyphrase(source.text, prose[0])
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
        tags=_key_phrases(source.text, 5),
        category=category,
        writer="offline",
        rewritten=False,
        warnings=warnings,
    )
