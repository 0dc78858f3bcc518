"""The store as plain data for the operator's commands (`depeche status`, `stories show`,
`feeds list`): lists and dicts of text and numbers, times as "YYYY-MM-DD HH:MM:SS" (UTC),
ready for a table or for --json. The reads themselves are bot.store.queries'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.store import queries, review, sources
from bot.store.models import Feed, State, Story


def timestamp(moment: datetime | None) -> str:
    """A stored time as the commands show it ('' for none)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def feed_health(session: Session, label: Callable[[Feed], str]) -> list[dict[str, Any]]:
    """Each feed's polling health and its editors' decisions; `label` names a feed for
    the reader (the command knows the names the config gives)."""
    decisions = review.per_feed(session)
    none = review.FeedDecisions()
    return [
        {
            "url": f.url,
            "label": label(f),
            "title": f.title,
            "last_poll": timestamp(f.last_polled_at),
            "last_new_story": timestamp(f.last_new_story_at),
            "errors": f.error_count,
            "last_error": f.last_error,
            "next_poll": timestamp(f.next_poll_at),
            "interval_s": f.interval_seconds,
            **asdict(decisions.get(f.url, none)),
        }
        for f in queries.feeds(session)
    ]


def oldest_waiting(session: Session) -> dict[str, str]:
    return {k: timestamp(v) for k, v in queries.oldest_waiting(session).items()}


def problems(session: Session) -> list[dict[str, Any]]:
    """The stories that failed, were held or met an error lately, with why."""
    return [
        {
            "id": s.id,
            "state": s.state,
            "title": s.title,
            "reasons": s.reasons or ([s.last_error] if s.last_error else []),
        }
        for s in queries.recent_problems(session)
    ]


def waiting(session: Session, now: datetime) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "state": s.state, "title": s.title, "why": why, "until": timestamp(until)}
        for s, why, until in queries.waiting(session, now)
    ]


def in_flight(session: Session, now: datetime) -> list[dict[str, Any]]:
    """The stories a worker holds now: for which stage, by whom, since when."""
    return [
        {
            "id": s.id,
            "title": s.title,
            "stage": queries.STAGE_OF.get(State(s.state), s.state),
            "worker": s.lease_owner,
            "since": timestamp(s.lease_since),
            "lease_until": timestamp(s.lease_until),
        }
        for s in queries.in_flight(session, now)
    ]


def story_record(session: Session, story: Story, now: datetime) -> dict[str, Any]:
    """One story whole: its state and why it waits, its draft, its sources, its history
    and its model calls."""
    waits = queries.wait_reason(story, now)
    return {
        "waiting": {"why": waits[0], "until": timestamp(waits[1])} if waits else None,
        "id": story.id,
        "uid": story.uid,
        "state": story.state,
        "title": story.title,
        "url": story.url,
        "attempts": story.attempts,
        "last_error": story.last_error,
        "reasons": story.reasons or [],
        "post_id": story.post_id,
        "post_url": story.post_url,
        "draft": story.draft,
        "source_text": story.source_text,
        "sources": _sources(session, story.id),
        "sources_changed_at": timestamp(story.sources_changed_at),
        "events": [
            {"at": timestamp(e.at), "stage": e.stage, "outcome": e.outcome, "detail": e.detail}
            for e in queries.story_events(session, story.id)
        ],
        "calls": [
            {
                "at": timestamp(c.at),
                "model": c.model,
                "purpose": c.purpose,
                "prompt_tokens": c.prompt_tokens,
                "completion_tokens": c.completion_tokens,
                "duration_ms": c.duration_ms,
                "finish_reason": c.finish_reason,
                "error": c.error,
                "response": c.response,
            }
            for c in queries.story_calls(session, story.id)
        ],
    }


def _sources(session: Session, story_id: int) -> list[dict[str, Any]]:
    """Its sources, the first being the primary; each GUID in its latest version."""
    return [
        {
            "id": s.id,
            "kind": s.kind,
            "feed": s.feed.url if s.feed else None,
            "feed_name": s.feed.title if s.feed else "",
            "guid": s.guid,
            "url": s.url,
            "title": s.title,
            "added_at": timestamp(s.added_at),
        }
        for s in sources.of(session, story_id)
    ]
