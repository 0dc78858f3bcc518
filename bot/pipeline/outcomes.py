"""What one cycle did, for the `run --once` table and the daemon's log."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FeedOutcome:
    url: str
    new: int = 0
    duplicates: int = 0
    known: int = 0
    skipped: int = 0  # stored, turned away by a filter or max_age
    not_modified: bool = False
    error: str | None = None


@dataclass
class StoryOutcome:
    story_id: int
    title: str
    stage: str  # write | publish
    state: str  # the state the story ended in
    detail: str = ""


@dataclass
class CycleReport:
    feeds: list[FeedOutcome] = field(default_factory=list)
    stories: list[StoryOutcome] = field(default_factory=list)
    skipped_publishing: str | None = None
    skipped_writing: str | None = None


def unexpected(error: BaseException) -> str:
    """One line for an error nobody foresaw: its type and the first line of its message."""
    first_line = next(iter(str(error).splitlines()), "")
    return f"unexpected error: {type(error).__name__}" + (f": {first_line}" if first_line else "")
