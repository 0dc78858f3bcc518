"""Choosing what to write: filters, freshness, quotas and budget, priority, triage.

Two hooks in the pipeline, nothing else:

- at store time, `at_store` says why an item is turned away (a filter, `max_age`):
  the item is stored all the same, as `skipped` with that reason, never lost;
- at claim time, `claim_rules` orders the new stories (feed priority, then the
  freshest) and leaves out what the day's quotas forbid; `before_write` checks
  again what may have changed while the story waited (its age, its text once the
  article page is read) and asks the triage model; `guard` is asked before each
  model call, so no call is made past the budget.

The entry point is bot.select.selection.Selection; the settings it reads ([select],
[budget], [triage], each feed's own) are declared in bot.config.select.
"""
