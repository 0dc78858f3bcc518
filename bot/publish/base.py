"""What every publisher is: one object with ``publish(submission) -> Receipt``.

The pipeline builds the Submission (bot.story) from the database; the publisher
never touches the database itself, so the story's state stays the single
source of truth. A publisher raises one of the PublishError branches of
bot.errors: PublishLater, PublishRefused or PublishStopped.
"""

from __future__ import annotations

from typing import Protocol

from bot.story import Receipt, Submission


class Publisher(Protocol):
    def publish(self, submission: Submission) -> Receipt: ...
