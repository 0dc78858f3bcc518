"""The offline writer: the source packaged as an SEO draft, not rewritten.

For licensed wire copy that may be published as is, or a dry run before an
API key is set. It keeps the source's words and facts and says plainly that the
text was not rewritten. Its fields come from the story itself:

- the focus keyphrase is a noun phrase of the headline that the lead holds too
  (never a photo caption's or a credit's words), the one the text repeats most;
- the meta description is the lead's sentences, the keyphrase's first;
- the SEO title is the headline, or its clause or phrase that fits, never cut by « … »;
- the tags are the feed's own categories, then the story's named entities;
- a subheading is a short sentence of the section it opens (the source's own
  section heads when it has them).
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from slugify import slugify

from bot.nlp import Pipes, french
from bot.seo.keyphrase import keyphrase_count, share_of_keyphrase_words
from bot.seo.text import title_width_px
from bot.story import Draft, SourceArticle

PARAGRAPHS_PER_SECTION = 3
NOT_REWRITTEN = (
    "Brouillon non réécrit : le texte de la source est repris tel quel et mis en forme "
    "(mode hors ligne, aucun modèle configuré)."
)
SEO_TITLE_CHARS, SEO_TITLE_PX = 60, 600
META_MIN, META_MAX = 120, 156
HEADING_WORDS = (3, 12)  # a subheading is a sentence of this many words
MAX_TAGS = 6
_SENTENCE_END = re.compile(r"[.!?…»\"”:;)]$")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-Ý«\"0-9])")
_CLAUSE = re.compile(r"\s*[:–—]\s+|,\s+")  # « Val-d'Orge : le conseil… », any space
# A photo's caption or credit: its words say nothing of the story.
_CAPTION = re.compile(
    r"^\s*(photo|légende|crédit|credit|sur (notre|la) photo|illustration|©)\b|©|"
    r"\((photo|crédit|credit)\b[^)]*\)\s*$",
    re.IGNORECASE,
)
_NOMINAL_EDGES = {"NOUN", "PROPN", "ADJ", "NUM"}
_ENTITY_LABELS = {"PER", "LOC", "ORG", "MISC"}


def _nlp() -> Pipes:
    return french("morphologizer", "attribute_ruler", "ner")


def _is_heading(paragraph: str) -> bool:
    """A short line without closing punctuation is the source's own section head."""
    return (
        len(paragraph.split()) <= 12
        and not _SENTENCE_END.search(paragraph)
        and not _is_caption(paragraph)
    )


def _is_caption(paragraph: str) -> bool:
    return bool(_CAPTION.search(paragraph))


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(paragraph) if s.strip()]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the focus keyphrase ------------------------------------------------------


def _nominal(tokens: list[Any]) -> bool:
    """A noun phrase: nouns, adjectives and the words that join them, « rénovation
    thermique des écoles », not « vote la rénovation », « six écoles » or « samedi place »
    (two nouns side by side belong to two phrases)."""
    tags = [t.pos_ for t in tokens]
    side_by_side = any(a == b == "NOUN" for a, b in itertools.pairwise(tags))
    return (
        bool(tags)
        and not {"VERB", "AUX", "PUNCT", "PRON"} & set(tags)
        and tags[0] in ("NOUN", "PROPN", "ADJ")
        and tags[-1] in _NOMINAL_EDGES
        and any(t in ("NOUN", "PROPN") for t in tags)
        and not side_by_side
    )


def _headline_phrases(title: str) -> list[str]:
    """Every noun phrase of up to five words in the headline, tagged in context."""
    doc = _nlp()(title)
    phrases = []
    for start in range(len(doc)):
        for end in range(start + 1, min(start + 5, len(doc)) + 1):
            if _nominal(list(doc[start:end])):
                phrases.append(doc[start:end].text)
    return phrases


def _focus_keyphrase(title: str, lead: str, prose: str) -> str:
    """The headline's noun phrase that the lead holds too and the text repeats most;
    two words or more when one qualifies (a single word rarely names a story)."""
    candidates = [p for p in _headline_phrases(title) if keyphrase_count(lead, p)]
    if not candidates:
        candidates = _headline_phrases(title)
    if not candidates:
        return ""

    def rank(phrase: str) -> tuple[bool, int, bool, int]:
        words = len(phrase.split())
        count = min(keyphrase_count(prose, phrase), 6)
        # « ligne de bus » rather than « bus 12 »: a number is a detail, not a subject.
        return (words >= 2, count, not phrase[-1].isdigit(), -abs(words - 2))

    return max(candidates, key=rank)


# --- the SEO title and the meta description -----------------------------------


def _fits(text: str) -> bool:
    return len(text) <= SEO_TITLE_CHARS and title_width_px(text) <= SEO_TITLE_PX


def _trimmed_to_phrase(text: str) -> str:
    """The longest start of `text` that fits and ends on a noun or an adjective:
    « Le conseil municipal vote la rénovation thermique », never « … de six »."""
    doc = _nlp()(text)
    for end in range(len(doc), 0, -1):
        candidate = doc[:end].text
        if _fits(candidate) and doc[end - 1].pos_ in ("NOUN", "PROPN", "ADJ"):
            return candidate
    return ""


def _seo_title(title: str, keyphrase: str) -> str:
    """The headline if it fits; else its clause that holds the keyphrase; else the
    longest phrase it starts with that fits. Never a word cut, never « … »."""
    if _fits(title):
        return title
    clauses = [c for c in _CLAUSE.split(title) if c]
    with_keyphrase = [c for c in clauses if keyphrase and keyphrase_count(c, keyphrase)]
    for clause in [*with_keyphrase, *clauses]:
        if _fits(clause) and len(clause.split()) >= 3:
            return _capitalised(clause)
    for clause in [*with_keyphrase, title]:
        if trimmed := _trimmed_to_phrase(clause):
            return _capitalised(trimmed)
    if _fits(keyphrase):
        return _capitalised(keyphrase)
    return title[: SEO_TITLE_CHARS + 1].rsplit(" ", 1)[0]  # a headline of one endless word


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;: ")
    return cut + "…"


def _meta_description(prose: list[str], keyphrase: str) -> str:
    """The lead's sentences from the first that holds the keyphrase, up to 156
    characters, and at least 120 when the text allows."""
    sentences = [s for p in prose[:3] for s in _sentences(p)]
    start = next(
        (i for i, s in enumerate(sentences) if keyphrase and keyphrase_count(s, keyphrase)), 0
    )
    meta = ""
    for sentence in sentences[start:]:
        joined = f"{meta} {sentence}".strip()
        if len(joined) > META_MAX:
            if len(meta) < META_MIN:
                meta = _cut(joined, META_MAX)
            break
        meta = joined
    return meta


# --- tags -----------------------------------------------------------------------


def _opens_sentence(entity: Any) -> bool:
    before = entity.doc[entity.start - 1] if entity.start else None
    return before is None or before.is_space or before.text in ".!?"


def _tags(categories: Iterable[str], keyphrase: str, title: str, prose: str) -> list[str]:
    """The feed's own categories, the keyphrase, then the named entities of the story
    (headline first, then by how often the text names them)."""
    counts: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for weight, text in ((3, title), (1, prose)):
        for entity in _nlp()(text).ents:
            name = entity.text.strip(" .,;:«»\"'’")
            # A name, not a capitalised word opening a sentence (« Agrandir le festival… »).
            named = any(token.pos_ == "PROPN" for token in entity) and (
                len(entity) > 1 or not _opens_sentence(entity)
            )
            if entity.label_ in _ENTITY_LABELS and named and len(name.split()) <= 4:
                counts[name.casefold()] += weight
                spelled.setdefault(name.casefold(), name)
    entities = [spelled[key] for key, _ in counts.most_common()]
    tags: list[str] = []
    for tag in [*categories, keyphrase, *entities]:
        tag = tag.strip()
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags[:MAX_TAGS]


# --- sections and their subheadings ---------------------------------------------


def _sections(paragraphs: list[str]) -> list[tuple[str | None, list[str]]]:
    """Group paragraphs under the source's own heads, or else the lede alone and
    then runs of a few paragraphs, so that any text of two paragraphs has a head.
    A run never opens on a caption, which has no sentence to name it by."""
    sections: list[tuple[str | None, list[str]]] = []
    has_heads = any(_is_heading(p) for p in paragraphs[1:])
    for index, paragraph in enumerate(paragraphs):
        if has_heads and _is_heading(paragraph):
            sections.append((paragraph, []))
        elif not sections or (
            not has_heads
            and not _is_caption(paragraph)
            and (index == 1 or len(sections[-1][1]) >= PARAGRAPHS_PER_SECTION)
        ):
            sections.append((None, [paragraph]))
        else:
            sections[-1][1].append(paragraph)
    return sections


def _heading_candidates(paragraphs: list[str], *, strict: bool = True) -> list[str]:
    """Short sentences of the section, or the first clause of one: its own words, with
    a verb and a proper end (unless not `strict`). Quotations are the speaker's, not a
    heading's."""
    found: list[str] = []
    for paragraph in paragraphs:
        if _is_caption(paragraph):
            continue
        for sentence in _sentences(paragraph):
            if any(mark in sentence for mark in "«»\"“”"):
                continue
            sentence = sentence.rstrip(".!…")
            for phrase in (sentence, *sentence.split(", ")):
                low, high = HEADING_WORDS
                fits = low <= len(phrase.split()) <= high and phrase not in found
                if fits and (_says(phrase) or not strict):
                    found.append(phrase)
    return found


def _says(phrase: str) -> bool:
    """A phrase that stands as a heading: it has a verb, and does not end on a joining word."""
    tags = [t.pos_ for t in _nlp()(phrase)]
    return bool({"VERB", "AUX"} & set(tags)) and tags[-1] not in ("ADP", "DET", "CCONJ", "SCONJ")


def _names_keyphrase(heading: str, keyphrase: str) -> bool:
    """As Yoast counts a subheading for the keyphrase: more than half of its words."""
    return bool(keyphrase) and share_of_keyphrase_words(heading, keyphrase) > 50


def _headings(sections: list[tuple[str | None, list[str]]], keyphrase: str) -> list[str | None]:
    """A heading for each section after the lede: the source's own, or a short sentence
    of the section, one that holds the keyphrase while fewer than 30 % of the headings
    do (Yoast asks 30 to 75 %)."""
    to_name = sum(1 for index, (head, _) in enumerate(sections) if index > 0 or head)
    wanted = math.ceil(to_name * 0.3)
    headings: list[str | None] = []
    for index, (head, paragraphs) in enumerate(sections):
        if head is not None or index == 0:
            headings.append(head)
            continue
        candidates = _heading_candidates(paragraphs) or _heading_candidates(
            paragraphs, strict=False
        )
        holding = [c for c in candidates if _names_keyphrase(c, keyphrase)]
        named = sum(1 for h in headings if h and _names_keyphrase(h, keyphrase))
        if holding and named < wanted:
            chosen = holding[0]
        elif candidates:
            chosen = min(candidates, key=lambda c: _names_keyphrase(c, keyphrase))
        else:
            chosen = keyphrase
        headings.append(_capitalised(chosen))
    return headings


def _not_merged(source: SourceArticle) -> str:
    named = source.source_name.strip() or "une autre source"
    return (
        f"Autre source non reprise dans le texte (hors ligne) : {named} — "
        f"« {source.title} » {source.url}".rstrip()
    )


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _body_html(sections: list[tuple[str | None, list[str]]], keyphrase: str) -> str:
    parts: list[str] = []
    for heading, (_, paragraphs) in zip(_headings(sections, keyphrase), sections, strict=True):
        # The opening paragraphs stand without a head, as a lede does.
        if heading:
            parts.append(f"<h2>{_escape(heading)}</h2>")
        parts.extend(f"<p>{_escape(p)}</p>" for p in paragraphs)
    return "\n".join(parts)


def package(sources: Sequence[SourceArticle], *, category: str, min_words: int) -> Draft:
    """The primary source's text packaged as it is. The others cannot be merged into it
    without rewriting: they are credited with their links (bot.quality.fixes), and the
    editor's note names them, for an editor to bring in what they add."""
    source, others = sources[0], sources[1:]
    paragraphs = [p.strip() for p in source.text.split("\n\n") if p.strip()] or [source.title]
    prose = [p for p in paragraphs if not _is_heading(p) and not _is_caption(p)] or paragraphs
    keyphrase = _focus_keyphrase(source.title, prose[0], "\n\n".join(prose))
    words = len(source.text.split())
    warnings = [NOT_REWRITTEN, *map(_not_merged, others)]
    if words < min_words:
        warnings.append(
            f"Texte de {words} mots, sous l'objectif de {min_words} mots : à compléter."
        )
    return Draft(
        title=source.title,
        seo_title=_seo_title(source.title, keyphrase),
        meta_description=_meta_description(prose, keyphrase),
        focus_keyphrase=keyphrase,
        slug=slugify(keyphrase or source.title, max_length=60, word_boundary=True),
        excerpt=_cut(_sentences(prose[0])[0], 300),
        body_html=_body_html(_sections(paragraphs), keyphrase),
        tags=_tags(source.categories, keyphrase, source.title, "\n\n".join(prose)),
        category=category,
        writer="offline",
        rewritten=False,
        warnings=warnings,
    )
