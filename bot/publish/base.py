"""What every publisher receives and returns.

A publisher is one object with ``publish(submission) -> Receipt``. The pipeline
builds the submission from the database; the publisher never touches the
database itself, so the story's state stays the single source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.writer.draft import Draft


@dataclass
class Submission:
    # Stable identifier of the story, stored on the post so that a retry or a
    # second worker finds the post instead of creating another one.
    story_uid: str
    draft: Draft
    source_url: str
    source_title: str
    source_name: str  # the feed's title, for the credit line
    category: str  # the feed's category when set, else the writer's
    image_url: str | None = None
    image_credit: str | None = None
    # Lines for the editor's note (warnings of the quality gate, flagged facts...).
    editor_notes: list[str] = field(default_factory=list)
    # The post id recorded by an earlier publish of this story, if any.
    existing_post_id: str | None = None


@dataclass
class Receipt:
    post_id: str
    url: str
    warnings: list[str] = field(default_factory=list)


class PublishError(Exception):
    """A publish that did not land.

    ``retryable``: a later attempt may succeed (site down, 5xx, timeout).
    ``stop_site``: do not try this site again in this run (bad credentials,
    missing rights, missing mu-plugin): hammering it would not help.
    """

    def __init__(self, message: str, *, retryable: bool = True, stop_site: bool = False):
        super().__init__(message)
        self.retryable = retryable
        self.stop_site = stop_site


class Publisher(Protocol):
    name: str

    def publish(self, submission: Submission) -> Receipt: ...
