"""The store: the database, the single source of truth, and every change of a story row.

- ingest: feed items stored once (`store_items` for a poll, `ingest` for one item),
  deduplicated by their keys (dedup) or joined to a story as a source (sources);
- stories: a story's states: `claim`, `renew`, `release`, `transition`, `park`,
  `release_all`, `retry`, `choose_by_hand`, `note_waiting`;
- sources, revisions, review: a story's sources, the revisions asked by editors, their
  decisions read back from WordPress; queries: read-only views for the CLI, and overview:
  the same as plain data (what `status`, `stories show` and `feeds list` print);
- models, db, lock, spool, retention: the schema, engines and migrations, one bot per
  SQLite file, work kept while the database is down, prompts dropped after a while.
"""

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
