"""What every publisher is: one object with ``publish(submission) -> Receipt``.

The pipeline builds the Submission (bot.story) from the database; the publisher
never touches the database itself, so the story's state stays the single
source of truth. A publisher raises one of the PublishError branches of
bot.errors: PublishLater, PublishRefused or PublishStopped.
"""

from __future__ import annotations

from typing import Protocol

from bot.story import PostLook, Receipt, Submission


class Publisher(Protocol):
    def publish(self, submission: Submission) -> Receipt: ...

    def look(self, submission: Submission) -> PostLook | None:
        """The story's post as it is now (None when there is none): a revision reads it
        just before deciding to update it or to add a note."""

    def note(self, submission: Submission, line: str, *, clear_request: bool = False) -> None:
        """Add a dated line for the editor beside the post, never touching its body;
        with `clear_request`, the editor's rewrite request is answered."""
