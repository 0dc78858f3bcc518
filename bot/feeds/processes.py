"""Feed documents parsed in other processes, when a poll has many to parse.

Why processes: parsing (feedparser, our text views) is Python work that holds the GIL,
about 0.15 ms an item. With 1,000 feeds × 20 items that is 3 s of CPU in the very
interpreter whose thread stores the items: the storing would wait for the GIL. Threads
cannot run it on the other core; processes can, and a document goes out as bytes and
comes back as a few FeedItems (a few microseconds to pickle an item). The poller has
them work out what the store needs of each item alone, too (`prepare`: its keys and
fingerprint, bot.store.digest), for the same reason.

Why they cannot outlive the bot: a bot killed by SIGKILL (the OOM killer, a power-cut
test) runs no clean-up, and a worker of a plain ProcessPoolExecutor waits on its queue
for ever; as it holds the forkserver's end of the bot's pipe, the forkserver waits too
(seen: 3 processes left 30 s after the bot). Each worker here watches the bot's process
through a pidfd and exits the moment it ends, whoever its parent is by then; the
forkserver follows once the workers are gone. A worker also asks the kernel for SIGKILL
if its own parent, the forkserver, dies first (PR_SET_PDEATHSIG). Linux 5.3 or later only
(pidfd): elsewhere the documents are parsed in the fetch threads, as for a small poll.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import select
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from bot.errors import FeedError
from bot.feeds.parse import ParsedFeed, parse_feed

log = logging.getLogger(__name__)

# parse_feed's signature: (content, content_type=..., base_url=...) -> ParsedFeed.
Parser = Callable[..., ParsedFeed]
# Work on a parsed feed done in the parsing process too, in place: a module's function
# (it is sent by name), depending on the items alone (bot.store.digest.digest_all).
Prepare = Callable[[ParsedFeed], None]

# From this many feeds in one poll, their documents are parsed in other processes: below
# it, starting them (a forkserver importing the parser, then the workers: 1.3 s to the
# first document on a loaded 2-core machine) costs more than it saves.
PARSE_IN_PROCESSES_FROM = 64
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@contextmanager
def parser_for(feed_count: int, prepare: Prepare | None = None) -> Iterator[Parser]:
    """How a poll of `feed_count` feeds reads its documents: in the calling thread for a
    few feeds, or on one machine's single core; in other processes otherwise, which then
    `prepare` each parsed feed as well."""
    cores = os.cpu_count() or 1
    if feed_count < PARSE_IN_PROCESSES_FROM or cores < 2 or not _pidfd_works():
        yield parse_feed
        return
    pool = ParserPool(workers=cores, prepare=prepare)
    try:
        yield pool.parse
    finally:
        pool.close()


def _pidfd_works() -> bool:
    """Whether this system has pidfds (Linux 5.3 and later), which the workers need to
    know that the bot has ended."""
    try:
        os.close(os.pidfd_open(os.getpid()))
    except (AttributeError, OSError):
        return False
    return True


class ParserPool:
    """Worker processes that parse documents; a pool that broke (a worker killed) is
    replaced, and the documents it held are parsed again in the new one."""

    def __init__(self, workers: int, prepare: Prepare | None = None):
        self.workers = workers
        self.prepare = prepare
        self._lock = threading.Lock()
        self._pool = self._start()

    def parse(self, content: bytes, **options: str) -> ParsedFeed:
        for _ in range(2):
            pool = self._pool
            try:
                return pool.submit(_parse, content, options, self.prepare).result()
            except BrokenProcessPool:
                self._replace(pool)
        # Twice a worker died under this document: the feed fails alone, as a bad feed does.
        raise FeedError("the document's parsing process died twice (out of memory?)")

    def close(self) -> None:
        with self._lock:
            self._pool.shutdown(cancel_futures=True)

    def _start(self) -> ProcessPoolExecutor:
        # forkserver: never fork the bot itself, whose threads may hold locks; the server
        # is started once per bot process, with the parser's modules already imported.
        context = multiprocessing.get_context("forkserver")
        preload = ["bot.feeds.parse"] + ([self.prepare.__module__] if self.prepare else [])
        context.set_forkserver_preload(preload)
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=die_with, initargs=(os.getpid(),)
        )

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:  # the first thread to see it replaces it
                log.warning("a feed parsing process died: the pool is started again")
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()


def _parse(content: bytes, options: dict[str, str], prepare: Prepare | None) -> ParsedFeed:
    """What a worker does with one document."""
    parsed = parse_feed(content, **options)
    if prepare is not None:
        prepare(parsed)
    return parsed


def die_with(bot_pid: int) -> None:
    """A worker's initializer: end this process as soon as the bot's process ends, and
    then only. Ctrl-C and systemd's SIGTERM reach the whole process group: the bot
    finishes its poll and stops, so its workers must not die first (the pool would
    break under the poll, and each would print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        bot = os.pidfd_open(bot_pid)
    except ProcessLookupError:  # the bot died before this worker got here
        os._exit(1)
    threading.Thread(target=_exit_when_ended, args=(bot,), daemon=True).start()


def _exit_when_ended(pidfd: int) -> None:
    # A pidfd becomes readable when its process has ended (even as an unreaped zombie).
    select.select([pidfd], [], [])
    os._exit(1)
