"""The faults an operator can fix end in one line and their own exit code, through the
real command, with no traceback (also under --log-format json) (issue 15 §3)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.faults import (
    EXIT_DATABASE_CORRUPTED,
    EXIT_DATABASE_LOCKED,
    EXIT_DATABASE_UNREACHABLE,
    EXIT_OUTBOX_UNWRITABLE,
)
from tests.conftest import ROOT, tmpfs
from tests.faults.harness import BotProcess

SAMPLE = ROOT / "config" / "sample" / "feed.xml"


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The fault's line: the only one on stderr, beside the notices of any first run."""
    notices = ("no model configured", "database upgraded")
    lines = [line for line in result.stderr.splitlines() if not any(n in line for n in notices)]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    return lines[0]


@pytest.fixture
def bot(make_config) -> BotProcess:
    bot = BotProcess(make_config(feeds=[{"url": str(SAMPLE)}]))
    first = bot.run("db", "upgrade")
    assert first.returncode == 0, first.stderr
    return bot


def corrupt(database: Path) -> None:
    data = bytearray(database.read_bytes())
    data[4096 : 4096 * 3] = b"A" * (4096 * 2)  # the pages after the header: tables, indexes
    database.write_bytes(bytes(data))


@pytest.mark.parametrize("log_format", ["human", "json"])
def test_a_corrupted_database_names_the_file_and_the_fix(bot: BotProcess, log_format: str):
    database = bot.config.parent / "depeche.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    corrupt(database)

    result = bot.run("run", "--once", "--all-feeds", log_format=log_format)

    assert result.returncode == EXIT_DATABASE_CORRUPTED == 7
    line = one_line(result)
    message = json.loads(line)["message"] if log_format == "json" else line
    assert str(database) in message and "corrupted" in message
    assert "backup" in message and "depeche db check" in message

    check = bot.run("db", "check")
    assert check.returncode == EXIT_DATABASE_CORRUPTED, check.stdout + check.stderr
    assert "Traceback" not in check.stderr


def test_db_check_on_a_sound_database(bot: BotProcess):
    check = bot.run("db", "check")
    assert check.returncode == 0, check.stderr
    assert "ok (integrity checked" in check.stdout and check.stderr == ""


@contextmanager
def write_lock(database: Path) -> Iterator[None]:
    """Another process holding SQLite's write lock (here: this test's)."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def test_a_lock_held_for_long_says_who_holds_it_then_gives_up(bot: BotProcess):
    database = bot.config.parent / "depeche.db"
    started = time.monotonic()
    with write_lock(database):
        result = bot.run("run", "--once", "--all-feeds")
    assert result.returncode == EXIT_DATABASE_LOCKED == 6
    waits = [line for line in result.stderr.splitlines() if "base verrouillée" in line]
    assert waits and all(f"par le processus {os.getpid()}" in line for line in waits)
    assert time.monotonic() - started < 60
    fault = [line for line in result.stderr.splitlines() if line.startswith("depeche: ")]
    assert fault == [f"depeche: database {database} is locked by process {os.getpid()}"]
    assert "Traceback" not in result.stderr


def test_a_lock_held_briefly_is_waited_for_with_a_word(bot: BotProcess):
    database = bot.config.parent / "depeche.db"
    with write_lock(database):
        process = bot.start("run", "--once", "--all-feeds")
        assert process.stderr is not None
        # Held until the bot says it waits (past its first busy timeout), then let go.
        said = process.stderr.readline()
        while said and "base verrouillée" not in said:
            said = process.stderr.readline()
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, said + err
    assert f"base verrouillée par le processus {os.getpid()}, nouvel essai…" in said


def test_a_database_server_that_does_not_answer(make_config):
    bot = BotProcess(
        make_config(
            feeds=[{"url": str(SAMPLE)}],
            database={"url": "postgresql+psycopg://depeche@127.0.0.1:9/depeche"},
        )
    )
    result = bot.run("run", "--once")
    assert result.returncode == EXIT_DATABASE_UNREACHABLE == 5
    line = one_line(result)
    assert line.startswith("depeche: database postgresql+psycopg://depeche@127.0.0.1:9/depeche")
    assert "unreachable" in line and "refused" in line.lower()


def test_a_read_only_outbox_names_the_folder(make_config, tmp_path: Path):
    outbox = tmp_path / "outbox"
    bot = BotProcess(make_config(feeds=[{"url": str(SAMPLE)}]))
    with tmpfs(outbox, "ro,size=1m"):
        result = bot.run("run", "--once")
    assert result.returncode == EXIT_OUTBOX_UNWRITABLE == 8
    line = one_line(result)
    assert line.startswith(f"depeche: outbox {outbox} is not writable (")
    assert "outbox_dir" in line
