"""The store: models, dedup and state transitions. The database is the single source of truth."""

from bot.store.db import make_engine, session_factory, upgrade
from bot.store.models import Event, Feed, LLMCall, State, Story, StoryKey
from bot.store.stories import (
    IngestResult,
    choose_by_hand,
    claim,
    ingest,
    note_waiting,
    record_failure,
    record_triage,
    release,
    renew_lease,
    retry,
    transition,
)

__all__ = [
    "Event",
    "Feed",
    "IngestResult",
    "LLMCall",
    "State",
    "Story",
    "StoryKey",
    "choose_by_hand",
    "claim",
    "ingest",
    "make_engine",
    "note_waiting",
    "record_failure",
    "record_triage",
    "release",
    "renew_lease",
    "retry",
    "session_factory",
    "transition",
    "upgrade",
]
