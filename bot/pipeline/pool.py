"""Stories in flight: the bounded pool a stage runs in, and what this worker holds now.

A stage runs in `[llm] concurrency` threads (writing) or `[publish] concurrency`
threads (publishing), each with its own database session, claiming one story at a
time until none is claimable (bot.pipeline.runner). Threads rather than asyncio:
what a stage calls is synchronous (the openai client and httpx.Client, SQLAlchemy
sessions, the gate's spaCy and lingua), and nearly all of a stage's time is spent
waiting on a socket, which releases the GIL; asyncio would mean an async client, an
async session and the gate pushed to threads anyway. A handful of threads, each
blocked on its model call, cost a few MB each (bench/writing.py measures it).

A stage can also run beside another, woken by it (`woken_alongside`): `run --once`
publishes each draft while the next stories are written, as the daemon's publishing
job does (bot.scheduler), one round at a time (`StageJob`).

`InHand` counts the stories this worker holds, so that a stopping daemon waits for
them and then gives them back, and renews their leases (the heartbeat): a story
in hand is never taken over while its worker is alive, however long its model call
or its upload; only a dead (or frozen) worker's lease runs out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

log = logging.getLogger(__name__)


class InHand:
    """The stories this worker holds now. `renew(ids)` is the heartbeat, called every
    `every` seconds from a thread of its own while any story is in hand."""

    def __init__(self, renew: Callable[[list[int]], None], every: float):
        self._renew = renew
        self._every = every
        self._ids: set[int] = set()
        self._changed = threading.Condition()
        self._beating = False

    @contextmanager
    def holding(self, story_id: int) -> Iterator[None]:
        with self._changed:
            self._ids.add(story_id)
            if not self._beating:
                self._beating = True
                threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True).start()
        try:
            yield
        finally:
            with self._changed:
                self._ids.discard(story_id)
                self._changed.notify_all()

    def ids(self) -> list[int]:
        with self._changed:
            return sorted(self._ids)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no story is in hand; False if the timeout ran out first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._ids, timeout)

    def _heartbeat(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: not self._ids, self._every)
                if not self._ids:
                    self._beating = False
                    return
                held = sorted(self._ids)
            try:
                self._renew(held)
            except Exception as error:  # the stage's own calls say what is wrong
                log.debug("heartbeat: leases not renewed: %s", error)


class Countdown:
    """How many more stories a batch may claim (None: no limit), shared by its threads;
    each claim gets its turn, so that the batch reports its stories in claim order."""

    def __init__(self, left: int | None):
        self.left = left
        self._taken = 0
        self._lock = threading.Lock()

    def take(self) -> int | None:
        """The next turn, or None when the batch may claim no more."""
        with self._lock:
            if self.left is not None:
                if self.left <= 0:
                    return None
                self.left -= 1
            self._taken += 1
            return self._taken


def in_threads(count: int, name: str, work: Callable[[], None]) -> None:
    """Run `work` in `count` threads at once and wait for each to return; one runs in
    the calling thread. `work` handles its own errors: a thread's escape is a bug,
    logged by threading's hook."""
    if count <= 1:
        work()
        return
    threads = [threading.Thread(target=work, name=f"{name}-{n}", daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class StageJob:
    """A stage's round that never runs twice at once: a wake-up that comes while it runs
    asks for one more round of the running job, and returns. The daemon's jobs are
    these (APScheduler never holds a second instance back, so a healthy daemon never
    logs « maximum number of running instances reached »), and so is the publishing
    that `run --once` does beside its writing."""

    def __init__(self, work: Callable[[], object]):
        self.work = work
        self._running = threading.Lock()
        self._again = threading.Event()

    def __call__(self) -> None:
        if not self._running.acquire(blocking=False):
            self._again.set()
            return
        try:
            while True:
                self._again.clear()
                self.work()
                if not self._again.is_set():
                    return
        finally:
            self._running.release()


@contextmanager
def woken_alongside(work: Callable[[], object], name: str) -> Iterator[Callable[[], None]]:
    """`work` run in threads of its own, one round at a time (`StageJob`), each time the
    caller calls the wake-up this yields, beside the caller's own work. On leaving, the
    rounds asked have run; a round's escape (a bug) is raised here, as it would have
    been in the caller's thread."""
    job = StageJob(work)
    asked: list[Future[None]] = []
    # Two threads, as the daemon's stage executors: a wake-up during a round finds the
    # second one free, and StageJob turns it into one more round of the running one.
    with ThreadPoolExecutor(2, thread_name_prefix=name) as rounds:
        yield lambda: asked.append(rounds.submit(job))
    for round_asked in asked:
        round_asked.result()
