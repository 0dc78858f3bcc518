"""What the draft says in WordPress: the body with its credit, the editor note, terms."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.publish.wordpress import blocks
from bot.publish.wordpress.blocks import paragraph, to_blocks
from bot.publish.wordpress.related import RelatedPost
from bot.publish.wordpress.transport import Transport
from bot.seo.text import enumeration
from bot.story import SourceArticle, Submission


@dataclass(frozen=True)
class BodyImage:
    media_id: int
    src: str
    caption: str  # the credit


def body_blocks(submission: Submission, *, image: BodyImage | None = None,
                related: Sequence[RelatedPost] = ()) -> str:
    """The body as blocks: the story's image after the first paragraph (its French alt text
    holds the keyphrase, its credit is the caption), the « À lire aussi » links to the site's
    own posts, and the credit line a newsroom gives a wire."""
    parts = to_blocks(submission.draft.body_html).split("\n\n")
    if image is not None:
        parts.insert(1, blocks.image(image.media_id, image.src, image_alt(submission),
                                     image.caption))
    if related:
        parts.append(blocks.link_list("À lire aussi", [(p.title, p.link) for p in related]))
    # The writer already credits and links the sources, unless the draft came from elsewhere.
    body = submission.draft.body_html
    if any(not source.url or source.url not in body for source in submission.sources):
        parts.append(credit_line(submission))
    return "\n\n".join(part for part in parts if part)


def image_alt(submission: Submission) -> str:
    """French alt text that holds the keyphrase, as Yoast's image assessments want."""
    draft = submission.draft
    keyphrase = draft.focus_keyphrase.strip()
    if not keyphrase or keyphrase.casefold() in draft.title.casefold():
        return f"Illustration : {draft.title}"
    return f"{keyphrase[0].upper()}{keyphrase[1:]} : {draft.title}"


def credit_line(submission: Submission) -> str:
    """« D’après AFP. », every source named, each with its link when it has one."""
    credits = list(dict.fromkeys(_credit(source) for source in submission.sources))
    return paragraph(f"<em>D’après {enumeration(credits)}.</em>")


def _credit(source: SourceArticle) -> str:
    name = html.escape(source_name(source), quote=False)
    if not source.url:
        return name
    return f'<a href="{html.escape(source.url, quote=True)}">{name}</a>'


def source_name(source: SourceArticle) -> str:
    return source.source_name.strip() or urlsplit(source.url).hostname or "la source"


def editor_note(submission: Submission, warnings: list[str]) -> str:
    """Plain text for the editor, shown beside the draft by the mu-plugin, never to readers."""
    draft = submission.draft
    how = "réécrit" if draft.rewritten else "repris tel quel, sans réécriture"
    lines = [*_sources_lines(submission.sources), f"Rédaction : {draft.writer} ({how})"]
    if draft.seo:
        lines.append(f"Yoast : SEO {draft.seo.get('seo_score', '?')}/100, lisibilité "
                     f"{draft.seo.get('readability_score', '?')}/100")
    notes = [*draft.warnings, *warnings]
    if notes:
        lines.append("À vérifier :")
        lines.extend(f"- {note}" for note in dict.fromkeys(notes))
    return "\n".join(lines)


def _sources_lines(sources: Sequence[SourceArticle]) -> list[str]:
    """Each source by name, title and link: what the editor checks the draft against."""
    if len(sources) == 1:
        source = sources[0]
        return [f"Source : {source_name(source)} — {source.title}".rstrip(" —"),
                f"Lien : {source.url}"]
    return [f"Sources ({len(sources)}) :", *(
        f"- {source_name(s)} — {s.title} : {s.url}".rstrip(" :—") for s in sources)]


def term_id(transport: Transport, taxonomy: str, name: str, *, create: bool = True) -> int | None:
    """The id of the term called ``name``, created when the site has none and ``create``
    (a user of the role depeche_bot may pick terms but not create them): else None."""
    wanted = name.strip().casefold()
    for term in transport.search_terms(taxonomy, name.strip()):
        if term.name.strip().casefold() == wanted:
            return term.id
    return transport.create_term(taxonomy, name.strip()) if create else None
