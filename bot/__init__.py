"""Dépêche: feeds in, French SEO drafts out, to WordPress.

The package follows the pipeline, one subpackage per stage:

- ``bot.feeds``    fetch and parse RSS, Atom and JSON Feed
- ``bot.store``    the database: stories, their states, dedup, model calls
- ``bot.writer``   the LLM (or offline) rewrite into a French SEO draft
- ``bot.seo``      Yoast-grade analysis of a French draft
- ``bot.quality``  the gate: hard rules, facts, the repair loop
- ``bot.publish``  sinks: the outbox folder, WordPress
- ``bot.pipeline`` wires the stages; ``bot.scheduler`` runs them as a daemon
"""

__version__ = "0.1.0"
