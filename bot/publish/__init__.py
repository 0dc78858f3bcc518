"""Publish stage: hand a draft to a sink (the outbox folder, or WordPress).

Entry point: ``make_publisher(config)``; every publisher has
``publish(Submission) -> Receipt`` and raises PublishError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.publish.base import Publisher, PublishError, Receipt, Submission
from bot.publish.outbox import OutboxPublisher

if TYPE_CHECKING:
    from bot.config import Config

__all__ = ["PublishError", "Publisher", "Receipt", "Submission", "make_publisher"]


def make_publisher(config: Config) -> Publisher:
    if config.publish.target == "wordpress":
        from bot.publish.wordpress import WordPressPublisher

        assert config.wordpress is not None  # the config loader guarantees it
        return WordPressPublisher(config.wordpress, config.wp_password)
    return OutboxPublisher(config.resolve(config.publish.outbox_dir))
