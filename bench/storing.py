"""Storing a first poll's items, the storing thread alone (issue 10 §1: what keeps the first
poll of 1,000 feeds × 20 items above its 8 s target):

    python bench/storing.py [--feeds 500]

The polling bench's feeds are parsed beforehand (no network, no parse processes), then
stored one feed after the other by `FeedPoller.poll`, as the poller's thread does (one
transaction per feed, SQLite file, the cluster window held). Printed: the thread's CPU
time an item, and how it splits among the storing's steps, in two runs on fresh files:
the items as the parse processes send them (keys and fingerprint worked out there:
bot.store.digest), and beside it the baseline of items parsed in the thread, which works
them out itself. The split is wall time of each step (the steps nest: `_insert` and
`_told_elsewhere` are inside `store_items`).
"""

from __future__ import annotations

import argparse
import collections
import functools
import sys
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.polling import ITEMS, _load, feed_body  # noqa: E402
from bot.app import open_app  # noqa: E402
from bot.config import load  # noqa: E402
from bot.feeds import PollResult  # noqa: E402
from bot.feeds.parse import parse_feed  # noqa: E402
from bot.pipeline import polling  # noqa: E402
from bot.store import digest  # noqa: E402
from bot.store.digest import digest_all  # noqa: E402
from bot.store.window import WindowIndex  # noqa: E402

_ingest = sys.modules["bot.store.ingest"]  # bot.store.ingest the module, not the function
STEPS = [
    (polling.FeedPoller, "_store", "the feed's storing, selection and commit included"),
    (polling, "store_items", "store_items: every row of the feed's items"),
    (_ingest._Batch, "_insert", "  inserting stories, keys, sources and events"),
    (_ingest._Batch, "_told_elsewhere", "  finding the story an item tells (window)"),
    (WindowIndex, "catch_up", "  the window's catch-up, once a feed"),
    (_ingest, "stored_keys", "  the dedup keys looked up, once a feed"),
    (digest, "fingerprint", "  fingerprints worked out in this thread"),
    (digest, "keys", "  dedup keys worked out in this thread"),
    (polling.FeedPoller, "_feed_succeeded", "the feed's row and the commit"),
]


def timed_steps(spent: collections.Counter[str]) -> None:
    """Wrap each step so that its wall time adds up in `spent`."""
    for owner, name, _ in STEPS:
        step = getattr(owner, name)

        @functools.wraps(step)
        def wrapper(*args, _step=step, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return _step(*args, **kwargs)
            finally:
                spent[_name] += time.perf_counter() - started

        setattr(owner, name, wrapper)


def run(count: int, digested: bool, spent: collections.Counter[str]) -> float:
    """Store `count` feeds' items on a new SQLite file; the thread's CPU seconds."""
    spent.clear()
    folder = Path(tempfile.mkdtemp())
    toml = folder / "bot.toml"
    feeds = "".join(f'[[feeds]]\nurl = "https://commune-{n}.example/rss"\n' for n in range(count))
    toml.write_text(f'[database]\nurl = "sqlite:///{folder}/depeche.db"\n' + feeds, "utf-8")
    config = load(toml, environ={})
    app = open_app(config)
    poller = polling.FeedPoller(config, app.sessions)
    poller.sync()
    results = []
    for n in range(count):
        parsed = parse_feed(feed_body(n))
        if digested:
            digest_all(parsed)
        results.append(PollResult(not_modified=False, title=parsed.title, items=parsed.items))
    cpu = time.process_time()
    for row, result in zip(poller.due(all_feeds=True), results, strict=True):
        fetched: Future = Future()
        fetched.set_result(result)
        poller.poll(row, fetched)
    cpu = time.process_time() - cpu
    app.close()
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    count = parser.parse_args().feeds
    items = count * ITEMS
    spent: collections.Counter[str] = collections.Counter()
    timed_steps(spent)
    print(f"{count} feeds × {ITEMS} items stored in one thread, SQLite; load average {_load()}")
    for digested, label in ((True, "digested in the parse processes"),
                            (False, "baseline: parsed in this thread")):
        cpu = run(count, digested, spent)
        print(f"{label}: {cpu / items * 1000:.3f} ms of CPU an item ({cpu:.1f} s)")
        for _, name, meaning in STEPS:
            print(f"    {spent[name] / items * 1000:6.3f} ms  {meaning}")
    print("target: a first poll of 20,000 items in 8 s leaves the storing thread well under"
          " 0.4 ms an item (the fetches share its process)")


if __name__ == "__main__":
    main()
