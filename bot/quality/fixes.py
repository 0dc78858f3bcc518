"""What the gate fixes itself, without asking the model again."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Sequence

from slugify import slugify

from bot.config.quality import QualitySettings
from bot.quality import markup
from bot.quality.lexicon import stop_words
from bot.seo.text import enumeration, keyphrase_count, share_of_keyphrase_words, title_width_px
from bot.story import Draft, SourceArticle

NNBSP = "\u202f"  # narrow no-break space: French typography before ; ! ? : and inside « »
_TAG_SPLIT_RE = re.compile(r"(<[^>]*>)")
_SPACES_RE = re.compile(r"[ \t\r\n\u00a0]+")
_BEFORE_HIGH_PUNCT_RE = re.compile(r"(?<=[^\s\u202f!?;:(\[«])[ \u00a0\u202f]*([;!?])")
# A colon only when a space or the end follows: "14:30" and "https://" stay as they are.
_BEFORE_COLON_RE = re.compile(r"(?<=[^\s\u202f!?;:(\[«])[ \u00a0\u202f]*:(?=\s|$)")
# The same, for a text that starts right after an inline tag: "<em>Lyon</em> : ...".
_NODE_START_PUNCT_RE = re.compile(r"^[ \u00a0]*([;!?:])(?=\s|$)")
_URL_SPLIT_RE = re.compile(r"(\bhttps?://[^\s<>«»\"]+|\bwww\.[^\s<>«»\"]+)", re.IGNORECASE)
_AFTER_OPEN_QUOTE_RE = re.compile(r"«[ \u00a0\u202f]*")
_BEFORE_CLOSE_QUOTE_RE = re.compile(r"[ \u00a0\u202f]*»")
_LEADING_H1_RE = re.compile(r"^\s*<h1\b[^>]*>.*?</h1\s*>", re.IGNORECASE | re.DOTALL)
_H1_TAG_RE = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_EMPTY_BLOCK_RE = re.compile(r"<(p|h[2-4]|li)>\s*</\1>")
_BLOCK_END_RE = re.compile(r"\s*(</(?:p|h[2-4]|ul|ol|blockquote|figure|table)>)\s*")
# Where a meta description may end: after a sentence, else before a clause's punctuation.
_SENTENCE_END_RE = re.compile(r"[.!?…](?=\s)")
_CLAUSE_END_RE = re.compile(r"[\s\u202f]*[,;:–—](?=\s)")
# A trailing part an SEO title can lose: « : … » (a subtitle) or « | Site », « - Site ».
_TITLE_TAIL_RE = re.compile(r"[\s\u202f]+(?::|\||-|–|—)\s")


def french_typography(text: str) -> str:
    """Narrow no-break spaces before ; ! ? : and inside « », one space elsewhere; URLs written
    out in the text are left as they are."""
    parts = _URL_SPLIT_RE.split(_SPACES_RE.sub(" ", text))
    return "".join(p if i % 2 else _typeset(p) for i, p in enumerate(parts))


def _typeset(text: str) -> str:
    text = _BEFORE_HIGH_PUNCT_RE.sub(NNBSP + r"\1", text)
    text = _BEFORE_COLON_RE.sub(NNBSP + ":", text)
    text = _AFTER_OPEN_QUOTE_RE.sub("«" + NNBSP, text)
    return _BEFORE_CLOSE_QUOTE_RE.sub(NNBSP + "»", text)


def _typeset_html(body_html: str) -> str:
    """french_typography on the text between tags, never inside a tag or an attribute."""
    parts = _TAG_SPLIT_RE.split(body_html)
    for index in range(0, len(parts), 2):  # even parts are text, odd ones tags
        if parts[index]:
            text = french_typography(html.unescape(parts[index]))
            if index:
                text = _NODE_START_PUNCT_RE.sub(NNBSP + r"\1", text)
            parts[index] = html.escape(text, quote=False)
    return "".join(parts)


def _without_h1(body_html: str) -> str:
    """A leading h1 repeats the title WordPress already shows: dropped; any other becomes h2."""
    return _H1_TAG_RE.sub(r"<\1h2", _LEADING_H1_RE.sub("", body_html, count=1))


def _tidy_blocks(body_html: str) -> str:
    body = _EMPTY_BLOCK_RE.sub("", body_html)
    return _BLOCK_END_RE.sub(r"\1\n", body).strip()


def credit_paragraph(sources: Sequence[SourceArticle]) -> str:
    """The credit and the external links in one paragraph, every source named with its link:
    « Source : <a>Le Progrès</a> », « Sources : <a>AFP</a>, <a>Reuters</a> et <a>…</a> »."""
    credits = list(dict.fromkeys(_credit(source) for source in sources))
    label = "Source" if len(credits) == 1 else "Sources"
    return f"<p>{label}{NNBSP}: {enumeration(credits)}</p>"


def _credit(source: SourceArticle) -> str:
    name = html.escape(source.source_name.strip() or markup.host(source.url) or source.url,
                       quote=False)
    if not source.url.strip():
        return name
    href = html.escape(source.url.strip(), quote=True)
    return f'<a href="{href}" rel="noopener noreferrer">{name}</a>'


def links_to_source(body_html: str, source: SourceArticle) -> bool:
    return any(markup.same_page(url, source.url) for url in markup.link_targets(body_html))


def build_slug(keyphrase: str, fallback: str, settings: QualitySettings) -> str:
    """ASCII slug from the keyphrase (the title when there is none), cut at a word; a cut
    never leaves a dangling "de" or "des" at the end."""
    parts = slugify(keyphrase.strip() or fallback, max_length=settings.slug_max_chars,
                    word_boundary=True).split("-")
    while len(parts) > 1 and parts[-1] in stop_words():
        parts.pop()
    return "-".join(parts)


def shorter_meta(meta: str, keyphrase: str, settings: QualitySettings) -> str:
    """A meta description too long, cut after its last sentence or before its last clause
    that fits (a clause ends with a full stop), never mid-word and never with « … »; when no
    cut fits the range, or every cut loses the keyphrase it held, the text as it was."""
    if len(meta) <= settings.meta_max_chars:
        return meta
    held = bool(keyphrase.strip()) and bool(keyphrase_count(meta, keyphrase))
    cuts = [meta[: m.end()] for m in _SENTENCE_END_RE.finditer(meta)]
    cuts += [meta[: m.start()].rstrip() + "." for m in _CLAUSE_END_RE.finditer(meta)]
    fitting = [c for c in cuts if settings.meta_min_chars <= len(c) <= settings.meta_max_chars
               and (not held or keyphrase_count(c, keyphrase))]
    return max(fitting, key=len, default=meta)


def shorter_seo_title(title: str, keyphrase: str, settings: QualitySettings) -> str:
    """An SEO title too long or too wide, without its trailing « : … » part or site name,
    when what is left still holds the keyphrase it held; else the title as it was."""
    def fits(text: str) -> bool:
        return (len(text) <= settings.seo_title_max_chars
                and title_width_px(text) <= settings.seo_title_max_px)

    if fits(title):
        return title
    held = bool(keyphrase.strip()) and share_of_keyphrase_words(title, keyphrase) == 100
    heads = [title[: m.start()].strip() for m in _TITLE_TAIL_RE.finditer(title)]
    fitting = [h for h in heads if h and fits(h)
               and (not held or share_of_keyphrase_words(h, keyphrase) == 100)]
    return max(fitting, key=len, default=title)


def apply_local_fixes(draft: Draft, sources: Sequence[SourceArticle],
                      settings: QualitySettings) -> Draft:
    """A copy of the draft with everything that needs no model fixed: slug, credit link, HTML
    allowlist, whitespace, French typography, a meta description or SEO title too long cut
    where it can lose a part without changing what it says. Rules the model must fix are left
    to check()."""
    body = markup.clean_html(_without_h1(draft.body_html))
    body = _tidy_blocks(_typeset_html(body))
    # The credit names every source as soon as one with a link is not linked by the text.
    if any(s.url.strip() and not links_to_source(body, s) for s in sources):
        body = f"{body}\n{credit_paragraph(sources)}"
    keyphrase = _SPACES_RE.sub(" ", draft.focus_keyphrase).strip()
    seo_title = french_typography(draft.seo_title).strip()
    meta = french_typography(draft.meta_description).strip()
    return dataclasses.replace(
        draft,
        title=french_typography(draft.title).strip(),
        seo_title=shorter_seo_title(seo_title, keyphrase, settings),
        meta_description=shorter_meta(meta, keyphrase, settings),
        excerpt=french_typography(draft.excerpt).strip(),
        focus_keyphrase=keyphrase,
        slug=build_slug(draft.focus_keyphrase, draft.title, settings),
        body_html=body,
        tags=[t.strip() for t in draft.tags if t.strip()],
        warnings=list(draft.warnings),
    )
