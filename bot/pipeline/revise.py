"""The revise stage: a story already posted is revised, one claimed `published` story each.

Why a story is due (bot.store.revisions): an editor ticked « Réécrire » in the Dépêche box
with an instruction (the decisions sync read it back). The story's post is read at the
target just before anything is decided (Publisher.look), and again just before it is
updated (Submission.revise_only), so an editor's work is never overwritten:

- on the bot's draft (edited or not: the editor asked), the story is rewritten from its
  sources with the instruction added to the prompt, through the gate as always, and THE
  SAME post is updated (WordPress keeps the previous version as a revision; the outbox
  rewrites the same files); the request is cleared with a dated line in the box
  (« Réécrit le 02/12/2026 à 10:42 : plus court, 500 mots »);
- on a published post the request is refused with a message in the box; a rewrite the
  gate refuses leaves the post untouched and the box says why.

Every revision is an event of stage ``revise`` in the story's history; the story stays
`published`. A failure of the site or the model is retried later like any attempt, but
never makes a posted story `failed`: after its attempts the revision is given up and said.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.breaker import ServiceDown
from bot.errors import GiveUpStory, PostTouched, StopTarget, TryLater
from bot.pipeline.stages import source_of, submission_of
from bot.publish import Publisher
from bot.select.selection import Selection
from bot.store import Story, park
from bot.store.models import utcnow
from bot.store.revisions import record_revision
from bot.story import PostLook, StoryOutcome
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


@dataclass(frozen=True)
class Reviser:
    """What a revision needs besides the session and the story."""

    writer: Writer
    publisher: Publisher
    selection: Selection
    worker: str
    zone: ZoneInfo  # the newsroom's, for the dated lines of the box
    max_attempts: int


def revise_story(
    session: Session, story: Story, reviser: Reviser, record: Recorder
) -> StoryOutcome:
    """Revise one claimed `published` story due for it (bot.store.revisions.due)."""
    outcome = StoryOutcome(story.id, story.title, "revise", story.state)
    instruction = story.rewrite_request or ""
    try:
        outcome.detail = _rewrite_on_request(session, story, reviser, record, instruction)
    except (ServiceDown, StopTarget):
        raise  # the runner gives the story back: not the revision's fault
    except TryLater as error:
        outcome.detail = _retry_later(session, story, reviser, instruction, str(error))
    except GiveUpStory as error:
        outcome.detail = _given_up(session, story, reviser, instruction, str(error))
    return outcome


def _rewrite_on_request(
    session: Session, story: Story, reviser: Reviser, record: Recorder, instruction: str
) -> str:
    submission = submission_of(story)
    look = reviser.publisher.look(submission)
    if look is None:
        return _done(session, story, reviser, instruction, "gone", "aucun article à réécrire")
    if refusal := _refusal(look, reviser):
        line = f"Le {_when(reviser)} : réécriture refusée ({refusal}) : « {instruction} »"
        reviser.publisher.note(submission, line, clear_request=True)
        return _done(session, story, reviser, instruction, "refused", line)
    written = reviser.writer.write(
        source_of(story),
        category=story.category,
        record=record,
        guard=reviser.selection.guard(story.id),
        instruction=instruction,
    )
    if written.draft is None:
        why = "; ".join(written.held_reasons)
        line = f"Le {_when(reviser)} : réécriture non appliquée, refusée par le contrôle : {why}"
        reviser.publisher.note(submission, line, clear_request=True)
        return _done(session, story, reviser, instruction, "held", line)
    line = f"Réécrit le {_when(reviser)} : {instruction}"
    draft = replace(written.draft, warnings=[line, *written.draft.warnings])
    before = story.draft
    story.draft = draft.to_dict()
    try:
        receipt = reviser.publisher.publish(replace(submission_of(story), revise_only="draft"))
    except PostTouched as touched:
        story.draft = before
        refused = f"Le {_when(reviser)} : réécriture non appliquée : {touched}"
        reviser.publisher.note(submission, refused, clear_request=True)
        return _done(session, story, reviser, instruction, "refused", refused)
    story.post_url = receipt.url
    reviser.publisher.note(submission, line, clear_request=True)
    return _done(session, story, reviser, instruction, "rewritten", f"{line} ({written.summary()})")


def _refusal(look: PostLook, reviser: Reviser) -> str | None:
    """Why this post may not be rewritten now, or None."""
    if not look.editable:
        return f"l’article est {_STATUS_NAMES.get(look.status, look.status)}"
    if reviser.writer.model is None:
        return "aucun modèle configuré : la consigne ne peut pas être appliquée"
    return None


def _retry_later(
    session: Session, story: Story, reviser: Reviser, instruction: str, error: str
) -> str:
    if story.attempts + 1 >= reviser.max_attempts:
        return _given_up(session, story, reviser, instruction, error)
    log.warning("story %s: revision failed, tried again later: %s", story.id, error)
    park(session, story, stage="revise", error=error, retry_in=RETRY_REVISION,
         worker=reviser.worker)
    return f"attempt {story.attempts} failed: {error}"


def _given_up(
    session: Session, story: Story, reviser: Reviser, instruction: str, error: str
) -> str:
    line = f"Le {_when(reviser)} : réécriture impossible ({error}) : « {instruction} »"
    try:
        reviser.publisher.note(submission_of(story), line, clear_request=True)
    except (GiveUpStory, TryLater) as unsaid:
        log.warning("story %s: the box could not be told: %s", story.id, unsaid)
    return _done(session, story, reviser, instruction, "error", line)


def _done(
    session: Session, story: Story, reviser: Reviser, instruction: str, outcome: str, line: str
) -> str:
    record_revision(
        session, story, outcome, line, worker=reviser.worker, handled_request=instruction
    )
    return line


def _when(reviser: Reviser) -> str:
    """« 02/12/2026 à 10:42 », now in the newsroom's time (the store's clock)."""
    moment = utcnow().astimezone(reviser.zone)
    return f"{moment:%d/%m/%Y} à {moment:%H:%M}"
