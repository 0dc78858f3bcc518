"""The database's outages, as a worker lives them: its breaker, the stories it held
when the database failed under it (given back once it answers), and the model calls
paid for meanwhile (kept in the spool, stored once it is back)."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.breaker import Breaker, BreakerSettings, ServiceDown
from bot.store import LLMCall, release_mine
from bot.store.db import DatabaseUnavailable
from bot.store.spool import Spool

log = logging.getLogger(__name__)


class DatabaseWatch:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        worker: str,
        settings: BreakerSettings,
        spool: Spool,
    ):
        self.sessions = sessions
        self.worker = worker
        self.breaker = Breaker("database", settings)
        self.spool = spool
        # Stories this worker held when the database failed under it: freed once it is back.
        self._stranded: set[int] = set()
        self._stranded_lock = threading.Lock()

    def ready(self) -> bool:
        """Is the database there? Once it failed: not before its breaker's probe time,
        and the probe also frees the stories this worker held and stores the spooled
        call records, so nothing stays locked by a living worker."""
        with self._stranded_lock:
            stranded = sorted(self._stranded)
        if not self.breaker.is_open and not stranded:
            return True
        try:
            self.breaker.before_call()
            with self.sessions() as session:
                session.execute(select(1))
                freed = release_mine(session, stranded, self.worker) if stranded else 0
            self._store_spooled_calls()
        except ServiceDown as down:
            if isinstance(down, DatabaseUnavailable):
                self.breaker.failed(str(down))
            return False
        self.breaker.succeeded()
        with self._stranded_lock:
            self._stranded.difference_update(stranded)
        if freed:
            log.info("%d story(ies) given back now that the database answers", freed)
        return True

    def failed(self, down: DatabaseUnavailable, story_id: int | None) -> None:
        """The database failed under this worker: nothing more to write there now; the
        story in hand is given back as soon as it answers again (`ready`)."""
        self.breaker.failed(str(down))
        if story_id is not None:
            with self._stranded_lock:
                self._stranded.add(story_id)

    def _store_spooled_calls(self) -> None:
        rows, lines = self.spool.calls()
        if not lines:
            return
        with self.sessions() as session:
            session.add_all(LLMCall(**row) for row in rows)
            session.commit()
        self.spool.forget_calls(lines)
