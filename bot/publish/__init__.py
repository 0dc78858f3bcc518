"""Publish stage: hand a draft to a sink (the outbox folder, or WordPress).

Every publisher (bot.publish.base.Publisher) has ``publish(Submission) -> Receipt``
(bot.story), and for the revise stage (a posted story whose sources changed, or an
editor's rewrite request) ``look(Submission)``, the post as it is now, and ``note()``,
a dated line for the editor beside the post that never touches its body. It raises a
PublishError branch of bot.errors; ``bot.app.make_publisher`` picks one from the config.
The WordPress publisher (bot.publish.wordpress) also reads the editors' decisions back
(``decisions.look_back``) and checks the site (``depeche wp check``).
"""

from bot.publish.base import Publisher
from bot.publish.outbox import OutboxPublisher

__all__ = ["OutboxPublisher", "Publisher"]
