"""What the draft says in WordPress: the body with its credit, the editor note, terms."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from bot.publish.wordpress.blocks import paragraph, to_blocks
from bot.publish.wordpress.transport import Transport
from bot.story import Submission


def body_blocks(submission: Submission) -> str:
    """The body as blocks, ending with the credit line a newsroom gives a wire."""
    body = to_blocks(submission.draft.body_html)
    if submission.source_url and submission.source_url in submission.draft.body_html:
        return body  # the writer already credited and linked the source
    return "\n\n".join(part for part in (body, credit_line(submission)) if part)


def credit_line(submission: Submission) -> str:
    name = html.escape(source_name(submission), quote=False)
    if not submission.source_url:
        return paragraph(f"<em>D’après {name}.</em>")
    link = html.escape(submission.source_url, quote=True)
    return paragraph(f'<em>D’après <a href="{link}">{name}</a>.</em>')


def source_name(submission: Submission) -> str:
    return submission.source_name.strip() or urlsplit(submission.source_url).hostname or "la source"


def editor_note(submission: Submission, warnings: list[str]) -> str:
    """Plain text for the editor, shown beside the draft by the mu-plugin, never to readers."""
    draft = submission.draft
    how = "réécrit" if draft.rewritten else "repris tel quel, sans réécriture"
    lines = [
        f"Source : {source_name(submission)} — {submission.source_title}".rstrip(" —"),
        f"Lien : {submission.source_url}",
        f"Rédaction : {draft.writer} ({how})",
    ]
    if draft.seo:
        lines.append(f"Yoast : SEO {draft.seo.get('seo_score', '?')}/100, lisibilité "
                     f"{draft.seo.get('readability_score', '?')}/100")
    notes = [*draft.warnings, *warnings]
    if notes:
        lines.append("À vérifier :")
        lines.extend(f"- {note}" for note in dict.fromkeys(notes))
    return "\n".join(lines)


def term_id(transport: Transport, taxonomy: str, name: str) -> int:
    """The id of the term called ``name``, created when the site has none."""
    wanted = name.strip().casefold()
    for term in transport.search_terms(taxonomy, name.strip()):
        if term.name.strip().casefold() == wanted:
            return term.id
    return transport.create_term(taxonomy, name.strip())
