"""Publish stage: hand a draft to a sink (the outbox folder, or WordPress).

Every publisher has ``publish(Submission) -> Receipt`` (bot.story) and raises
a PublishError branch of bot.errors; ``bot.app.make_publisher`` picks one from
the config.
"""

from bot.publish.base import Publisher
from bot.publish.outbox import OutboxPublisher

__all__ = ["OutboxPublisher", "Publisher"]
