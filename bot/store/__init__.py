"""The store: models, dedup, and every change of a story row (claim, renew, release,
transition, park, release_all). The database is the single source of truth."""

from bot.store.db import make_engine, session_factory, upgrade
from bot.store.ingest import IngestResult, Stored, ingest, store_items, stored_story
from bot.store.models import Event, Feed, LLMCall, State, Story, StoryKey
from bot.store.stories import (
    choose_by_hand,
    claim,
    note_waiting,
    park,
    record_triage,
    release,
    release_all,
    release_mine,
    renew,
    retry,
    transition,
    wait_for_service,
)

__all__ = [
    "Event",
    "Feed",
    "IngestResult",
    "LLMCall",
    "State",
    "Stored",
    "Story",
    "StoryKey",
    "choose_by_hand",
    "claim",
    "ingest",
    "make_engine",
    "note_waiting",
    "park",
    "record_triage",
    "release",
    "release_all",
    "release_mine",
    "renew",
    "retry",
    "session_factory",
    "store_items",
    "stored_story",
    "transition",
    "upgrade",
    "wait_for_service",
]
