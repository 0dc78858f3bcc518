"""One bot at a time on a SQLite database.

SQLite has no row locks worth the name across processes, so a second run
on the same file (a cron `run --once` while the daemon works) would only
wait on the writer lock and redo work. A lock file beside the database,
held with flock for the life of the process, says who owns it; the kernel
drops it when the process dies, even by SIGKILL, so a crash never leaves
it stuck. PostgreSQL needs no such lock: stories are claimed with leases.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import AlreadyRunning


class InstanceLock:
    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.path: Path | None = None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self.path = Path(f"{url.database}.lock")
        self._handle: int | None = None

    def acquire(self) -> None:
        """Raises AlreadyRunning with the holder's pid when another process has it."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(handle, 32).decode(errors="replace").strip() or "?"
            os.close(handle)
            raise AlreadyRunning(
                f"another Dépêche (pid {holder}) is using {self.path.stem}"
            ) from None
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode())
        self._handle = handle

    @property
    def exclusive(self) -> bool:
        """True when this process is the only one on the database (SQLite, lock held)."""
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            os.close(self._handle)
            self._handle = None
