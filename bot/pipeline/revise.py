"""The revise stage: a story already posted is revised, one claimed `published` story each.

Why a story is due (bot.store.revisions): an editor ticked « Réécrire » in the Dépêche box
with an instruction (the decisions sync read it back), or a source joined the story or
one of its sources changed (a wire's update or correction) after it was written
(bot.store.sources). The story's post is read at the target just before anything is
decided (Publisher.look), and again just before it is updated (Submission.revise_only),
so an editor's work is never overwritten.

A rewrite request:
- on the bot's draft (edited or not: the editor asked), the story is rewritten from its
  sources with the instruction added to the prompt, through the gate as always, and THE
  SAME post is updated (WordPress keeps the previous version as a revision; the outbox
  rewrites the same files); the request is cleared with a dated line in the box
  (« Réécrit le 02/12/2026 à 10:42 : plus court, 500 mots »);
- on a published post it is refused with a message in the box; a rewrite the gate
  refuses leaves the post untouched and the box says why.

New or changed sources:
- the post is still an untouched draft (nobody edited it since the bot wrote it): the
  story is rewritten from all its sources and the same post updated; the editor's note
  and the box say what changed (the new source, the facts added and dropped: a corrected
  figure is both);
- an editor edited or published it: its body is left alone, and a dated note in the box
  names the new source with its link and its new facts; a correction is flagged
  « ⚠ CORRECTION ».

Every revision is an event of stage ``revise`` in the story's history; the story stays
`published`. A failure of the site or the model is retried later like any attempt, but
never makes a posted story `failed`: after its attempts the revision is given up and said.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.breaker import ServiceDown
from bot.errors import GiveUpStory, PostTouched, StopTarget, TryLater
from bot.failpoints import failpoint
from bot.pipeline.stages import sources_of, submission_of
from bot.publish import Publisher
from bot.quality.facts import article_text, unsupported_facts
from bot.select.selection import Selection
from bot.store import Story, park, sources
from bot.store.models import StorySource, utcnow
from bot.store.revisions import new_sources, record_revision
from bot.story import Draft, PostLook, SourceArticle, StoryOutcome, WriteOutcome
from bot.writer import Writer
from bot.writer.llm import Recorder

log = logging.getLogger(__name__)

# A revision that failed (site or model down) is tried again after this, at most
# [scheduler] max_attempts times; then it is given up, and the box says so.
RETRY_REVISION = timedelta(minutes=10)

_STATUS_NAMES = {
    "publish": "déjà publié",
    "future": "programmé",
    "private": "publié en privé",
    "trash": "à la corbeille",
}
_KIND_NAMES = {"correction": "⚠ CORRECTION", "update": "mise à jour"}


@dataclass(frozen=True)
class Reviser:
    """What a revision needs besides the session and the story."""

    writer: Writer
    publisher: Publisher
    selection: Selection
    worker: str
    zone: ZoneInfo  # the newsroom's, for the dated lines of the box
    max_attempts: int


@dataclass(frozen=True)
class _Due:
    """What the claimed story is due for, read when it was claimed."""

    request: str | None  # the editor's instruction
    changed: datetime | None  # when its sources last changed (bot.store.sources)


def revise_story(
    session: Session, story: Story, reviser: Reviser, record: Recorder
) -> StoryOutcome:
    """Revise one claimed `published` story due for it (bot.store.revisions.due)."""
    outcome = StoryOutcome(story.id, story.title, "revise", story.state)
    due = _Due(story.rewrite_request, story.sources_changed_at)
    try:
        if due.request is not None:
            outcome.detail = _rewrite_on_request(session, story, reviser, record, due)
        else:
            outcome.detail = _revise_from_sources(session, story, reviser, record, due)
    except (ServiceDown, StopTarget):
        raise  # the runner gives the story back: not the revision's fault
    except TryLater as error:
        outcome.detail = _retry_later(session, story, reviser, due, str(error))
    except GiveUpStory as error:
        outcome.detail = _given_up(session, story, reviser, due, str(error))
    return outcome


# --- an editor's request ------------------------------------------------------------------


def _rewrite_on_request(
    session: Session, story: Story, reviser: Reviser, record: Recorder, due: _Due
) -> str:
    instruction = due.request or ""
    submission = submission_of(session, story)
    look = reviser.publisher.look(submission)
    if look is None:
        return _done(session, story, reviser, due, "gone", "aucun article à réécrire")
    if refusal := _refusal(look, reviser):
        line = f"Le {_when(reviser)} : réécriture refusée ({refusal}) : « {instruction} »"
        reviser.publisher.note(submission, line, clear_request=True)
        return _done(session, story, reviser, due, "refused", line, sources_told=False)
    written = _write(session, story, reviser, record, instruction)
    if written.draft is None:
        why = "; ".join(written.held_reasons)
        line = f"Le {_when(reviser)} : réécriture non appliquée, refusée par le contrôle : {why}"
        reviser.publisher.note(submission, line, clear_request=True)
        return _done(session, story, reviser, due, "held", line, sources_told=False)
    line = f"Réécrit le {_when(reviser)} : {instruction}"
    try:
        _update_post(session, story, reviser, written.draft, line, only="draft")
    except PostTouched as touched:
        refused = f"Le {_when(reviser)} : réécriture non appliquée : {touched}"
        reviser.publisher.note(submission, refused, clear_request=True)
        return _done(session, story, reviser, due, "refused", refused, sources_told=False)
    reviser.publisher.note(submission, line, clear_request=True)
    return _done(session, story, reviser, due, "rewritten", f"{line} ({written.summary()})")


def _refusal(look: PostLook, reviser: Reviser) -> str | None:
    """Why this post may not be rewritten now, or None."""
    if not look.editable:
        return f"l’article est {_STATUS_NAMES.get(look.status, look.status)}"
    if reviser.writer.model is None:
        return "aucun modèle configuré : la consigne ne peut pas être appliquée"
    return None


# --- new or changed sources ----------------------------------------------------------------


def _revise_from_sources(
    session: Session, story: Story, reviser: Reviser, record: Recorder, due: _Due
) -> str:
    news = new_sources(session, story)
    submission = submission_of(session, story)
    look = reviser.publisher.look(submission)
    if look is None or look.status == "trash":
        return _done(session, story, reviser, due, "gone", "aucun article à mettre à jour")
    if look.editable and look.untouched:
        written = _write(session, story, reviser, record, None)
        if written.draft is not None:
            old = Draft.from_dict(story.draft or {})
            start = "⚠ Corrigé" if any(row.kind == "correction" for row in news) else "Mis à jour"
            line = f"{start} le {_when(reviser)} : {_news(session, news)}"
            line += _facts_line(*_changed_facts(old, written.draft), "retirés")
            try:
                _update_post(session, story, reviser, written.draft, line, only="untouched")
                reviser.publisher.note(submission, line)
                return _done(session, story, reviser, due, "updated", line)
            except PostTouched as touched:
                log.info("story %s: %s; a note instead", story.id, touched)
        else:
            log.info("story %s: the update was held (%s); a note instead", story.id,
                     "; ".join(written.held_reasons))
    line = _note_line(session, reviser, news)
    reviser.publisher.note(submission, line)
    return _done(session, story, reviser, due, "noted", line)


def _note_line(session: Session, reviser: Reviser, news: Sequence[StorySource]) -> str:
    """The dated line for the editor of a post the bot may not touch any more."""
    corrected = any(row.kind == "correction" for row in news)
    start = "⚠ CORRECTION le" if corrected else "Le"
    return f"{start} {_when(reviser)} : {_news(session, news)}"


def _news(session: Session, news: Sequence[StorySource]) -> str:
    """Each new source or version: its kind, feed, title, link and the facts it adds to
    what the story's sources said before."""
    if not news:
        return "une source de l’article a changé"
    told = [row for row in sources.history(session, news[0].story_id) if row not in news]
    known = _as_sources(told)
    parts = []
    for row in news:
        kind = _KIND_NAMES.get(row.kind, "nouvelle source")
        feed = row.feed.title if row.feed and row.feed.title else "source"
        facts = unsupported_facts(_as_draft(row.title, row.text), known)
        previous = [old for old in told if old.guid == row.guid]
        dropped = unsupported_facts(_as_draft(previous[-1].title, previous[-1].text),
                                    _as_sources([row])) if previous else []
        parts.append(f"{kind} — {feed} : « {row.title} » {row.url}".rstrip()
                     + _facts_line(facts, dropped, "remplacés"))
        told.append(row)
        known = _as_sources(told)
    return " ; ".join(parts)


def _facts_line(added: list[str], dropped: list[str], dropped_name: str) -> str:
    line = f" ; faits nouveaux : {', '.join(added)}" if added else ""
    return line + (f" ; {dropped_name} : {', '.join(dropped)}" if dropped else "")


def _changed_facts(old: Draft, new: Draft) -> tuple[list[str], list[str]]:
    """The facts the new version states that the old one did not, and those it no longer
    states: a corrected figure is in both."""
    return (
        unsupported_facts(new, [SourceArticle(title="", text=article_text(old))]),
        unsupported_facts(old, [SourceArticle(title="", text=article_text(new))]),
    )


def _as_draft(title: str, text: str) -> Draft:
    """A source's text in a draft's shape, for the fact check."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    return Draft(title=title, seo_title="", meta_description="", focus_keyphrase="",
                 slug="", excerpt="", body_html=body)


def _as_sources(rows: Sequence[StorySource]) -> list[SourceArticle]:
    """Source rows as the fact check reads them (it checks against all of them together)."""
    return [SourceArticle(title=r.title, text=r.text) for r in rows]


# --- shared -------------------------------------------------------------------------------


def _write(
    session: Session, story: Story, reviser: Reviser, record: Recorder, instruction: str | None
) -> WriteOutcome:
    return reviser.writer.write(
        sources_of(session, story),
        category=story.category,
        record=record,
        guard=reviser.selection.guard(story.id),
        instruction=instruction,
    )


def _update_post(
    session: Session, story: Story, reviser: Reviser, draft: Draft, line: str, *, only: str
) -> None:
    """The same post updated with the new draft, `line` first in the editor's note;
    PostTouched (nothing changed) when the post is no longer as `only` requires.

    The story row changes only once the site answered, and is committed with the
    revision's record (`_done`): changed before, the next query (the sources read for
    the submission) would flush it, taking SQLite's write lock (bot.store.db) across the
    site calls (the update, then the note), every other writer of the daemon (the
    poller, the claims, the model calls' records) waiting on it, past the busy timeout
    when the site is slow."""
    updated = replace(draft, warnings=[line, *draft.warnings])
    submission = replace(submission_of(session, story, updated), revise_only=only)
    failpoint("revision-posting")
    receipt = reviser.publisher.publish(submission)
    story.draft = updated.to_dict()
    story.post_url = receipt.url


def _retry_later(session: Session, story: Story, reviser: Reviser, due: _Due, error: str) -> str:
    if story.attempts + 1 >= reviser.max_attempts:
        return _given_up(session, story, reviser, due, error)
    log.warning("story %s: revision failed, tried again later: %s", story.id, error)
    park(session, story, stage="revise", error=error, retry_in=RETRY_REVISION,
         worker=reviser.worker)
    return f"attempt {story.attempts} failed: {error}"


def _given_up(session: Session, story: Story, reviser: Reviser, due: _Due, error: str) -> str:
    what = f"réécriture impossible : « {due.request} »" if due.request else "mise à jour impossible"
    line = f"Le {_when(reviser)} : {what} ({error})"
    try:
        reviser.publisher.note(
            submission_of(session, story), line, clear_request=due.request is not None
        )
    except (GiveUpStory, TryLater) as unsaid:
        log.warning("story %s: the box could not be told: %s", story.id, unsaid)
    return _done(session, story, reviser, due, "error", line, sources_told=False)


def _done(
    session: Session,
    story: Story,
    reviser: Reviser,
    due: _Due,
    outcome: str,
    line: str,
    *,
    sources_told: bool = True,
) -> str:
    """Record the revision. The change of sources seen at the claim is dealt with when
    the post now tells it (or there is none), or when the revision was given up; a
    request refused leaves it for its own revision."""
    if due.changed is not None and (sources_told or due.request is None):
        sources.settle(session, story, due.changed)
    record_revision(
        session, story, outcome, line, worker=reviser.worker, handled_request=due.request
    )
    return line


def _when(reviser: Reviser) -> str:
    """« 02/12/2026 à 10:42 », now in the newsroom's time (the store's clock)."""
    moment = utcnow().astimezone(reviser.zone)
    return f"{moment:%d/%m/%Y} à {moment:%H:%M}"
