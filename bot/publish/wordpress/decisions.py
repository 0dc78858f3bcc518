"""Decisions flow back: what editors did in WordPress with the bot's posts.

Each cycle reads the posts changed since the last look (one REST query with
``modified_after``), and records in each story's history: published (by whom, when,
edited by a person before or not), edited but not published, trashed (the story
becomes ``rejected``). The mu-plugin records who published and when at that moment.
A rewrite request ticked in the Dépêche box is recorded on its story for the revise
stage (bot.pipeline.revise).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.config.wordpress import WordPressSettings
from bot.errors import DepecheError
from bot.publish.wordpress.publisher import posted_hash
from bot.publish.wordpress.rest import RestTransport
from bot.publish.wordpress.transport import (
    HASH_KEY,
    PUBLISHED_AT_KEY,
    PUBLISHED_BY_KEY,
    REVIEWED_BY_KEY,
    REWRITE_ASKED_KEY,
    REWRITE_KEY,
    STORY_KEY,
)
from bot.store import review, revisions

log = logging.getLogger(__name__)

_DISCLOSURE_MARK = 'class="depeche-ai-disclosure"'


@dataclass(frozen=True)
class Decision:
    story_uid: str
    post_id: int
    outcome: str  # published | edited | rejected
    detail: str


def decision(post: dict[str, Any]) -> Decision | None:
    """What an editor did with this post of the bot, None when nothing yet."""
    meta = post.get("meta") or {}
    uid = meta.get(STORY_KEY) or ""
    if not uid:
        return None  # not a post of the bot
    content = (post.get("content") or {}).get("raw", "")
    posted = meta.get(HASH_KEY) or ""
    status = post["status"]
    if status == "trash":
        return Decision(uid, post["id"], "rejected", f"mis à la corbeille ({post['modified']})")
    if status == "publish":
        # The notice is only added to a post nobody edited: it is no edit itself.
        edited = bool(meta.get(REVIEWED_BY_KEY)) or (
            _DISCLOSURE_MARK not in content and bool(posted) and posted != posted_hash(content)
        )
        who = meta.get(PUBLISHED_BY_KEY) or "?"
        when = meta.get(PUBLISHED_AT_KEY) or post["modified"]
        how = "modifié par une personne avant publication" if edited else "publié sans modification"
        return Decision(uid, post["id"], "published", f"publié par {who} le {when} ; {how}")
    if posted and posted != posted_hash(content):
        return Decision(
            uid, post["id"], "edited", f"modifié, pas encore publié ({post['modified']})"
        )
    return None


def rewrite_request(post: dict[str, Any]) -> tuple[str, str] | None:
    """(story uid, instruction) when an editor ticked « Réécrire » with an instruction."""
    meta = post.get("meta") or {}
    uid = meta.get(STORY_KEY) or ""
    instruction = (meta.get(REWRITE_KEY) or "").strip()
    if uid and instruction and meta.get(REWRITE_ASKED_KEY) == "1":
        return uid, instruction
    return None


def sync_decisions(
    sessions: sessionmaker[Session], settings: WordPressSettings, password: str
) -> list[Decision]:
    """Read the posts changed since the last look and record each decision; the ones
    recorded, in order. The look's end is saved only once every decision is recorded."""
    transport = RestTransport(settings, password)
    try:
        with sessions() as session:
            since = review.last_look(session, settings.site)
        posts = transport.changed_posts(_overlap(since))
    finally:
        transport.close()
    found = [d for d in map(decision, posts) if d is not None]
    with sessions() as session:
        recorded = [
            d for d in found if review.record_decision(session, d.story_uid, d.outcome, d.detail)
        ]
        for uid, instruction in filter(None, map(rewrite_request, posts)):
            revisions.ask_rewrite(session, uid, instruction)
        if posts:
            review.record_look(session, settings.site, max(p["modified"] for p in posts))
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
