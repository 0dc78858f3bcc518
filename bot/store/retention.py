"""Retention: the prompt and answer bodies of published stories are dropped after
`[store] keep_prompts` (about 36 KB a story); token counts, costs and durations stay,
so what each article cost is still known. `depeche db vacuum` gives the room back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, Text, cast, select, text, update
from sqlalchemy.orm import Session

from bot.store.models import LLMCall, State, Story, utcnow


def drop_old_prompts(session: Session, older_than: timedelta) -> int:
    """Empty the bodies of the calls of stories published before now − `older_than`;
    returns how many calls were emptied."""
    published_long_ago = select(Story.id).where(
        Story.state == State.PUBLISHED, Story.state_changed_at < utcnow() - older_than
    )
    emptied = session.execute(
        update(LLMCall)
        .where(
            LLMCall.story_id.in_(published_long_ago),
            # Not emptied yet (a JSON column compares as text on every backend).
            LLMCall.response.is_not(None) | (cast(LLMCall.messages, Text) != "[]"),
        )
        .values(messages=[], response=None)
    )
    session.commit()
    return emptied.rowcount


def vacuum(engine: Engine) -> None:
    """Give the freed pages back to the file system (SQLite) or the server (PostgreSQL)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM"))
