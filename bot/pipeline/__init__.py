"""The pipeline: poll → store (+ enrich) → write (+ gate) → publish (→ revise).

- ``polling.FeedPoller``: polls each due feed and stores its items
  (``bot.store.store_items``), then ``enrich.enrich_story`` completes each new story
  from its article page; the feed's next poll is scheduled from its row.
- ``stages.write_story`` and ``stages.publish_story``: plain functions, one
  claimed story each, that commit its new state through bot.store;
  ``revise.revise_story`` likewise rewrites a posted story an editor asked to revise.
- ``runner.Runner``: claims stories (``bot.store.claim``), runs a stage function
  on each under the failure policy (``policy.FailurePolicy``: what each branch of the
  bot.errors tree means for the story), and gives them back (``write_batch``,
  ``publish_batch``, ``revise_batch``), several stories in flight at once
  (``pool``: the bounded threads, ``InHand`` the stories this worker holds;
  ``outage.DatabaseWatch`` the database's outages); and ``Runner.run_once``, one
  whole cycle.

Every step reads its work from the database and commits its result before
the next one starts, so the process can die anywhere and the next run
carries on: a story is stored before it is written, its draft is stored
before it is published, and the publisher finds a post it already made.
"""

from bot.pipeline.runner import Runner, worker_name

__all__ = ["Runner", "worker_name"]
