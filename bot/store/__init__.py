"""The store: models, dedup and state transitions. The database is the single source of truth."""

from bot.store.db import make_engine, session_factory, upgrade
from bot.store.models import Event, Feed, LLMCall, State, Story, StoryKey
from bot.store.stories import (
    IngestResult,
    LeaseLost,
    claim,
    ingest,
    record_failure,
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
    "LeaseLost",
    "State",
    "Story",
    "StoryKey",
    "claim",
    "ingest",
    "make_engine",
    "record_failure",
    "release",
    "renew_lease",
    "retry",
    "session_factory",
    "transition",
    "upgrade",
]
