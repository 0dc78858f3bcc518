"""Decisions flow back: what editors did in WordPress with the bot's posts.

Each cycle asks the mu-plugin for the bot's posts changed since the last look (REST
``/depeche/v1/changed-posts``, XML-RPC ``depeche.changedPosts``: WordPress's own
queries hide the posts a ``depeche_bot`` user may no longer edit, the published ones)
and for those it saw deleted for good, and records in each story's history:
published (by whom, when, edited by a person before or not), edited but not yet
published, trashed or deleted (the story becomes ``rejected``). The mu-plugin records
who published and when at that moment.
A rewrite request ticked in the Dépêche box is recorded on its story for the revise
stage (bot.pipeline.revise).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.config.wordpress import WordPressSettings
from bot.errors import DepecheError
from bot.publish.wordpress.publisher import open_transport, posted_hash
from bot.publish.wordpress.transport import (
    HASH_KEY,
    PUBLISHED_AT_KEY,
    PUBLISHED_BY_KEY,
    REVIEWED_BY_KEY,
    REWRITE_ASKED_KEY,
    REWRITE_KEY,
    STORY_KEY,
    ChangedPost,
    DeletedPost,
)
from bot.store import review, revisions

log = logging.getLogger(__name__)

_DISCLOSURE_MARK = 'class="depeche-ai-disclosure"'


@dataclass(frozen=True)
class Decision:
    story_uid: str
    post_id: int
    outcome: str  # one of bot.store.review's outcomes
    detail: str
    at: datetime  # when the editor did it (UTC)


def decision(post: ChangedPost) -> Decision | None:
    """What an editor did with this post of the bot (None: not the bot's post)."""
    uid = post.meta.get(STORY_KEY) or ""
    if not uid:
        return None  # not a post of the bot
    posted = post.meta.get(HASH_KEY) or ""
    if post.status == "trash":
        detail = f"mis à la corbeille ({post.modified})"
        return Decision(uid, post.id, review.REJECTED, detail, post.modified_gmt)
    if post.status == "publish":
        # The notice is only added to a post nobody edited: it is no edit itself.
        edited = bool(post.meta.get(REVIEWED_BY_KEY)) or (
            _DISCLOSURE_MARK not in post.content
            and bool(posted)
            and posted != posted_hash(post.content)
        )
        who = post.meta.get(PUBLISHED_BY_KEY) or "?"
        when = post.meta.get(PUBLISHED_AT_KEY) or post.modified
        how = "modifié par une personne avant publication" if edited else "publié sans modification"
        outcome = review.PUBLISHED_EDITED if edited else review.PUBLISHED
        return Decision(
            uid, post.id, outcome, f"publié par {who} le {when} ; {how}", _published_at(post)
        )
    if posted and posted != posted_hash(post.content):
        detail = f"modifié, pas encore publié ({post.modified})"
        return Decision(uid, post.id, review.EDITED, detail, post.modified_gmt)
    # Nothing an editor did, unless the post came out of the trash (the store tells).
    detail = f"sorti de la corbeille ({post.modified})"
    return Decision(uid, post.id, review.SEEN, detail, post.modified_gmt)


def rewrite_request(post: ChangedPost) -> tuple[str, str] | None:
    """(story uid, instruction) when an editor ticked « Réécrire » with an instruction."""
    uid = post.meta.get(STORY_KEY) or ""
    instruction = (post.meta.get(REWRITE_KEY) or "").strip()
    if uid and instruction and post.meta.get(REWRITE_ASKED_KEY) == "1":
        return uid, instruction
    return None


def deletion(post: DeletedPost) -> Decision:
    detail = f"supprimé définitivement ({post.deleted})"
    return Decision(post.story_uid, post.id, review.REJECTED, detail, post.deleted_gmt)


def _published_at(post: ChangedPost) -> datetime:
    recorded = post.meta.get(PUBLISHED_AT_KEY) or ""
    try:
        return datetime.fromisoformat(recorded).astimezone(UTC)
    except ValueError:
        return post.modified_gmt  # published before the mu-plugin recorded it


def sync_decisions(
    sessions: sessionmaker[Session], settings: WordPressSettings, password: str
) -> list[Decision]:
    """Read the posts changed or deleted since the last look, over the configured API,
    and record each decision; the ones recorded, in order. The look's end is saved
    only once every decision is recorded."""
    transport = open_transport(settings, password)
    try:
        with sessions() as session:
            since = _overlap(review.last_look(session, settings.site))
        posts = transport.changed_posts(since)
        deleted = transport.deleted_posts(since)
    finally:
        transport.close()
    found = [d for d in map(decision, posts) if d is not None]
    found += map(deletion, deleted)
    found.sort(key=lambda d: d.at)
    with sessions() as session:
        recorded = [
            d
            for d in found
            if review.record_decision(session, d.story_uid, d.outcome, d.detail, at=d.at)
        ]
        for uid, instruction in filter(None, map(rewrite_request, posts)):
            revisions.ask_rewrite(session, uid, instruction)
        seen = [p.modified for p in posts] + [p.deleted for p in deleted]
        if seen:
            review.record_look(session, settings.site, max(seen))
    for item in recorded:
        log.info("wordpress: story %s, post %s: %s", item.story_uid, item.post_id, item.detail)
    return recorded


def _overlap(since: str) -> str:
    # modified_after is strict and WordPress counts in whole seconds: a post changed in
    # the second of the last look would be missed. Its second is read again; a decision
    # seen twice is recorded once.
    if not since:
        return ""
    return (datetime.fromisoformat(since) - timedelta(seconds=1)).isoformat(timespec="seconds")


def look_back(sessions: sessionmaker[Session], config: Config) -> None:
    """The cycle's look at the editors' decisions (`run --once`, the daemon every
    [wordpress] sync_every): a site that does not answer is told, never fatal."""
    if config.publish.target != "wordpress" or config.wordpress is None:
        return
    try:
        sync_decisions(sessions, config.wordpress, config.wp_password)
    except DepecheError as error:
        log.warning("wordpress: the editors' decisions were not read back: %s", error)
