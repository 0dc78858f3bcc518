"""Engine, sessions and migrations.

SQLite is the default: one file, WAL journal so readers (``depeche status``)
never block the writer, and a busy timeout so a second writer (a thread or a
process) waits instead of failing: a transaction takes the write lock with its
first write, before it reads anything it then writes on (see
_sqlite_begin_before_writing). PostgreSQL (or any SQLAlchemy URL) works the
same way.

The faults an operator can fix are named here, once, for every caller: the
driver's exception becomes DatabaseUnavailable (the server is down or the
connection dropped), DatabaseLocked (another process holds the write lock) or
DatabaseCorrupted, each one line that names the database and the fix.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Select, create_engine, event, text
from sqlalchemy.engine import URL, Connection, ExceptionContext, ExecutionContext, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.breaker import ServiceDown
from bot.faults import (
    EXIT_DATABASE_CORRUPTED,
    EXIT_DATABASE_LOCKED,
    EXIT_DATABASE_UNREACHABLE,
    OperatorFault,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# SQLite waits this long for another process's write lock before saying it is locked;
# at start-up the wait goes on, with a line each time, up to LOCK_PATIENCE.
BUSY_TIMEOUT_MS = 5000
LOCK_PATIENCE = 30.0


class DatabaseFault(OperatorFault):
    """A database fault the operator can fix: the message is the one line to show."""


class DatabaseUnavailable(DatabaseFault, ServiceDown):
    """The server refuses connections, or the connection dropped: wait for it."""

    exit_code = EXIT_DATABASE_UNREACHABLE


class DatabaseLocked(DatabaseUnavailable):
    """Another process holds SQLite's write lock longer than the busy timeout."""

    exit_code = EXIT_DATABASE_LOCKED

    def __init__(self, where: str, holders: list[int]):
        by = f"process {', '.join(map(str, holders))}" if holders else "another process"
        super().__init__(f"database {where} is locked by {by}")
        self.holders = holders


class DatabaseCorrupted(DatabaseFault):
    """The file is damaged: only a backup (or salvage by hand) helps."""

    exit_code = EXIT_DATABASE_CORRUPTED


MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# The statements that make a SQLite transaction a writer. SAVEPOINT too: on an idle
# connection it opens a transaction whose reads (ingest's lookups) come before its writes.
_SQLITE_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def _sqlite_begin_before_writing(  # type: ignore[no-untyped-def]
    conn: Connection, cursor, statement: str, _parameters, context: ExecutionContext, _many
) -> None:
    """A SQLite transaction that writes begins with BEGIN IMMEDIATE, so that it waits
    for the write lock (busy_timeout) before it reads what it decides on.

    In WAL mode a transaction that read first and writes after cannot wait: when it
    asks for the write lock, another writer holds it or has committed since its
    snapshot (SQLITE_BUSY_SNAPSHOT), and SQLite fails it at once, "database is
    locked", whatever the busy timeout. A SAVEPOINT on an idle connection (ingest)
    opened such a transaction; its RELEASE was also a COMMIT, before the caller's.

    The lock is taken at the first write (or SAVEPOINT, or SELECT ... FOR UPDATE: a
    read the caller means to write on), not at every BEGIN as in SQLAlchemy's recipe:
    a session that only reads (`depeche status`, the claim's look) reads outside any
    transaction, as before, and the poller's session holds no lock while its feed is
    fetched. Measured with a BEGIN IMMEDIATE at every BEGIN: a read waited 0.94 s for
    a writer's 1 s transaction, a claim 1.94 s for the poller's 2 s fetch (here: 4 ms
    and 13 ms); and redoable's PRAGMA fails inside a transaction. The driver's own
    BEGIN (before its first INSERT/UPDATE) never comes: this one is there first."""
    if cursor.connection.in_transaction or not _writes(statement, context):
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # SQLAlchemy's AUTOCOMMIT: each statement is a transaction of its own
    cursor.execute("BEGIN IMMEDIATE")


def _writes(statement: str, context: ExecutionContext) -> bool:
    if context.isinsert or context.isupdate or context.isdelete:
        return True
    if statement.lstrip()[:9].upper().startswith(_SQLITE_WRITES):
        return True
    selected = getattr(context.compiled, "statement", None)
    return isinstance(selected, Select) and selected._for_update_arg is not None


def _sqlite_wait_for_disk(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Back in the pool, a connection's commits wait for the disk again (see redoable)."""
    dbapi_connection.execute("PRAGMA synchronous=FULL")


def redoable(session: Session) -> None:
    """The session's current transaction commits without waiting for the disk (SQLite
    WAL synchronous=NORMAL, PostgreSQL synchronous_commit off): a power cut may lose
    the last such commits, each whole, and in order. Only for work redone from its
    source when lost (a feed's items with its validators: the next poll fetches them
    again); any later commit that waits for the disk writes them with it (the log is
    written in order), so nothing done with them afterwards outlives them."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA synchronous=NORMAL"))
    else:
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def make_engine(url: str, *, connections: int = 5) -> Engine:
    """`connections`: how many the pool keeps (more may open for a while): one or two
    per thread that works at once (writers, publishers, the heartbeat, the feeds)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, pool_size=connections)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _sqlite_begin_before_writing)
        event.listen(engine, "checkin", _sqlite_wait_for_disk)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=connections)
    event.listen(engine, "handle_error", _name_the_fault)
    return engine


def describe(url: URL | str) -> str:
    """The database as an operator knows it: the SQLite file, or the URL without password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


_CORRUPT = ("malformed", "not a database", "file is encrypted", "disk i/o error")
_LOCKED = ("database is locked", "database table is locked")
# PostgreSQL: connection exceptions, and the server shutting down or restarting.
_DOWN_SQLSTATES = ("08", "57P")


def _name_the_fault(context: ExceptionContext) -> None:
    """Replace the driver's error by the operator's fault, when it is one."""
    if context.is_pre_ping:  # the pool is testing a connection and reconnects on its own
        return
    error = context.original_exception
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    where = describe(context.engine.url) if context.engine else "the database"
    if context.dialect is not None and context.dialect.name == "sqlite":
        lowered = first_line.lower()
        if any(word in lowered for word in _CORRUPT):
            raise DatabaseCorrupted(
                f"database {where} is corrupted ({first_line}): stop the bot, restore the "
                "file from a backup, then run `depeche db check`"
            ) from error
        if any(word in lowered for word in _LOCKED):
            raise DatabaseLocked(where, lock_holders(where)) from error
        if "unable to open" in lowered or "readonly" in lowered:
            raise DatabaseUnavailable(
                f"database {where} cannot be opened ({first_line})"
            ) from error
        return
    sqlstate = getattr(error, "sqlstate", None)
    if context.is_disconnect or (
        type(error).__name__ == "OperationalError"
        and (sqlstate is None or sqlstate.startswith(_DOWN_SQLSTATES))
    ):
        raise DatabaseUnavailable(f"database {where} unreachable ({first_line})") from error


def lock_holders(path: str) -> list[int]:
    """The other processes that have this file open (Linux /proc): who holds a lock."""
    target = os.path.realpath(path)
    holders = []
    for pid in filter(str.isdigit, os.listdir("/proc") if os.path.isdir("/proc") else []):
        if int(pid) == os.getpid():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(os.path.realpath(f"/proc/{pid}/fd/{fd}") == target for fd in fds):
                holders.append(int(pid))
        except OSError:  # gone, or not ours to look at
            continue
    return holders


def patiently(work: Callable[[], T], patience: float = LOCK_PATIENCE) -> T:
    """Run `work`, waiting for a lock another process holds (up to `patience` seconds),
    with a line each time so the wait is never silent; DatabaseLocked after that."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return work()
        except DatabaseLocked as locked:
            if time.monotonic() >= deadline:
                raise
            by = (
                f"le processus {', '.join(map(str, locked.holders))}"
                if locked.holders
                else "un autre processus"
            )
            log.warning("base verrouillée par %s, nouvel essai…", by)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects stay readable after each committed transition.
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Apply pending migrations; returns (revision before, revision after)."""
    before = current_revision(engine)
    if before != head_revision(engine):
        command.upgrade(_alembic_config(engine), "head")
        log.info("database upgraded from %s to %s", before or "empty", head_revision(engine))
    return before, current_revision(engine)


def integrity_problems(engine: Engine) -> list[str]:
    """What is damaged, one line each; empty when sound. SQLite: the integrity check
    of every page; a server: that it answers (it checks its own pages)."""
    with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            connection.execute(text("SELECT 1"))
            return []
        rows = [row[0] for row in connection.execute(text("PRAGMA integrity_check"))]
    return [row for row in rows if row != "ok"]


def database_exists(url: str) -> bool:
    """Has a run made this database yet? Reading commands ask first, so that looking
    never creates one (a SQLite file, or the schema on a server)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        return in_memory or Path(parsed.database or "").is_file()
    engine = make_engine(url)
    try:
        return current_revision(engine) is not None
    finally:
        engine.dispose()
